"""CONFIG_SCHEMA of the hot_desk plugin."""

from __future__ import annotations

from typing import Final

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

CONFIG_SCHEMA: Final = vol.Schema(
    {
        vol.Optional(CONF_LOGIN_CODE, default=DEFAULT_LOGIN_CODE): cv.dial_code,
        vol.Optional(CONF_LOGOUT_CODE, default=DEFAULT_LOGOUT_CODE): cv.dial_code,
        vol.Optional(CONF_AUTO_LOGOUT, default=DEFAULT_AUTO_LOGOUT): cv.clock_time_or_empty,
    }
)
