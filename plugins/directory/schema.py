"""CONFIG_SCHEMA of the directory plugin."""

from __future__ import annotations

from typing import Final

import voluptuous as vol

from cordboard.core.config import validation as cv
from cordboard.plugins.directory.const import (
    CONF_BLOCK_CALLERS,
    CONF_NAME_CALLERS,
    CONF_PHONE_BOOK,
    CONF_SHOW_MOBILES,
)

CONFIG_SCHEMA: Final = vol.Schema(
    {
        vol.Optional(CONF_NAME_CALLERS, default=True): cv.boolean,
        vol.Optional(CONF_BLOCK_CALLERS, default=True): cv.boolean,
        vol.Optional(CONF_PHONE_BOOK, default=True): cv.boolean,
        vol.Optional(CONF_SHOW_MOBILES, default=True): cv.boolean,
    }
)
