"""Constants of the Poly provisioning plugin: OUIs and Poly's values for transports and languages."""

from __future__ import annotations

from typing import Final

DOMAIN: Final = "provision_poly"
VENDOR: Final = "poly"
MAC_PREFIXES: Final = ("0004f2", "482567", "64167f")
"""Polycom's and Poly's OUIs."""

CONTENT_TYPE: Final = "application/xml; charset=utf-8"
DEFAULT_APPLICATION: Final = "sip.ld"
"""``APP_FILE_PATH`` without a firmware URL: the usual name, absent here, so the phone keeps
the application it runs."""
TRANSPORTS: Final[dict[str, str]] = {"udp": "UDPOnly", "tcp": "TCPOnly", "tls": "TLS"}
LANGUAGES: Final[dict[str, str]] = {
    "en": "English_United_States",
    "de": "German_Germany",
    "da": "Danish_Denmark",
}
DEFAULT_LANGUAGE: Final = "English_United_States"
