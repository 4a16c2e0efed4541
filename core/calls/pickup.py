"""Call pickup (PKP-01..03, FC-03, FC-04): answer, from one's own phone, a call that is ringing at a
colleague's. The ringing call's caller is taken over by the appliance (the colleague's phones stop
ringing) and bridged to the phone that dialled the pickup code."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from cordboard.core.calls.b2bua import ActiveCall, B2bua, Fork
    from cordboard.core.calls.channel import Channel
    from cordboard.core.calls.dialer import OutboundCall

_LOGGER = logging.getLogger(__name__)
PICKUP_RIGHT: Final = "pickup"
"""The service right (ROLE-09, PKP-02) a picker needs over the user whose call rings."""
TAKE_OVER_S: Final = 5.0
"""How long the picker waits for the ringing caller's side to be answered by the appliance."""


@dataclass(frozen=True, slots=True)
class Ringing:
    """A call ringing at a user's phones: one between phones (relayed), or one the appliance
    placed for a plugin (a hunt group ringing its members)."""

    started: float
    user_id: int
    relayed: ActiveCall | None = None
    dialled: OutboundCall | None = None


def ringing_calls(b2bua: B2bua) -> Iterator[tuple[Ringing, Fork]]:
    """Every phone ringing now, with the call it rings for."""
    for call in b2bua.calls.values():
        if call.state not in ("trying", "ringing") or call.relay is None or call.outbound is not None:
            continue
        for fork in call.forks:
            if fork.final is None and fork.binding.user_id > 0:
                yield Ringing(call.record.started, fork.binding.user_id, relayed=call), fork
    for dialled in b2bua.dialer.calls.values():
        if dialled.state not in ("trying", "ringing") or dialled.answered.done():
            continue
        for fork in dialled.forks:
            if fork.final is None and fork.binding.user_id > 0:
                yield Ringing(dialled.record.started, fork.binding.user_id, dialled=dialled), fork


def ringing_at(b2bua: B2bua, user_ids: Collection[int]) -> list[Ringing]:
    """Calls that ring now at one of ``user_ids``, oldest first (one entry per call)."""
    found: dict[int, Ringing] = {}
    for ringing, _fork in ringing_calls(b2bua):
        if ringing.user_id in user_ids:
            found.setdefault(id(ringing.relayed or ringing.dialled), ringing)
    return sorted(found.values(), key=lambda r: r.started)


def ringing_by_call_id(b2bua: B2bua, call_id: str) -> Ringing | None:
    """The call whose INVITE to a colleague's phone has ``call_id`` (from a busy-lamp key's dialog
    information), if it still rings."""
    return next((r for r, fork in ringing_calls(b2bua) if fork.request.call_id == call_id), None)


async def pick_up(b2bua: B2bua, ringing: Ringing, picker: Channel, picker_label: str) -> bool:
    """Connect the ringing call's caller to ``picker`` until one of them hangs up; False when it
    stopped ringing meanwhile (or its caller's side could not be answered)."""
    if ringing.dialled is not None:
        await picker.answer()
        if not b2bua.dialer.hand_to(ringing.dialled, picker):
            return False
        _LOGGER.info("Call %s picked up by %s", ringing.dialled.record.id, picker_label)
        await picker.wait_ended()  # the plugin that dialled bridges it and hangs it up after
        return True
    assert ringing.relayed is not None
    return await _pick_up_relayed(b2bua, ringing.relayed, picker, picker_label)


async def _pick_up_relayed(b2bua: B2bua, call: ActiveCall, picker: Channel, picker_label: str) -> bool:
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
        async with asyncio.timeout(TAKE_OVER_S):
            await asyncio.shield(taken)
    except TimeoutError:
        return False
    await picker.answer()
    await over
    return True
