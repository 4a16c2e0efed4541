"""Whether an IVR menu fits the rest of the PBX: its number in a range for IVRs and nobody else's
(IVR-01, NUM-01, NUM-07), its prompts existing, and every destination something a call can reach
(IVR-03): a user's line or alias, a function number (a hunt group, another menu), or a number a
SIP trunk can reach; a mailbox destination names a user. Every problem is named by its field, all
at once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cordboard.core.core import Core
from cordboard.core.exceptions import ConfigValidationError, NotFound
from cordboard.core.http.errors import validated
from cordboard.core.numbers.model import NumberRange
from cordboard.plugins.ivr.const import DOMAIN, IVR_PURPOSES, KIND_NUMBER, KIND_VOICEMAIL
from cordboard.plugins.ivr.model import IvrMenu
from cordboard.plugins.ivr.schema import MENU_SCHEMA

INVALID = "The IVR menu is invalid"


async def checked_menu(core: Core, data: Mapping[str, Any], *, others: Sequence[IvrMenu]) -> dict[str, Any]:
    """The fields of a menu as an administrator gave them, checked against the PBX; ``others`` are
    the menus besides the one being saved."""
    fields = validated(MENU_SCHEMA, data, INVALID)
    fields.pop("id", None)
    ranges = await core.numbers.ranges()
    number = fields["number"]
    problems: dict[str, str | None] = {
        "number": await _number_problem(core, number, ranges, others),
        "welcome_prompt": await _prompt_problem(core, fields["welcome_prompt"]),
        "invalid_prompt": await _prompt_problem(core, fields["invalid_prompt"]),
    }
    for key, dest in fields["options"].items():
        problems[f"options.{key}.target"] = await _destination_problem(core, dest, number, ranges)
    if fields["timeout_destination"] is not None:
        problems["timeout_destination.target"] = await _destination_problem(
            core, fields["timeout_destination"], number, ranges
        )
    errors = {field: problem for field, problem in problems.items() if problem}
    if errors:
        raise ConfigValidationError(INVALID, errors)
    return fields


async def _number_problem(
    core: Core, number: str, ranges: Sequence[NumberRange], others: Sequence[IvrMenu]
) -> str | None:
    for other in others:
        if other.number == number:
            return f"{number} is already the number of the IVR menu {other.name}"
    owner = await core.numbers.owner_of(number)
    # A number of the plugin's own is the one this menu has already (the others were checked above).
    if owner is not None and not (owner.kind == "plugin" and owner.id == DOMAIN):
        return f"{number} already belongs to {owner.describe()}"
    if number.startswith("+"):
        return None  # IVR-01: a public number (a trunk's DID) needs no local range
    for_ivr = [r for r in ranges if r.purpose in IVR_PURPOSES]
    if ranges and not any(r.contains(number) for r in for_ivr):
        spans = ", ".join(f"{r.first}-{r.last}" for r in for_ivr[:6]) or "none yet"
        return f"{number} is not in a number range for IVRs ({spans}); add one under Numbers"
    return None


async def _prompt_problem(core: Core, prompt_id: str) -> str | None:
    from cordboard.core.media import org_prompts
    from cordboard.core.media.prompts import PROMPT_TEXTS, org_number

    if org_number(prompt_id) is None:
        return None if prompt_id in PROMPT_TEXTS else f"no system prompt {prompt_id!r}"
    try:
        await core.db.call(lambda db: org_prompts.get_prompt(db, prompt_id))
    except NotFound:
        return f"no prompt of the organisation with the id {prompt_id}"
    return None


async def _destination_problem(
    core: Core, dest: Mapping[str, Any], number: str, ranges: Sequence[NumberRange]
) -> str | None:
    target = dest.get("target")
    if dest["kind"] == KIND_VOICEMAIL:
        owner = await core.numbers.owner_of(str(target))
        if owner is None or owner.kind not in ("user", "alias"):
            return f"{target} is not a user's number: a mailbox belongs to a user"
        return None
    if dest["kind"] != KIND_NUMBER:
        return None
    return await reach_problem(core, str(target), number, ranges)


async def reach_problem(core: Core, target: str, number: str, ranges: Sequence[NumberRange]) -> str | None:
    """Why a call cannot be sent to ``target`` from the menu at ``number``, or None."""
    if target == number:
        return 'a menu cannot send callers to its own number; use {"kind": "repeat"}'
    if await core.numbers.owner_of(target) is not None:
        return None
    if any(r.contains(target) for r in ranges):
        return f"nobody has the number {target}"
    calls = core.calls
    if calls is not None:
        reachable = calls.reachable(target)
    else:
        trunks = core.trunks
        reachable = trunks is not None and bool(trunks.outbound_trunks(target))
    if not reachable:
        return f"no SIP trunk can reach {target}: add a trunk, or give an internal number"
    return None
