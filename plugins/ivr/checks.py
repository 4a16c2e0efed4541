"""Whether an IVR menu fits the rest of the PBX: its number in a range for IVRs and nobody else's
(IVR-01, NUM-01, NUM-07), its prompts existing, and every destination something a call can reach
(IVR-03): a user's line or alias, a function number (a hunt group, another menu), or a number a
SIP trunk can reach; a mailbox destination names a user. Every problem is named by its field, all
at once. BAR-04: the menu's blocking groups exist, and none of them blocks an outside number an
option or the timeout sends callers to. ROLE-04: the user groups administering it exist. SCH-07:
its schedule exists. AA: the timeout destination does not lead back to the menu by itself."""

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
    unknown_user_groups,
)
from cordboard.core.numbers.model import NumberRange
from cordboard.core.schedules.function_numbers import schedule_problem
from cordboard.plugins.ivr.const import DOMAIN, IVR_PURPOSES, KIND_NUMBER, KIND_VOICEMAIL
from cordboard.plugins.ivr.model import IvrMenu
from cordboard.plugins.ivr.schema import MENU_SCHEMA

INVALID = "The IVR menu is invalid"
_NUMBERS = FunctionNumberRules(DOMAIN, IVR_PURPOSES, "IVRs")


async def checked_menu(core: Core, data: Mapping[str, Any], *, others: Sequence[IvrMenu]) -> dict[str, Any]:
    """The fields of a menu as an administrator gave them, checked against the PBX; ``others`` are
    the menus besides the one being saved."""
    fields = validated(MENU_SCHEMA, data, INVALID)
    fields.pop("id", None)
    ranges = await core.numbers.ranges()
    number = fields["number"]
    blocking = fields["blocking_groups"]
    problems: dict[str, str | None] = {
        "number": await _NUMBERS.problem(
            core, number, ranges, taken={o.number: f"the IVR menu {o.name}" for o in others}
        ),
        "welcome_prompt": await prompt_problem(core, fields["welcome_prompt"]),
        "invalid_prompt": await prompt_problem(core, fields["invalid_prompt"]),
        "blocking_groups": unknown_ids(blocking, core.dialplan.blocking_group_ids(), "blocking group"),
        "admin_groups": await unknown_user_groups(core, fields["admin_groups"]),
        "schedule_id": await schedule_problem(core, fields["schedule_id"]),
    }
    for key, dest in fields["options"].items():
        problems[f"options.{key}.target"] = await _destination_problem(core, dest, number, ranges, blocking)
    timeout = fields["timeout_destination"]
    if timeout is not None:
        problem = await _destination_problem(core, timeout, number, ranges, blocking)
        if problem is None and timeout["kind"] == KIND_NUMBER:
            problem = await circle_problem(core, number, str(timeout["target"]))
        problems["timeout_destination.target"] = problem
    errors = {field: problem for field, problem in problems.items() if problem}
    if errors:
        raise ConfigValidationError(INVALID, errors)
    return fields


async def _destination_problem(
    core: Core, dest: Mapping[str, Any], number: str, ranges: Sequence[NumberRange], blocking: Sequence[int]
) -> str | None:
    target = dest.get("target")
    if dest["kind"] == KIND_VOICEMAIL:
        owner = await core.numbers.owner_of(str(target))
        if owner is None or owner.kind not in ("user", "alias"):
            return f"{target} is not a user's number: a mailbox belongs to a user"
        return None
    if dest["kind"] != KIND_NUMBER:
        return None
    problem = await reach_problem(core, str(target), number, ranges)
    if problem is None and (group := await core.dialplan.blocked_by(blocking, str(target))) is not None:
        return f"{target} is blocked by the blocking group {group.name}"
    return problem


async def reach_problem(core: Core, target: str, number: str, ranges: Sequence[NumberRange]) -> str | None:
    """Why a call cannot be sent to ``target`` from the menu at ``number``, or None."""
    if target == number:
        return 'a menu cannot send callers to its own number; use {"kind": "repeat"}'
    return await destination_problem(core, target, ranges)
