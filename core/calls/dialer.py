"""Calls the appliance places itself (``Channel.dial``): INVITEs to users' phones, answered into a
``Channel`` with our own media endpoint.

One dial is one or more rounds: ``parallel`` rings every target's phones at once, ``sequential``
rings one target at a time for ``ring_s`` each. Within a round the first 2xx wins, the other forks
are cancelled (and a late 2xx gets ACK and BYE), exactly as the B2BUA does for phone-to-phone calls.
The answered leg is a ``Channel`` like an inbound one: a plugin plays to it, bridges it with the
caller, or hangs it up; the phone's BYE, INFO digits and re-INVITEs reach it through the B2BUA.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal

from cordboard.core.calls.media import ChannelMedia, media_from_answer, offer_for_channel, parse_body_sdp
from cordboard.core.calls.model import (
    EVENT_CALL_ANSWERED,
    EVENT_CALL_RINGING,
    EVENT_CALL_STARTED,
    CallRecord,
    CallResult,
    result_for_status,
    status_for_caller,
)
from cordboard.core.calls.phone_types import MOBILE, phone_type
from cordboard.core.context import Context, ulid_now
from cordboard.core.exceptions import NotFound
from cordboard.core.rtp.ports import NoPortsAvailable, PortPair
from cordboard.core.sip.dialog import Dialog
from cordboard.core.sip.message import SipRequest, SipResponse, make_response
from cordboard.core.sip.sdp import SdpParseError

if TYPE_CHECKING:
    from cordboard.core.calls.b2bua import B2bua, Fork
    from cordboard.core.calls.channel import Channel
    from cordboard.core.calls.trunk_calls import TrunkDial
    from cordboard.core.sip.accounts import SipAccount
    from cordboard.core.sip.events import TransactionKey
    from cordboard.core.sip.peer import Peer

_LOGGER = logging.getLogger(__name__)

Strategy = Literal["parallel", "sequential"]
DEFAULT_RING_S: Final = 30.0


@dataclass(frozen=True, slots=True)
class NotAnswered:
    """Why nobody answered a ``dial``: ``result`` as the call history words it, and the SIP status."""

    result: CallResult
    status: int | None
    reason: str


@dataclass(eq=False)
class OutboundCall:
    """One round of a dial: the forks to the phones rung together, until one answers or all fail."""

    record: CallRecord
    context: Context
    pair: PortPair
    caller: tuple[str, str]
    history: bool
    forks: list[Fork] = field(default_factory=list)
    answered: asyncio.Future[tuple[Fork, SipResponse] | None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
    state: str = "trying"
    dialog: Dialog | None = None
    peer: Peer | None = None
    channel: Channel | None = None
    trunk_plans: dict[int, TrunkDial] = field(default_factory=dict)
    """Forks out over the SIP trunks (by ``id(fork)``): what to try when one fails (BYD-03)."""
    party_user_id: int | None = None
    """The user the dialled phone talks with (the live call is shown to them as well)."""
    picked: Channel | None = None
    """A colleague's phone that picked the call up (PKP-01/03): the dial's answer instead."""


class Dialer:
    """Places the appliance's own calls for ``Channel.dial``; the B2BUA hands it what is theirs."""

    def __init__(self, b2bua: B2bua) -> None:
        self._b2bua = b2bua
        self._by_client_key: dict[TransactionKey | None, tuple[OutboundCall, Fork]] = {}
        self._by_dialog: dict[tuple[str, str], OutboundCall] = {}
        self.calls: dict[str, OutboundCall] = {}

    async def dial(
        self,
        targets: Sequence[str],
        *,
        strategy: Strategy = "parallel",
        ring_s: float = DEFAULT_RING_S,
        caller_id: tuple[str, str],
        language: str = "en",
        history: bool = True,
        metadata: dict[str, Any] | None = None,
        party_user_id: int | None = None,
        phone_types: Collection[str] | None = None,
    ) -> Channel | NotAnswered:
        """Ring ``targets`` (extensions or user names); the answered channel, or why none answered.
        ``party_user_id``: the user the dialled phone will talk with, if any (the live call is
        theirs too: their presence and their list of calls in progress show it). ``phone_types``
        (``phone_types.PHONE_TYPES``): only the users' phones of these kinds ring, ``mobile``
        their mobile numbers over a trunk; None rings every registered phone."""
        if strategy not in ("parallel", "sequential"):
            raise ValueError(f"strategy must be 'parallel' or 'sequential', not {strategy!r}")
        if not targets:
            raise ValueError("dial needs at least one target")
        rounds = [list(targets)] if strategy == "parallel" else [[t] for t in targets]
        failures: list[NotAnswered] = []
        for numbers in rounds:
            outcome = await self._round(
                numbers,
                ring_s=ring_s,
                caller_id=caller_id,
                language=language,
                history=history,
                metadata=metadata or {},
                party_user_id=party_user_id,
                phone_types=phone_types,
            )
            if not isinstance(outcome, NotAnswered):
                return outcome
            failures.append(outcome)
        return _summary(failures)

    async def _round(
        self,
        numbers: list[str],
        *,
        ring_s: float,
        caller_id: tuple[str, str],
        language: str,
        history: bool,
        metadata: dict[str, Any],
        party_user_id: int | None,
        phone_types: Collection[str] | None,
    ) -> Channel | NotAnswered:
        b2bua = self._b2bua
        accounts = [a for a in (b2bua.find_account(n) for n in numbers) if a is not None]
        outside = [n for n in numbers if b2bua.find_account(n) is None]
        if phone_types is not None and MOBILE in phone_types:
            outside += await self._mobiles([a for a in accounts if not a.locked])
        plans = await self._trunk_plans(outside, caller_id)
        if not accounts and not plans:
            return NotAnswered(CallResult.FAILED, 404, f"no user has the number {', '.join(numbers)}")
        bindings = [
            (a, b)
            for a in accounts
            if not a.locked
            for b in b2bua.sip.targets(a)
            if phone_types is None or phone_type(b) in phone_types
        ]
        if not bindings and not plans:
            return NotAnswered(CallResult.NO_ANSWER, 480, f"{', '.join(numbers)}: no phone registered")
        try:
            pair = b2bua.relays.allocator.allocate(b2bua.relays.bind_address)
        except NoPortsAvailable:
            return NotAnswered(CallResult.FAILED, 503, "no media ports free")
        callee: SipAccount | None = accounts[0] if accounts else None
        record = CallRecord(
            id=ulid_now(),
            sip_call_id="",
            caller=caller_id[0],
            caller_name=caller_id[1],
            caller_user_id=None,
            callee=(callee.extension or callee.username) if callee else plans[0].number,
            callee_name=callee.display_name if callee else "",
            callee_user_id=callee.user_id if callee else None,
            started=time.time(),
            reason=str(metadata.get("reason", "")),
        )
        call = OutboundCall(record, Context(), pair, caller_id, history)
        call.party_user_id = party_user_id
        self.calls[record.id] = call
        self._publish(call, EVENT_CALL_STARTED)
        offer = offer_for_channel(b2bua.sip.advertise, pair.rtp_port)
        for account, binding in bindings:
            fork = b2bua.invite_fork(
                binding, caller=caller_id, callee=account.extension or account.username, body=offer
            )
            fork.key = b2bua.sip.send_request(fork.request, fork.peer)
            self._by_client_key[fork.key] = (call, fork)
            call.forks.append(fork)
        for plan in plans:
            self._send_trunk_fork(call, plan, plan.first_fork(b2bua, offer, 70))
        record.sip_call_id = call.forks[0].request.call_id
        try:
            async with asyncio.timeout(ring_s):
                won = await asyncio.shield(call.answered)
        except TimeoutError:
            won = None
            self._give_up(call, NotAnswered(CallResult.NO_ANSWER, 480, "no answer"))
        except asyncio.CancelledError:
            self._give_up(call, NotAnswered(CallResult.CANCELLED, 487, "dial cancelled"))
            raise
        if call.picked is not None:
            return self._picked(call, call.picked)
        if won is None:
            return self._failure(call)
        fork, response = won
        accounts_by_id = {a.user_id: a for a in accounts}
        answered_by = accounts_by_id.get(fork.binding.user_id, callee)
        if id(fork) in call.trunk_plans:  # out over a trunk: the number it dialled
            record.callee, record.callee_name = call.trunk_plans[id(fork)].number, ""
            record.callee_user_id = None
        elif answered_by is not None:
            record.callee = answered_by.extension or answered_by.username
            record.callee_name, record.callee_user_id = answered_by.display_name, answered_by.user_id
        channel = self._connect(call, fork, response, language)
        if channel is None:
            return NotAnswered(CallResult.FAILED, 488, "the phone answered without usable audio")
        return channel

    # -- SIP from the B2BUA -------------------------------------------------------------------
    def on_response(self, key: TransactionKey, response: SipResponse) -> bool:
        found = self._by_client_key.get(key)
        if found is None:
            return False
        call, fork = found
        status = response.status
        b2bua = self._b2bua
        if status < 200:
            fork.provisional = True
            if fork.cancel_waiting:
                fork.cancel_waiting = False
                b2bua.cancel_forks([fork], registry=self._by_client_key)
            if status > 100 and call.state == "trying":
                call.state = "ringing"
                self._publish(call, EVENT_CALL_RINGING)
            return True
        self._by_client_key.pop(key, None)
        if status >= 300:
            if not self._trunk_retry(call, fork, response):
                self._fork_failed(call, fork, status)
            return True
        if call.answered.done() or call.state not in ("trying", "ringing"):
            b2bua.refuse_late_answer(fork, response)
            return True
        fork.final = status
        call.answered.set_result((fork, response))
        return True

    def on_timeout(self, key: TransactionKey) -> bool:
        found = self._by_client_key.pop(key, None)
        if found is None:
            return False
        if not self._trunk_retry(*found, None):
            self._fork_failed(*found, 408)
        return True

    # -- numbers out over the SIP trunks (BYD-03) ---------------------------------------------
    async def _mobiles(self, accounts: list[SipAccount]) -> list[str]:
        """The mobile numbers of these users that have one."""
        mobiles = []
        for account in accounts:
            try:
                user = await self._b2bua.core.identity.get_user(account.user_id)
            except NotFound:
                continue
            if user.mobile:
                mobiles.append(user.mobile)
        return mobiles

    async def _trunk_plans(self, numbers: list[str], caller_id: tuple[str, str]) -> list[TrunkDial]:
        """How to reach numbers nobody here has over the trunks (a forward, a mobile terminal); the
        caller's own number is presented where the trunk allows it (CLIP no screening)."""
        from cordboard.core.calls.b2bua import Caller
        from cordboard.core.calls.trunk_calls import Refusal, TrunkDial, plan_outbound

        plans: list[TrunkDial] = []
        for number in numbers:
            plan = await plan_outbound(self._b2bua, Caller(caller_id[0], caller_id[1], None), number)
            if isinstance(plan, Refusal):
                _LOGGER.info("Dial to %s refused by the dial plan: %s", number, plan.reason)
            elif isinstance(plan, TrunkDial):
                plan.own_numbers = [caller_id[0]]
                plans.append(plan)
        return plans

    def _send_trunk_fork(self, call: OutboundCall, plan: TrunkDial, fork: Fork) -> None:
        fork.key = self._b2bua.sip.send_request(fork.request, fork.peer)
        self._by_client_key[fork.key] = (call, fork)
        call.forks.append(fork)
        call.trunk_plans[id(fork)] = plan

    def _trunk_retry(self, call: OutboundCall, fork: Fork, response: SipResponse | None) -> bool:
        """A trunk fork failed: the same trunk with credentials, or the next trunk (True), else False."""
        plan = call.trunk_plans.get(id(fork))
        if plan is None or call.state not in ("trying", "ringing") or fork is not plan.current:
            return False
        retry = plan.after_failure(self._b2bua, fork, response)
        if retry is None:
            return False
        fork.final = response.status if response is not None else 408
        self._send_trunk_fork(call, plan, retry)
        return True

    @staticmethod
    def _fork_failed(call: OutboundCall, fork: Fork, status: int) -> None:
        fork.final = status
        if all(f.final is not None for f in call.forks) and not call.answered.done():
            call.answered.set_result(None)  # every phone said no

    def on_request(self, key: TransactionKey, request: SipRequest) -> bool:
        """In-dialog requests from an answered phone: BYE, INFO digits, re-INVITE, OPTIONS, REFER."""
        call = self._by_dialog.get((request.call_id, request.to_tag or ""))
        if call is None or call.dialog is None or call.channel is None:
            return False
        b2bua = self._b2bua
        if not b2bua.accept_in_dialog(call.dialog, key, request):
            return True
        method = request.method
        if method == "BYE":
            b2bua.sip.respond(key, make_response(request, 200))
            self._end(call, "the called phone hung up")
        elif method == "INFO":
            b2bua.channel_info(call.channel, key, request)
        elif method in ("INVITE", "UPDATE") and request.body:
            assert call.peer is not None
            b2bua.channel_reinvite(call.channel, call.peer, key, request)
        elif method in ("OPTIONS", "NOTIFY", "UPDATE"):
            b2bua.sip.respond(key, make_response(request, 200))
        elif method == "REFER":
            assert call.peer is not None
            b2bua.channel_refer(call.channel, call.dialog, call.peer, key, request)
        else:
            b2bua.sip.respond(key, make_response(request, 501))
        return True

    def hang_up_all(self) -> None:
        for call in list(self.calls.values()):
            if call.state == "answered":
                self._hang_up(call, "Cordboard stopped")
            else:
                self._give_up(call, NotAnswered(CallResult.FAILED, 503, "Cordboard stopped"))

    # -- inside -------------------------------------------------------------------------------
    def _connect(
        self, call: OutboundCall, fork: Fork, response: SipResponse, language: str
    ) -> Channel | None:
        b2bua = self._b2bua
        b2bua.cancel_forks(call.forks, except_fork=fork, registry=self._by_client_key)
        dialog = Dialog.from_uac(fork.request, response)
        b2bua.send_fork_ack(fork, dialog, response)
        asyncio.get_running_loop().call_later(64 * b2bua.t1, b2bua.forget_ack, fork.key)
        call.dialog, call.peer = dialog, fork.peer
        self._by_dialog[(dialog.call_id, dialog.local_tag)] = call
        try:
            answer = parse_body_sdp(response.body, response.content_type)
        except SdpParseError:
            answer = None
        media = media_from_answer(answer) if answer is not None else None
        call.state = "answered"
        call.record.answered = time.time()
        if media is None:
            self._hang_up(call, "the phone answered without usable audio")
            return None
        return self._channel_for(call, media, language)

    def adopt(
        self,
        record: CallRecord,
        *,
        dialog: Dialog,
        peer: Peer,
        pair: PortPair,
        media: ChannelMedia,
        language: str,
    ) -> Channel:
        """A channel for a phone already in a dialog with the appliance whose media the appliance
        has just taken over (a re-INVITE to its own endpoint, for a transfer between phones): the
        dialog's BYE, INFO and re-INVITEs reach the channel from now on. Kept out of the history."""
        call = OutboundCall(record, Context(), pair, (record.caller, record.caller_name), history=False)
        call.dialog, call.peer, call.state = dialog, peer, "answered"
        self.calls[record.id] = call
        self._by_dialog[(dialog.call_id, dialog.local_tag)] = call
        return self._channel_for(call, media, language, publish=False)

    def _channel_for(
        self, call: OutboundCall, media: ChannelMedia, language: str, *, publish: bool = True
    ) -> Channel:
        from cordboard.core.calls.channel import Channel, InboundCall
        from cordboard.core.media.endpoint import MediaEndpoint

        b2bua = self._b2bua
        endpoint = MediaEndpoint(
            reactor=b2bua.relays.reactor,
            pair=call.pair,
            codec=media.codec,
            payload_type=media.payload_type,
            dtmf_payload_type=media.dtmf_payload_type,
            dtmf_clock_rate=media.dtmf_clock_rate,
            clock=b2bua.media_clock,
        )
        if media.remote is not None:
            endpoint.set_remote(*media.remote)
        endpoint.start()
        record = call.record
        call.channel = Channel(
            InboundCall(record.id, record.callee, record.caller, record.caller_name, record.caller_user_id),
            endpoint,
            b2bua.core.prompts,
            answer=_nothing,
            ring=_nothing,
            hang_up=lambda _status: self._hang_up(call, "hung up by Cordboard"),
            music=b2bua.music,
            default_music=b2bua.org_music_class,
            language=language,
            country=b2bua.country,
            dial=self.dial,
        )
        call.channel.state = "answered"
        if publish:  # an adopted phone is part of the call it goes on with, not a call of its own
            self._publish(call, EVENT_CALL_ANSWERED)
        return call.channel

    def hand_to(self, call: OutboundCall, picker: Channel) -> bool:
        """A phone picks up the ringing ``call`` (PKP-01/03): the dial returns ``picker`` as if
        it had answered; False when the call no longer rings."""
        if call.answered.done() or call.state not in ("trying", "ringing"):
            return False
        call.picked = picker
        call.answered.set_result(None)
        return True

    def _picked(self, call: OutboundCall, picker: Channel) -> Channel:
        self._b2bua.cancel_forks(call.forks, registry=self._by_client_key)
        record = call.record
        record.answered = time.time()
        record.callee, record.callee_name = picker.call.caller, picker.call.caller_name
        record.callee_user_id = picker.call.caller_user_id
        record.add_route(f"picked up by {picker.call.caller}")
        self._finish(call, CallResult.ANSWERED, None, "picked up")
        return picker

    def _give_up(self, call: OutboundCall, why: NotAnswered) -> None:
        """Nobody answered (in time): cancel what still rings and end the round."""
        if call.state == "ended":
            return
        self._b2bua.cancel_forks(call.forks, registry=self._by_client_key)
        if not call.answered.done():
            call.answered.set_result(None)
        self._finish(call, why.result, why.status, why.reason)

    def _failure(self, call: OutboundCall) -> NotAnswered:
        if call.state != "ended":
            statuses = [f.final for f in call.forks if f.final is not None]
            status = status_for_caller(statuses)
            self._finish(call, result_for_status(status), status, f"answered {status}")
        record = call.record
        assert record.result is not None
        return NotAnswered(record.result, record.sip_code, record.reason)

    def _hang_up(self, call: OutboundCall, reason: str) -> None:
        if call.state == "answered" and call.dialog is not None and call.peer is not None:
            self._b2bua.send_in_dialog(call.dialog, call.peer, "BYE")
        self._end(call, reason)

    def _end(self, call: OutboundCall, reason: str) -> None:
        self._finish(call, CallResult.ANSWERED, None, reason)

    def _finish(self, call: OutboundCall, result: CallResult, status: int | None, reason: str) -> None:
        if call.state == "ended":
            return
        call.state = "ended"
        if call.channel is not None:
            call.channel.ended_by_far_end()  # closes the endpoint and its sockets
        else:
            call.pair.rtp_sock.close()
            call.pair.rtcp_sock.close()
        self._b2bua.relays.allocator.release(call.pair.rtp_port)
        if call.dialog is not None:
            self._by_dialog.pop((call.dialog.call_id, call.dialog.local_tag), None)
        self.calls.pop(call.record.id, None)
        record = call.record
        record.reason = reason if not record.reason else f"{record.reason}: {reason}"
        self._b2bua.finish_record(
            record, result, status, call.context, record.callee_user_id, save=call.history
        )

    def _publish(self, call: OutboundCall, event: Any) -> None:
        record = call.record
        self._b2bua.publish_call(
            record, call.state, event, call.context, [record.callee_user_id, call.party_user_id]
        )


def _nothing() -> None:
    """An outbound channel is answered already: ring() and answer() have nothing to do."""


def _summary(failures: list[NotAnswered]) -> NotAnswered:
    """One reason for a dial whose every round failed: busy wins, then no answer, else the last."""
    for wanted in (CallResult.BUSY, CallResult.NO_ANSWER, CallResult.REJECTED):
        for failure in failures:
            if failure.result == wanted:
                return failure
    return failures[-1]


__all__ = ["DEFAULT_RING_S", "Dialer", "NotAnswered", "OutboundCall", "Strategy"]
