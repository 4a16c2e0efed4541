"""Constants of the Snom provisioning plugin: OUIs, Snom's own codes for time zones, languages
and tone schemes, function key types."""

from __future__ import annotations

from typing import Final

DOMAIN: Final = "provision_snom"
VENDOR: Final = "snom"
MAC_PREFIXES: Final = ("000413",)
"""snom technology AG's OUI: every Snom desk phone's MAC starts with it."""

CONTENT_TYPE: Final = "application/xml; charset=utf-8"
PERM: Final = "R"
"""Settings the appliance manages are read-only on the phone (Snom ``perm="R"``)."""
ADMIN_USER: Final = "admin"

TIMEZONES: Final[dict[str, str]] = {
    "Europe/Copenhagen": "DNK+1",
    "Europe/Berlin": "GER+1",
    "Europe/London": "GBR-0",
    "Europe/Dublin": "IRL-0",
    "Europe/Lisbon": "PRT-0",
    "Europe/Amsterdam": "NLD+1",
    "Europe/Brussels": "BEL+1",
    "Europe/Paris": "FRA+1",
    "Europe/Oslo": "NOR+1",
    "Europe/Stockholm": "SWE+1",
    "Europe/Vienna": "AUT+1",
    "Europe/Zurich": "CHE+1",
    "Europe/Rome": "ITA+1",
    "Europe/Madrid": "ESP+1",
    "Europe/Warsaw": "POL+1",
    "Europe/Prague": "CZE+1",
    "Europe/Luxembourg": "LUX+1",
    "Europe/Budapest": "HUN+1",
    "Europe/Helsinki": "FIN+2",
    "Europe/Tallinn": "EST+2",
    "Europe/Riga": "LVA+2",
    "Europe/Athens": "GRC+2",
    "Europe/Bucharest": "ROU+2",
    "Europe/Sofia": "BGR+2",
    "America/New_York": "USA-5",
    "America/Chicago": "USA-6",
    "America/Denver": "USA-7",
    "America/Phoenix": "USA2-7",
    "America/Los_Angeles": "USA-8",
}
"""IANA zone → Snom ``timezone`` code (which carries the DST rule). Other zones get
``utc_offset`` and ``dst`` spelled out from the zone's rule."""

LANGUAGES: Final[dict[str, str]] = {"en": "English", "de": "Deutsch", "da": "Dansk"}
DEFAULT_LANGUAGE: Final = "English"

TONE_SCHEMES: Final[dict[str, str]] = {
    "DK": "DNK",
    "DE": "GER",
    "GB": "GBR",
    "US": "USA",
    "AT": "AUT",
    "CH": "SWI",
    "FR": "FRA",
    "IT": "ITA",
    "NL": "NLD",
    "NO": "NOR",
    "SE": "SWE",
    "ES": "ESP",
}
"""ISO country → Snom ``tone_scheme``."""
DEFAULT_TONE_SCHEME: Final = "USA"

DIRECTORY_ENTRY_TYPE: Final = "none"
"""Snom phone book ``type`` of the company directory's entries (no private group)."""
