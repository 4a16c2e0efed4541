"""TrunkService (``core.trunks``): the trunks at run time (BYD-01..03).

It drives each enabled trunk's registration (``registration.py``) or OPTIONS keep-alive on the SIP
service, publishes ``trunk.<name>`` states and ``trunk.state_changed`` events, tells the B2BUA
whether an INVITE came from a trunk and what number it is for, and which trunks an outbound call
tries in which order with which caller ID.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from cordboard.core.bus import EventType
from cordboard.core.sip import headers as h
from cordboard.core.sip.headers import CSeq, Headers
from cordboard.core.sip.message import SipRequest, SipResponse
from cordboard.core.sip.peer import Peer
from cordboard.core.sip.transaction import new_branch
from cordboard.core.sip.uri import NameAddr, SipUri, TelUri
from cordboard.core.trunks import storage
from cordboard.core.trunks.model import OutboundRoute, Trunk, split_host_port, to_e164
from cordboard.core.trunks.registration import Registration, RegistrationConfig

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

    from cordboard.core.core import Core
    from cordboard.core.sip.service import SipService

_LOGGER = logging.getLogger(__name__)

EVENT_TRUNK_STATE_CHANGED: Final = EventType[dict[str, Any]]("trunk.state_changed")
UNREGISTER_WAIT: Final = 2.0
"""Seconds shutdown waits for the providers to confirm our unregistrations."""
UP_STATES: Final = frozenset({"registered", "up"})
OPTIONS_SILENCE_S: Final = 5.0
P_CALLED_PARTY_ID: Final = "P-Called-Party-ID"


@dataclass(eq=False)
class TrunkRuntime:
    """One enabled trunk's live parts."""

    trunk: Trunk
    password: str
    peers: list[Peer] = field(default_factory=list)
    """Where the trunk's requests go (first) and, for IP trunks, the addresses it sends from."""
    registration: Registration | None = None
    timer: asyncio.TimerHandle | None = None
    state: str = "unregistered"
    last_error: str = ""
    options_silence: asyncio.TimerHandle | None = None
    """Fires when an OPTIONS got no answer in OPTIONS_SILENCE_S: the trunk is down before the
    transaction's own timeout (32 s)."""


class TrunkService:
    def __init__(self, core: Core, sip: SipService) -> None:
        self.core = core
        self.sip = sip
        self.trunks: dict[str, TrunkRuntime] = {}
        self.routes: list[OutboundRoute] = []
        self._fernet: Fernet | None = None
        self._all: list[Trunk] = []

    # -- lifecycle ------------------------------------------------------------------------------
    async def start(self) -> None:
        from cordboard.core.provisioning.secrets import load_key

        await self.core.db.call(storage.ensure_schema)
        self._fernet = await self.core.run_in_executor(load_key, self.core.data_dir)
        await self.reload()

    @property
    def fernet(self) -> Fernet:
        assert self._fernet is not None, "TrunkService.start() first"
        return self._fernet

    async def stop(self) -> None:
        """Unregister every registered trunk and wait (briefly) for the providers to answer."""
        waits = [self._stop_trunk(rt) for rt in list(self.trunks.values())]
        self.trunks.clear()
        if waits:
            await asyncio.gather(*waits)

    async def restart(self) -> None:
        """Start every trunk again (our address changed: the providers must learn the new contact)."""
        await self.stop()
        await self.reload()

    async def reload(self) -> None:
        """Read the trunks and routes again; restart the trunks whose settings changed."""
        fernet = self.fernet
        trunks = await self.core.db.call(storage.load_trunks)
        self.routes = await self.core.db.call(storage.routes)
        passwords = {
            t.name: await self.core.db.call(
                functools.partial(storage.password_of, fernet=fernet, name=t.name)
            )
            for t in trunks
        }
        self._all = trunks
        wanted = {t.name: t for t in trunks}
        for name, rt in list(self.trunks.items()):
            trunk = wanted.get(name)
            if trunk is None or not trunk.enabled or trunk != rt.trunk or passwords[name] != rt.password:
                del self.trunks[name]
                await self._stop_trunk(rt)
                if trunk is None:
                    self.core.states.remove(f"trunk.{name}")
        for trunk in trunks:
            if not trunk.enabled:
                self._publish_disabled(trunk)
            elif trunk.name not in self.trunks:
                await self._start_trunk(TrunkRuntime(trunk, passwords[trunk.name]))

    async def _start_trunk(self, rt: TrunkRuntime) -> None:
        trunk = rt.trunk
        self.trunks[trunk.name] = rt
        host, port = trunk.target
        rt.peers = [Peer(trunk.transport, await _resolve(host, port), port)]
        for address in trunk.addresses:
            a_host, a_port = split_host_port(address, 0)
            rt.peers.append(Peer(trunk.transport, await _resolve(a_host, a_port or 5060), a_port))
        if trunk.kind == "register":
            contact = self.sip.contact_for(trunk.transport, user=trunk.username).strip("<>")
            rt.registration = Registration(
                RegistrationConfig(
                    domain=trunk.host,
                    username=trunk.username,
                    auth_username=trunk.auth_user,
                    password=rt.password,
                    contact=contact,
                    expires=trunk.expires,
                    registrar_port=trunk.port if trunk.port != 5060 else None,
                )
            )
            rt.registration.start(self._now())
            self._pump(rt)
        elif trunk.options_interval:
            self._set_state(rt, "down", "waiting for the first OPTIONS answer")
            self._send_options(rt)
        else:
            self._set_state(rt, "up", "")

    async def _stop_trunk(self, rt: TrunkRuntime) -> None:
        for timer in (rt.timer, rt.options_silence):
            if timer is not None:
                timer.cancel()
        rt.timer = rt.options_silence = None
        registration = rt.registration
        if registration is None:
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + UNREGISTER_WAIT
        registration.stop(self._now())
        self._set_state(rt, "unregistered", "")
        requests = registration.requests_to_send()
        while requests and loop.time() < deadline:  # Expires 0, answering a challenge if need be
            done: asyncio.Future[SipResponse | None] = loop.create_future()

            def answered(
                response: SipResponse | None, done: asyncio.Future[SipResponse | None] = done
            ) -> None:
                if not done.done():
                    done.set_result(response)

            for request in requests:
                self._send(rt, request, answered)
            try:
                async with asyncio.timeout_at(deadline):
                    response = await done
            except TimeoutError:
                response = None
            if response is None:
                _LOGGER.info("Trunk %s: no answer to the unregistration", rt.trunk.name)
                break
            registration.receive_response(response, self._now())
            requests = registration.requests_to_send()
        while registration.next_event() is not None:
            pass

    # -- registration pump ----------------------------------------------------------------------
    @staticmethod
    def _now() -> float:
        return asyncio.get_running_loop().time()

    def _pump(self, rt: TrunkRuntime) -> None:
        registration = rt.registration
        if registration is None or self.trunks.get(rt.trunk.name) is not rt:
            return
        for request in registration.requests_to_send():
            self._send(rt, request, functools.partial(self._registration_answer, rt))
        while (event := registration.next_event()) is not None:
            if event.state == "failed":
                _LOGGER.warning(
                    "Trunk %s: registration failed (%s); next try in %.0f s",
                    rt.trunk.name,
                    event.last_error,
                    event.retry_in,
                )
            elif rt.state != "registered":
                _LOGGER.info("Trunk %s: registered for %d s", rt.trunk.name, event.expires_in)
            self._set_state(rt, event.state, event.last_error, expires_in=event.expires_in)
        if rt.timer is not None:
            rt.timer.cancel()
            rt.timer = None
        deadline = registration.get_timer()
        if deadline is not None:
            rt.timer = asyncio.get_running_loop().call_at(deadline, self._registration_timer, rt)

    def _registration_timer(self, rt: TrunkRuntime) -> None:
        rt.timer = None
        if rt.registration is not None:
            rt.registration.handle_timer(self._now())
            self._pump(rt)

    def _registration_answer(self, rt: TrunkRuntime, response: SipResponse | None) -> None:
        if rt.registration is None:
            return
        if response is None:
            rt.registration.transaction_failed("no answer from the registrar (timeout)", self._now())
        else:
            rt.registration.receive_response(response, self._now())
        self._pump(rt)

    def _send(
        self, rt: TrunkRuntime, request: SipRequest, on_response: Callable[[SipResponse | None], None]
    ) -> None:
        peer = rt.peers[0]
        request.headers.add(h.VIA, self.sip.via_for(peer.transport, new_branch()), prepend=True)
        try:
            self.sip.send_request(request, peer, on_response)
        except Exception as err:  # a transport that cannot send at all
            _LOGGER.warning("Trunk %s: cannot send %s: %s", rt.trunk.name, request.method, err)
            on_response(None)

    # -- OPTIONS keep-alive (IP trunks) ---------------------------------------------------------
    def _send_options(self, rt: TrunkRuntime) -> None:
        rt.timer = None
        if self.trunks.get(rt.trunk.name) is not rt:
            return
        trunk = rt.trunk
        headers = Headers()
        headers.add(h.MAX_FORWARDS, "70")
        headers.add(h.FROM, f"<sip:cordboard@{self.sip.advertise}>;tag={new_branch()[7:]}")
        headers.add(h.TO, f"<sip:{trunk.domain}>")
        headers.add(h.CALL_ID, f"{new_branch()[7:]}@cordboard")
        headers.add(h.CSEQ, str(CSeq(1, "OPTIONS")))
        request = SipRequest("OPTIONS", SipUri(host=trunk.host, port=trunk.port), headers, b"")
        loop = asyncio.get_running_loop()
        silence = min(OPTIONS_SILENCE_S, float(trunk.options_interval))
        rt.options_silence = loop.call_later(silence, self._set_state, rt, "down", "no answer to OPTIONS")
        self._send(rt, request, functools.partial(self._options_answer, rt))

    def _options_answer(self, rt: TrunkRuntime, response: SipResponse | None) -> None:
        if rt.options_silence is not None:
            rt.options_silence.cancel()
            rt.options_silence = None
        if self.trunks.get(rt.trunk.name) is not rt:
            return
        if response is None:
            self._set_state(rt, "down", "no answer to OPTIONS")
        else:  # any answer, even 404 or 405, shows the provider is there (RFC 3261 11.2)
            self._set_state(rt, "up", "")
        rt.timer = asyncio.get_running_loop().call_later(rt.trunk.options_interval, self._send_options, rt)

    # -- states ---------------------------------------------------------------------------------
    def _set_state(self, rt: TrunkRuntime, state: str, error: str, *, expires_in: int = 0) -> None:
        changed = (state, error) != (rt.state, rt.last_error)
        rt.state, rt.last_error = state, error
        trunk = rt.trunk
        self.core.states.set(
            f"trunk.{trunk.name}",
            state,
            {
                "trunk_id": trunk.id,
                "kind": trunk.kind,
                "host": trunk.host,
                "priority": trunk.priority,
                "enabled": trunk.enabled,
                "last_error": error,
                "expires_in": expires_in,
            },
        )
        if changed:
            self.core.bus.fire(
                EVENT_TRUNK_STATE_CHANGED, {"trunk": trunk.name, "state": state, "last_error": error}
            )

    def _publish_disabled(self, trunk: Trunk) -> None:
        self.core.states.set(
            f"trunk.{trunk.name}",
            "unregistered",
            {
                "trunk_id": trunk.id,
                "kind": trunk.kind,
                "host": trunk.host,
                "priority": trunk.priority,
                "enabled": False,
                "last_error": "",
                "expires_in": 0,
            },
        )

    def state_of(self, name: str) -> str:
        rt = self.trunks.get(name)
        return rt.state if rt is not None else "unregistered"

    # -- inbound (BYD-02) -----------------------------------------------------------------------
    def inbound_trunk(self, request: SipRequest, peer: Peer) -> Trunk | None:
        """The trunk an INVITE came from: an IP trunk by its source address, a registering trunk
        by its registrar's address and our registered contact in the Request-URI."""
        uri_user = request.uri.user if isinstance(request.uri, SipUri) else None
        for rt in self.trunks.values():
            trunk = rt.trunk
            if trunk.kind == "ip":
                if any(p.host == peer.host and p.port in (0, peer.port) for p in rt.peers[1:]):
                    return trunk
            elif uri_user == trunk.username and any(p.host == peer.host for p in rt.peers):
                return trunk
        return None

    def called_number(self, trunk: Trunk, request: SipRequest) -> str | None:
        """The DID an inbound INVITE is for, read where the trunk says and put in E.164 (NUM-09)."""
        uri: Any
        if trunk.called_from == "to":
            uri = request.to.uri
        elif trunk.called_from == "p_called_party_id" and request.headers.get(P_CALLED_PARTY_ID):
            uri = NameAddr.parse(request.headers.get(P_CALLED_PARTY_ID) or "").uri
        else:
            uri = request.uri
        user = _user_of(uri)
        return to_e164(user, trunk) if user else None

    def caller_of(self, trunk: Trunk, request: SipRequest) -> tuple[str, str]:
        """The caller's number (E.164 when it can be told) and name: P-Asserted-Identity, else From."""
        source = request.from_
        asserted = request.headers.get(h.P_ASSERTED_IDENTITY)
        if asserted:
            try:
                source = NameAddr.parse(asserted.split(",")[0])
            except Exception:
                pass
        user = _user_of(source.uri)
        if not user or user.lower() in ("anonymous", "unknown", "restricted"):
            return "anonymous", source.display_name or ""
        return to_e164(user, trunk), source.display_name or ""

    # -- outbound (BYD-03) ----------------------------------------------------------------------
    def outbound_trunks(self, number: str, number_type: str | None = None) -> list[TrunkRuntime]:
        """The trunks to try for ``number``, in order: the route for its number type (the dial
        plan's, such as Mobile), else the longest matching prefix's, else every enabled trunk by
        priority; trunks that are down come after those that are up."""
        typed = [r for r in self.routes if number_type and r.number_type == number_type]
        route = (
            typed[0]
            if typed
            else max(
                (r for r in self.routes if r.prefix and not r.number_type and number.startswith(r.prefix)),
                key=lambda r: len(r.prefix),
                default=None,
            )
        )
        if route is not None:
            chosen = [self.trunks[n] for n in route.trunks if n in self.trunks]
        else:
            chosen = sorted(self.trunks.values(), key=lambda rt: (rt.trunk.priority, rt.trunk.name))
        return [rt for rt in chosen if rt.state in UP_STATES] + [
            rt for rt in chosen if rt.state not in UP_STATES
        ]

    def caller_id_for(self, trunk: Trunk, own_numbers: list[str], anonymous: bool = False) -> str | None:
        """CLI: the number a call over ``trunk`` presents: the caller's own public number when the
        trunk accepts it, else the trunk's default number; None for an anonymous call."""
        if anonymous and trunk.allow_anonymous:
            return None
        for number in own_numbers:
            if number.startswith("+") and (not trunk.caller_ids or number in trunk.caller_ids):
                return number
        return trunk.default_caller_id or (trunk.caller_ids[0] if trunk.caller_ids else None)


def _user_of(uri: Any) -> str | None:
    if isinstance(uri, SipUri):
        return uri.user
    if isinstance(uri, TelUri):
        return uri.digits
    return None


async def _resolve(host: str, port: int) -> str:
    """An IP address for ``host`` (the transports send to addresses, never names)."""
    try:
        socket.inet_pton(socket.AF_INET6 if ":" in host else socket.AF_INET, host)
        return host
    except OSError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_DGRAM)
    except OSError as err:
        _LOGGER.warning("Cannot resolve trunk host %s: %s", host, err)
        return host
    return str(infos[0][4][0])


__all__ = ["EVENT_TRUNK_STATE_CHANGED", "TrunkRuntime", "TrunkService"]
