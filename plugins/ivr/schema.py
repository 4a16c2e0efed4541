"""The shape of an IVR menu as the API takes it (``MENU_SCHEMA``); whether its number, prompts and
destinations fit the rest of the PBX is ``checks.py``'s."""

from __future__ import annotations

from typing import Any, Final

import voluptuous as vol

from cordboard.core.calls.metadata import DISPLAY_TEXT_MAX
from cordboard.core.numbers.function_numbers import (
    DIALABLE_RE,
    PROMPT_RE,
    compact,
    function_number,
    id_list,
    name_of_at_most,
    text_of_at_most,
    whole_between,
)
from cordboard.plugins.ivr.const import (
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT_S,
    KEYS,
    KIND_NUMBER,
    KIND_VOICEMAIL,
    KINDS,
    LANGUAGES,
    MAX_RETRIES,
    MAX_TIMEOUT_S,
    MIN_TIMEOUT_S,
    NAME_MAX,
    PROMPT_INVALID,
    PROMPT_WELCOME,
)

menu_number: Final = function_number("1600")


def prompt(value: Any) -> str:
    """The shape of a prompt id; whether it exists is ``checks.py``'s."""
    text = str(value).strip() if isinstance(value, str) else ""
    if not PROMPT_RE.match(text):
        raise vol.Invalid("a prompt: a system prompt such as goodbye, or one of your own such as org:7")
    return text


def destination(value: Any) -> dict[str, Any]:
    """``{"kind": "number", "target": "1002"}``, ``{"kind": "voicemail", "target": "1002"}``,
    ``{"kind": "hangup"}`` or ``{"kind": "repeat"}``."""
    if not isinstance(value, dict):
        raise vol.Invalid('a destination such as {"kind": "number", "target": "1002"}')
    kind = value.get("kind")
    if kind not in KINDS:
        raise vol.Invalid(f"the kind must be one of {', '.join(KINDS)}", path=["kind"])
    unknown = [k for k in value if k not in ("kind", "target")]
    if unknown:
        raise vol.Invalid("not a field of a destination", path=[unknown[0]])
    if kind not in (KIND_NUMBER, KIND_VOICEMAIL):
        if value.get("target") is not None:
            raise vol.Invalid(f"a {kind} destination has no target", path=["target"])
        return {"kind": kind}
    target = compact(value.get("target") or "")
    if not DIALABLE_RE.match(target):
        raise vol.Invalid("a number as a phone dials it: digits, optionally starting with +", path=["target"])
    return {"kind": kind, "target": target}


def options(value: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(value, dict):
        raise vol.Invalid('a mapping of keys to destinations, such as {"1": {"kind": "number", ...}}')
    errors: list[vol.Invalid] = []
    checked: dict[str, dict[str, Any]] = {}
    for key, dest in value.items():
        if key not in KEYS:
            errors.append(vol.Invalid("not a key: one of 0-9, * and #", path=[key]))
            continue
        try:
            checked[key] = destination(dest)
        except vol.Invalid as err:
            errors.append(vol.Invalid(err.error_message, path=[key, *err.path]))
    if errors:
        raise vol.MultipleInvalid(errors)
    return checked


MENU_SCHEMA: Final = vol.Schema(
    {
        vol.Required("name"): name_of_at_most(NAME_MAX),
        vol.Required("number"): menu_number,
        vol.Optional("language", default=None): vol.Any(
            None, vol.In(LANGUAGES), msg=f"one of {', '.join(LANGUAGES)}, or null (the caller's)"
        ),
        vol.Optional("welcome_prompt", default=PROMPT_WELCOME): prompt,
        vol.Optional("options", default=dict): options,
        vol.Optional("direct_dial", default=False): vol.All(bool, msg="true or false"),
        vol.Optional("exclude_from_search", default=False): vol.All(bool, msg="true or false"),
        vol.Optional("display_text", default=""): text_of_at_most(DISPLAY_TEXT_MAX),
        vol.Optional("keep_derived_metadata", default=False): vol.All(bool, msg="true or false"),
        vol.Optional("blocking_groups", default=list): id_list("a blocking group"),
        vol.Optional("admin_groups", default=list): id_list("a user group"),
        vol.Optional("schedule_id", default=None): vol.Any(None, int, msg="the id of a schedule, or null"),
        vol.Optional("timeout_s", default=DEFAULT_TIMEOUT_S): whole_between(
            MIN_TIMEOUT_S, MAX_TIMEOUT_S, "seconds"
        ),
        vol.Optional("retries", default=DEFAULT_RETRIES): whole_between(0, MAX_RETRIES, "times"),
        vol.Optional("invalid_prompt", default=PROMPT_INVALID): prompt,
        vol.Optional("timeout_destination", default=None): vol.Any(None, destination),
        # What the API sends back, so that an edit form may return it unchanged.
        vol.Optional("id"): object,
    },
    extra=vol.PREVENT_EXTRA,
)
