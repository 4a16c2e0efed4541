"""CONFIG_SCHEMA of the night_mode plugin: the two feature codes (FC-08)."""

from __future__ import annotations

import re
from typing import Any, Final

import voluptuous as vol

from cordboard.plugins.night_mode.const import CONF_OFF_CODE, CONF_ON_CODE, DEFAULT_OFF_CODE, DEFAULT_ON_CODE

_CODE: Final = re.compile(r"[*#][0-9]{1,6}")


def feature_code(value: Any) -> str:
    """``*`` or ``#`` and 1 to 6 digits, such as *28."""
    text = str(value).strip()
    if not _CODE.fullmatch(text):
        raise vol.Invalid("* or # and 1 to 6 digits, such as *28")
    return text


CONFIG_SCHEMA: Final = vol.Schema(
    {
        vol.Optional(CONF_OFF_CODE, default=DEFAULT_OFF_CODE): feature_code,
        vol.Optional(CONF_ON_CODE, default=DEFAULT_ON_CODE): feature_code,
    }
)
"""The same code in both fields only turns night mode off (Codes.match tries the off code first);
a code that clashes with a number or another plugin's code is dropped by the number registry."""
