"""CONFIG_SCHEMA of the hot_desk plugin."""

from __future__ import annotations

import re
from typing import Any, Final

import voluptuous as vol

from cordboard.core.config import validation as cv
from cordboard.plugins.hot_desk.const import (
    CONF_AUTO_LOGOUT,
    CONF_LOGIN_CODE,
    CONF_LOGOUT_CODE,
    DEFAULT_AUTO_LOGOUT,
    DEFAULT_LOGIN_CODE,
    DEFAULT_LOGOUT_CODE,
)

_TIME: Final = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


def time_of_day(value: Any) -> str:
    """``HH:MM`` (24 hours), or empty for never."""
    text = cv.string(value).strip()
    if text and not _TIME.fullmatch(text):
        raise vol.Invalid("a time such as 03:00 (24 hours), or empty for never")
    return text


CONFIG_SCHEMA: Final = vol.Schema(
    {
        vol.Optional(CONF_LOGIN_CODE, default=DEFAULT_LOGIN_CODE): cv.dial_code,
        vol.Optional(CONF_LOGOUT_CODE, default=DEFAULT_LOGOUT_CODE): cv.dial_code,
        vol.Optional(CONF_AUTO_LOGOUT, default=DEFAULT_AUTO_LOGOUT): time_of_day,
    }
)
