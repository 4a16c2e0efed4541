"""The shape of a switch and of an announcement as the API takes them; whether their numbers,
prompts and destinations fit the rest of the PBX is ``checks.py``'s."""

from __future__ import annotations

from typing import Any, Final

import voluptuous as vol

from cordboard.core.config import validation as cv
from cordboard.core.numbers.function_numbers import PROMPT_RE, function_number, id_list, name_of_at_most
from cordboard.plugins.flow_elements.const import NAME_MAX

element_number: Final = function_number("1650")


def prompt(value: Any) -> str:
    """The shape of a prompt id; whether it exists is ``checks.py``'s."""
    text = value.strip() if isinstance(value, str) else ""
    if not PROMPT_RE.match(text):
        raise vol.Invalid("a prompt: a system prompt such as please_hold, or one of your own such as org:7")
    return text


def optional_diallable(value: Any) -> str | None:
    """A number to dial, or None (empty) for none."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return cv.diallable(value)


_FLAG: Final = vol.All(bool, msg="true or false")

SWITCH_SCHEMA: Final = vol.Schema(
    {
        vol.Required("name"): name_of_at_most(NAME_MAX),
        vol.Required("number"): element_number,
        vol.Optional("on", default=False): _FLAG,
        vol.Required("on_target"): cv.diallable,
        vol.Required("off_target"): cv.diallable,
        vol.Optional("operator_groups", default=list): id_list("a user group"),
        vol.Optional("admin_groups", default=list): id_list("a user group"),
        vol.Optional("locked", default=False): _FLAG,
        # What the API sends back, so that an edit form may return it unchanged.
        vol.Optional("id"): object,
        vol.Optional("changed_at"): object,
        vol.Optional("changed_by"): object,
    },
    extra=vol.PREVENT_EXTRA,
)

ANNOUNCEMENT_SCHEMA: Final = vol.Schema(
    {
        vol.Required("name"): name_of_at_most(NAME_MAX),
        vol.Required("number"): element_number,
        vol.Required("prompt"): prompt,
        vol.Optional("next_number", default=None): optional_diallable,
        vol.Optional("admin_groups", default=list): id_list("a user group"),
        vol.Optional("locked", default=False): _FLAG,
        vol.Optional("id"): object,
    },
    extra=vol.PREVENT_EXTRA,
)

STATE_SCHEMA: Final = vol.Schema({vol.Required("on"): _FLAG}, extra=vol.PREVENT_EXTRA)
LOCK_SCHEMA: Final = vol.Schema({vol.Required("locked"): _FLAG}, extra=vol.PREVENT_EXTRA)
