"""The B2BUA: every call is two dialogs (caller side A, callee side B) joined by the core with a relay.

A's INVITE is authenticated, the callee found by extension or username, and every registered
contact of the callee rung in parallel; the first 2xx wins and the other forks are cancelled.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from cordboard.core.calls.dialer import Dialer
from cordboard.core.calls.history import HistoryWriter
from cordboard.core.calls.media import learn_remote, parse_body_sdp, through_relay
from cordboard.core.calls.model import (
    EVENT_CALL_ANSWERED,
    EVENT_CALL_ENDED,
    EVENT_CALL_HISTORY_SAVED,
    EVENT_CALL_RINGING,
    EVENT_CALL_STARTED,
    CallRecord,
    CallResult,
    call_event_data,
    result_for_status,
    status_for_caller,
)
from cordboard.core.calls.session_refresh import SessionRefresh
from cordboard.core.context import Context, ulid_now
from cordboard.core.media.clock import MediaClock
from cordboard.core.media.stats import MediaStats
from cordboard.core.random_tokens import token_hex
from cordboard.core.rtp.ports import NoPortsAvailable
from cordboard.core.rtp.relay import Relay, RelayLeg, RelayManager
from cordboard.core.sip import headers as h
from cordboard.core.sip.accounts import SipAccount
from cordboard.core.sip.authenticator import CHALLENGES
from cordboard.core.sip.dialog import Dialog
from cordboard.core.sip.events import TransactionKey
from cordboard.core.sip.headers import CSeq, Headers
from cordboard.core.sip.location import Binding
from cordboard.core.sip.message import SipRequest, SipResponse, make_cancel, make_response
from cordboard.core.sip.peer import Peer
from cordboard.core.sip.sdp import SdpParseError, SessionDescription, is_hold
from cordboard.core.sip.session_timer import SessionTimer
from cordboard.core.sip.session_timer import negotiate as negotiate_session_timer
from cordboard.core.sip.status import SipStatusError
from cordboard.core.sip.transaction import new_branch
from cordboard.core.sip.uri import NameAddr, SipUri, TelUri, parse_uri

if TYPE_CHECKING:
    from cordboard.core.calls.channel import Channel, ChannelHandler, InboundCall
    from cordboard.core.calls.hold_music import HoldMusic
    from cordboard.core.calls.refer import Party
    from cordboard.core.calls.trunk_calls import TrunkDial
    from cordboard.core.core import Core
    from cordboard.core.media.codecs.base import Codec as MediaCodec
    from cordboard.core.media.moh import MusicOnHold
    from cordboard.core.routing.evaluate import Explanation
    from cordboard.core.routing.model import Destination, Rule
    from cordboard.core.sip.service import SipService

_LOGGER = logging.getLogger(__name__)

RING_TIMEOUT: Final = 60.0
MEDIA_TIMEOUT: Final = 60.0
MEDIA_CHECK_INTERVAL: Final = 5.0
REFER_PROGRESS: Final = ((100, "Trying", "active;expires=60"), (200, "OK", "terminated;reason=noresource"))
"""The NOTIFYs that answer an accepted REFER at once: the transfer is the appliance's from then on."""
SDP: Final = "application/sdp"
NO_COMMON_CODEC: Final = (488, 606)
"""What a phone answers to an offer without a codec it takes (RFC 3261 21.4.26, 21.6.4)."""


class Caller(NamedTuple):
    """Who a call comes from: a user's phone (``account``), or a caller over a trunk (no user)."""

    number: str
    name: str
    user_id: int | None
    account: SipAccount | None = None
    via: str = ""
    """How the call came in when not from a phone ("trunk provider, DID +4589..."): the call
    history's route starts with it."""

    @classmethod
    def of(cls, account: SipAccount) -> Caller:
        return cls(account.extension or account.username, account.display_name, account.user_id, account)


class Attempt(NamedTuple):
    """An INVITE being answered before a call exists for it."""

    key: TransactionKey
    request: SipRequest
    record: CallRecord
    a_tag: str


@dataclass(slots=True)
class Fork:
    """One INVITE towards one registered contact of the callee."""

    binding: Binding
    peer: Peer
    request: SipRequest
    key: TransactionKey | None = None
    final: int | None = None
    dialog: Dialog | None = None
    provisional: bool = False
    """A 1xx arrived; before one, a CANCEL must wait (RFC 3261 9.1)."""
    cancel_waiting: bool = False
    """Cancelled before any 1xx: the CANCEL goes out when the first one arrives."""
    to_tag: str | None = None
    """The phone's tag from its first 1xx (its early dialog, shown to busy-lamp keys)."""


@dataclass(slots=True)
class Leg:
    """One side of an established call: its dialog and where its phone is reached."""

    dialog: Dialog
    peer: Peer
    relay_leg: RelayLeg | None
    """None for a channel the appliance answers itself (its media is a MediaEndpoint)."""

    @property
    def media(self) -> RelayLeg:
        """The relay leg of a relayed call's side."""
        assert self.relay_leg is not None, "a channel's leg has no relay"
        return self.relay_leg


@dataclass(slots=True)
class PendingReinvite:
    call: ActiveCall
    from_side: str
    server_key: TransactionKey
    request: SipRequest
    was_on_hold: bool = False
    previous_media: tuple[str, int, int] | None = None
    """The sender's media address before the offer: restored if the other phone refuses it."""


@dataclass(slots=True)
class ActiveCall:
    record: CallRecord
    context: Context
    invite: SipRequest
    server_key: TransactionKey
    caller_peer: Peer
    a_tag: str
    relay: Relay | None
    forks: list[Fork] = field(default_factory=list)
    a: Leg | None = None
    b: Leg | None = None
    state: str = "trying"
    ring_timer: asyncio.TimerHandle | None = None
    retransmit: asyncio.TimerHandle | None = None
    acked: bool = True
    answered_at: float = 0.0
    """Loop time of the answer (the media timeout counts from here until RTP flows)."""
    ringing_sent: bool = False
    on_hold: bool = False
    """A re-INVITE put one side on hold: silence is expected, the media timeout does not apply."""
    late_offer: bool = False
    """The caller's INVITE had no SDP: the callee's 200 carries the offer, the caller's ACK the answer."""
    b_ack_pending: tuple[Dialog, SipResponse, Fork] | None = None
    """Late offer: the callee's 200 waits for its ACK until the caller's ACK brings the answer."""
    channel: Channel | None = None
    """Set when a plugin drives the call (``cordboard_route_call``): no relay, no B side."""
    hold_music: HoldMusic | None = None
    """What the held phone hears while the other one holds."""
    outbound: TrunkDial | None = None
    """A call out over the SIP trunks (BYD-03): the trunks it tries, in order."""
    session_timer: SessionTimer | None = None
    """The session timer agreed with the caller (RFC 4028), if it asked for one."""
    session_handle: asyncio.TimerHandle | None = None
    """The next refresh we send, or the deadline of the caller's (session_refresh.py)."""

    @property
    def media(self) -> Relay:
        """The relay of a relayed call (every call but a plugin's channel)."""
        assert self.relay is not None, "a channel has no relay"
        return self.relay

    def leg(self, side: str) -> Leg | None:
        return self.a if side == "a" else self.b

    def other(self, side: str) -> str:
        return "b" if side == "a" else "a"


class B2bua:
    """Implements the SIP service's CallHandler; keeps every live call and writes its history."""

    def __init__(
        self, core: Core, sip: SipService, relays: RelayManager, *, ring_timeout: float = RING_TIMEOUT
    ):
        self.core = core
        self.sip = sip
        self.t1 = sip.layer.timers.t1
        """RFC 3261 T1 (the bootstrap's sip.t1_ms): 2xx retransmissions and how long ACKs are kept."""
        self.t2 = sip.layer.timers.t2
        """RFC 3261 T2: the longest interval between 2xx retransmissions."""
        self.relays = relays
        self.ring_timeout = ring_timeout
        self.media_timeout = MEDIA_TIMEOUT
        """Seconds without RTP in either direction after which an answered call is ended; 0: never."""
        self.country: str | None = None
        """The organisation's country (``core.country``): the tone plan of calls the appliance answers."""
        self.history = HistoryWriter(core.db, core.create_task, saved=self._history_saved)
        self._shadowed: set[str] = set()
        """Extensions a plugin also claims (warned about once each)."""
        self.media_clock = MediaClock(MediaStats())
        """One 20 ms clock for the media of every channel the appliance answers."""
        self._music: MusicOnHold | None = None
        """The appliance's own media (channels plugins drive): frames sent, late frames."""
        self._unlisten: list[Any] = []
        self._watchdog: asyncio.TimerHandle | None = None
        self.calls: dict[str, ActiveCall] = {}
        self.dialer = Dialer(self)
        """Calls the appliance places itself (``Channel.dial``)."""
        self.session_refresh = SessionRefresh(self)
        from cordboard.core.calls.personal_queue import PersonalQueues

        self.personal_queues = PersonalQueues(self)
        """Calls transferred to users on the phone wait here (PQ-01, PKP-08)."""
        from cordboard.core.calls.announcement import PendingAnnouncements

        self.announcements = PendingAnnouncements()
        """PRM-06: the announcement a call being routed plays once its channel starts."""
        self._by_server_key: dict[TransactionKey | None, ActiveCall] = {}
        self._by_client_key: dict[TransactionKey | None, tuple[ActiveCall, Fork]] = {}
        self._by_dialog: dict[tuple[str, str], tuple[ActiveCall, str]] = {}
        self._reinvites: dict[TransactionKey | None, PendingReinvite] = {}
        self._forwarded: dict[TransactionKey, tuple[TransactionKey, SipRequest]] = {}
        """In-dialog requests passed to the other phone (INFO), by our key: the sender's key and request."""
        self._reinvite_requests: dict[TransactionKey | None, SipRequest] = {}
        self._acks: dict[TransactionKey | None, tuple[bytes, Peer]] = {}
        self._unacked_2xx: dict[tuple[str, str, int], asyncio.TimerHandle] = {}
        """2xx answers to re-INVITEs resent until their ACK, by (Call-ID, our tag, CSeq) (13.3.1.4)."""
        self._acks_awaiting_answer: dict[
            tuple[str, str, int], tuple[Leg, SipResponse, TransactionKey | None]
        ] = {}
        """Offerless re-INVITEs: the other phone's 2xx held an offer, so our ACK to it waits for the
        answer in the ACK of the phone that sent the re-INVITE (RFC 3264 5); keyed like the above."""
        self._reinvite_acks: dict[TransactionKey | None, tuple[bytes, Peer]] = {}
        """Our ACKs of re-INVITE 2xx by client transaction, to resend if the 2xx comes again (64*T1)."""

    # -- lifecycle ------------------------------------------------------------------------------
    async def start(self) -> None:
        """Read the call settings (and follow their changes) and start the dead-call watchdog."""
        from cordboard.core.config.settings import EVENT_SETTINGS_CHANGED

        await self._load_settings()
        self._unlisten.append(self.core.bus.listen(EVENT_SETTINGS_CHANGED, self._settings_changed))
        self._watchdog = self.core.loop.call_later(MEDIA_CHECK_INTERVAL, self._check_media)

    def stop(self) -> None:
        for unlisten in self._unlisten:
            unlisten()
        self._unlisten.clear()
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None

    async def _load_settings(self) -> None:
        settings = self.core.settings
        self.ring_timeout = float(await settings.org_value("core.ring_timeout"))
        self.media_timeout = float(await settings.org_value("core.media_timeout"))
        self.country = await settings.org_value("core.country")

    async def _settings_changed(self, event: Any) -> None:
        keys = event.data.get("keys", [])
        if event.data.get("scope") == "org" and any(str(k).startswith("core.") for k in keys):
            await self._load_settings()

    def _check_media(self) -> None:
        """End answered calls whose relay carried no RTP for ``media_timeout`` seconds (dead phones)."""
        loop = self.core.loop
        self._watchdog = loop.call_later(MEDIA_CHECK_INTERVAL, self._check_media)
        if not self.media_timeout:
            return
        now = loop.time()
        for call in list(self.calls.values()):
            if call.state != "answered" or call.on_hold:
                continue
            if call.relay is None:
                continue  # a plugin's channel: the plugin's own timeouts end a silent call
            last = call.relay.last_packet_at
            since = call.answered_at if last is None else max(last, call.answered_at)
            if now - since >= self.media_timeout:
                _LOGGER.info("Call %s: no audio for %.0f s; hanging up", call.record.id, now - since)
                self._send_bye(call, "a")
                self._send_bye(call, "b")
                self._end(call, CallResult.ANSWERED, None, "no audio (media timeout)")

    async def _follow_outgoing_rules(self, attempt: Attempt, caller: Caller, dialled: str) -> str | None:
        """RTE-07, BAR-03: the caller's outgoing rules for ``dialled``; None when a rule ended the
        call (busy / reject: 403), else the number to go on with (a rule's forward, or as dialled).
        Emergency numbers never meet them (BAR-06)."""
        routing = getattr(self.core, "routing", None)
        dialplan = getattr(self.core, "dialplan", None)
        if routing is None or caller.user_id is None or not routing.may_apply_outgoing():
            return dialled
        if dialplan is not None and dialled in await dialplan.special_numbers():
            return dialled
        try:
            decision = await routing.decide_outgoing(caller.user_id, caller=caller.number, dialled=dialled)
        except Exception:
            _LOGGER.exception("The outgoing rules of %s failed: the call goes on", caller.number)
            return dialled
        if decision.rule is None or not decision.destinations:
            return dialled
        first = decision.destinations[0]
        _LOGGER.info(
            "Call from %s to %s follows the outgoing rule %r", caller.number, dialled, decision.rule.name
        )
        attempt.record.add_route(f"outgoing rule {decision.rule.name}")
        if first.kind in ("busy", "reject"):
            self._reject(attempt, 403, "Forbidden - Blocked By An Outgoing Rule", CallResult.FAILED)
            return None
        if first.kind == "number" and first.target:
            return first.target
        return dialled

    async def _follow_rules(self, attempt: Attempt, context: Context, peer: Peer, callee: SipAccount) -> bool:
        """RTE: when one of the callee's routing rules takes the call, end it or run its timed
        destinations on a channel (rule_calls.py) and return True; False leaves the call to the
        ordinary path (presence, then ring the callee's phones through the relay)."""
        from cordboard.core.calls.rule_calls import ENDING_STATUS

        if callee.user_id is None:
            return False
        record = attempt.record
        decision = await self._taking_rule(callee.user_id, caller=record.caller, called=record.callee)
        if decision is None or decision.rule is None:
            return False
        _LOGGER.info("Call %s to %s follows the rule %r", record.id, record.callee, decision.rule.name)
        record.add_route(f"rule {decision.rule.name}")
        first = decision.destinations[0]
        if first.after_s == 0 and first.kind in ENDING_STATUS:
            status = ENDING_STATUS[first.kind]
            reason = "Busy Here - Routing Rule" if status == 486 else "Decline - Routing Rule"
            self._reject(attempt, status, reason, result_for_status(status))
            return True
        await self._run_destinations(
            attempt, context, peer, callee, decision.destinations, rule_id=decision.rule.id
        )
        return True

    async def _taking_rule(self, user_id: int, *, caller: str, called: str) -> Explanation | None:
        """The decision of the user's incoming routing rules when a rule takes the call beyond
        "ring the phones now"; None when no rule could apply, none matched, the matching one is
        plain, or the rules failed (logged): the call then rings the phones."""
        from cordboard.core.calls.rule_calls import is_plain

        routing = getattr(self.core, "routing", None)
        if routing is None or not routing.may_apply(user_id):
            return None
        try:
            decision: Explanation = await routing.decide_incoming(user_id, caller=caller, called=called)
        except Exception:
            _LOGGER.exception("The routing rules of %s failed: ringing the phones", called)
            return None
        if decision.rule is None or is_plain(decision.destinations):
            return None
        return decision

    def _next_rule(
        self, user_id: int, *, caller: str, called: str, call_id: str
    ) -> Callable[[int], Awaitable[Rule | None]]:
        """VM-05: what finds the user's next matching rule after a rule whose voicemail the caller
        left (``rule_calls.NextRule``); the rule joins the call's route in the history."""

        async def after(rule_id: int) -> Rule | None:
            routing = getattr(self.core, "routing", None)
            if routing is None:
                return None
            try:
                decision = await routing.decide_incoming(
                    user_id, caller=caller, called=called, after_rule_id=rule_id
                )
            except Exception:
                _LOGGER.exception("The routing rules of %s failed after rule %s", called, rule_id)
                return None
            if decision.rule is not None:
                self.note_route(call_id, f"voicemail bypassed: rule {decision.rule.name}")
            rule: Rule | None = decision.rule
            return rule

        return after

    async def _follow_terminals(
        self, attempt: Attempt, context: Context, peer: Peer, callee: SipAccount
    ) -> bool:
        """TERM-02/03/09: when the callee's terminals are more than "my phones, at once", ring them
        as their plan says (one by one, delays, numbers, working hours) and return True."""
        terminals = getattr(self.core, "terminals", None)
        if terminals is None or callee.user_id is None:
            return False
        plan = terminals.plan_of(callee.user_id)
        if plan.is_default:
            return False
        schedules = getattr(self.core, "schedules", None)
        night = schedules.current_night_mode(callee.user_id) if schedules is not None else None
        destinations = plan.destinations(in_working_hours=not night, ring_s=self.ring_timeout)
        attempt.record.add_route(f"terminals {'one by one' if plan.mode == 'sequential' else 'at once'}")
        # RTE-10: the fallback starts when the terminals are over and rings for a forward's time.
        fallback_at = destinations[-1].after_s if plan.fallback else None
        if not destinations:
            self._reject(
                attempt, 480, "Temporarily Unavailable - No Terminal Rings Now", CallResult.NO_ANSWER
            )
            return True
        await self._run_destinations(attempt, context, peer, callee, destinations, fallback_at=fallback_at)
        return True

    async def _run_destinations(
        self,
        attempt: Attempt,
        context: Context,
        peer: Peer,
        callee: SipAccount,
        destinations: Sequence[Destination],
        *,
        fallback_at: float | None = None,
        rule_id: int | None = None,
    ) -> None:
        """The caller's call on a channel that rings ``destinations`` in time (rule_calls.py): for
        the call's ring time, or, with a fallback starting at ``fallback_at``, until it has rung
        for a forward's ring time. ``rule_id``: the rule they are of (its voicemail may go on to
        the next matching rule, VM-05)."""
        import functools

        from cordboard.core.calls.rule_calls import follow_destinations

        record = attempt.record
        inbound = self._inbound(record)
        forward_s = float(await self.core.settings.org_value("core.forward_ring_time"))
        handler = functools.partial(
            follow_destinations,
            destinations=destinations,
            owner=callee.extension or callee.username,
            ring_s=self.ring_timeout if fallback_at is None else fallback_at + forward_s,
            forward_ring_s=forward_s,
            reachable=self.reachable,
            voicemail=functools.partial(self.voicemail_of, callee.user_id),
            rule_id=rule_id,
            next_rule=(
                self._next_rule(callee.user_id, caller=record.caller, called=record.callee, call_id=record.id)
                if rule_id is not None and callee.user_id is not None
                else None
            ),
        )
        await self._answer_channel(attempt, context, peer, inbound, handler)

    async def user_rules(self, number: str, call: InboundCall) -> ChannelHandler | None:
        """A user's line as a plugin hands its caller on (an IVR option, a hunt group's fallback):
        the user's incoming routing rule with its timed destinations (ring, forward, voicemail),
        as for a call dialled straight to them. None when ``number`` is no user's or no rule
        beyond "ring the phones" takes the call: the plugin rings the phones itself."""
        import functools

        from cordboard.core.calls.rule_calls import ENDING_STATUS, follow_destinations

        account = self.find_account(number)
        if account is None or account.user_id is None:
            return None
        decision = await self._taking_rule(account.user_id, caller=call.caller, called=number)
        if decision is None or decision.rule is None:
            return None
        first = decision.destinations[0]
        if first.after_s == 0 and first.kind in ENDING_STATUS:
            return None  # busy or rejected at once: to the plugin, a line that does not answer
        self.note_route(call.id, f"rule {decision.rule.name}")
        forward_s = float(await self.core.settings.org_value("core.forward_ring_time"))
        return functools.partial(
            follow_destinations,
            destinations=decision.destinations,
            owner=account.extension or account.username,
            ring_s=self.ring_timeout,
            forward_ring_s=forward_s,
            reachable=self.reachable,
            voicemail=functools.partial(self.voicemail_of, account.user_id),
            rule_id=decision.rule.id,
            next_rule=self._next_rule(account.user_id, caller=call.caller, called=number, call_id=call.id),
        )

    def note_route(self, call_id: str, step: str) -> None:
        """Add a step to the history's route of a call in progress ("voicemail: message left");
        nothing when the call is over or unknown."""
        call = self.calls.get(call_id) or self.dialer.calls.get(call_id)
        if call is not None:
            call.record.add_route(step)

    def voicemail_of(self, user_id: int) -> ChannelHandler | None:
        """What takes a caller into the user's mailbox (the voicemail plugin's), or None."""
        found: ChannelHandler | None = self.core.plugins.pm.hook.cordboard_voicemail(
            core=self.core, user_id=user_id
        )
        return found

    def _waiting_refused(self, callee: SipAccount) -> bool:
        """RTE-12: the callee is in a call and has call waiting off (a second call is busy)."""
        presence = getattr(self.core, "presence", None)
        preferences = getattr(self.core, "call_preferences", None)
        if presence is None or preferences is None or callee.user_id is None:
            return False
        in_call = presence.get(callee.user_id).call_state.value == "in_call"
        return in_call and preferences.no_call_waiting(callee.user_id)

    def _diverted_outside(self, callee: SipAccount) -> str | None:
        """The number outside the office an active presence diversion of the callee names, when
        the trunks can reach it (PRS-05)."""
        presence = getattr(self.core, "presence", None)
        if presence is None or callee.user_id is None:
            return None
        target = presence.get(callee.user_id).diversion
        if not target or self.find_account(target) is not None or not self.reachable(target):
            return None
        return str(target)

    @staticmethod
    def _inbound(record: CallRecord) -> InboundCall:
        """The channel's view of the caller's call (for a channel the core itself drives)."""
        from cordboard.core.calls.channel import InboundCall

        return InboundCall(
            id=record.id,
            dialled=record.callee,
            caller=record.caller,
            caller_name=record.caller_name,
            caller_user_id=record.caller_user_id,
        )

    def _presence_target(self, callee: SipAccount, caller: Caller) -> SipAccount | None:
        """Whose phones a direct call to ``callee`` rings, by the callee's presence: the user of an
        active shortcut's diversion number (PRS-05; one hop, and not back to the caller's own
        diversion), none while do-not-disturb is on (PRS-10: the caller hears busy until the routing
        rules give DND its fallback), else the callee. A diversion to an outside number is
        ``_diverted_outside``'s (over the trunks); one nothing can reach rings the callee."""
        from cordboard.core.presence.rules import diversion_target, offerable_for_direct_call

        presence = getattr(self.core, "presence", None)
        if presence is None or callee.user_id is None:
            return callee
        state = presence.get(callee.user_id)
        diverted = diversion_target(state)
        if diverted:
            target = self.find_account(diverted)
            if target is not None and target.user_id not in (callee.user_id, caller.user_id):
                _LOGGER.info("Call to %s diverted to %s (presence)", callee.extension, diverted)
                return target
        return callee if offerable_for_direct_call(state) else None

    def reachable(self, number: str) -> bool:
        """Whether dialling ``number`` rings anything: a user's phones, or a number out over the trunks."""
        if self.find_account(number) is not None:
            return True
        trunks = getattr(self.core, "trunks", None)
        return trunks is not None and bool(trunks.outbound_trunks(number))

    def find_account(self, number: str) -> SipAccount | None:
        """The user a dialled number reaches: their extension or user name, or an alias of their
        line (NUM-05, the number registry)."""
        numbers = getattr(self.core, "numbers", None)
        return self.sip.accounts.find(numbers.resolve(number) if numbers is not None else number)

    # -- CallHandler ----------------------------------------------------------------------------
    def on_request(
        self, key: TransactionKey, request: SipRequest, peer: Peer, cancel_of: TransactionKey | None
    ) -> bool:
        method = request.method
        if method == "INVITE" and request.to_tag is None:
            self._start(key, request, peer)
            return True
        if method == "CANCEL":
            call = self._by_server_key.get(cancel_of) if cancel_of is not None else None
            if call is None:
                return False
            self.sip.respond(key, make_response(request, 200, to_tag=call.a_tag))  # 9.2: the INVITE's tag
            if call.state in ("trying", "ringing"):
                self.cancel_forks(call.forks)
                self.sip.respond(call.server_key, make_response(call.invite, 487, to_tag=call.a_tag))
                self._end(call, CallResult.CANCELLED, 487, "cancelled by the caller")
            return True
        to_tag = request.to_tag
        if to_tag is None:
            return False
        found = self._by_dialog.get((request.call_id, to_tag))
        if found is None:
            return self.dialer.on_request(key, request)
        call, side = found
        leg = call.leg(side)
        if leg is not None and not self.accept_in_dialog(leg.dialog, key, request):
            return True
        if method == "BYE":
            self.sip.respond(key, make_response(request, 200))
            self._hang_up_other(call, side)
            self._end(call, CallResult.ANSWERED, None, f"{'caller' if side == 'a' else 'callee'} hung up")
        elif method == "INVITE" or (method == "UPDATE" and request.body):  # an UPDATE's offer needs
            self._reinvite(call, side, key, request)  # the other phone's answer, like a re-INVITE's
        elif method == "INFO":
            self._forward_in_dialog(call, side, key, request)
        elif method in ("OPTIONS", "NOTIFY", "UPDATE"):
            ok = make_response(request, 200)
            if method == "UPDATE" and side == "a":
                self.session_refresh.refreshed(call, request, ok)
            self.sip.respond(key, ok)
        elif method == "REFER" and call.channel is not None and leg is not None:
            self.channel_refer(call.channel, leg.dialog, leg.peer, key, request)
        elif method == "REFER" and call.relay is not None and leg is not None:
            from cordboard.core.calls.transfer import refer_between_phones

            refer_between_phones(self, call, side, key, request)
        else:
            self.sip.respond(key, make_response(request, 501))
        return True

    def on_ack(self, request: SipRequest, peer: Peer) -> None:
        found = self._by_dialog.get((request.call_id, request.to_tag or ""))
        if found is None:
            return
        call, side = found
        ack_key = (request.call_id, request.to_tag or "", request.cseq.seq)
        resend = self._unacked_2xx.pop(ack_key, None)
        if resend is not None:
            resend.cancel()
        awaiting = self._acks_awaiting_answer.pop(ack_key, None)
        if awaiting is not None:
            other, response, client_key = awaiting
            this = call.leg(side)
            body = b""
            try:
                answer = parse_body_sdp(request.body, request.content_type)
            except SdpParseError:
                answer = None
            if answer is not None and this is not None and this.relay_leg and other.relay_leg:
                learn_remote(this.relay_leg, answer)
                body = through_relay(answer, other.relay_leg, self.sip.advertise)
            self.ack_reinvite_2xx(other, response, client_key, body)
        if side == "a":
            call.acked = True
            if call.retransmit is not None:
                call.retransmit.cancel()
                call.retransmit = None
            if call.b_ack_pending is not None:
                self._late_offer_ack(call, request)

    def accept_in_dialog(self, dialog: Dialog, key: TransactionKey, request: SipRequest) -> bool:
        """Let the dialog check an in-dialog request (CSeq order, target refresh); False once it
        was refused with the response the dialog names."""
        try:
            dialog.receive_request(request)
        except Exception as err:  # out-of-order CSeq and friends: the dialog says what to answer
            response = getattr(err, "to_response", None)
            self.sip.respond(key, response(request) if response else make_response(request, 500))
            return False
        return True

    def _late_offer_ack(self, call: ActiveCall, ack: SipRequest) -> None:
        """The caller's ACK holds the answer to the callee's offer: pass it on in the callee's ACK."""
        assert call.b_ack_pending is not None
        dialog, response, fork = call.b_ack_pending
        call.b_ack_pending = None
        body = b""
        try:
            answer = parse_body_sdp(ack.body, ack.content_type)
        except SdpParseError:
            answer = None
        if answer is not None:
            learn_remote(call.media.a, answer)
            body = through_relay(answer, call.media.b, self.sip.advertise)
        self.send_fork_ack(fork, dialog, response, body)

    def on_response(self, key: TransactionKey, response: SipResponse) -> None:
        forwarded = self._forwarded.get(key)
        if forwarded is not None:
            if response.status >= 200:
                del self._forwarded[key]
                server_key, request = forwarded
                self.sip.respond(server_key, make_response(request, response.status, response.reason))
            return
        pending = self._reinvites.get(key)
        if pending is not None:
            self._reinvite_response(key, pending, response)
            return
        found = self._by_client_key.get(key)
        if found is None and self.dialer.on_response(key, response):
            return
        if found is None:
            ack = self._acks.get(key) or self._reinvite_acks.get(key)
            if ack is not None and 200 <= response.status < 300:
                self.sip.transports.send(*ack)  # a retransmitted 2xx: our ACK was lost (13.2.2.4)
            return
        call, fork = found
        status = response.status
        if status < 200:
            fork.provisional = True
            if fork.to_tag is None:
                fork.to_tag = response.to_tag
            if fork.cancel_waiting:
                fork.cancel_waiting = False
                self.sip.send_request(make_cancel(fork.request), fork.peer)
            if status > 100 and fork.final is None:  # a cancelled phone's ringing means nothing now
                self._ringing(call, response)
            return
        self._by_client_key.pop(key, None)
        if status < 300:
            self._fork_answered(call, fork, response)
        else:
            fork.final = status
            if call.outbound is not None:
                self._trunk_fork_failed(call, fork, response)
                return
            self._fork_failed(call)

    def on_timeout(self, key: TransactionKey) -> None:
        forwarded = self._forwarded.pop(key, None)
        if forwarded is not None:
            self.sip.respond(forwarded[0], make_response(forwarded[1], 408))
            return
        pending = self._reinvites.pop(key, None)
        if pending is not None:  # the other phone never answered the re-INVITE: tell the one that sent it
            self._reinvite_requests.pop(key, None)
            self.sip.respond(pending.server_key, make_response(pending.request, 408))
        found = self._by_client_key.pop(key, None)
        if found is not None:
            call, fork = found
            fork.final = 408
            if call.outbound is not None:
                self._trunk_fork_failed(call, fork, None)
                return
            self._fork_failed(call)
        else:
            self.dialer.on_timeout(key)

    # -- call set-up ----------------------------------------------------------------------------
    def _start(self, key: TransactionKey, request: SipRequest, peer: Peer) -> None:
        """Challenge or refuse a new INVITE at once, so that it needs no 100 Trying; an accepted one
        is placed in a task."""
        trunks = getattr(self.core, "trunks", None)
        trunk = trunks.inbound_trunk(request, peer) if trunks is not None else None
        caller: Caller
        if (
            trunks is not None and trunk is not None
        ):  # BYD-02: a provider's call is not challenged; its DID says whom it rings
            from cordboard.core.calls.trunk_calls import inbound_number

            number, name = trunks.caller_of(trunk, request)
            dialled = inbound_number(self, trunk, trunks.called_number(trunk, request))
            _LOGGER.info("Inbound call from %s over trunk %s to %s", number, trunk.name, dialled)
            via = f"trunk {trunk.name}, DID {trunks.called_number(trunk, request)}"
            caller = Caller(number, name, None, None, via)
        else:
            outcome = self.sip.authenticator.check(request, peer.host, self.core.loop.time())
            if outcome.account is None:
                assert outcome.response is not None
                if request.to_tag is None:  # RFC 3261 8.2.6.2: a final response to a new INVITE tags To
                    outcome.response.headers.set(h.TO, str(request.to.with_tag(token_hex(6))))
                if outcome.response.status in CHALLENGES:
                    self.sip.challenge(key, outcome.response)
                else:
                    self.sip.respond(key, outcome.response)
                return
            if self.sip.softphone_refused(outcome.account, peer):
                from cordboard.core.sip.service import SOFTPHONE_REFUSED

                response = make_response(request, 403, SOFTPHONE_REFUSED, to_tag=token_hex(6))
                self.sip.respond(key, response)
                return
            caller, dialled = Caller.of(outcome.account), _dialled(request)
        self.core.create_task(self._place(key, request, peer, caller, dialled), f"call from {peer.host}")

    async def _place(
        self, key: TransactionKey, request: SipRequest, peer: Peer, caller: Caller, dialled: str | None
    ) -> None:
        """Connect an accepted INVITE from ``caller`` to ``dialled``: a plugin's number, a user
        (their routing rules, presence, then their phones), or, for a user's call to a number
        nobody here has, the SIP trunks."""
        try:
            negotiate_session_timer(request)  # 422 before anything rings (RFC 4028 section 9)
        except SipStatusError as err:
            self.sip.respond(key, err.to_response(request))
            return
        callee = self.find_account(dialled) if dialled else None
        now = time.time()
        record = CallRecord(
            id=ulid_now(),
            sip_call_id=request.call_id,
            caller=caller.number,
            caller_name=caller.name,
            caller_user_id=caller.user_id,
            callee=dialled or "",
            callee_name=callee.display_name if callee else "",
            callee_user_id=callee.user_id if callee else None,
            started=now,
            route=caller.via,
        )
        context = Context(user_id=str(caller.user_id) if caller.user_id is not None else None)
        a_tag = token_hex(6)
        attempt = Attempt(key, request, record, a_tag)
        if caller.account is not None and request.headers.get(h.REPLACES) is not None:
            await self._replacing(attempt, context, peer, caller)
            return
        claimed = self._route_to_plugin(record, dialled)
        if claimed is not None:
            await self._answer_channel(attempt, context, peer, *claimed)
            return
        if caller.account is not None and dialled:
            code = self.core.features.handler_for(dialled) if hasattr(self.core, "features") else None
            if code is not None:  # FC-17: a feature code, or the error announcement
                await self._answer_channel(attempt, context, peer, self._inbound(record), code)
                return
        if caller.user_id is not None and dialled and callee is None:
            expanded = self._expand_shortcut(attempt, caller.user_id, dialled)
            if expanded != dialled:
                dialled, callee = expanded, self.find_account(expanded)
                record.callee = expanded
                record.callee_name = callee.display_name if callee else ""
                record.callee_user_id = callee.user_id if callee else None
        if caller.user_id is not None and dialled:
            rerouted = await self._follow_outgoing_rules(attempt, caller, dialled)
            if rerouted is None:
                return
            if rerouted != dialled:
                dialled, callee = rerouted, self.find_account(rerouted)
                record.callee = rerouted
                record.callee_name = callee.display_name if callee else ""
                record.callee_user_id = callee.user_id if callee else None
        if callee is None:
            if caller.account is not None and dialled:
                self._name_outside_callee(attempt, caller, dialled)
                if await self._dial_trunk(attempt, context, peer, caller):
                    return
            self._reject(attempt, 404, "Not Found", CallResult.FAILED)
            return
        if caller.user_id is None:
            known = self._known_caller(attempt, caller, callee)
            if known is None:
                return
            caller = known
        await self._plan_announcement(attempt, caller, callee)
        if await self._follow_rules(attempt, context, peer, callee):
            return
        outside = self._diverted_outside(callee)
        if outside is not None:  # PRS-05 to a mobile: over the trunks, as a rule's forward would
            from cordboard.core.routing.model import Destination

            record.add_route(f"presence: diverted to {outside}")
            await self._run_destinations(attempt, context, peer, callee, [Destination("number", 0, outside)])
            return
        dialled_user = callee
        callee = self._presence_target(callee, caller)
        if callee is None:
            self._reject(attempt, 486, "Busy Here - Do Not Disturb", CallResult.BUSY)
            return
        if callee is not dialled_user:
            record.add_route(f"presence: diverted to {callee.extension or callee.username}")
        if self._waiting_refused(callee):
            self._reject(attempt, 486, "Busy Here - No Call Waiting", CallResult.BUSY)
            return
        if await self._follow_terminals(attempt, context, peer, callee):
            return
        targets = self.sip.targets(callee) if not callee.locked else []
        if not targets:
            self._reject(attempt, 480, "Temporarily Unavailable", CallResult.NO_ANSWER)
            return
        # Dialling your own number rings your other phones, never the one you are calling from.
        targets = [b for b in targets if Peer(b.transport, b.source_host, b.source_port) != peer]
        if not targets:
            self._reject(attempt, 486, "Busy Here - Calling Yourself", CallResult.BUSY)
            return
        if record.id in self.announcements:  # PRM-06: the phones ring from a channel, after it
            from cordboard.core.routing.model import Destination

            await self._run_destinations(attempt, context, peer, callee, [Destination("phones", 0, None)])
            return
        relayed = await self._relayed_call(attempt, context, peer)
        if relayed is None:
            return
        call, body = relayed
        for binding in targets:
            fork = self._fork(call, caller, callee, binding, body)
            fork.key = self.sip.send_request(fork.request, fork.peer)
            self._by_client_key[fork.key] = (call, fork)
            call.forks.append(fork)
        call.ring_timer = self.core.loop.call_later(self.ring_timeout, self._ring_timeout, call)

    async def _plan_announcement(self, attempt: Attempt, caller: Caller, callee: SipAccount) -> None:
        """PRM-06: note the callee's announcement before connect for this call (announcement.py);
        the channel that rings them plays it first."""
        from cordboard.core.calls.announcement import announcement_for

        try:
            prompt_id = await announcement_for(self.core, caller.user_id, callee.user_id)
        except Exception:
            _LOGGER.exception("The announcement of %s failed: ringing without it", callee.username)
            return
        if prompt_id is not None:
            attempt.record.add_route(f"announcement {prompt_id}")
            self.announcements.note(attempt.record.id, prompt_id)

    async def _replacing(self, attempt: Attempt, context: Context, peer: Peer, caller: Caller) -> None:
        """An INVITE with Replaces (RFC 3891) naming a call that rings at a colleague: a busy-lamp
        key pressed on it (BYD-09), so a pickup, with the pickup right over the colleague."""
        from cordboard.core.calls.pickup import PICKUP_RIGHT, pick_up, ringing_by_call_id

        call_id = (attempt.request.headers.get(h.REPLACES) or "").split(";", 1)[0].strip()
        ringing = ringing_by_call_id(self, call_id)
        if ringing is None or caller.user_id is None:
            self._reject(attempt, 481, "Call/Transaction Does Not Exist", CallResult.FAILED)
            return
        if not self.core.rights.allows(PICKUP_RIGHT, caller.user_id, ringing.user_id):
            self._reject(attempt, 403, "Forbidden - No Pickup Right", CallResult.FAILED)
            return
        attempt.record.add_route("pickup by busy-lamp key")
        label = f"{caller.number} ({caller.name})" if caller.name else caller.number

        async def picking(channel: Channel) -> None:
            if not await pick_up(self, ringing, channel, label):
                await channel.hangup(481)

        await self._answer_channel(attempt, context, peer, self._inbound(attempt.record), picking)

    async def _relayed_call(
        self, attempt: Attempt, context: Context, peer: Peer
    ) -> tuple[ActiveCall, bytes] | None:
        """A call relayed through the appliance for ``attempt`` (started and published) and the
        offer for the callee side; None once the caller got an error (bad SDP, no media ports)."""
        key, request, record, a_tag = attempt
        try:
            offer = parse_body_sdp(request.body, request.content_type)
        except SdpParseError as err:
            self._reject(attempt, 400, f"Bad Request - Malformed SDP: {err}", CallResult.FAILED)
            return None
        try:
            relay = await self.relays.create(record.id)
        except NoPortsAvailable:
            self._reject(attempt, 503, "Service Unavailable - No Media Ports", CallResult.FAILED)
            return None
        call = ActiveCall(record, context, request, key, peer, a_tag, relay, late_offer=offer is None)
        self.calls[record.id] = call
        self._by_server_key[key] = call
        self._publish(call, EVENT_CALL_STARTED)
        body = b""
        if offer is not None:
            learn_remote(relay.a, offer)
            body = through_relay(offer, relay.b, self.sip.advertise)
        return call, body

    # -- calls out over the SIP trunks (BYD-03) -------------------------------------------------
    async def _dial_trunk(self, attempt: Attempt, context: Context, peer: Peer, caller: Caller) -> bool:
        """A user's call to a number nobody here has: out over the trunks (True once handled)."""
        from cordboard.core.calls.trunk_calls import (
            PinNeeded,
            Refusal,
            plan_outbound,
            presentable,
            release_with_pin,
        )

        plan = await plan_outbound(self, caller, attempt.record.callee)
        if plan is None:
            return False
        if isinstance(plan, PinNeeded) and caller.user_id is not None:  # BAR-05: the release PIN first
            import functools

            attempt.record.add_route("release PIN")
            own, _hidden = await presentable(self.core, caller.user_id)
            public = next((n for n in own if n.startswith("+")), None)  # the trunks take E.164 only
            handler = functools.partial(
                release_with_pin,
                user_id=caller.user_id,
                caller_id=(public, caller.name) if public else None,
                number=plan.number,
                verify=self.core.identity.check_pin,
                release=self.core.dialplan.release_once,
            )
            await self._answer_channel(attempt, context, peer, self._inbound(attempt.record), handler)
            return True
        if isinstance(plan, PinNeeded):
            return False
        if isinstance(plan, Refusal):
            self._reject(attempt, plan.status, plan.reason, CallResult.REJECTED)
            return True
        attempt.record.callee = plan.number  # as converted by the dial plan (E.164)
        relayed = await self._relayed_call(attempt, context, peer)
        if relayed is None:
            return True
        call, body = relayed
        call.outbound = plan
        max_forwards = call.invite.max_forwards
        self._send_trunk_fork(call, plan.first_fork(self, body, max(1, (max_forwards or 70) - 1)))
        call.ring_timer = self.core.loop.call_later(self.ring_timeout, self._ring_timeout, call)
        return True

    def _send_trunk_fork(self, call: ActiveCall, fork: Fork) -> None:
        from cordboard.core.calls.trunk_calls import TRUNK_SILENCE_S

        assert call.outbound is not None
        call.record.add_route(f"trunk {call.outbound.trunk.name}")  # CDR: the trunks the call went out over
        fork.key = self.sip.send_request(fork.request, fork.peer)
        self._by_client_key[fork.key] = (call, fork)
        call.forks.append(fork)
        self.core.loop.call_later(TRUNK_SILENCE_S, self._trunk_silent, call, fork)

    def _trunk_silent(self, call: ActiveCall, fork: Fork) -> None:
        """Not even 100 Trying from the trunk: give it up and try the next one."""
        if fork.provisional or fork.final is not None or call.state not in ("trying", "ringing"):
            return
        self.cancel_forks([fork])
        self._trunk_fork_failed(call, fork, None)

    def _trunk_fork_failed(self, call: ActiveCall, fork: Fork, response: SipResponse | None) -> None:
        """Retry with credentials or on the next trunk, or give the caller the final answer."""
        assert call.outbound is not None
        if call.state not in ("trying", "ringing") or fork is not call.outbound.current:
            return
        retry = call.outbound.after_failure(self, fork, response)
        if retry is not None:
            self._send_trunk_fork(call, retry)
            return
        status = call.outbound.final_status()
        self.sip.respond(call.server_key, make_response(call.invite, status, to_tag=call.a_tag))
        self._end(call, result_for_status(status), status, f"trunk answered {status}")

    def _fork(
        self, call: ActiveCall, caller: Caller, callee: SipAccount, binding: Binding, body: bytes
    ) -> Fork:
        max_forwards = call.invite.max_forwards
        return self.invite_fork(
            binding,
            caller=self._shown(caller),
            callee=callee.extension or callee.username,
            body=body,
            max_forwards=max(1, (max_forwards if max_forwards is not None else 70) - 1),
        )

    def _expand_shortcut(self, attempt: Attempt, user_id: int, dialled: str) -> str:
        """A speed dial or abbreviated number of the caller's contacts (DIR-16) as the number it
        stands for; numbers that anyone here answers never get this far."""
        from cordboard.core.calls.address_book import expand_shortcut

        expanded = expand_shortcut(self.core, user_id, dialled)
        if expanded is None or expanded == dialled:
            return dialled
        attempt.record.add_route(f"speed dial {dialled} to {expanded}")
        return expanded

    def _name_outside_callee(self, attempt: Attempt, caller: Caller, dialled: str) -> None:
        """A user calls an outside number: the call history names it as the caller's contacts do."""
        from cordboard.core.calls.address_book import look_up_number

        match = look_up_number(self.core, caller.user_id, dialled) if caller.user_id is not None else None
        if match is not None and match.name:
            attempt.record.callee_name = match.name

    def _known_caller(self, attempt: Attempt, caller: Caller, callee: SipAccount) -> Caller | None:
        """An outside caller as the callee's address book knows them (DIR): with its name, or
        refused with 603 when the callee blocked the number (BAR-07; None once refused)."""
        from cordboard.core.calls.address_book import look_up_number

        match = look_up_number(self.core, callee.user_id, caller.number)
        if match is None:
            return caller
        record = attempt.record
        if match.blocked:
            record.add_route(
                f"blocked by address book ({match.source})" if match.source else "blocked by address book"
            )
            self._reject(attempt, 603, "Decline - Blocked by Address Book", CallResult.REJECTED)
            return None
        if not match.name:
            return caller
        record.caller_name = match.name
        return caller._replace(name=match.name)

    def _shown(self, caller: Caller) -> tuple[str, str]:
        """What the called phone shows of the caller: anonymous when they hide their number (CLI-05)."""
        from cordboard.core.calls.caller_id import ANONYMOUS

        preferences = getattr(self.core, "call_preferences", None)
        if preferences is not None and preferences.hidden(caller.user_id):
            return ANONYMOUS
        return (caller.number, caller.name)

    def invite_fork(
        self, binding: Binding, *, caller: tuple[str, str], callee: str, body: bytes, max_forwards: int = 70
    ) -> Fork:
        """An INVITE from the appliance to one registered contact: ``caller`` is the (number, name)
        the phone shows, ``callee`` the dialled user part, ``body`` our SDP offer (or none)."""
        peer = Peer(binding.transport, binding.source_host, binding.source_port)
        number, name = caller
        headers = Headers()
        headers.add(h.VIA, self.sip.via_for(peer.transport, new_branch()))
        headers.add(h.MAX_FORWARDS, str(max_forwards))
        from_ = NameAddr.parse(f"<sip:{number}@{self.sip.advertise}>").with_tag(token_hex(6))
        from_ = NameAddr(from_.uri, name or None, from_.params)
        headers.add(h.FROM, str(from_))
        headers.add(h.TO, f"<sip:{callee}@{self.sip.advertise}>")
        headers.add(h.CALL_ID, f"{token_hex(12)}@cordboard")
        headers.add(h.CSEQ, str(CSeq(1, "INVITE")))
        headers.add(h.CONTACT, self.sip.contact_for(peer.transport))
        headers.add(h.ALLOW, "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE")
        if body:
            headers.add(h.CONTENT_TYPE, SDP)
        request = SipRequest("INVITE", parse_uri(binding.contact), headers, body)
        return Fork(binding, peer, request)

    def _reject(self, attempt: Attempt, status: int, reason: str, result: CallResult) -> None:
        key, request, record, a_tag = attempt
        self.sip.respond(key, make_response(request, status, reason, to_tag=a_tag))
        record.ended = time.time()
        record.result = result
        record.sip_code = status
        record.reason = reason
        self.core.bus.fire(
            EVENT_CALL_ENDED,
            call_event_data(record, record.caller_user_id),
            Context(user_id=str(record.caller_user_id)),
        )
        self._save(record)

    def _ringing(self, call: ActiveCall, response: SipResponse) -> None:
        if call.state != "trying" and not (response.status == 183 and response.body):
            return
        body = b""
        if response.body:
            try:
                sdp = parse_body_sdp(response.body, response.content_type)
            except SdpParseError:
                sdp = None
            if sdp is not None:  # early media (ringback or announcements) through the relay
                learn_remote(call.media.b, sdp)
                body = through_relay(sdp, call.media.a, self.sip.advertise)
        self._send_ringing(call, body)

    def _send_ringing(self, call: ActiveCall, early_media: bytes) -> None:
        """180 to the caller, or 183 with SDP for early media; the call is ringing from then on."""
        ringing = make_response(call.invite, 183 if early_media else 180, to_tag=call.a_tag)
        ringing.headers.set(h.CONTACT, self.sip.contact_for(call.caller_peer.transport))
        if early_media:
            ringing.headers.set(h.CONTENT_TYPE, SDP)
            ringing.body = early_media
        self.sip.respond(call.server_key, ringing)
        if call.state == "trying":
            call.state = "ringing"
            self._publish(call, EVENT_CALL_RINGING)

    def send_fork_ack(self, fork: Fork, dialog: Dialog, response: SipResponse, body: bytes = b"") -> None:
        ack = dialog.create_ack(response)
        ack.headers.add(h.VIA, self.sip.via_for(fork.peer.transport, new_branch()), prepend=True)
        if body:
            ack.headers.set(h.CONTENT_TYPE, SDP)
            ack.body = body
        self._acks[fork.key] = (self.sip.send_stateless_request(ack, fork.peer), fork.peer)

    def _fork_answered(self, call: ActiveCall, fork: Fork, response: SipResponse) -> None:
        # A second fork answered too late, the call was cancelled meanwhile, or this fork was
        # given up (a silent trunk) while the call goes on elsewhere.
        if call.state not in ("trying", "ringing") or fork.final is not None:
            self.refuse_late_answer(fork, response)
            return
        dialog = Dialog.from_uac(fork.request, response)
        if call.late_offer:
            call.b_ack_pending = (dialog, response, fork)  # the ACK must carry the caller's answer
        else:
            self.send_fork_ack(fork, dialog, response)
        fork.dialog = dialog
        call.b = Leg(dialog, fork.peer, call.media.b)
        self._by_dialog[(dialog.call_id, dialog.local_tag)] = (call, "b")
        self.cancel_forks(call.forks, except_fork=fork)
        body = b""
        try:
            answer = parse_body_sdp(response.body, response.content_type)
        except SdpParseError:
            answer = None
        if answer is not None:
            learn_remote(call.media.b, answer)
            body = through_relay(answer, call.media.a, self.sip.advertise)
        self._answer_caller(call, body)

    def refuse_late_answer(self, fork: Fork, response: SipResponse) -> None:
        """A 2xx from a phone nobody waits for any more: ACK it (resent for its resends) and BYE."""
        dialog = Dialog.from_uac(fork.request, response)
        self.send_fork_ack(fork, dialog, response)
        self.core.loop.call_later(64 * self.t1, self._acks.pop, fork.key, None)
        bye = dialog.create_request("BYE")
        bye.headers.add(h.VIA, self.sip.via_for(fork.peer.transport, new_branch()), prepend=True)
        self.sip.send_request(bye, fork.peer)

    def _answer_caller(self, call: ActiveCall, body: bytes) -> None:
        """Send the caller our 200 (resent until ACKed on UDP) and make the call answered."""
        ok = make_response(call.invite, 200, to_tag=call.a_tag)
        ok.headers.set(h.CONTACT, self.sip.contact_for(call.caller_peer.transport))
        ok.headers.set(h.ALLOW, "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE")
        if body:
            ok.headers.set(h.CONTENT_TYPE, SDP)
            ok.body = body
        self.session_refresh.answering(call, ok)
        self.sip.respond(call.server_key, ok)
        a_dialog = Dialog.from_uas(call.invite, ok)
        call.a = Leg(a_dialog, call.caller_peer, call.relay.a if call.relay is not None else None)
        self._by_dialog[(a_dialog.call_id, a_dialog.local_tag)] = (call, "a")
        self._by_server_key.pop(call.server_key, None)
        if call.ring_timer is not None:
            call.ring_timer.cancel()
        call.state = "answered"
        call.record.answered = time.time()
        call.answered_at = self.core.loop.time()
        if not call.caller_peer.reliable:
            call.acked = False
            self._retransmit_2xx(call, bytes(ok), self.t1, 0.0)
        self._publish(call, EVENT_CALL_ANSWERED)

    def _retransmit_2xx(self, call: ActiveCall, data: bytes, interval: float, elapsed: float) -> None:
        """RFC 3261 13.3.1.4: the UAS core resends its 2xx until the ACK arrives (64*T1 at most)."""
        if call.acked or call.state != "answered":
            return
        if elapsed >= 64 * self.t1:
            _LOGGER.info("Call %s: no ACK for the 200 OK; hanging up", call.record.id)
            self.hang_up_both(call, "no ACK from the caller")
            return
        if elapsed > 0:
            self.sip.transports.send(data, call.caller_peer)
        call.retransmit = self.core.loop.call_later(
            interval, self._retransmit_2xx, call, data, min(interval * 2, self.t2), elapsed + interval
        )

    def _fork_failed(self, call: ActiveCall) -> None:
        if call.state not in ("trying", "ringing"):
            return
        if any(f.final is None for f in call.forks):
            return
        if all(f.final in NO_COMMON_CODEC for f in call.forks) and not call.late_offer:
            self._transcode(call)
            return
        status = status_for_caller([f.final for f in call.forks if f.final is not None])
        self.sip.respond(call.server_key, make_response(call.invite, status, to_tag=call.a_tag))
        self._end(call, result_for_status(status), status, f"callee answered {status}")

    def _transcode(self, call: ActiveCall) -> None:
        """No phone of the callee takes a codec the caller offered (488): answer the caller with the
        appliance's own media and ring the callee again with ours, transcoding between the two
        (BYD-04). The call keeps its record; the ringing, answer and hang-ups look as usual."""
        record = call.record
        callee = record.callee
        ring_timeout = self.ring_timeout
        _LOGGER.info("Call %s: %s and %s share no codec; transcoding", record.id, record.caller, callee)

        async def transcoded(channel: Channel) -> None:
            outcome = await channel.transfer(callee, ring_s=ring_timeout, history=False)
            if outcome is not None:
                await channel.hangup(outcome.status)

        self.take_over(call, transcoded, f"transcoded call {record.id}")

    def take_over(self, call: ActiveCall, handler: ChannelHandler, task_name: str) -> None:
        """Turn a ringing relayed call into a channel the appliance answers itself, driven by
        ``handler`` (transcoding, a pickup): the callee's phones still ringing get CANCEL, the relay
        goes, and the call keeps its record and its dialog with the caller."""
        if call.ring_timer is not None:
            call.ring_timer.cancel()
        self.cancel_forks(call.forks)
        call.state = "taken_over"  # the cancelled forks' 487s and late 2xx now concern nobody
        self.relays.close(call.record.id)
        self.calls.pop(call.record.id, None)
        self._by_server_key.pop(call.server_key, None)
        attempt = Attempt(call.server_key, call.invite, call.record, call.a_tag)
        inbound = self._inbound(call.record)
        self.core.create_task(
            self._answer_channel(attempt, call.context, call.caller_peer, inbound, handler, restart=True),
            task_name,
        )

    def _ring_timeout(self, call: ActiveCall) -> None:
        if call.state not in ("trying", "ringing"):
            return
        self.cancel_forks(call.forks)
        self.sip.respond(call.server_key, make_response(call.invite, 480, "No Answer", to_tag=call.a_tag))
        self._end(call, CallResult.NO_ANSWER, 480, "no answer")

    def cancel_forks(
        self, forks: list[Fork], except_fork: Fork | None = None, registry: dict[Any, Any] | None = None
    ) -> None:
        """CANCEL every fork still ringing (once its first 1xx is in, RFC 3261 9.1); each stays in
        ``registry`` (by client transaction) until its INVITE's final response can no longer come."""
        registry = self._by_client_key if registry is None else registry
        for fork in forks:
            if fork is except_fork or fork.final is not None:
                continue
            fork.final = 487
            if fork.provisional:
                self.sip.send_request(make_cancel(fork.request), fork.peer)
            else:
                fork.cancel_waiting = True
            # Until the INVITE's final response (9.1: at most 64*T1), so that a 2xx crossing the
            # CANCEL still gets its ACK and a BYE instead of a phone left in a call with nobody.
            self.core.loop.call_later(64 * self.t1, registry.pop, fork.key, None)

    # -- established calls ----------------------------------------------------------------------
    def _send_bye(self, call: ActiveCall, side: str) -> None:
        leg = call.leg(side)
        if leg is not None:
            self.send_in_dialog(leg.dialog, leg.peer, "BYE")

    def send_in_dialog(
        self,
        dialog: Dialog,
        peer: Peer,
        method: str,
        *,
        body: bytes = b"",
        content_type: str | None = None,
        extra_headers: tuple[tuple[str, str], ...] = (),
        on_response: Callable[[SipResponse | None], None] | None = None,
    ) -> TransactionKey:
        request = dialog.create_request(
            method, body=body, content_type=content_type, extra_headers=extra_headers
        )
        request.headers.add(h.VIA, self.sip.via_for(peer.transport, new_branch()), prepend=True)
        return self.sip.send_request(request, peer, on_response)

    def hang_up_both(self, call: ActiveCall, reason: str) -> None:
        """End an answered call from the appliance's side: BYE to both phones."""
        self._send_bye(call, "b")
        self._send_bye(call, "a")
        self._end(call, CallResult.ANSWERED, None, reason)

    def forget_ack(self, key: TransactionKey | None) -> None:
        """The INVITE's 2xx can no longer come again (64*T1): its ACK need not be kept."""
        self._acks.pop(key, None)

    def _forward_in_dialog(
        self, call: ActiveCall, side: str, key: TransactionKey, request: SipRequest
    ) -> None:
        """Pass INFO (DTMF as application/dtmf-relay, and other payloads) to the other phone, and its
        answer back; before the call is answered it is simply accepted. A plugin's channel
        takes DTMF INFO as digits (415 for other payloads it cannot use)."""
        if call.channel is not None:
            self.channel_info(call.channel, key, request)
            return
        other = call.leg(call.other(side))
        if other is None or call.state != "answered":
            self.sip.respond(key, make_response(request, 200))
            return
        forward = other.dialog.create_request(
            request.method,
            body=request.body,
            content_type=request.content_type if request.body else None,
        )
        forward.headers.add(h.VIA, self.sip.via_for(other.peer.transport, new_branch()), prepend=True)
        self._forwarded[self.sip.send_request(forward, other.peer)] = (key, request)

    def _hang_up_other(self, call: ActiveCall, side: str) -> None:
        self._send_bye(call, call.other(side))

    def _reinvite(self, call: ActiveCall, side: str, key: TransactionKey, request: SipRequest) -> None:
        """Pass a re-INVITE (hold, unhold, codec change) or an UPDATE with SDP to the other side."""
        if call.channel is not None:
            self.channel_reinvite(call.channel, call.caller_peer, key, request, call)
            return
        other = call.leg(call.other(side))
        this = call.leg(side)
        if other is None or this is None or call.state != "answered":
            self.sip.respond(key, make_response(request, 491))
            return
        try:
            sdp = parse_body_sdp(request.body, request.content_type)
        except SdpParseError as err:
            self.sip.respond(key, make_response(request, 400, f"Bad Request - Malformed SDP: {err}"))
            return
        body = b""
        pending = PendingReinvite(call, side, key, request, call.on_hold, this.media.sdp_address)
        if sdp is not None:
            call.on_hold = is_hold(sdp)
            learn_remote(this.media, sdp)
            body = through_relay(sdp, other.media, self.sip.advertise)
        forward = other.dialog.create_request(request.method, body=body, content_type=SDP if body else None)
        forward.headers.add(h.VIA, self.sip.via_for(other.peer.transport, new_branch()), prepend=True)
        forward.headers.set(h.CONTACT, self.sip.contact_for(other.peer.transport))
        client_key = self.sip.send_request(forward, other.peer)
        self._reinvites[client_key] = pending
        self._reinvite_requests[client_key] = forward

    def _reinvite_response(
        self, key: TransactionKey, pending: PendingReinvite, response: SipResponse
    ) -> None:
        if response.status < 200:
            return
        self._reinvites.pop(key, None)
        forward = self._reinvite_requests.pop(key)
        call = pending.call
        side = pending.from_side
        other = call.leg(call.other(side))
        this = call.leg(side)
        if other is None or this is None:
            return
        if response.status >= 300:  # refused: the session stays as it was (RFC 3261 14.1)
            call.on_hold = pending.was_on_hold
            if pending.previous_media is not None:
                this.media.set_remote(*pending.previous_media)
            self.sip.respond(
                pending.server_key, make_response(pending.request, response.status, response.reason)
            )
            return
        body = b""
        try:
            answer = parse_body_sdp(response.body, response.content_type)
        except SdpParseError:
            answer = None
        invite = pending.request.method == "INVITE"  # else an UPDATE: no ACK, no 2xx resends
        ack_key = (this.dialog.call_id, this.dialog.local_tag, pending.request.cseq.seq)
        if invite and not forward.body and answer is not None:  # an offer in the 2xx: answer in an ACK
            self._acks_awaiting_answer[ack_key] = (other, response, key)
        elif invite:
            self.ack_reinvite_2xx(other, response, key)
        if answer is not None:
            learn_remote(other.media, answer)
            self._follow_hold(call, side, answer)
            body = through_relay(answer, this.media, self.sip.advertise)
        ok = make_response(pending.request, 200)
        ok.headers.set(h.CONTACT, self.sip.contact_for(this.peer.transport))
        if body:
            ok.headers.set(h.CONTENT_TYPE, SDP)
            ok.body = body
        if side == "a":
            self.session_refresh.refreshed(call, pending.request, ok)
        self.sip.respond(pending.server_key, ok)
        if invite and not this.peer.reliable:  # the transaction layer leaves 2xx resends to us
            self._resend_2xx(call, ack_key, (bytes(ok), this.peer), self.t1, 0.0)

    def _follow_hold(self, call: ActiveCall, holder: str, held_answer: SessionDescription) -> None:
        """Music on hold for the held phone once it accepted the hold; stop it at unhold."""
        if not call.on_hold:
            self.stop_hold_music(call)
            return
        if call.hold_music is not None:
            return
        from cordboard.core.calls.hold_music import receive_codec  # numpy: only calls on hold

        found = receive_codec(held_answer)
        held = call.leg(call.other(holder))
        if found is None or held is None:
            return
        holder_id = call.record.caller_user_id if holder == "a" else call.record.callee_user_id
        self.core.create_task(
            self._start_hold_music(call, held.media, *found, holder_id), f"music on hold {call.record.id}"
        )

    async def _start_hold_music(
        self, call: ActiveCall, leg: RelayLeg, codec: MediaCodec, payload_type: int, holder_id: int | None
    ) -> None:
        from cordboard.core.calls.hold_music import HoldMusic
        from cordboard.core.media.moh import music_class_for

        music_class = await music_class_for(self.core, holder_id)
        source = await self.core.run_in_executor(self.music.source, music_class, codec.sample_rate)
        if call.state != "answered" or not call.on_hold or call.hold_music is not None:
            return  # unheld or hung up meanwhile
        call.hold_music = HoldMusic(leg, codec, payload_type, source, self.media_clock)
        call.hold_music.start()

    async def org_music_class(self) -> str:
        from cordboard.core.media.moh import music_class_for

        return await music_class_for(self.core, None)

    def stop_hold_music(self, call: ActiveCall) -> None:
        if call.hold_music is not None:
            call.hold_music.stop()
            call.hold_music = None

    def ack_reinvite_2xx(
        self, leg: Leg, response: SipResponse, key: TransactionKey | None, body: bytes = b""
    ) -> None:
        ack = leg.dialog.create_ack(response, body=body, content_type=SDP if body else None)
        ack.headers.add(h.VIA, self.sip.via_for(leg.peer.transport, new_branch()), prepend=True)
        self.sip.send_stateless_request(ack, leg.peer)
        self._reinvite_acks[key] = (bytes(ack), leg.peer)  # resent for each retransmitted 2xx
        self.core.loop.call_later(64 * self.t1, self._reinvite_acks.pop, key, None)

    def _resend_2xx(
        self,
        call: ActiveCall,
        ack_key: tuple[str, str, int],
        message: tuple[bytes, Peer],
        interval: float,
        elapsed: float,
    ) -> None:
        """RFC 3261 13.3.1.4 for a re-INVITE's 2xx: resend at T1, 2*T1 .. T2 until the ACK, 64*T1 at most."""
        if elapsed > 0 and (call.state != "answered" or ack_key not in self._unacked_2xx):
            return
        if elapsed >= 64 * self.t1:
            del self._unacked_2xx[ack_key]
            _LOGGER.info("Call %s: no ACK for the 200 OK to a re-INVITE", call.record.id)
            awaiting = self._acks_awaiting_answer.pop(ack_key, None)
            if awaiting is not None:
                self.ack_reinvite_2xx(*awaiting)
            return
        if elapsed > 0:
            self.sip.transports.send(*message)
        self._unacked_2xx[ack_key] = self.core.loop.call_later(
            interval, self._resend_2xx, call, ack_key, message, min(interval * 2, self.t2), elapsed + interval
        )

    async def language_of(self, user_id: int | None) -> str:
        """The prompts' language for a caller: their own setting, else the organisation's."""
        try:
            if user_id is not None:
                return str(await self.core.settings.resolve(user_id, "core.language"))
            return str(await self.core.settings.org_value("core.language"))
        except Exception:  # a user deleted meanwhile: the prompts fall back to English
            return "en"

    @property
    def media_stats(self) -> MediaStats:
        """The appliance's own media (channels plugins drive): frames sent, late frames."""
        return self.media_clock.stats

    @property
    def music(self) -> MusicOnHold:
        """Music on hold for channels (its classes are folders in ``<data>/moh/``)."""
        if self._music is None:
            from cordboard.core.media.moh import MusicOnHold

            self._music = MusicOnHold(self.core.data_dir)
        return self._music

    def _offer_or_reject(self, attempt: Attempt, missing_reason: str) -> SessionDescription | None:
        """The INVITE's SDP offer, for calls the appliance answers itself; None once rejected
        (400 for broken SDP, 488 with ``missing_reason`` when there is none)."""
        request = attempt[1]
        try:
            offer = parse_body_sdp(request.body, request.content_type)
        except SdpParseError as err:
            self._reject(attempt, 400, f"Bad Request - Malformed SDP: {err}", CallResult.FAILED)
            return None
        if offer is None:
            self._reject(attempt, 488, missing_reason, CallResult.FAILED)
        return offer

    # -- calls a plugin drives (cordboard_route_call) --------------------------------------------
    def _route_to_plugin(
        self, record: CallRecord, dialled: str | None
    ) -> tuple[InboundCall, ChannelHandler] | None:
        """Ask the plugins whether one takes this number; a failing hook counts as no."""
        if not dialled or not hasattr(self.core, "plugins"):
            return None
        from cordboard.core.calls.channel import InboundCall

        inbound = InboundCall(
            id=record.id,
            dialled=dialled,
            caller=record.caller,
            caller_name=record.caller_name,
            caller_user_id=record.caller_user_id,
        )
        handler = self.plugin_handler(inbound)
        if handler is None:
            return None
        if self.sip.accounts.find(dialled) is not None and dialled not in self._shadowed:
            self._shadowed.add(dialled)  # until the number registry refuses such clashes (issue 5)
            _LOGGER.warning(
                "Number %s is a user's extension and also claimed by a plugin: the plugin takes the calls",
                dialled,
            )
        return inbound, handler

    def plugin_handler(self, call: InboundCall) -> ChannelHandler | None:
        """The handler of the plugin that answers ``call.dialled``, if one does (a failing hook
        counts as none), or of the feature code a call may be transferred to (``*1*EXT*``)."""
        features = getattr(self.core, "features", None)
        code = features.transfer_handler(call.dialled) if features is not None else None
        if code is not None:
            return code
        try:
            return self.core.plugins.pm.hook.cordboard_route_call(core=self.core, call=call)
        except Exception:
            _LOGGER.exception("A plugin failed deciding whether to take the call to %s", call.dialled)
            return None

    def transfer_target_exists(self, number: str) -> bool:
        """A user's number, one a plugin claims (a transfer may go to a hunt group, a park slot), or
        a code a call may be transferred to (``*1*EXT*``)."""
        numbers = getattr(self.core, "numbers", None)
        features = getattr(self.core, "features", None)
        return (
            self.find_account(number) is not None
            or (numbers is not None and numbers.plugin_of(number) is not None)
            or (features is not None and features.transfer_handler(number) is not None)
        )

    async def _answer_channel(
        self,
        attempt: Attempt,
        context: Context,
        peer: Peer,
        inbound: InboundCall,
        handler: ChannelHandler,
        *,
        restart: bool = False,
    ) -> None:
        """A channel for the caller, driven by ``handler``; ``restart``: the call was announced
        (``call.started``) already, as a relayed call that turned out to need transcoding."""
        from cordboard.core.calls.channel import Channel
        from cordboard.core.calls.media import answer_for_channel
        from cordboard.core.media.endpoint import MediaEndpoint

        key, request, record, a_tag = attempt
        offer = self._offer_or_reject(attempt, "Not Acceptable Here - An SDP Offer Is Needed")
        if offer is None:
            return
        try:
            pair = self.relays.allocator.allocate(self.relays.bind_address)
        except NoPortsAvailable:
            self._reject(attempt, 503, "Service Unavailable - No Media Ports", CallResult.FAILED)
            return
        media = answer_for_channel(offer, self.sip.advertise, pair.rtp_port)
        if media is None:
            pair.rtp_sock.close()
            pair.rtcp_sock.close()
            self.relays.allocator.release(pair.rtp_port)
            self._reject(attempt, 488, "Not Acceptable Here - No Common Audio Codec", CallResult.FAILED)
            return
        endpoint = MediaEndpoint(
            reactor=self.relays.reactor,
            pair=pair,
            codec=media.codec,
            payload_type=media.payload_type,
            dtmf_payload_type=media.dtmf_payload_type,
            dtmf_clock_rate=media.dtmf_clock_rate,
            clock=self.media_clock,
        )
        if media.remote is not None:
            endpoint.set_remote(*media.remote)
        call = ActiveCall(record, context, request, key, peer, a_tag, None)
        handler = self.announcements.wrap(record.id, handler)  # PRM-06, if the call has one
        answer_body = bytes(media.answer)
        language = await self.language_of(record.caller_user_id)

        def answer() -> None:
            if call.state in ("trying", "ringing"):
                endpoint.start()
                self._answer_caller(call, answer_body)

        def progress() -> None:
            if call.state in ("trying", "ringing"):
                endpoint.start()
                self._channel_ringing(call, answer_body)

        call.channel = Channel(
            inbound,
            endpoint,
            self.core.prompts,
            answer=answer,
            ring=lambda: self._channel_ringing(call),
            hang_up=lambda status: self._channel_over(call, status or 480),
            progress=progress,
            music=self.music,
            language=language,
            country=self.country,
            dial=self.dialer.dial,
            default_music=self.org_music_class,
        )
        self.calls[record.id] = call
        self._by_server_key[key] = call
        if not restart:
            self._publish(call, EVENT_CALL_STARTED)
        self.core.create_task(self._drive_channel(call, handler), f"call {record.id} to {inbound.dialled}")

    async def _drive_channel(self, call: ActiveCall, handler: ChannelHandler) -> None:
        from cordboard.core.calls.channel import ChannelHungUp

        channel = call.channel
        assert channel is not None
        status, reason = 480, "Temporarily Unavailable"
        try:
            await handler(channel)
        except ChannelHungUp:
            pass
        except Exception:
            _LOGGER.exception("The plugin driving call %s to %s failed", call.record.id, call.record.callee)
            status, reason = 500, "Server Internal Error"
        finally:
            if call.channel is channel:  # else a phone's transfer took the caller over (refer.py)
                self._channel_over(call, status, reason)

    def _channel_ringing(self, call: ActiveCall, early_media: bytes = b"") -> None:
        """180, or 183 with our SDP when the channel sends early media."""
        if call.state in ("trying", "ringing"):
            self._send_ringing(call, early_media)

    def _channel_over(self, call: ActiveCall, status: int, reason: str | None = None) -> None:
        """The plugin is done with the call: BYE if it was answered, else a final response."""
        if call.state == "ended":
            return
        if call.state == "answered":
            self._send_bye(call, "a")
            self._end(call, CallResult.ANSWERED, None, f"{call.record.callee} hung up")
            return
        response = make_response(call.invite, status, reason, to_tag=call.a_tag)
        self.sip.respond(call.server_key, response)
        self._end(call, result_for_status(status), status, response.reason)

    def channel_info(self, channel: Channel, key: TransactionKey, request: SipRequest) -> None:
        """INFO to a channel: DTMF (application/dtmf-relay, application/dtmf) becomes a digit."""
        from cordboard.core.media.dtmf_info import DtmfInfoError, parse_dtmf_info

        try:
            event = parse_dtmf_info(request.content_type or "", request.body)
        except DtmfInfoError as err:
            self.sip.respond(key, make_response(request, 415, f"Unsupported Media Type - {err}"))
            return
        self.sip.respond(key, make_response(request, 200))
        channel.digit(event)

    def channel_reinvite(
        self,
        channel: Channel,
        peer: Peer,
        key: TransactionKey,
        request: SipRequest,
        call: ActiveCall | None = None,
    ) -> None:
        """Hold or a new address from a channel's phone: answer from our own endpoint again
        (``call``: the caller's call to a plugin, whose re-INVITEs refresh its session timer)."""
        from cordboard.core.calls.media import answer_for_channel

        endpoint = channel.endpoint
        try:
            offer = parse_body_sdp(request.body, request.content_type)
        except SdpParseError as err:
            self.sip.respond(key, make_response(request, 400, f"Bad Request - Malformed SDP: {err}"))
            return
        media = (
            answer_for_channel(offer, self.sip.advertise, endpoint.rtp_port) if offer is not None else None
        )
        if media is None or media.codec.name != endpoint.codec.name:
            self.sip.respond(key, make_response(request, 488))
            return
        if media.remote is not None:
            endpoint.set_remote(*media.remote)
        ok = make_response(request, 200)
        ok.headers.set(h.CONTACT, self.sip.contact_for(peer.transport))
        ok.headers.set(h.CONTENT_TYPE, SDP)
        ok.body = bytes(media.answer)
        if call is not None:
            self.session_refresh.refreshed(call, request, ok)
        self.sip.respond(key, ok)

    # -- a phone's blind transfer on a channel call (refer.py) --------------------------------------
    def channel_refer(
        self, channel: Channel, dialog: Dialog, peer: Peer, key: TransactionKey, request: SipRequest
    ) -> None:
        """REFER from the phone on ``channel``: the party the plugin bridged it to goes to the
        Refer-To number; the transferring phone is hung up once the NOTIFYs are out."""
        from cordboard.core.calls.refer import ReferRefused, carry_out, refer_target

        other = channel.bridged_to
        try:
            target = refer_target(request)
            if other is None or other.ended:
                raise ReferRefused(403, "Forbidden - No Call To Transfer Here")
            if not self.transfer_target_exists(target):
                raise ReferRefused(404, "Not Found")
        except ReferRefused as refused:
            self.sip.respond(key, make_response(request, refused.status, refused.reason))
            return
        self.accept_refer(dialog, peer, key, request)
        who, transferor = self._party(other), self._party(channel)
        taken = self.take_channel(other)
        _LOGGER.info("%s transfers %s to %s", transferor.number, who.number, target)
        self.core.create_task(channel.hangup(), f"transferring phone {transferor.number} hung up")
        self.core.create_task(
            carry_out(
                taken,
                who,
                target,
                transferor,
                route=self.plugin_handler,
                wait_turn=self.personal_queues.wait_turn,
            ),
            f"transfer of {who.number} to {target}",
        )

    def detach_leg(self, call: ActiveCall, side: str) -> None:
        """``side`` of the call is a channel of the appliance's now (transfer.py): its in-dialog
        requests go to the dialer, and the call's end no longer concerns it."""
        leg = call.leg(side)
        if leg is not None:
            self._by_dialog.pop((leg.dialog.call_id, leg.dialog.local_tag), None)
            if side == "a":
                call.a = None
            else:
                call.b = None

    def end_transferred(self, call: ActiveCall, reason: str) -> None:
        self._end(call, CallResult.ANSWERED, None, reason)

    def accept_refer(self, dialog: Dialog, peer: Peer, key: TransactionKey, request: SipRequest) -> None:
        """202 to a REFER the appliance carries out, and the NOTIFYs that say it is done (unless
        the phone asked for none, RFC 4488): the transfer is the appliance's from then on."""
        from cordboard.core.calls.refer import SIPFRAG, sipfrag

        accepted = make_response(request, 202)
        accepted.headers.set(h.CONTACT, self.sip.contact_for(peer.transport))
        self.sip.respond(key, accepted)
        if (request.headers.get(h.REFER_SUB) or "").strip().lower() != "false":  # RFC 4488
            for status, reason, state in REFER_PROGRESS:
                self.send_in_dialog(
                    dialog,
                    peer,
                    "NOTIFY",
                    body=sipfrag(status, reason),
                    content_type=SIPFRAG,
                    extra_headers=((h.EVENT, "refer"), (h.SUBSCRIPTION_STATE, state)),
                )

    def _party(self, channel: Channel) -> Party:
        """Who is on ``channel``: the caller of an inbound call, the callee of a dialled one."""
        from cordboard.core.calls.refer import Party

        for dialled in self.dialer.calls.values():
            if dialled.channel is channel:
                record = dialled.record
                return Party(record.callee, record.callee_name, record.callee_user_id)
        return Party(channel.call.caller, channel.call.caller_name, channel.call.caller_user_id)

    def take_channel(self, channel: Channel) -> Channel:
        """The party on ``channel`` is the appliance's from now on: the plugin that had it sees it
        hang up (``Channel.hand_over``), the call goes on in the returned channel."""
        taken = channel.hand_over(dial=self.dialer.dial)
        self._rebind(channel, taken)
        return taken

    def take_bridged(self, channel: Channel, other: Channel) -> tuple[Channel, Channel]:
        """Both parties of a bridged call taken over (``take_channel``), neither hung up because
        the plugin had dialled it from the other."""
        first = channel.hand_over(dial=self.dialer.dial, keep=other)
        second = other.hand_over(dial=self.dialer.dial, keep=channel)
        self._rebind(channel, first)
        self._rebind(other, second)
        return first, second

    def _rebind(self, old: Channel, new: Channel) -> None:
        """The call ``old`` belonged to goes on in ``new`` (``Channel.hand_over``)."""
        for call in self.calls.values():
            if call.channel is old:
                call.channel = new
        for dialled in self.dialer.calls.values():
            if dialled.channel is old:
                dialled.channel = new

    # -- teardown and publishing ------------------------------------------------------------------
    def _end(self, call: ActiveCall, result: CallResult, status: int | None, reason: str) -> None:
        if call.state == "ended":
            return
        call.state = "ended"
        self.stop_hold_music(call)
        self.session_refresh.stop(call)
        for timer in (call.ring_timer, call.retransmit):
            if timer is not None:
                timer.cancel()
        if call.channel is not None:
            call.channel.ended_by_far_end()
            self.relays.allocator.release(call.channel.endpoint.rtp_port)
        self.relays.close(call.record.id)
        self.calls.pop(call.record.id, None)
        self._by_server_key.pop(call.server_key, None)
        for leg in (call.a, call.b):
            if leg is not None:
                self._by_dialog.pop((leg.dialog.call_id, leg.dialog.local_tag), None)
                for ack_key in [
                    k for k in self._unacked_2xx if k[:2] == (leg.dialog.call_id, leg.dialog.local_tag)
                ]:
                    self._unacked_2xx.pop(ack_key).cancel()
                for ack_key in [
                    k
                    for k in self._acks_awaiting_answer
                    if k[:2] == (leg.dialog.call_id, leg.dialog.local_tag)
                ]:
                    self._acks_awaiting_answer.pop(ack_key)
        for fork in call.forks:  # cancelled forks stay in _by_client_key until their final response
            if fork.final != 487:
                self._by_client_key.pop(fork.key, None)
            self._acks.pop(fork.key, None)
        call.record.reason = reason
        self.finish_record(call.record, result, status, call.context, call.record.caller_user_id)

    def finish_record(
        self,
        record: CallRecord,
        result: CallResult,
        status: int | None,
        context: Context,
        user_id: int | None,
        *,
        save: bool = True,
    ) -> None:
        """A call is over: its live state goes, ``call.ended`` is fired and the history keeps it."""
        record.ended = time.time()
        record.result = result
        record.sip_code = status
        self.core.states.remove(f"call.{record.id}", context=context)
        self.core.bus.fire(EVENT_CALL_ENDED, call_event_data(record, user_id), context)
        if save:
            self._save(record)

    def _save(self, record: CallRecord) -> None:
        self.history.add(record)

    def _history_saved(self, records: Sequence[CallRecord]) -> None:
        users = {u for r in records for u in (r.caller_user_id, r.callee_user_id) if u is not None}
        self.core.bus.fire(
            EVENT_CALL_HISTORY_SAVED, {"call_ids": [r.id for r in records], "user_ids": sorted(users)}
        )

    def publish_call(
        self,
        record: CallRecord,
        state: str,
        event: Any,
        context: Context,
        user_ids: list[int | None],
        *,
        transferable: bool = False,
    ) -> None:
        """A call's live state ``call.<id>`` and its event (for the first of ``user_ids``);
        ``transferable``: an answered call between two phones (``POST /api/calls/{id}/transfer``)."""
        data = call_event_data(record, user_ids[0])
        attributes = {**data, "user_ids": user_ids, "transferable": transferable}
        self.core.states.set(f"call.{record.id}", state, attributes, context=context)
        self.core.bus.fire(event, data, context)

    def _publish(self, call: ActiveCall, event: str) -> None:
        record = call.record
        transferable = call.state == "answered" and call.relay is not None and call.b is not None
        self.publish_call(
            record,
            call.state,
            event,
            call.context,
            [record.caller_user_id, record.callee_user_id],
            transferable=transferable,
        )

    def hang_up_all(self) -> None:
        self.dialer.hang_up_all()
        for call in list(self.calls.values()):
            if call.state == "answered":
                self._send_bye(call, "a")
                self._send_bye(call, "b")
                self._end(call, CallResult.ANSWERED, None, "Cordboard stopped")
            else:
                self.cancel_forks(call.forks)
                self.sip.respond(call.server_key, make_response(call.invite, 503, to_tag=call.a_tag))
                self._end(call, CallResult.FAILED, 503, "Cordboard stopped")


def _dialled(request: SipRequest) -> str | None:
    uri = request.uri
    if isinstance(uri, SipUri):
        return uri.user
    if isinstance(uri, TelUri):
        return uri.digits
    return None
