"""CONFIG_SCHEMA of the diagnostics plugin."""

from __future__ import annotations

import re
from typing import Any, Final

import voluptuous as vol

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

_DIALLABLE: Final = re.compile(r"[0-9*#]{2,16}")


def diallable(value: Any) -> str:
    """Digits, * and # (2 to 16): what a phone's keypad can dial."""
    text = str(value).strip()
    if not _DIALLABLE.fullmatch(text):
        raise vol.Invalid("2 to 16 characters of 0-9, * and #")
    return text


CONFIG_SCHEMA: Final = vol.Schema(
    {
        vol.Optional(CONF_ECHO_TEST_NUMBER, default=DEFAULT_ECHO_TEST_NUMBER): diallable,
        vol.Optional(CONF_LINE_TEST_NUMBER, default=DEFAULT_LINE_TEST_NUMBER): diallable,
        vol.Optional(CONF_RECORDED_ECHO_NUMBER, default=DEFAULT_RECORDED_ECHO_NUMBER): diallable,
        vol.Optional(CONF_RECORDED_ECHO_SECONDS, default=DEFAULT_RECORDED_ECHO_SECONDS): vol.All(
            int,
            vol.Range(min=1, max=MAX_RECORDED_ECHO_SECONDS, msg=f"1 to {MAX_RECORDED_ECHO_SECONDS} seconds"),
        ),
    }
)
