"""The validators every plugin with function numbers (hunt groups, IVR menus, group inboxes) puts
in its API schema: the number itself, a name, whole numbers in a span, lists of ids. Whether a
number fits the rest of the PBX is ``function_number_checks.py``'s."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

import voluptuous as vol

LOCAL_RE: Final = re.compile(r"^[0-9]{2,8}$")
"""A local number: 2 to 8 digits."""
PUBLIC_RE: Final = re.compile(r"^\+[1-9][0-9]{6,14}$")
"""A public number in E.164 (a trunk's DID)."""
DIALABLE_RE: Final = re.compile(r"^\+?[0-9]{2,20}$")
"""A number as a phone dials it."""
PROMPT_RE: Final = re.compile(r"^(org:[1-9][0-9]{0,17}|[a-z0-9_]{1,64})$")
"""The shape of a prompt id: a system prompt's or the organisation's own (``org:7``)."""


def compact(value: Any) -> str:
    """``value`` as text without its spaces (``"15 00"`` is 1500)."""
    return str(value).strip().replace(" ", "")


def function_number(example: str) -> Callable[[Any], str]:
    """The validator of a function number: local (2 to 8 digits) or public (E.164); ``example`` is
    a local one for the error text, such as 1500 (its public twin is +458940 followed by it)."""

    def check(value: Any) -> str:
        text = compact(value)
        if not (LOCAL_RE.match(text) or PUBLIC_RE.match(text)):
            raise vol.Invalid(
                f"a local number of 2 to 8 digits (such as {example}), "
                f"or a public number such as +458940{example}"
            )
        return text

    return check


def name_of_at_most(max_length: int) -> Callable[[Any], str]:
    """The validator of a required name of at most ``max_length`` characters."""

    def check(value: Any) -> str:
        text = str(value).strip()
        if not text:
            raise vol.Invalid("required")
        if len(text) > max_length:
            raise vol.Invalid(f"at most {max_length} characters")
        return text

    return check


def text_of_at_most(max_length: int) -> Callable[[Any], str]:
    """The validator of an optional text of at most ``max_length`` characters (empty when none)."""

    def check(value: Any) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            raise vol.Invalid("a text")
        text = value.strip()
        if len(text) > max_length:
            raise vol.Invalid(f"at most {max_length} characters")
        return text

    return check


def whole_between(low: int, high: int, what: str) -> Callable[[Any], int]:
    """The validator of a whole number from ``low`` to ``high``; ``what`` counts it (seconds)."""

    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise vol.Invalid(f"whole {what} between {low} and {high}")
        return value

    return check


def id_list(what: str) -> vol.All:
    """The validator of up to 100 ids of ``what`` (such as "a user group"), sorted without repeats."""
    return vol.All(
        [vol.All(int, msg=f"the id of {what}")],
        vol.Length(max=100, msg="at most 100"),
        lambda ids: sorted(set(ids)),
    )
