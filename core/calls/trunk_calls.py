"""Calls over SIP trunks for the B2BUA (BYD-02, BYD-03): which trunks an outbound call tries, the
INVITEs to them (digest on 401/407, RFC 3261 22.2), failover and the caller ID the trunk allows.

``TrunkDial`` is the plan of one outbound call: its trunks in order, the number, the caller ID. The
B2BUA sends ``first_fork()`` and, whenever a fork fails, asks ``after_failure()`` for the next one:
the same trunk again with credentials after a challenge, the next trunk after 5xx, 408, a
timeout or silence, nothing after any other answer (486, 404 ...), which goes back to the caller.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from cordboard.core.random_tokens import token_hex
from cordboard.core.sip import headers as h
from cordboard.core.sip.auth import (
    UnsupportedDigestAlgorithm,
    authorization_for,
    parse_challenges,
    select_challenge,
)
from cordboard.core.sip.headers import CSeq, Headers
from cordboard.core.sip.location import Binding
from cordboard.core.sip.message import SipRequest, SipResponse
from cordboard.core.sip.transaction import new_branch
from cordboard.core.sip.uri import NameAddr, SipUri

if TYPE_CHECKING:
    from cordboard.core.calls.b2bua import B2bua, Caller, Fork
    from cordboard.core.calls.channel import Channel
    from cordboard.core.trunks.model import Trunk
    from cordboard.core.trunks.service import TrunkRuntime, TrunkService

_LOGGER = logging.getLogger(__name__)

TRUNK_SILENCE_S: Final = 5.0
"""A trunk that does not even answer 100 Trying this long is taken as down: the next one is tried."""
SDP: Final = "application/sdp"
ALLOW: Final = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE"


@dataclass(frozen=True, slots=True)
class Refusal:
    """The dial plan refused the number (barring): the caller gets ``status`` and ``reason``."""

    status: int
    reason: str


@dataclass(frozen=True, slots=True)
class PinNeeded:
    """BAR-05: the number may go out once the caller has entered their PIN."""

    number: str


def fails_over(status: int) -> bool:
    """BYD-03: answers that say the trunk, not the callee, failed."""
    return (status >= 500 and status not in (600, 603, 604, 606)) or status == 408


@dataclass(eq=False)
class TrunkDial:
    """One outbound call's trunks, in the order they are tried."""

    number: str
    runtimes: list[TrunkRuntime]
    own_numbers: list[str]
    caller_name: str
    emergency: bool = False
    anonymous: bool = False
    index: int = 0
    authorised: bool = False
    """The current trunk's INVITE carries credentials already (a new challenge: it failed)."""
    statuses: list[int] = field(default_factory=list)
    current: Fork | None = None
    """The INVITE in flight: a late failure of one given up earlier (a silent trunk) changes nothing."""

    @property
    def trunk(self) -> Trunk:
        return self.runtimes[self.index].trunk

    def first_fork(self, b2bua: B2bua, body: bytes, max_forwards: int) -> Fork:
        self._body, self._max_forwards = body, max_forwards
        return self._fork(b2bua, self._invite(b2bua))

    def after_failure(self, b2bua: B2bua, fork: Fork, response: SipResponse | None) -> Fork | None:
        """The next INVITE to send after ``fork`` failed (``response`` None: no answer), or None."""
        status = response.status if response is not None else 408
        trunk = self.trunk
        if response is not None and status in (401, 407) and not self.authorised:
            retry = self._authorised(fork.request, response, trunk)
            if retry is not None:
                self.authorised = True
                return self._fork(b2bua, retry)
        self.statuses.append(status)
        if not (fails_over(status) or status in (401, 407)):
            return None
        _LOGGER.warning("Outbound call to %s: trunk %s failed with %d", self.number, trunk.name, status)
        if self.index + 1 >= len(self.runtimes):
            return None
        self.index += 1
        self.authorised = False
        return self._fork(b2bua, self._invite(b2bua))

    def final_status(self) -> int:
        """What the caller hears when no trunk connected the call."""
        last = self.statuses[-1] if self.statuses else 503
        return 503 if fails_over(last) or last in (401, 407) else last

    # -- requests -------------------------------------------------------------------------------
    def _fork(self, b2bua: B2bua, request: SipRequest) -> Fork:
        from cordboard.core.calls.b2bua import Fork

        peer = self.runtimes[self.index].peers[0]
        request.headers.add(h.VIA, b2bua.sip.via_for(peer.transport, new_branch()), prepend=True)
        binding = Binding(0, str(request.uri), request.call_id, request.cseq.seq, 0.0, 0.0, *peer)
        self.current = Fork(binding, peer, request)
        return self.current

    def caller_id(self, service: TrunkService) -> str | None:
        return service.caller_id_for(self.trunk, self.own_numbers, self.anonymous and not self.emergency)

    def _invite(self, b2bua: B2bua) -> SipRequest:
        trunk = self.trunk
        service = b2bua.core.trunks
        assert service is not None, "trunk calls need the trunks"
        cid = self.caller_id(service)
        domain = trunk.domain
        target = SipUri(host=trunk.host, user=self.number, port=trunk.port if trunk.port != 5060 else None)
        headers = Headers()
        headers.add(h.MAX_FORWARDS, str(self._max_forwards))
        tag = token_hex(6)
        if cid is None:
            headers.add(h.FROM, f'"Anonymous" <sip:anonymous@anonymous.invalid>;tag={tag}')
            headers.add(h.PRIVACY, "id")
            fallback = trunk.default_caller_id or (trunk.caller_ids[0] if trunk.caller_ids else "")
            if fallback:
                headers.add(h.P_ASSERTED_IDENTITY, f"<sip:{fallback}@{domain}>")
        else:
            from_ = NameAddr(SipUri(host=domain, user=cid), self.caller_name or None, {"tag": tag})
            headers.add(h.FROM, str(from_))
            headers.add(h.P_ASSERTED_IDENTITY, f"<sip:{cid}@{domain}>")
        headers.add(h.TO, str(NameAddr(SipUri(host=domain, user=self.number), None, {})))
        headers.add(h.CALL_ID, f"{token_hex(12)}@cordboard")
        headers.add(h.CSEQ, str(CSeq(1, "INVITE")))
        headers.add(h.CONTACT, b2bua.sip.contact_for(trunk.transport, user=trunk.username or "cordboard"))
        headers.add(h.ALLOW, ALLOW)
        if self._body:
            headers.add(h.CONTENT_TYPE, SDP)
        _LOGGER.info(
            "Outbound call to %s over trunk %s, caller ID %s", self.number, trunk.name, cid or "anonymous"
        )
        return SipRequest("INVITE", target, headers, self._body)

    def _authorised(self, request: SipRequest, response: SipResponse, trunk: Trunk) -> SipRequest | None:
        """The INVITE again with credentials for the challenge (new CSeq and branch, same Call-ID
        and From tag, RFC 3261 22.2), or None when the trunk has none or the challenge is unusable."""
        proxy = response.status == 407
        name = h.PROXY_AUTHENTICATE if proxy else h.WWW_AUTHENTICATE
        challenge = select_challenge(c for v in response.headers.get_all(name) for c in parse_challenges(v))
        password = self.runtimes[self.index].password
        if challenge is None or not trunk.auth_user:
            return None
        try:
            value = authorization_for(
                challenge, username=trunk.auth_user, password=password, method="INVITE", uri=str(request.uri)
            )
        except UnsupportedDigestAlgorithm:
            return None
        headers = Headers()
        for key, header_value in request.headers.items():
            if key.lower() in ("via", "cseq", "authorization", "proxy-authorization", "content-length"):
                continue
            headers.add(key, header_value)
        headers.set(h.CSEQ, str(CSeq(request.cseq.seq + 1, "INVITE")))
        headers.add(h.PROXY_AUTHORIZATION if proxy else h.AUTHORIZATION, value)
        return SipRequest("INVITE", request.uri, headers, request.body)


async def plan_outbound(b2bua: B2bua, caller: Caller, dialled: str) -> TrunkDial | Refusal | PinNeeded | None:
    """The trunks a user's call to ``dialled`` tries (None: no trunk can take it). The dial plan,
    when there is one, converts the number, bars it or marks it as an emergency call first."""
    core = b2bua.core
    service: TrunkService | None = getattr(core, "trunks", None)
    if service is None:
        return None
    number, emergency, anonymous, number_type = dialled, False, False, None
    dialplan: Any = getattr(core, "dialplan", None)
    if dialplan is not None:
        verdict = await dialplan.outbound(caller.account, dialled)
        if not verdict.allowed and getattr(verdict, "needs_pin", False) and caller.user_id is not None:
            return PinNeeded(str(verdict.number or dialled))
        if not verdict.allowed:
            status = int(getattr(verdict, "status", None) or 403)
            return Refusal(status, str(getattr(verdict, "reason", None) or "Forbidden"))
        number = str(verdict.number or dialled)
        emergency = bool(getattr(verdict, "emergency", False))
        anonymous = bool(getattr(verdict, "anonymous", False))
        number_type = getattr(verdict, "number_type", None)
    runtimes = service.outbound_trunks(number, number_type)
    if not runtimes:
        return None
    own: list[str] = []
    if caller.user_id is not None:
        own, hidden = await presentable(core, caller.user_id)
        anonymous = anonymous or hidden
    return TrunkDial(number, runtimes, own, caller.name, emergency=emergency, anonymous=anonymous)


async def presentable(core: Any, user_id: int) -> tuple[list[str], bool]:
    """CLI-01/05: the numbers a user's call may present, the one they chose first, and whether
    they hide it; the trunk then sends the first one it accepts (else its default number)."""
    from cordboard.core.calls.caller_id import identity_of

    try:
        identity = await identity_of(core, user_id)
    except Exception:  # a seat or a user gone meanwhile: the trunk's default number
        _LOGGER.debug("No caller identity for user %s", user_id, exc_info=True)
        return [], False
    return [identity.number, *(n for n in identity.allowed if n != identity.number)], identity.hidden


def inbound_number(b2bua: B2bua, trunk: Trunk, did: str | None) -> str | None:
    """BYD-02: the number an inbound call rings: the DID when a user or a plugin owns it, else the
    trunk's default destination (None when there is neither: 404)."""
    if did and b2bua.find_account(did) is not None:
        return did
    numbers = getattr(b2bua.core, "numbers", None)
    if did and numbers is not None and numbers.plugin_of(did) is not None:
        return did
    if trunk.default_destination:
        _LOGGER.info(
            "Inbound call to unknown DID %s on trunk %s: to %s", did, trunk.name, trunk.default_destination
        )
        return trunk.default_destination
    return did


async def release_with_pin(
    channel: Channel,
    *,
    user_id: int,
    number: str,
    verify: Any,
    release: Callable[[str], None],
    caller_id: tuple[str, str] | None = None,
    attempts: int = 3,
) -> None:
    """BAR-05: answer the caller, ask for their PIN (``enter_pin``), and on the right one ring
    ``number`` (out over the trunks, presenting ``caller_id``) and connect them; three wrong PINs
    end the call, and repeated wrong PINs block the user's PIN for a while (``verify`` raises
    TooManyAttempts)."""
    from cordboard.core.calls.channel import Channel as ChannelType
    from cordboard.core.exceptions import TooManyAttempts

    await channel.answer()
    for _ in range(attempts):
        pin = await channel.ask("enter_pin", 12)
        try:
            right = bool(pin) and await verify(user_id, pin)
        except TooManyAttempts:
            _LOGGER.warning("Release PIN of user %s refused: too many wrong PINs", user_id)
            await channel.play(["number_barred", "goodbye"])
            await channel.hangup(403)
            return
        if right:
            release(number)
            other = await channel.dial([number], caller_id=caller_id)
            if isinstance(other, ChannelType):
                try:
                    await channel.bridge(other)
                finally:
                    await other.hangup()
            await channel.hangup()
            return
        await channel.play(["wrong_pin"])
    await channel.hangup(403)


__all__ = [
    "TRUNK_SILENCE_S",
    "PinNeeded",
    "Refusal",
    "TrunkDial",
    "fails_over",
    "inbound_number",
    "plan_outbound",
    "presentable",
    "release_with_pin",
]
