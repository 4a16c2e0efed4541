"""The codes dialled on a phone: log in on a free seat with extension and PIN, log out, and the
refusal of every other call from (or to) a seat account.

The PIN is always keyed after the call is answered, never dialled as part of the number: the
dialled number is kept in the call journal and shown live to admins. The extension may be dialled
with the code (``*11*1001``) or keyed when asked.
"""

from __future__ import annotations

import logging

from cordboard.core.calls.channel import Channel
from cordboard.core.provisioning.hot_desk import HotDesk
from cordboard.plugins.hot_desk.const import EXTENSION_DIGITS, PIN_DIGITS

_LOGGER = logging.getLogger(__name__)


async def login(channel: Channel, *, hot_desk: HotDesk, extension: str = "") -> None:
    """Log the caller's seat phone in as the user whose extension and PIN are keyed."""
    await channel.answer()
    if not extension:
        extension = await channel.ask("enter_extension", EXTENSION_DIGITS)
    pin = await channel.ask("enter_pin", PIN_DIGITS)
    checked = await hot_desk.check_login(channel.call.caller_user_id or 0, extension, pin)
    if checked.result != "ok" or checked.device is None or checked.user_id is None:
        await channel.play(["wrong_pin" if checked.result == "wrong" else "not_available", "goodbye"])
        await channel.hangup()
        return
    await channel.play(["hot_desk_logged_in"])
    await channel.hangup()
    # Once the call is over: the phone fetches its new configuration while idle.
    await hot_desk.seat(checked.device.mac, checked.user_id)


async def logout(channel: Channel, *, hot_desk: HotDesk) -> None:
    """Log the caller out of the free-seat phone they sit at."""
    await channel.answer()
    user_id = channel.call.caller_user_id
    seat = await hot_desk.seat_of(user_id) if user_id is not None and user_id > 0 else None
    await channel.play(["hot_desk_logged_out" if seat is not None else "not_available"])
    await channel.hangup()
    if seat is not None:
        await hot_desk.logout(seat.mac, "log-out code")


async def refuse(channel: Channel) -> None:
    """A seat account may dial only the log-in code; nobody may call a seat account."""
    _LOGGER.info("Hot desk: refused a call from %s to %s", channel.call.caller, channel.call.dialled)
    await channel.hangup(403)
