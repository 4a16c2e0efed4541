"""Calls to a switch or an announcement. A switch hands the caller to its on- or off-number as it
stands when the call comes (AA-04); an announcement answers, plays its prompt and then hands the
caller on or hangs up (AA-03). A locked element refuses the call with 480 (CAPA-14). The caller is
handed on the way an IVR option does it: a function number gets the channel as if dialled, a user
with a routing rule gets the call as that rule says, anything else rings through
``Channel.transfer``. Each step is noted in the call history."""

from __future__ import annotations

import logging

from cordboard.core.calls.channel import Channel
from cordboard.core.calls.hand_on import Looped, note_step
from cordboard.core.calls.hand_on import hand_on as hand_on_to
from cordboard.core.core import Core
from cordboard.plugins.flow_elements.const import (
    EVENT_FLOW_CALL,
    LOCKED_STATUS,
    OUTCOME_CALLER_LEFT,
    OUTCOME_HUNG_UP,
    OUTCOME_LOCKED,
    OUTCOME_LOOP,
    OUTCOME_NOT_ANSWERED,
    OUTCOME_TRANSFERRED,
    PROMPT_NOT_AVAILABLE,
)
from cordboard.plugins.flow_elements.model import Announcement, FlowSwitch

_LOGGER = logging.getLogger(__name__)


def _fire(core: Core, channel: Channel, element: str, element_id: int, number: str, *, outcome: str,
          target: str | None) -> None:  # fmt: skip
    core.bus.fire(
        EVENT_FLOW_CALL,
        {
            "element": element,
            "id": element_id,
            "number": number,
            "call_id": channel.call.id,
            "outcome": outcome,
            "target": target,
        },
    )


async def _refuse_locked(core: Core, channel: Channel, what: str) -> None:
    """CAPA-14: a locked element takes no calls: 480, and the history says why."""
    _LOGGER.info("Call %s to the locked %s: refused", channel.call.id, what)
    note_step(core, channel, f"{what} is locked: call refused")
    await channel.hangup(LOCKED_STATUS)


async def switch_call(core: Core, switch: FlowSwitch, channel: Channel) -> None:
    """AA-04: hand the caller to where the switch points now."""
    outcome, target = OUTCOME_CALLER_LEFT, switch.target
    try:
        if switch.locked:
            outcome = OUTCOME_LOCKED
            await _refuse_locked(core, channel, f"switch {switch.name}")
            return
        state = "on" if switch.on else "off"
        note_step(core, channel, f"switch {switch.name} is {state}: {target}")
        outcome = await hand_on(core, channel, target, via=f"switch {switch.name} ({state})")
        if outcome != OUTCOME_TRANSFERRED:
            await channel.hangup()
    finally:
        _fire(core, channel, "switch", switch.id, switch.number, outcome=outcome, target=target)


async def announcement_call(core: Core, announcement: Announcement, channel: Channel) -> None:
    """AA-03: answer, play the prompt, then hand the caller on or hang up."""
    outcome, target = OUTCOME_CALLER_LEFT, announcement.next_number
    try:
        if announcement.locked:
            outcome = OUTCOME_LOCKED
            await _refuse_locked(core, channel, f"announcement {announcement.name}")
            return
        await channel.answer()
        note_step(core, channel, f"announcement {announcement.name}: {announcement.prompt}")
        await channel.play([announcement.prompt])
        if target is None:
            outcome = OUTCOME_HUNG_UP
            note_step(core, channel, f"announcement {announcement.name}: hang up")
            await channel.hangup()
            return
        outcome = await hand_on(core, channel, target, via=f"announcement {announcement.name}")
        if outcome != OUTCOME_TRANSFERRED:
            await channel.play([PROMPT_NOT_AVAILABLE])
            await channel.hangup()
    finally:
        _fire(
            core,
            channel,
            "announcement",
            announcement.id,
            announcement.number,
            outcome=outcome,
            target=target,
        )


async def hand_on(core: Core, channel: Channel, number: str, *, via: str) -> str:
    """Send the caller to ``number``: ``transferred`` when it took the call, ``not_answered`` when
    nobody answered, ``loop`` when elements send the call round in circles."""
    caller = channel.call
    missed = await hand_on_to(
        core,
        channel,
        number,
        via=via,
        caller_id=(caller.caller, caller.caller_name or caller.caller),
        metadata={"reason": via},
    )
    if missed is None:
        return OUTCOME_TRANSFERRED
    if isinstance(missed, Looped):
        return OUTCOME_LOOP
    note_step(core, channel, f"{via}: {number} did not answer")
    return OUTCOME_NOT_ANSWERED
