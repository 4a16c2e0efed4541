"""The shape of a hunt group as the API takes it (``GROUP_SCHEMA``); whether its numbers and
references fit the rest of the PBX is ``checks.py``'s."""

from __future__ import annotations

import re
from typing import Any, Final

import voluptuous as vol

from cordboard.core.calls.metadata import DISPLAY_TEXT_MAX
from cordboard.core.calls.phone_types import PHONE_TYPES
from cordboard.core.numbers.function_numbers import (
    DIALABLE_RE,
    compact,
    function_number,
    id_list,
    name_of_at_most,
    text_of_at_most,
    whole_between,
)
from cordboard.plugins.hunt_groups.const import (
    DEFAULT_DISTRIBUTION,
    DEFAULT_PHONE_TYPES,
    DEFAULT_RING_S,
    DISTRIBUTIONS,
    IDENTIFIER_MAX,
    MAX_RING_S,
    MIN_RING_S,
    NAME_MAX,
)

_IDENTIFIER_RE: Final = re.compile(rf"^[0-9]{{1,{IDENTIFIER_MAX}}}$")


group_number: Final = function_number("1500")


def identifier(value: Any) -> str | None:
    text = compact(value) if value is not None else ""
    if not text:
        return None  # the number, when it is local (checks.py)
    if not _IDENTIFIER_RE.match(text):
        raise vol.Invalid(f"1 to {IDENTIFIER_MAX} digits, such as 1500")
    return text


def fallback_number(value: Any) -> str | None:
    text = compact(value) if value is not None else ""
    if not text:
        return None
    if not DIALABLE_RE.match(text):
        raise vol.Invalid("a number as a phone dials it: digits, optionally starting with +")
    return text


ring_seconds: Final = whole_between(MIN_RING_S, MAX_RING_S, "seconds")


def phone_types(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(kind, str) for kind in value):
        raise vol.Invalid(f"a list of phone types: {', '.join(PHONE_TYPES)}")
    unknown = [kind for kind in value if kind not in PHONE_TYPES]
    if unknown:
        raise vol.Invalid(f"unknown phone type {unknown[0]!r}: one of {', '.join(PHONE_TYPES)}")
    if not value:
        raise vol.Invalid("at least one phone type must ring")
    return [kind for kind in PHONE_TYPES if kind in value]


GROUP_SCHEMA: Final = vol.Schema(
    {
        vol.Required("name"): name_of_at_most(NAME_MAX),
        vol.Required("number"): group_number,
        vol.Optional("identifier", default=None): identifier,
        vol.Required("user_groups"): id_list("a user group"),
        vol.Optional("distribution", default=DEFAULT_DISTRIBUTION): vol.In(
            DISTRIBUTIONS, msg=f"one of {', '.join(DISTRIBUTIONS)}"
        ),
        vol.Optional("ring_s", default=DEFAULT_RING_S): ring_seconds,
        vol.Optional("fallback", default=None): fallback_number,
        vol.Optional("excluded_activities", default=list): id_list("an activity"),
        vol.Optional("excluded_roles", default=list): id_list("a presence role"),
        vol.Optional("schedule_id", default=None): vol.Any(None, int, msg="the id of a schedule, or null"),
        vol.Optional("phone_types", default=list(DEFAULT_PHONE_TYPES)): phone_types,
        vol.Optional("exclude_from_search", default=False): vol.All(bool, msg="true or false"),
        vol.Optional("display_text", default=""): text_of_at_most(DISPLAY_TEXT_MAX),
        vol.Optional("keep_derived_metadata", default=False): vol.All(bool, msg="true or false"),
        vol.Optional("blocking_groups", default=list): id_list("a blocking group"),
        vol.Optional("admin_groups", default=list): id_list("a user group"),
        # What the API sends back, so that an edit form may return it unchanged.
        vol.Optional("id"): object,
        vol.Optional("members"): object,
    },
    extra=vol.PREVENT_EXTRA,
)
