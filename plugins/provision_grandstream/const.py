"""Constants of the Grandstream provisioning plugin: OUIs and the P-values of the settings."""

from __future__ import annotations

from typing import Final

DOMAIN: Final = "provision_grandstream"
VENDOR: Final = "grandstream"
MAC_PREFIXES: Final = ("000b82", "c074ad", "ec74d7")
"""Grandstream Networks' OUIs."""

CONTENT_TYPE: Final = "application/xml; charset=utf-8"

P_ADMIN_PASSWORD: Final = "P2"
P_NTP_SERVER: Final = "P30"
P_TIME_ZONE: Final = "P64"
P_CUSTOM_TIME_ZONE: Final = "P246"
TIME_ZONE_CUSTOM: Final = "customize"
"""``P64`` value that makes the phone use the POSIX TZ string in ``P246``."""
P_LANGUAGE: Final = "P1362"
P_FIRMWARE_SERVER: Final = "P192"
P_UPGRADE_VIA: Final = "P212"
UPGRADE_VIA: Final[dict[str, str]] = {"http": "1", "https": "2"}

ACCOUNT_P_VALUES: Final[dict[int, dict[str, str]]] = {
    1: {
        "active": "P271",
        "name": "P270",
        "server": "P47",
        "user_id": "P35",
        "auth_id": "P36",
        "password": "P34",
        "display_name": "P3",
        "transport": "P130",
    },
    2: {
        "active": "P401",
        "name": "P417",
        "server": "P402",
        "user_id": "P404",
        "auth_id": "P405",
        "password": "P406",
        "display_name": "P407",
    },
}
"""The P-values of accounts 1 and 2 (the lines this plugin provisions)."""
TRANSPORTS: Final[dict[str, str]] = {"udp": "0", "tcp": "1", "tls": "2"}

LANGUAGES: Final[dict[str, str]] = {"en": "en", "de": "de", "da": "da"}
DEFAULT_LANGUAGE: Final = "en"
