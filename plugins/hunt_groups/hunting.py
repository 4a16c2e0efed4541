"""A call to a hunt group's number: the schedule first (HG-08), then the available members rung
in parallel or one after another (HG-03), the first to answer talks with the caller, else the
fallback number (HG-04) or "not available"."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from contextvars import ContextVar
from typing import Final

from cordboard.core.calls import metadata
from cordboard.core.calls.channel import Channel, InboundCall
from cordboard.core.calls.hand_on import hand_on
from cordboard.core.core import Core
from cordboard.core.schedules.function_numbers import Followed, follow_schedule, play_event_prompt
from cordboard.core.schedules.model import ScheduleEvent
from cordboard.plugins.hunt_groups.const import (
    EVENT_HUNT_GROUP_CALL,
    OUTCOME_ANSWERED,
    OUTCOME_CLOSED,
    OUTCOME_FALLBACK,
    OUTCOME_NOT_AVAILABLE,
    PROMPT_NOT_AVAILABLE,
)
from cordboard.plugins.hunt_groups.members import members_of, why_skipped
from cordboard.plugins.hunt_groups.model import HuntGroup, Member

_LOGGER = logging.getLogger(__name__)
OUTCOME_CALLER_LEFT: Final = "caller_hung_up"

_PASSED: ContextVar[frozenset[int]] = ContextVar("hunt_groups_passed", default=frozenset())
"""The hunt groups this call has been through already: a fallback that leads back to one of them
(A falls back to B, B to A) ends the call instead of ringing in circles."""


@dataclasses.dataclass
class _Result:
    outcome: str = OUTCOME_CALLER_LEFT
    answered_by: int | None = None
    fallback: str | None = None


def shown_caller(group: HuntGroup, call: InboundCall) -> tuple[str, str]:
    """What the members' phones show: the caller's number, and their name after the group's display
    text (its name unless it has one, or the one kept from earlier in the call path), so that a
    member answers "Sales, ..." (``Sales: Ann Tester``)."""
    return metadata.shown_caller(call, group_text(group, call))


def group_text(group: HuntGroup, call: InboundCall) -> str:
    """The group's display text for ``call``: its own (or its name), or an earlier step's when the
    group keeps derived metadata."""
    return metadata.step_metadata(call, group.display_text or group.name, group.keep_derived_metadata)


async def take_call(core: Core, group: HuntGroup, channel: Channel) -> None:
    """Drive the caller's channel for ``group`` (the ``cordboard_route_call`` handler)."""
    passed = _PASSED.get()
    token = _PASSED.set(passed | {group.id})
    result = _Result()
    try:
        if group.id in passed:
            _LOGGER.warning(
                "Call %s came back to the hunt group %s through fallbacks: not available",
                channel.call.id,
                group.number,
            )
            await _announce(channel)
            result.outcome = OUTCOME_NOT_AVAILABLE
        else:
            result = await _hunt(core, group, channel)
    finally:
        _PASSED.reset(token)
        core.bus.fire(
            EVENT_HUNT_GROUP_CALL,
            {
                "group_id": group.id,
                "number": group.number,
                "call_id": channel.call.id,
                "outcome": result.outcome,
                "answered_by": result.answered_by,
                "fallback": result.fallback,
            },
        )


async def _hunt(core: Core, group: HuntGroup, channel: Channel) -> _Result:
    label = f"Hunt group {group.name} ({group.number}), call {channel.call.id}"
    metadata.with_metadata(channel, group_text(group, channel.call))  # for a fallback's steps
    scheduled = _Result(OUTCOME_CLOSED)

    async def forward(number: str, _event: ScheduleEvent) -> None:
        nonlocal scheduled
        scheduled = await _fall_back(core, group, channel, number)

    followed = await follow_schedule(
        core,
        channel,
        group.schedule_id,
        what=f"Hunt group {group.name} ({group.number})",
        forward=forward,
        default_prompt=PROMPT_NOT_AVAILABLE,
        hang_up=False,  # the core hangs up when the handler returns, as after "not available"
    )
    if followed is not Followed.OPEN:
        return scheduled
    available = await _available_members(core, group, channel.call, label)
    if available:
        await channel.ring()
        answered = await channel.dial(
            [m.target for m in available],
            strategy="sequential" if group.distribution == "sequential" else "parallel",
            ring_s=group.ring_s,
            phone_types=group.phone_types,
            caller_id=shown_caller(group, channel.call),
            metadata={"reason": f"hunt group {group.name} ({group.number})"},
        )
        if isinstance(answered, Channel):
            member = next((m for m in available if m.target == answered.call.dialled), None)
            _LOGGER.info("%s: answered by %s", label, answered.call.dialled)
            try:
                await channel.bridge(answered)
            finally:
                await answered.hangup()
            return _Result(OUTCOME_ANSWERED, member.user_id if member else None)
        _LOGGER.info("%s: no member answered (%s)", label, answered.reason)
    if group.fallback:
        return await _fall_back(core, group, channel, group.fallback)
    await _announce(channel)
    return _Result(OUTCOME_NOT_AVAILABLE)


async def _available_members(core: Core, group: HuntGroup, call: InboundCall, label: str) -> Sequence[Member]:
    members = await members_of(core, group)
    available = []
    for member in members:
        reason = why_skipped(core, group, member, call.caller_user_id)
        if reason is None:
            available.append(member)
        else:
            _LOGGER.info("%s: %s (%s) skipped: %s", label, member.target, member.name, reason)
    if not available:
        _LOGGER.info("%s: none of the %d members can take the call", label, len(members))
    return available


async def _fall_back(core: Core, group: HuntGroup, channel: Channel, number: str) -> _Result:
    """HG-04: the caller goes on to ``number`` as if they had dialled it (core/calls/hand_on.py: a
    function number's plugin, a user's announcement and rule or phones, an outside number unless
    one of the group's blocking groups blocks it, BAR-04), ringing for the forwarding ring time
    (RTE-09); "not available" when nobody answered there or the number is blocked."""
    missed = await hand_on(
        core,
        channel,
        number,
        via=f"hunt group {group.name}: fallback",
        caller_id=shown_caller(group, channel.call),
        metadata={"reason": f"hunt group {group.name} ({group.number}): fallback"},
        blocking_groups=group.blocking_groups,
    )
    if missed is None:
        return _Result(OUTCOME_FALLBACK, fallback=number)
    await _announce(channel)
    return _Result(OUTCOME_NOT_AVAILABLE, fallback=number)


async def _announce(channel: Channel, prompt: str | None = None) -> None:
    """Answer and say that nobody can take the call (or the schedule's own prompt); the core hangs
    up when the handler returns."""
    await play_event_prompt(channel, prompt, PROMPT_NOT_AVAILABLE)
