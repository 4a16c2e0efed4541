"""Constants of the Fanvil provisioning plugin: OUIs and the text configuration format."""

from __future__ import annotations

from typing import Final

DOMAIN: Final = "provision_fanvil"
VENDOR: Final = "fanvil"
MAC_PREFIXES: Final = ("0c383e",)
"""Fanvil Technology's OUI. (7c:2f:80, sometimes listed for Fanvil, is Gigaset's.)"""

CONTENT_TYPE: Final = "text/plain; charset=utf-8"
HEADER: Final = "<<VOIP CONFIG FILE>>Version:2.0000000000"
FOOTER: Final = "<<END OF FILE>>"
TRANSPORTS: Final[dict[str, str]] = {"udp": "0", "tcp": "1", "tls": "2"}
LANGUAGES: Final[dict[str, str]] = {"en": "en", "de": "de", "da": "da"}
DEFAULT_LANGUAGE: Final = "en"
TIME_ZONE_UNIT_MINUTES: Final = 15
FIRMWARE_PROTOCOLS: Final[dict[str, str]] = {"http": "4", "https": "5"}
"""``Flash Protocol``: how the phone fetches its firmware (``Flash Server IP`` + ``Flash File Name``)."""
FIRMWARE_MODE_AT_START: Final = "1"
"""``Flash Mode``: look for new firmware when the phone starts."""
"""Fanvil's ``Time Zone`` counts quarter hours from UTC (4 = UTC+1)."""
