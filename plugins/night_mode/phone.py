"""The night-mode codes on the phone (FC-08): switch the caller's override, say what it is now."""

from __future__ import annotations

import logging

from cordboard.core.calls.channel import Channel
from cordboard.core.core import Core
from cordboard.plugins.night_mode.const import PROMPT_OFF, PROMPT_ON

_LOGGER = logging.getLogger(__name__)


async def switch(channel: Channel, *, core: Core, off: bool) -> None:
    """``off``: night mode off until turned back on (SCH-05); else back to the working hours."""
    user_id = channel.call.caller_user_id
    await channel.answer()
    if user_id is None or user_id < 1:
        await channel.play(["invalid_option", "goodbye"])
        await channel.hangup()
        return
    status = await core.schedules.set_night_mode_off(user_id, off)
    _LOGGER.info(
        "%s turned night mode %s by phone (night mode now %s)",
        channel.call.caller,
        "off" if off else "back on",
        "on" if status.night_mode else "off",
    )
    await channel.play([PROMPT_OFF if off else PROMPT_ON, "goodbye"])
    await channel.hangup()
