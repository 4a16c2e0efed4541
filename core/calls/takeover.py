"""Codes that move a call in progress (PKP-05, PKP-07): fetch my call to the phone I am dialling
from (``*7*``), and intrusion (``*65*EXT*``): the intruder talks with EXT while EXT's other party
waits, hearing that the call is briefly interrupted, and the two are connected again afterwards.
On a call the B2BUA relays, both take the call's phones over with re-INVITEs (transfer.take_leg);
on a call the appliance bridges (a plugin's, a transferred or picked-up one), they take the two
channels away from whoever bridged them (B2bua.take_channel)."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Final

from cordboard.core.calls.transfer import release_phone, take_leg

if TYPE_CHECKING:
    from cordboard.core.calls.b2bua import ActiveCall, B2bua
    from cordboard.core.calls.channel import Channel

_LOGGER = logging.getLogger(__name__)
INTRUSION_WAIT: Final = "intrusion_wait"


def active_call_of(b2bua: B2bua, user_id: int) -> tuple[ActiveCall, str] | None:
    """The user's answered call between phones, and the side their phone is on."""
    for call in b2bua.calls.values():
        if call.state != "answered" or call.relay is None or call.a is None or call.b is None:
            continue
        if call.record.caller_user_id == user_id:
            return call, "a"
        if any(f.dialog is not None and f.binding.user_id == user_id for f in call.forks):
            return call, "b"
    return None


def bridged_channel_of(b2bua: B2bua, user_id: int) -> Channel | None:
    """The channel of the user's phone on an answered call the appliance bridges to another party."""

    def talking(channel: Channel | None) -> bool:
        if channel is None or channel.ended or channel.state != "answered":
            return False
        other = channel.bridged_to
        return other is not None and not other.ended

    for dialled in b2bua.dialer.calls.values():
        if dialled.record.callee_user_id == user_id and talking(dialled.channel):
            return dialled.channel
    for call in b2bua.calls.values():
        if call.record.caller_user_id == user_id and talking(call.channel):
            return call.channel
    return None


async def fetch_call(b2bua: B2bua, user_id: int, here: Channel) -> bool | None:
    """PKP-07: the other party of the user's call goes on with the phone on ``here``; the phone
    that had the call is hung up. None when the user is in no call, False when the other party
    could not be taken over."""
    found = active_call_of(b2bua, user_id)
    if found is not None:
        call, side = found
        party = await take_leg(b2bua, call, call.other(side))
        if party is None:
            return False
        release_phone(b2bua, call, side, "moved to another phone of the same user")
    else:
        mine = bridged_channel_of(b2bua, user_id)
        if mine is None or mine.bridged_to is None:
            return None
        old_phone, party = b2bua.take_bridged(mine, mine.bridged_to)
        await old_phone.hangup()
    await here.answer()
    try:
        await here.bridge(party)
    finally:
        await party.hangup()
    return True


async def intrude(b2bua: B2bua, user_id: int, intruder: Channel) -> bool | None:
    """PKP-05: ``intruder`` talks with the user's phone while the user's other party waits; then
    the two are connected again (in a task of their own, the intruder's call being over). None
    when the user is in no call, False when the call could not be taken over."""
    found = active_call_of(b2bua, user_id)
    if found is not None:
        call, side = found
        target = await take_leg(b2bua, call, side)
        waiting = await take_leg(b2bua, call, call.other(side)) if target is not None else None
        if target is None or waiting is None:
            if target is not None:
                await target.hangup()
            return False
        b2bua.end_transferred(call, f"{intruder.call.caller} intruded")
    else:
        mine = bridged_channel_of(b2bua, user_id)
        if mine is None or mine.bridged_to is None:
            return None
        target, waiting = b2bua.take_bridged(mine, mine.bridged_to)

    async def wait() -> None:
        from cordboard.core.calls.channel import ChannelHungUp

        try:
            await waiting.play([INTRUSION_WAIT])
            await waiting.hold()
        except ChannelHungUp:
            pass

    holding = asyncio.ensure_future(wait())
    await intruder.answer()
    try:
        await target.bridge(intruder)
    finally:
        holding.cancel()
        b2bua.core.create_task(_reconnect(target, waiting), f"{intruder.call.caller} intruded")
    return True


async def _reconnect(one: Channel, other: Channel) -> None:
    from cordboard.core.calls.channel import ChannelHungUp

    try:
        if not one.ended and not other.ended:
            await other.unhold()
            await one.bridge(other)
    except ChannelHungUp:
        pass
    finally:
        await one.hangup()
        await other.hangup()
