"""CONFIG_SCHEMA of the park plugin: the first position's number, how many, how long a call waits."""

from __future__ import annotations

from typing import Final

import voluptuous as vol

from cordboard.core.config import validation as cv
from cordboard.plugins.park.const import (
    CONF_FIRST_NUMBER,
    CONF_POSITIONS,
    CONF_TIMEOUT,
    DEFAULT_FIRST_NUMBER,
    DEFAULT_POSITIONS,
    DEFAULT_TIMEOUT,
)

CONFIG_SCHEMA: Final = vol.Schema(
    {
        vol.Optional(CONF_FIRST_NUMBER, default=DEFAULT_FIRST_NUMBER): cv.extension,
        vol.Optional(CONF_POSITIONS, default=DEFAULT_POSITIONS): vol.All(
            int, vol.Range(min=1, max=50, msg="between 1 and 50 park positions")
        ),
        vol.Optional(CONF_TIMEOUT, default=DEFAULT_TIMEOUT): vol.All(
            int, vol.Range(min=1, max=3600, msg="between 1 and 3600 seconds")
        ),
    }
)
