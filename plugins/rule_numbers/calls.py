"""Calls to a rule-based number (RBN-01..05). The number sets what the rest of the call carries, the
info text for the answering phone (RBN-02) and, for a caller who is not a user, the prompts'
language (RBN-03), then the organisation's rules for rule-based numbers decide where the call
goes, in time as a user's own rule's destinations: each number starts ringing at its "after N s"
and rings on while later ones join, the first answer takes the caller; a function number's plugin
or a user's own routing rule takes the caller at its time (whatever rings stops); a user's number
that starts while nothing else rings first plays the user's announcement before connect (PRM-06),
as when the caller dials them; an outside number rings unless a blocking group of the number's
blocks it (RBN-05); busy or reject end the call. When the caller's number cannot be shown, the
phones may show the rule-based number instead (RBN-04). No rule: the caller hears it is
unavailable; nobody answering: busy if a rung phone was, else unavailable."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Literal

from cordboard.core.calls.channel import Channel, ChannelHandler
from cordboard.core.calls.hand_on import Blocked, Looped, announce_to_user, note_step, way_to
from cordboard.core.calls.metadata import shown_caller, step_metadata, with_metadata
from cordboard.core.calls.rule_calls import follow_destinations
from cordboard.core.core import Core
from cordboard.core.routing.model import Destination
from cordboard.plugins.rule_numbers.const import (
    EVENT_RULE_NUMBER_CALL,
    NO_RULE_STATUS,
    NOT_SHOWN,
    OUTCOME_BLOCKED,
    OUTCOME_BUSY,
    OUTCOME_CALLER_LEFT,
    OUTCOME_LOOP,
    OUTCOME_NO_RULE,
    OUTCOME_NOT_ANSWERED,
    OUTCOME_REJECTED,
    OUTCOME_TRANSFERRED,
)
from cordboard.plugins.rule_numbers.model import RuleNumber

_LOGGER = logging.getLogger(__name__)


async def take_call(core: Core, number: RuleNumber, channel: Channel) -> None:
    """Route one call to ``number`` by the rules for rule-based numbers."""
    outcome, rule_id, target = OUTCOME_CALLER_LEFT, None, None
    try:
        with_metadata(channel, step_metadata(channel.call, number.display_text or number.name,
                                             number.keep_derived_metadata))  # fmt: skip
        if number.language and channel.call.caller_user_id is None:
            channel.language = number.language  # RBN-03: a user caller keeps their own
        decision = await core.routing.decide_rule_number(caller=channel.call.caller, called=number.number)
        if decision.rule is None:
            outcome = OUTCOME_NO_RULE
            _LOGGER.info("Rule-based number %s, call %s: no rule matches", number.number, channel.call.id)
            note_step(core, channel, f"rule-based number {number.name}: no rule matches")
            await channel.hangup(NO_RULE_STATUS)
            return
        rule_id = decision.rule.id
        note_step(core, channel, f"rule-based number {number.name}: rule {decision.rule.name}")
        outcome, target = await _follow(core, number, channel, decision.destinations)
    finally:
        core.bus.fire(
            EVENT_RULE_NUMBER_CALL,
            {
                "id": number.id,
                "number": number.number,
                "call_id": channel.call.id,
                "rule_id": rule_id,
                "outcome": outcome,
                "target": target,
            },
        )


async def _follow(
    core: Core, number: RuleNumber, channel: Channel, destinations: Sequence[Destination]
) -> tuple[str, str | None]:
    """The rule's destinations in time, as a user's own rule's (``follow_destinations``): the
    outcome and the number that took the call (or rang last)."""
    via = f"rule-based number {number.name}"
    skipped: list[Blocked | Looped] = []

    async def number_way(target: str, alone: bool) -> ChannelHandler | Literal["ring", "skip"]:
        way = await way_to(core, channel, target, via=via, blocking_groups=number.blocking_groups)
        if isinstance(way, Blocked | Looped):
            skipped.append(way)
            return "skip"
        if way is not None:
            return way  # a user's own rule plays their announcement before connect itself
        if alone:  # PRM-06, as when the caller dials the user; not while other phones ring already
            await announce_to_user(core, channel, target)
        return "ring"

    assert core.calls is not None
    forward_s = float(await core.settings.org_value("core.forward_ring_time"))
    ending = await follow_destinations(
        channel,
        destinations,
        owner=number.number,
        ring_s=max(d.after_s for d in destinations) + forward_s,
        reachable=core.calls.reachable,
        forward_ring_s=forward_s,
        number_way=number_way,
        caller_id=_caller_id(number, channel),
        note=lambda step: note_step(core, channel, f"{via}: {step}"),
    )
    if ending.how in ("busy", "reject"):
        note_step(core, channel, f"{via}: {ending.how}")
        return (OUTCOME_BUSY if ending.how == "busy" else OUTCOME_REJECTED), ending.target
    if ending.how == "not_answered":
        if ending.target is None and skipped:
            return (OUTCOME_LOOP if isinstance(skipped[-1], Looped) else OUTCOME_BLOCKED), None
        return OUTCOME_NOT_ANSWERED, ending.target
    return OUTCOME_TRANSFERRED, ending.target


def _caller_id(number: RuleNumber, channel: Channel) -> tuple[str, str]:
    """What the rung phones show: the caller and the call's info text (RBN-02); with RBN-04 on and
    a caller whose number cannot be shown, the rule-based number instead of the caller."""
    call = channel.call
    if number.show_as_caller and call.caller.strip().lower() in NOT_SHOWN:
        return number.number, call.metadata or number.name
    return shown_caller(call, call.metadata)
