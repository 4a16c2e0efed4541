"""SCH-07 as a function number's plugin meets it (hunt groups, IVR menus): the check of a chosen
schedule when the number is saved, what the schedule says when a call comes, and the event's prompt
a caller of a closed number hears."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from cordboard.core.calls.channel import ChannelHungUp
from cordboard.core.exceptions import NotFound

if TYPE_CHECKING:
    from cordboard.core.calls.channel import Channel
    from cordboard.core.core import Core
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
