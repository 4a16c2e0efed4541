"""CONFIG_SCHEMA of the diagnostics plugin."""

from __future__ import annotations

from typing import Final

import voluptuous as vol

from cordboard.core.config import validation as cv
from cordboard.plugins.diagnostics.const import (
    CONF_ECHO_TEST_NUMBER,
    CONF_LINE_TEST_NUMBER,
    CONF_RECORDED_ECHO_NUMBER,
    CONF_RECORDED_ECHO_SECONDS,
    DEFAULT_ECHO_TEST_NUMBER,
    DEFAULT_LINE_TEST_NUMBER,
    DEFAULT_RECORDED_ECHO_NUMBER,
    DEFAULT_RECORDED_ECHO_SECONDS,
    MAX_RECORDED_ECHO_SECONDS,
)

CONFIG_SCHEMA: Final = vol.Schema(
    {
        vol.Optional(CONF_ECHO_TEST_NUMBER, default=DEFAULT_ECHO_TEST_NUMBER): cv.diallable,
        vol.Optional(CONF_LINE_TEST_NUMBER, default=DEFAULT_LINE_TEST_NUMBER): cv.diallable,
        vol.Optional(CONF_RECORDED_ECHO_NUMBER, default=DEFAULT_RECORDED_ECHO_NUMBER): cv.diallable,
        vol.Optional(CONF_RECORDED_ECHO_SECONDS, default=DEFAULT_RECORDED_ECHO_SECONDS): vol.All(
            int,
            vol.Range(min=1, max=MAX_RECORDED_ECHO_SECONDS, msg=f"1 to {MAX_RECORDED_ECHO_SECONDS} seconds"),
        ),
    }
)
