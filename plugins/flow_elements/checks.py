"""Whether a switch or an announcement fits the rest of the PBX: its number in a range for IVRs
and nobody else's (NUM-01, NUM-07; the plugin's other elements included), its prompt existing
(AA-03), its destinations something a call can reach (a user's line or alias, a function number,
a number a SIP trunk can reach, and not leading back to the element by itself) and its operator
groups existing (AA-04). Every problem is named by
its field, all at once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cordboard.core.core import Core
from cordboard.core.exceptions import ConfigValidationError
from cordboard.core.http.errors import validated
from cordboard.core.numbers.function_number_checks import (
    FunctionNumberRules,
    circle_problem,
    destination_problem,
    prompt_problem,
    unknown_ids,
)
from cordboard.core.numbers.model import NumberRange
from cordboard.plugins.flow_elements.const import DOMAIN, PURPOSES
from cordboard.plugins.flow_elements.schema import ANNOUNCEMENT_SCHEMA, SWITCH_SCHEMA

SWITCH_INVALID = "The switch is invalid"
ANNOUNCEMENT_INVALID = "The announcement is invalid"
_NUMBERS = FunctionNumberRules(DOMAIN, PURPOSES, "IVRs")


def _raise_if(problems: Mapping[str, str | None], message: str) -> None:
    errors = {field: problem for field, problem in problems.items() if problem}
    if errors:
        raise ConfigValidationError(message, errors)


async def checked_switch(core: Core, data: Mapping[str, Any], *, taken: Mapping[str, str]) -> dict[str, Any]:
    """The fields of a switch as an administrator gave them, checked against the PBX; ``taken``
    names the holders of the plugin's other numbers ("the switch Day/night")."""
    fields = validated(SWITCH_SCHEMA, data, SWITCH_INVALID)
    for name in ("id", "changed_at", "changed_by"):
        fields.pop(name, None)
    ranges = await core.numbers.ranges()
    number = fields["number"]
    known_groups = {g.id for g in await core.identity.list_groups()}
    _raise_if(
        {
            "number": await _NUMBERS.problem(core, number, ranges, taken=taken),
            "on_target": await reach_problem(core, fields["on_target"], number, ranges),
            "off_target": await reach_problem(core, fields["off_target"], number, ranges),
            "operator_groups": unknown_ids(fields["operator_groups"], known_groups, "user group"),
            "admin_groups": unknown_ids(fields["admin_groups"], known_groups, "user group"),
        },
        SWITCH_INVALID,
    )
    return fields


async def checked_announcement(
    core: Core, data: Mapping[str, Any], *, taken: Mapping[str, str]
) -> dict[str, Any]:
    """The fields of an announcement as an administrator gave them, checked against the PBX."""
    fields = validated(ANNOUNCEMENT_SCHEMA, data, ANNOUNCEMENT_INVALID)
    fields.pop("id", None)
    ranges = await core.numbers.ranges()
    number = fields["number"]
    following = fields["next_number"]
    _raise_if(
        {
            "number": await _NUMBERS.problem(core, number, ranges, taken=taken),
            "prompt": await prompt_problem(core, fields["prompt"]),
            "next_number": await reach_problem(core, following, number, ranges) if following else None,
            "admin_groups": unknown_ids(
                fields["admin_groups"], {g.id for g in await core.identity.list_groups()}, "user group"
            ),
        },
        ANNOUNCEMENT_INVALID,
    )
    return fields


async def reach_problem(core: Core, target: str, number: str, ranges: Sequence[NumberRange]) -> str | None:
    """Why a call cannot be sent to ``target`` from the element at ``number``, or None; an element
    sends callers on by itself, so ``target`` must not lead back to it (AA)."""
    if target == number:
        return "an element cannot send callers to its own number"
    return await destination_problem(core, target, ranges) or await circle_problem(core, number, target)
