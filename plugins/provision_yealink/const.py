"""Constants of the Yealink provisioning plugin: OUIs, model codes, Yealink's names for time
zones, languages and tone countries, line key types."""

from __future__ import annotations

from typing import Final

DOMAIN: Final = "provision_yealink"
VENDOR: Final = "yealink"
MAC_PREFIXES: Final = ("001565", "249ad8", "44dbd2", "805ec0")
"""Yealink Network Technology's OUIs."""

CFG_CONTENT_TYPE: Final = "text/plain; charset=utf-8"
XML_CONTENT_TYPE: Final = "application/xml; charset=utf-8"
HEADER: Final = "#!version:1.0.0.1"
"""The first line of every Yealink configuration file; the phone ignores a file without it."""
COMMON_FILE_FALLBACK: Final = "y000000000000.cfg"

MODEL_CODES: Final[dict[str, str]] = {
    "T41P": "36",
    "T42G": "29",
    "T46G": "28",
    "T48G": "35",
    "T41S": "68",
    "T42S": "67",
    "T46S": "66",
    "T48S": "65",
    "T53": "95",
    "T53W": "95",
    "T54W": "96",
    "T57W": "97",
    "T43U": "108",
    "T46U": "108",
    "T48U": "108",
}
"""Model → the code of its common file ``y0000000000<code>.cfg`` (the first number of the
model's firmware version, e.g. 108 in ``108.86.0.20``)."""

TRANSPORTS: Final[dict[str, str]] = {"udp": "0", "tcp": "1", "tls": "2"}

LINE_KEY_TYPES: Final[dict[str, str]] = {"line": "15", "blf": "16", "speed_dial": "13", "dtmf": "11"}

TIMEZONES: Final[dict[str, str]] = {
    "Europe/Copenhagen": "Denmark(Copenhagen)",
    "Europe/Berlin": "Germany(Berlin)",
    "Europe/London": "United Kingdom(London)",
    "Europe/Dublin": "Ireland(Dublin)",
    "Europe/Lisbon": "Portugal(Lisboa,Porto,Funchal)",
    "Europe/Amsterdam": "Netherlands(Amsterdam)",
    "Europe/Brussels": "Belgium(Brussels)",
    "Europe/Paris": "France(Paris)",
    "Europe/Stockholm": "Sweden(Stockholm)",
    "Europe/Vienna": "Austria(Vienna)",
    "Europe/Zurich": "Switzerland(Bern)",
    "Europe/Rome": "Italy(Rome)",
    "Europe/Madrid": "Spain(Madrid)",
    "Europe/Warsaw": "Poland(Warsaw)",
    "Europe/Prague": "Czech Republic(Prague)",
    "Europe/Helsinki": "Finland(Helsinki)",
    "Europe/Tallinn": "Estonia(Tallinn)",
    "Europe/Riga": "Latvia(Riga)",
    "Europe/Athens": "Greece(Athens)",
    "America/New_York": "United States-Eastern Time",
    "America/Chicago": "United States-Central Time",
    "America/Denver": "United States-Mountain Time",
    "America/Phoenix": "Arizona",
    "America/Los_Angeles": "United States-Pacific Time",
}
"""IANA zone → Yealink ``local_time.time_zone_name`` (which carries the DST rule)."""

LANGUAGES: Final[dict[str, str]] = {"en": "English", "de": "German"}
"""``lang.gui``/``lang.wui``; Yealink firmware ships no Danish, so Danish users get English."""
DEFAULT_LANGUAGE: Final = "English"

TONE_COUNTRIES: Final[dict[str, str]] = {
    "DK": "Denmark",
    "DE": "Germany",
    "GB": "Great Britain",
    "US": "United States",
    "AT": "Austria",
    "CH": "Switzerland",
    "FR": "France",
    "IT": "Italy",
    "NL": "Netherlands",
    "NO": "Norway",
    "SE": "Sweden",
    "ES": "Spain",
}
"""ISO country → ``voice.tone.country``; others get ``Custom`` (the phone's default tones)."""
DEFAULT_TONE_COUNTRY: Final = "Custom"

AUTO_PROVISION_MINUTES: Final = 1440
"""How often a phone checks for new settings (``auto_provision.repeat.minutes``) unless the
admin sets another value through the phone's extra settings."""
PHONE_BOOK_NAME: Final = "Company"
