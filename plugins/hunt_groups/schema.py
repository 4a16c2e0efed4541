"""The shape of a hunt group as the API takes it (``GROUP_SCHEMA``); whether its numbers and
references fit the rest of the PBX is ``checks.py``'s."""

from __future__ import annotations

import re
from typing import Any, Final

import voluptuous as vol

from cordboard.core.calls.phone_types import PHONE_TYPES
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

LOCAL_RE: Final = re.compile(r"^[0-9]{2,8}$")
PUBLIC_RE: Final = re.compile(r"^\+[1-9][0-9]{6,14}$")
_DIALABLE_RE: Final = re.compile(r"^\+?[0-9]{2,20}$")
_IDENTIFIER_RE: Final = re.compile(rf"^[0-9]{{1,{IDENTIFIER_MAX}}}$")


def _compact(value: Any) -> str:
    return str(value).strip().replace(" ", "")


def group_number(value: Any) -> str:
    text = _compact(value)
    if not (LOCAL_RE.match(text) or PUBLIC_RE.match(text)):
        raise vol.Invalid(
            "a local number of 2 to 8 digits (such as 1500), or a public number such as +4589401500"
        )
    return text


def identifier(value: Any) -> str | None:
    text = _compact(value) if value is not None else ""
    if not text:
        return None  # the number, when it is local (checks.py)
    if not _IDENTIFIER_RE.match(text):
        raise vol.Invalid(f"1 to {IDENTIFIER_MAX} digits, such as 1500")
    return text


def fallback_number(value: Any) -> str | None:
    text = _compact(value) if value is not None else ""
    if not text:
        return None
    if not _DIALABLE_RE.match(text):
        raise vol.Invalid("a number as a phone dials it: digits, optionally starting with +")
    return text


def ring_seconds(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_RING_S <= value <= MAX_RING_S:
        raise vol.Invalid(f"whole seconds between {MIN_RING_S} and {MAX_RING_S}")
    return value


def phone_types(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(kind, str) for kind in value):
        raise vol.Invalid(f"a list of phone types: {', '.join(PHONE_TYPES)}")
    unknown = [kind for kind in value if kind not in PHONE_TYPES]
    if unknown:
        raise vol.Invalid(f"unknown phone type {unknown[0]!r}: one of {', '.join(PHONE_TYPES)}")
    if not value:
        raise vol.Invalid("at least one phone type must ring")
    return [kind for kind in PHONE_TYPES if kind in value]


def _name(value: Any) -> str:
    text = str(value).strip()
    if not text:
        raise vol.Invalid("required")
    if len(text) > NAME_MAX:
        raise vol.Invalid(f"at most {NAME_MAX} characters")
    return text


def _ids(what: str) -> vol.All:
    return vol.All(
        [vol.All(int, msg=f"the id of {what}")],
        vol.Length(max=100, msg="at most 100"),
        lambda ids: sorted(set(ids)),
    )


GROUP_SCHEMA: Final = vol.Schema(
    {
        vol.Required("name"): _name,
        vol.Required("number"): group_number,
        vol.Optional("identifier", default=None): identifier,
        vol.Required("user_groups"): _ids("a user group"),
        vol.Optional("distribution", default=DEFAULT_DISTRIBUTION): vol.In(
            DISTRIBUTIONS, msg=f"one of {', '.join(DISTRIBUTIONS)}"
        ),
        vol.Optional("ring_s", default=DEFAULT_RING_S): ring_seconds,
        vol.Optional("fallback", default=None): fallback_number,
        vol.Optional("excluded_activities", default=list): _ids("an activity"),
        vol.Optional("excluded_roles", default=list): _ids("a presence role"),
        vol.Optional("schedule_id", default=None): vol.Any(None, int, msg="the id of a schedule, or null"),
        vol.Optional("phone_types", default=list(DEFAULT_PHONE_TYPES)): phone_types,
        # What the API sends back, so that an edit form may return it unchanged.
        vol.Optional("id"): object,
        vol.Optional("members"): object,
    },
    extra=vol.PREVENT_EXTRA,
)
