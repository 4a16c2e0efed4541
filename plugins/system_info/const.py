"""Constants of the system_info plugin."""

from __future__ import annotations

from typing import Final

DOMAIN: Final = "system_info"
CONF_SCAN_INTERVAL: Final = "scan_interval"
CONF_DISK_WARNING_PERCENT: Final = "disk_warning_percent"
DEFAULT_SCAN_INTERVAL: Final = 30
DEFAULT_DISK_WARNING_PERCENT: Final = 90
SERVICE_REFRESH: Final = "refresh"
