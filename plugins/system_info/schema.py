"""CONFIG_SCHEMA of the system_info plugin."""

from __future__ import annotations

from typing import Final

import voluptuous as vol

from cordboard.plugins.system_info.const import (
    CONF_DISK_WARNING_PERCENT,
    CONF_SCAN_INTERVAL,
    DEFAULT_DISK_WARNING_PERCENT,
    DEFAULT_SCAN_INTERVAL,
)

CONFIG_SCHEMA: Final = vol.Schema(
    {
        vol.Optional(CONF_SCAN_INTERVAL, default=DEFAULT_SCAN_INTERVAL): vol.All(
            int, vol.Range(min=5, max=3600, msg="between 5 and 3600 seconds")
        ),
        vol.Optional(CONF_DISK_WARNING_PERCENT, default=DEFAULT_DISK_WARNING_PERCENT): vol.All(
            int, vol.Range(min=50, max=99, msg="between 50 and 99 percent")
        ),
    }
)
