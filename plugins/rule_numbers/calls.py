"""Calls to a rule-based number (RBN-01..05). The number sets what the rest of the call carries, the
info text for the answering phone (RBN-02) and, for a caller who is not a user, the prompts'
language (RBN-03), then the organisation's rules for rule-based numbers decide where the call
goes: numbers rung in turn, or together when they start at the same time (a user's own rules
apply to a number rung alone, a function number takes the caller, an outside number rings unless
a blocking group of the number's blocks it, RBN-05), busy or reject. When the caller's number
cannot be shown, the phones may show the rule-based number instead (RBN-04). No rule, or nobody
answering: the caller hears it is unavailable."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from cordboard.core.calls.channel import Channel
from cordboard.core.calls.hand_on import Blocked, Looped, hand_on, note_step, ring_together
from cordboard.core.calls.metadata import shown_caller, step_metadata, with_metadata
from cordboard.core.core import Core
from cordboard.core.routing.model import Destination
from cordboard.plugins.rule_numbers.const import (
    BUSY_STATUS,
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
    REJECT_STATUS,
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
    """The rule's destinations in order, numbers that start at the same time rung together, until
    one takes the call or ends it; the outcome and the last number(s) tried."""
    outcome, target = OUTCOME_NOT_ANSWERED, None
    via = f"rule-based number {number.name}"
    caller_id = _caller_id(number, channel)
    for first, last in _starts(destinations):
        destination = destinations[first]
        if destination.kind in ("busy", "reject"):
            busy = destination.kind == "busy"
            note_step(core, channel, f"{via}: {destination.kind}")
            await channel.hangup(BUSY_STATUS if busy else REJECT_STATUS)
            return (OUTCOME_BUSY if busy else OUTCOME_REJECTED), target
        numbers = [str(d.target) for d in destinations[first : last + 1]]
        together = len(numbers) > 1 and all(core.numbers.plugin_of(n) is None for n in numbers)
        # One attempt for numbers rung together, else one per number (a function number or a
        # user's own rule takes the caller): (what was tried, how long it rings).
        attempts = (
            [(numbers, _ring_time(destinations, last))]
            if together
            else [([n], _ring_time(destinations, i)) for i, n in enumerate(numbers, start=first)]
        )
        for tried, ring_s in attempts:
            target = ", ".join(tried)
            missed = await (
                ring_together(core, channel, tried, via=via, caller_id=caller_id,
                              blocking_groups=number.blocking_groups, ring_s=ring_s)
                if together
                else hand_on(core, channel, tried[0], via=via, caller_id=caller_id,
                             blocking_groups=number.blocking_groups, ring_s=ring_s)
            )  # fmt: skip
            if missed is None:
                return OUTCOME_TRANSFERRED, target
            if isinstance(missed, Looped):
                outcome = OUTCOME_LOOP
            elif isinstance(missed, Blocked):
                outcome = OUTCOME_BLOCKED
            else:
                outcome = OUTCOME_NOT_ANSWERED
                note_step(core, channel, f"{via}: {target} did not answer")
            if channel.state == "ended":
                return OUTCOME_CALLER_LEFT, target
    await channel.hangup(NO_RULE_STATUS)
    return outcome, target


def _starts(destinations: Sequence[Destination]) -> list[tuple[int, int]]:
    """(first, last) index of each run of number destinations with the same start ("after N s");
    every other destination is a run of its own."""
    runs: list[tuple[int, int]] = []
    for index, destination in enumerate(destinations):
        if runs and destination.kind == "number":
            first, last = runs[-1]
            previous = destinations[last]
            if previous.kind == "number" and previous.after_s == destination.after_s:
                runs[-1] = (first, index)
                continue
        runs.append((index, index))
    return runs


def _ring_time(destinations: Sequence[Destination], index: int) -> float | None:
    """How long destination ``index`` rings: until the next one's start when that is later (the
    rule's "after N s"), else the organisation's forward ring time (None)."""
    if index + 1 >= len(destinations):
        return None
    gap = destinations[index + 1].after_s - destinations[index].after_s
    return float(gap) if gap > 0 else None


def _caller_id(number: RuleNumber, channel: Channel) -> tuple[str, str]:
    """What the rung phones show: the caller and the call's info text (RBN-02); with RBN-04 on and
    a caller whose number cannot be shown, the rule-based number instead of the caller."""
    call = channel.call
    if number.show_as_caller and call.caller.strip().lower() in NOT_SHOWN:
        return number.number, call.metadata or number.name
    return shown_caller(call, call.metadata)
