"""Whether a hunt group fits the rest of the PBX: its number in a range for groups and nobody
else's (HG-01, NUM-01, NUM-07), its identifier its own (FC-16), its user groups, activities, roles
and schedule existing, and its fallback something a call can reach (HG-04). Every problem is
named by its field, all at once. BAR-04: its blocking groups exist, and none of them blocks the
fallback when that is an outside number. ROLE-04: the user groups administering it exist."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cordboard.core.core import Core
from cordboard.core.exceptions import ConfigValidationError
from cordboard.core.http.errors import validated
from cordboard.core.numbers.function_number_checks import (
    FunctionNumberRules,
    destination_problem,
    unknown_ids,
    unknown_user_groups,
)
from cordboard.core.numbers.model import NumberRange
from cordboard.core.schedules.function_numbers import schedule_problem
from cordboard.plugins.hunt_groups.const import DOMAIN, GROUP_PURPOSES
from cordboard.plugins.hunt_groups.model import HuntGroup
from cordboard.plugins.hunt_groups.schema import GROUP_SCHEMA

INVALID = "The hunt group is invalid"
_NUMBERS = FunctionNumberRules(DOMAIN, GROUP_PURPOSES, "groups", public_needs_range=True)


async def checked_group(
    core: Core, data: Mapping[str, Any], *, others: Sequence[HuntGroup]
) -> dict[str, Any]:
    """The fields of a hunt group as an administrator gave them, checked against the PBX;
    ``others`` are the hunt groups besides the one being saved."""
    fields = validated(GROUP_SCHEMA, data, INVALID)
    for name in ("id", "members"):
        fields.pop(name, None)
    ranges = await core.numbers.ranges()
    errors: dict[str, str] = {}
    number = fields["number"]
    if fields["identifier"] is None:
        if number.startswith("+"):
            errors["identifier"] = "required for a public number: a short number such as 1500"
        fields["identifier"] = number
    problems = {
        "number": await _NUMBERS.problem(
            core, number, ranges, taken={o.number: f"the hunt group {o.name}" for o in others}
        ),
        "identifier": _identifier_problem(fields["identifier"], others),
        "user_groups": await _user_groups_problem(core, fields["user_groups"]),
        "excluded_activities": unknown_ids(fields["excluded_activities"], _activity_ids(core), "activity"),
        "excluded_roles": unknown_ids(fields["excluded_roles"], _role_ids(core), "presence role"),
        "schedule_id": await schedule_problem(core, fields["schedule_id"]),
        "fallback": await _fallback_problem(
            core, fields["fallback"], number, ranges, fields["blocking_groups"]
        ),
        "blocking_groups": unknown_ids(
            fields["blocking_groups"], core.dialplan.blocking_group_ids(), "blocking group"
        ),
        "admin_groups": await unknown_user_groups(core, fields["admin_groups"]),
    }
    errors.update({field: problem for field, problem in problems.items() if problem and field not in errors})
    if errors:
        raise ConfigValidationError(INVALID, errors)
    return fields


def _identifier_problem(identifier: str, others: Sequence[HuntGroup]) -> str | None:
    for other in others:
        if other.identifier == identifier:
            return f"{identifier} is already the identifier of the hunt group {other.name}"
    return None


async def _user_groups_problem(core: Core, wanted: Sequence[int]) -> str | None:
    if not wanted:
        return "choose at least one user group: their users are the members"
    return await unknown_user_groups(core, wanted)


def _activity_ids(core: Core) -> set[int]:
    return {a.id for a in core.presence.activities} if core.presence is not None else set()


def _role_ids(core: Core) -> set[int]:
    return {r.id for r in core.presence.roles} if core.presence is not None else set()


async def _fallback_problem(
    core: Core, fallback: str | None, number: str, ranges: Sequence[NumberRange], blocking: Sequence[int]
) -> str | None:
    """A user's line or alias, a function number (another hunt group, a conference room), or a
    number outside that a SIP trunk can reach and none of the group's blocking groups blocks; not a
    number of ours that nobody has."""
    if fallback is None:
        return None
    if fallback == number:
        return "a hunt group cannot fall back to its own number"
    problem = await destination_problem(core, fallback, ranges)
    if problem is None and (group := await core.dialplan.blocked_by(blocking, fallback)) is not None:
        return f"{fallback} is blocked by the blocking group {group.name}"
    return problem
