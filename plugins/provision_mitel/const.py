"""Constants of the Mitel provisioning plugin: OUIs, Mitel's time zone names, tone sets, key types."""

from __future__ import annotations

from typing import Final

DOMAIN: Final = "provision_mitel"
VENDOR: Final = "mitel"
MAC_PREFIXES: Final = ("00085d", "08000f")
"""Aastra's OUI (every 6800-series phone) and Mitel's own."""

CONTENT_TYPE: Final = "text/plain; charset=utf-8"
COMMON_FILE: Final = "aastra.cfg"

TIMEZONES: Final[dict[str, str]] = {
    "Europe/Copenhagen": "DK-Copenhagen",
    "Europe/Berlin": "DE-Berlin",
    "Europe/London": "GB-London",
    "Europe/Paris": "FR-Paris",
    "Europe/Amsterdam": "NL-Amsterdam",
    "Europe/Stockholm": "SE-Stockholm",
    "Europe/Oslo": "NO-Oslo",
    "America/New_York": "US-Eastern",
    "America/Chicago": "US-Central",
    "America/Denver": "US-Mountain",
    "America/Los_Angeles": "US-Pacific",
}
"""IANA zone → Mitel ``time zone name``; other zones get ``Custom`` with the rule spelled out."""

LANGUAGE_FILES: Final[dict[str, str]] = {"de": "lang_de.txt"}
"""Languages beyond English need the phone's language file (``language 1``); English is built in."""
INPUT_LANGUAGES: Final[dict[str, str]] = {"en": "English", "de": "German"}
TONE_SETS: Final[dict[str, str]] = {"DE": "Germany", "GB": "UK", "US": "US", "FR": "France", "IT": "Italy"}
DEFAULT_TONE_SET: Final = "Europe"
TRANSPORTS: Final[dict[str, str]] = {"udp": "1", "tcp": "2", "tls": "4"}
"""``sip transport protocol``."""

KEY_TYPES: Final[dict[str, str]] = {"line": "line", "blf": "blf", "speed_dial": "speeddial"}
KEY_PREFIXES: Final[dict[str, str]] = {
    "6863i": "prgkey",
    "6865i": "prgkey",
    "6867i": "topsoftkey",
    "6869i": "topsoftkey",
    "6873i": "topsoftkey",
}
"""The programmable keys' setting prefix by model (``softkey`` for others)."""
DEFAULT_KEY_PREFIX: Final = "softkey"
