"""CONFIG_SCHEMA of the diagnostics plugin."""

from __future__ import annotations

import re
from typing import Any, Final

import voluptuous as vol

from cordboard.plugins.diagnostics.const import CONF_LINE_TEST_NUMBER, DEFAULT_LINE_TEST_NUMBER

_DIALLABLE: Final = re.compile(r"[0-9*#]{2,16}")


def diallable(value: Any) -> str:
    """Digits, * and # (2 to 16): what a phone's keypad can dial."""
    text = str(value).strip()
    if not _DIALLABLE.fullmatch(text):
        raise vol.Invalid("2 to 16 characters of 0-9, * and #")
    return text


CONFIG_SCHEMA: Final = vol.Schema(
    {vol.Optional(CONF_LINE_TEST_NUMBER, default=DEFAULT_LINE_TEST_NUMBER): diallable}
)
