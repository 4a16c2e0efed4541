"""Constants of the hot_desk plugin."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from cordboard.core.keys import DataKey

DOMAIN: Final = "hot_desk"
CONF_LOGIN_CODE: Final = "login_code"
DEFAULT_LOGIN_CODE: Final = "*11"
CONF_LOGOUT_CODE: Final = "logout_code"
DEFAULT_LOGOUT_CODE: Final = "*12"
CONF_AUTO_LOGOUT: Final = "auto_logout_time"
DEFAULT_AUTO_LOGOUT: Final = ""
"""``HH:MM`` in the organisation's time zone, when every seated phone is freed; empty: never."""
EXTENSION_DIGITS: Final = 8
PIN_DIGITS: Final = 12


@dataclass(frozen=True, slots=True)
class Codes:
    login: str
    logout: str


CODES_KEY: Final[DataKey[Codes]] = DataKey("hot_desk.codes")
