"""Whether a plugin's function number (a hunt group's, an IVR menu's, a group inbox's) fits the rest
of the PBX (NUM-01, NUM-07): nobody else's, and in a number range meant for it; and whether a
prompt it plays exists; and whether a destination it sends callers to by itself sends them back
(AA: no loop without a caller action); and whether the ids of things it refers to (user groups,
blocking groups, activities) exist. Each check returns the text for the field's error, or None."""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cordboard.core.exceptions import NotFound
from cordboard.core.numbers.flow import way_round
from cordboard.core.numbers.model import NumberRange

if TYPE_CHECKING:
    from cordboard.core.core import Core


@dataclass(frozen=True, slots=True)
class FunctionNumberRules:
    """Where one plugin's function numbers may be."""

    domain: str
    """The plugin's: a number it owns already is the one being changed."""
    purposes: tuple[str, ...]
    """The range purposes (NUM-03) its numbers fit in."""
    ranges_for: str
    """What those ranges are for, in the error text: "groups", "IVRs"."""
    public_needs_range: bool = False
    """False: a public number (a trunk's DID) needs no range."""

    async def problem(
        self,
        core: Core,
        number: str,
        ranges: Sequence[NumberRange],
        *,
        taken: Mapping[str, str],
    ) -> str | None:
        """Why ``number`` cannot be one of the plugin's, or None; ``taken`` names the plugin's other
        numbers' holders ("the hunt group Sales"), the one being changed left out."""
        if number in taken:
            return f"{number} is already the number of {taken[number]}"
        owner = await core.numbers.owner_of(number)
        # A number of the plugin's own is the one being changed (the others are ``taken``).
        if owner is not None and not (owner.kind == "plugin" and owner.id == self.domain):
            return f"{number} already belongs to {owner.describe()}"
        if number.startswith("+") and not self.public_needs_range:
            return None
        fitting = [r for r in ranges if r.purpose in self.purposes]
        if ranges and not any(r.contains(number) for r in fitting):
            spans = ", ".join(f"{r.first}-{r.last}" for r in fitting[:6]) or "none yet"
            return f"{number} is not in a number range for {self.ranges_for} ({spans}); add one under Numbers"
        return None


async def prompt_problem(core: Core, prompt_id: str) -> str | None:
    """Why ``prompt_id`` (a system prompt's, or ``org:<n>``) names no prompt, or None."""
    from cordboard.core.media import org_prompts
    from cordboard.core.media.prompts import PROMPT_TEXTS, org_number

    if org_number(prompt_id) is None:
        return None if prompt_id in PROMPT_TEXTS else f"no system prompt {prompt_id!r}"
    try:
        await core.db.call(lambda db: org_prompts.get_prompt(db, prompt_id))
    except NotFound:
        return f"no prompt of the organisation with the id {prompt_id}"
    return None


async def destination_problem(core: Core, target: str, ranges: Sequence[NumberRange]) -> str | None:
    """Why a function number cannot send its callers to ``target``, or None: a number of ours
    that somebody has (a user, an alias, a function number), or one outside that a SIP trunk
    can reach; not a number in our ranges that nobody has."""
    if await core.numbers.owner_of(target) is not None:
        return None
    if any(r.contains(target) for r in ranges):
        return f"nobody has the number {target}"
    if core.calls is not None:
        reachable = core.calls.reachable(target)
    else:
        reachable = core.trunks is not None and bool(core.trunks.outbound_trunks(target))
    if not reachable:
        return f"no SIP trunk can reach {target}: add a trunk, or give an internal number"
    return None


async def circle_problem(core: Core, number: str, target: str) -> str | None:
    """AA: callers the function number ``number`` sends to ``target`` without pressing a key would
    come back to it the same way (switches, announcements, menus' no-key destinations pointing
    back, ``FlowEdge.automatic``): the way round, or None."""
    way = await way_round(core, number, target)
    if way is None:
        return None
    return f"callers would go round in circles without pressing a key: {' → '.join(way)}"


def unknown_ids(wanted: Iterable[int], known: Container[int], what: str) -> str | None:
    """The field error of the ids in ``wanted`` that are not ``known``: "no user group with the id
    4, 7" for ``what`` "user group"; None when every id is known."""
    unknown = [str(i) for i in wanted if i not in known]
    return f"no {what} with the id {', '.join(unknown)}" if unknown else None


async def unknown_user_groups(core: Core, wanted: Sequence[int]) -> str | None:
    """The field error of the user groups in ``wanted`` that do not exist (ROLE-04's administering
    groups, say), or None; nothing is looked up when ``wanted`` is empty."""
    if not wanted:
        return None
    return unknown_ids(wanted, {g.id for g in await core.identity.list_groups()}, "user group")
