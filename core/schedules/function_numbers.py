"""SCH-07 as a function number's plugin meets it (hunt groups, IVR menus): the check of a chosen
schedule when the number is saved, what the schedule says when a call comes and what becomes of the
caller then (``follow_schedule``), and the event's prompt a caller of a closed number hears."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import TYPE_CHECKING

from cordboard.core.calls.channel import ChannelHungUp
from cordboard.core.exceptions import NotFound

if TYPE_CHECKING:
    from cordboard.core.calls.channel import Channel
    from cordboard.core.core import Core
    from cordboard.core.schedules.model import ScheduleEvent
    from cordboard.core.schedules.service import Decision

_LOGGER = logging.getLogger(__name__)


async def schedule_problem(core: Core, schedule_id: int | None) -> str | None:
    """The field error of a function number whose ``schedule_id`` names no schedule."""
    if schedule_id is None:
        return None
    try:
        await core.schedules.get_schedule(schedule_id)
    except NotFound:
        return f"no schedule with the id {schedule_id}"
    return None


async def current_decision(core: Core, schedule_id: int | None, owner: str) -> Decision | None:
    """What the schedule of ``owner`` (a label for the log) says now; None without a schedule, or
    when it was deleted since (the number is open then)."""
    if schedule_id is None:
        return None
    try:
        return await core.schedules.decision(schedule_id)
    except NotFound:
        _LOGGER.warning("%s: its schedule %s is gone; open", owner, schedule_id)
        return None


class Followed(StrEnum):
    """What ``follow_schedule`` did with a caller."""

    OPEN = "open"
    """Nothing: no schedule, a deleted one, or one that says open; the number takes the call."""
    CLOSED = "closed"
    """The caller heard the event's prompt (and was hung up on, if asked)."""
    FORWARDED = "forwarded"
    """The caller was handed to the event's number."""


async def follow_schedule(
    core: Core,
    channel: Channel,
    schedule_id: int | None,
    *,
    what: str,
    forward: Callable[[str, ScheduleEvent], Awaitable[object]],
    default_prompt: str,
    closed: Callable[[ScheduleEvent], object] | None = None,
    hang_up: bool = True,
) -> Followed:
    """SCH-07 when a function number's call comes: what its schedule says now, followed.

    Closed: ``closed(event)`` first (the plugin's own outcome and route note), then the caller hears
    the event's prompt, or ``default_prompt`` (``play_event_prompt``), and with ``hang_up`` the call
    ends. Forward: ``forward(number, event)`` hands the caller to the event's number. Open (also
    without a schedule, or when it was deleted since): nothing happens and the number takes the
    call. ``what`` names the number in the log ("IVR 1600"); the outcome says which it was."""
    decision = await current_decision(core, schedule_id, what)
    if decision is None or decision.action == "open":
        return Followed.OPEN
    event = decision.event
    label = f"{what}, call {channel.call.id}"
    if decision.action == "forward" and event.target:
        _LOGGER.info("%s: forwarded to %s (schedule event %r)", label, event.target, event.name)
        await forward(event.target, event)
        return Followed.FORWARDED
    _LOGGER.info("%s: closed (schedule event %r)", label, event.name)
    if closed is not None:
        closed(event)
    await play_event_prompt(channel, event.prompt, default_prompt)
    if hang_up:
        await channel.hangup()
    return Followed.CLOSED


async def play_event_prompt(channel: Channel, prompt: str | None, default: str) -> None:
    """Answer and play a schedule event's prompt, or ``default`` without one or when it cannot be
    played (deleted since); the caller hanging up still ends the call."""
    await channel.answer()
    if prompt:
        try:
            await channel.play([prompt])
            return
        except ChannelHungUp:
            raise
        except Exception:
            _LOGGER.exception("The prompt %r could not be played; %r instead", prompt, default)
    await channel.play([default])
