"""Call pickup (PKP-01..03, FC-03, FC-04): answer, from one's own phone, a call that is ringing at a
colleague's. The ringing call's caller is taken over by the appliance (the colleague's phones stop
ringing) and bridged to the phone that dialled the pickup code."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from cordboard.core.calls.b2bua import ActiveCall, B2bua
    from cordboard.core.calls.channel import Channel

_LOGGER = logging.getLogger(__name__)
PICKUP_RIGHT: Final = "pickup"
"""The service right (ROLE-09, PKP-02) a picker needs over the user whose call rings."""
TAKE_OVER_S: Final = 5.0
"""How long the picker waits for the ringing caller's side to be answered by the appliance."""


def ringing_at(b2bua: B2bua, user_ids: Collection[int]) -> list[tuple[ActiveCall, int]]:
    """Calls between phones that ring now at one of ``user_ids``, oldest first, with the user."""
    found: list[tuple[ActiveCall, int]] = []
    for call in b2bua.calls.values():
        if call.state not in ("trying", "ringing") or call.relay is None or call.outbound is not None:
            continue
        for fork in call.forks:
            if fork.final is None and fork.binding.user_id in user_ids:
                found.append((call, fork.binding.user_id))
                break
    found.sort(key=lambda item: item[0].record.started)
    return found


def ringing_by_call_id(b2bua: B2bua, call_id: str) -> tuple[ActiveCall, int] | None:
    """The call whose INVITE to a colleague's phone has ``call_id`` (from a busy-lamp key's dialog
    information), if it still rings, with the colleague."""
    for call in b2bua.calls.values():
        if call.state not in ("trying", "ringing") or call.relay is None or call.outbound is not None:
            continue
        for fork in call.forks:
            if fork.final is None and fork.request.call_id == call_id and fork.binding.user_id > 0:
                return call, fork.binding.user_id
    return None


async def pick_up(b2bua: B2bua, call: ActiveCall, picker: Channel, picker_label: str) -> bool:
    """Connect ``call``'s caller to ``picker`` until one of them hangs up; False when the caller's
    side could not be answered (gone meanwhile, or no SDP to answer)."""
    if call.state not in ("trying", "ringing"):
        return False  # answered, cancelled or picked up by someone else meanwhile
    loop = asyncio.get_running_loop()
    taken: asyncio.Future[None] = loop.create_future()
    over: asyncio.Future[None] = loop.create_future()

    async def caller_side(channel: Channel) -> None:
        taken.set_result(None)
        try:
            await channel.answer()
            await channel.bridge(picker)
        finally:
            if not over.done():
                over.set_result(None)

    call.record.add_route(f"picked up by {picker_label}")
    _LOGGER.info("Call %s from %s picked up by %s", call.record.id, call.record.caller, picker_label)
    b2bua.take_over(call, caller_side, f"picked-up call {call.record.id}")
    try:
        await asyncio.wait_for(asyncio.shield(taken), TAKE_OVER_S)
    except TimeoutError:
        return False
    await picker.answer()
    await over
    return True
