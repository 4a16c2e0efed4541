"""CONFIG_SCHEMA of the conference plugin: a range of room numbers, an optional PIN, a size limit."""

from __future__ import annotations

from typing import Final

import voluptuous as vol

from cordboard.core.config import validation as cv
from cordboard.plugins.conference.const import (
    CONF_FIRST_NUMBER,
    CONF_MAX_PARTICIPANTS,
    CONF_PIN,
    CONF_ROOMS,
    DEFAULT_FIRST_NUMBER,
    DEFAULT_MAX_PARTICIPANTS,
    DEFAULT_ROOMS,
)

CONFIG_SCHEMA: Final = vol.Schema(
    {
        vol.Optional(CONF_FIRST_NUMBER, default=DEFAULT_FIRST_NUMBER): cv.extension,
        vol.Optional(CONF_ROOMS, default=DEFAULT_ROOMS): vol.All(
            int, vol.Range(min=1, max=100, msg="between 1 and 100 rooms")
        ),
        vol.Optional(CONF_PIN): cv.pin,
        vol.Optional(CONF_MAX_PARTICIPANTS, default=DEFAULT_MAX_PARTICIPANTS): vol.All(
            int, vol.Range(min=2, max=50, msg="between 2 and 50 participants")
        ),
    }
)
