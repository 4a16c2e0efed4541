"""Transfer between phones (PKP-10): blind (REFER, RFC 3515) and attended (REFER with Replaces in
Refer-To, RFC 3891) on calls the B2BUA relays.

The phone that transfers (S) talks with the other party (O) through the relay. The appliance takes
O's media over with a re-INVITE to its own endpoint, so that O becomes a channel it drives, then:
blind, rings the Refer-To number for O (ringing S back when nobody answers, as refer.py does for a
plugin's calls); attended, does the same with the party of S's consultation call and bridges the
two. S is hung up on both calls once the REFER is answered and its NOTIFYs are out. A REFER to a
number nobody has, or naming no call of the same phone, is refused and changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from cordboard.core.calls.media import media_from_answer, offer_for_channel, parse_body_sdp
from cordboard.core.calls.model import CallRecord
from cordboard.core.calls.refer import Party, ReferRefused, carry_out, refer_parts
from cordboard.core.context import ulid_now
from cordboard.core.rtp.ports import NoPortsAvailable
from cordboard.core.sip.message import SipRequest, SipResponse, make_response
from cordboard.core.sip.sdp import SdpParseError

if TYPE_CHECKING:
    from cordboard.core.calls.b2bua import ActiveCall, B2bua
    from cordboard.core.calls.channel import Channel
    from cordboard.core.sip.events import TransactionKey

_LOGGER = logging.getLogger(__name__)
SDP: Final = "application/sdp"


def refer_between_phones(
    b2bua: B2bua, call: ActiveCall, side: str, key: TransactionKey, request: SipRequest
) -> None:
    """A REFER from one phone of a relayed call: check it, then carry it out in a task."""
    try:
        number, replaces = refer_parts(request)
        if call.state != "answered":
            raise ReferRefused(403, "Forbidden - The Call Is Not Answered")
        consultation = _replaced_call(b2bua, call, side, replaces) if replaces is not None else None
    except ReferRefused as refused:
        b2bua.sip.respond(key, make_response(request, refused.status, refused.reason))
        return
    refer = Refer(b2bua, call, side, key, request)
    task = _blind(refer, number) if consultation is None else _attended(refer, *consultation)
    b2bua.core.create_task(task, f"transfer by {_party(call, side).number}")


@dataclass(frozen=True, slots=True)
class Refer:
    """A REFER being carried out: the call and side it came in on, and its server transaction."""

    b2bua: B2bua
    call: ActiveCall
    side: str
    key: TransactionKey
    request: SipRequest

    def refuse(self, status: int = 503, reason: str = "Service Unavailable - Call Not Taken Over") -> None:
        self.b2bua.sip.respond(self.key, make_response(self.request, status, reason))

    def accept(self) -> None:
        leg = self.call.leg(self.side)
        assert leg is not None
        self.b2bua.accept_refer(leg.dialog, leg.peer, self.key, self.request)


def _replaced_call(b2bua: B2bua, call: ActiveCall, side: str, replaces: str) -> tuple[ActiveCall, str]:
    """The transferring phone's other call that Replaces names (its consultation call)."""
    parts = [p.strip() for p in replaces.split(";")]
    params = dict(p.split("=", 1) for p in parts[1:] if "=" in p)
    for tag in (params.get("to-tag"), params.get("from-tag")):
        found = b2bua._by_dialog.get((parts[0], tag or ""))
        if found is None:
            continue
        other_call, other_side = found
        this_leg, that_leg = call.leg(side), other_call.leg(other_side)
        if (
            other_call is not call
            and other_call.relay is not None
            and other_call.state == "answered"
            and this_leg is not None
            and that_leg is not None
            and that_leg.peer == this_leg.peer
        ):
            return other_call, other_side
    raise ReferRefused(481, "Call/Transaction Does Not Exist - Replaces Names No Call Of This Phone")


def _party(call: ActiveCall, side: str) -> Party:
    record = call.record
    if side == "a":
        return Party(record.caller, record.caller_name, record.caller_user_id)
    return Party(record.callee, record.callee_name, record.callee_user_id)


async def _blind(refer: Refer, number: str) -> None:
    refused = await transfer_party(
        refer.b2bua, refer.call, refer.call.other(refer.side), number, accepted=refer.accept
    )
    if refused is not None:
        refer.refuse(*refused)


async def transfer_party(
    b2bua: B2bua,
    call: ActiveCall,
    side: str,
    number: str,
    *,
    accepted: Callable[[], None] | None = None,
) -> tuple[int, str] | None:
    """The party on ``side`` goes to ``number`` and the other phone is hung up (rung back if
    nobody answers there): a phone's blind transfer (``accepted`` answers its REFER once the party
    is taken over) or ``POST /api/calls/{id}/transfer``. None once under way, else the status and
    reason why not (barred, unknown, not taken over)."""
    other = call.other(side)
    who, transferor = _party(call, side), _party(call, other)
    refused = await _refusal(b2bua, transferor, number)
    if refused is not None:
        return refused
    party = await take_leg(b2bua, call, side)
    if party is None:
        return 503, "Service Unavailable - Call Not Taken Over"
    if accepted is not None:
        accepted()
    release_phone(b2bua, call, other, f"{transferor.number} transferred {who.number} to {number}")
    _LOGGER.info("%s transfers %s to %s", transferor.number, who.number, number)
    b2bua.core.create_task(
        carry_out(
            party,
            who,
            number,
            transferor,
            route=b2bua.plugin_handler,
            wait_turn=b2bua.personal_queues.wait_turn,
        ),
        f"transfer of {who.number} to {number}",
    )
    return None


async def _refusal(b2bua: B2bua, transferor: Party, number: str) -> tuple[int, str] | None:
    """Why the transferring phone may not send its call to ``number``: nobody here has it and no
    trunk reaches it (404), or the dial plan bars it for the transferring user (BAR)."""
    from cordboard.core.calls.b2bua import Caller
    from cordboard.core.calls.trunk_calls import PinNeeded, Refusal, plan_outbound

    if b2bua.transfer_target_exists(number):
        return None
    account = b2bua.find_account(transferor.number)
    if account is None:
        return 404, "Not Found"
    plan = await plan_outbound(b2bua, Caller.of(account), number)
    if plan is None:
        return 404, "Not Found"
    if isinstance(plan, Refusal):
        return plan.status, plan.reason
    if isinstance(plan, PinNeeded):
        return 403, "Forbidden - Outside Calls To This Number Need A PIN"
    return None


async def _attended(refer: Refer, consultation: ActiveCall, consultation_side: str) -> None:
    b2bua, call, side = refer.b2bua, refer.call, refer.side
    other, consulted = call.other(side), consultation.other(consultation_side)
    who, target = _party(call, other), _party(consultation, consulted)
    first = await take_leg(b2bua, call, other)
    second = await take_leg(b2bua, consultation, consulted) if first is not None else None
    if first is None or second is None:
        if first is not None:
            await first.hangup()
        refer.refuse()
        return
    refer.accept()
    transferor = _party(call, side).number
    release_phone(b2bua, call, side, f"{transferor} connected {who.number} with {target.number}")
    release_phone(
        b2bua, consultation, consultation_side, f"{transferor} connected {target.number} with {who.number}"
    )
    _LOGGER.info("%s connects %s with %s (attended transfer)", transferor, who.number, target.number)
    try:
        await first.bridge(second)
    finally:
        await first.hangup()
        await second.hangup()


def release_phone(b2bua: B2bua, call: ActiveCall, side: str, reason: str) -> None:
    """Hang up the transferring phone on ``call`` and end the call's record (its other side is a
    channel of the appliance's by now)."""
    leg = call.leg(side)
    if leg is not None:
        b2bua.send_in_dialog(leg.dialog, leg.peer, "BYE")
    b2bua.end_transferred(call, reason)


async def take_leg(b2bua: B2bua, call: ActiveCall, side: str) -> Channel | None:
    """Move ``side`` of a relayed call from the relay to an endpoint of the appliance's own (a
    re-INVITE with its offer), as a channel it drives; None when the phone refuses or is gone."""
    leg = call.leg(side)
    if leg is None:
        return None
    try:
        pair = b2bua.relays.allocator.allocate(b2bua.relays.bind_address)
    except NoPortsAvailable:
        return None
    b2bua.stop_hold_music(call)
    loop = asyncio.get_running_loop()
    answered: asyncio.Future[SipResponse | None] = loop.create_future()

    def on_response(response: SipResponse | None) -> None:
        if (response is None or response.status >= 200) and not answered.done():
            answered.set_result(response)

    offer = offer_for_channel(b2bua.sip.advertise, pair.rtp_port)
    client_key = b2bua.send_in_dialog(
        leg.dialog, leg.peer, "INVITE", body=offer, content_type=SDP, on_response=on_response
    )
    response = await answered
    media = None
    if response is not None and 200 <= response.status < 300:
        b2bua.ack_reinvite_2xx(leg, response, client_key)
        try:
            answer = parse_body_sdp(response.body, response.content_type)
        except SdpParseError:
            answer = None
        media = media_from_answer(answer) if answer is not None else None
    if media is None or call.state != "answered":
        pair.rtp_sock.close()
        pair.rtcp_sock.close()
        b2bua.relays.allocator.release(pair.rtp_port)
        return None
    b2bua.detach_leg(call, side)
    party = _party(call, side)
    user_id = call.record.caller_user_id if side == "a" else call.record.callee_user_id
    record = CallRecord(
        id=ulid_now(),
        sip_call_id=leg.dialog.call_id,
        caller=party.number,
        caller_name=party.name,
        caller_user_id=user_id,
        callee=party.number,
        callee_name=party.name,
        callee_user_id=user_id,
        started=call.record.started,
    )
    language = await b2bua.language_of(user_id)
    return b2bua.dialer.adopt(
        record, dialog=leg.dialog, peer=leg.peer, pair=pair, media=media, language=language
    )
