"""SipService: SIP inside the Core: transports, transactions, registrar, states, events, the call hooks."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import math
import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, Protocol

import sqlite_utils

from cordboard.core.bus import EventType
from cordboard.core.identity.digest import sip_realm
from cordboard.core.sip import headers as h
from cordboard.core.sip.accounts import SipAccount, SipAccounts
from cordboard.core.sip.auth import CHALLENGE_ALGORITHMS, DigestVerifier, NonceManager
from cordboard.core.sip.authenticator import CHALLENGES, Authenticator
from cordboard.core.sip.errors import SipParseError
from cordboard.core.sip.events import (
    AckReceived,
    RequestReceived,
    ResponseReceived,
    TransactionKey,
    TransactionTimedOut,
)
from cordboard.core.sip.flood import FloodGuard
from cordboard.core.sip.location import Binding, LocationService
from cordboard.core.sip.message import (
    SipRequest,
    SipResponse,
    make_response,
    parse_message,
    validate_request,
    validate_response,
)
from cordboard.core.sip.peer import WEB_TRANSPORTS, Peer
from cordboard.core.sip.registrar import Registrar
from cordboard.core.sip.stateless import stateless_error_response
from cordboard.core.sip.status import SipStatusError
from cordboard.core.sip.tls import ensure_certificate, server_context
from cordboard.core.sip.transaction import DEFAULT_T1, TimerConfig, TransactionLayer
from cordboard.core.sip.transport import SipTransports

if TYPE_CHECKING:
    from cordboard.core.calls.subscriptions import SubscriptionService
    from cordboard.core.core import Core

_LOGGER = logging.getLogger(__name__)

EVENT_REGISTRATION_CHANGED: Final = EventType[dict[str, Any]]("registration.changed")
TIMER_TICK: Final = 0.01
"""Seconds: transaction timers fire on these boundaries, at most this much late (RFC 3261's
shortest, Trying and T1, are 100-500 ms)."""
ALLOW: Final = "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, INFO, UPDATE, SUBSCRIBE"
SUPPORTED: Final = ("replaces", "timer")
SOFTPHONE_REFUSED: Final = "Forbidden - Softphone Not Enabled For This User"
SERVER_NAME: Final = "Cordboard"
EXPIRY_INTERVAL: Final = 5.0
BINDING_SAVE_DELAY: Final = 0.5
"""Binding writes wait this long and go in one transaction: a burst of REGISTERs costs one disk
sync instead of one each, and a power cut loses at most this much, which phones re-register."""


class CallHandler(Protocol):
    """What the SIP service hands to the call layer (the B2BUA in cordboard.core.calls)."""

    def on_request(
        self, key: TransactionKey, request: SipRequest, peer: Peer, cancel_of: TransactionKey | None
    ) -> bool: ...
    def on_ack(self, request: SipRequest, peer: Peer) -> None: ...
    def on_response(self, key: TransactionKey, response: SipResponse) -> None: ...
    def on_timeout(self, key: TransactionKey) -> None: ...


def device_id(binding: Binding) -> str:
    return hashlib.sha1(f"{binding.user_id}:{binding.key}".encode(), usedforsecurity=False).hexdigest()[:12]


class SipService:
    """Owns the transaction layer and pumps it: bytes in, events to handlers, datagrams out."""

    def __init__(
        self,
        core: Core,
        *,
        bind: str,
        port: int,
        advertise: str,
        digest_algorithms: tuple[str, ...] = CHALLENGE_ALGORITHMS,
        t1: float = DEFAULT_T1,
    ) -> None:
        self.core = core
        self.bind = bind
        self.port = port
        self.advertise = advertise
        """Address put in Via, Contact and SDP: what phones can reach us at."""
        self.accounts = SipAccounts(core)
        self.location = LocationService()
        self.registrar = Registrar(self.location)
        self.realm = "cordboard"
        self.digest_algorithms = digest_algorithms
        self.verifier = DigestVerifier(NonceManager(os.urandom(32)), self.realm, digest_algorithms)
        self.authenticator = Authenticator(self.accounts, self.verifier)
        self.transports = SipTransports(self._on_bytes)
        self.layer = TransactionLayer(timers=TimerConfig(t1=t1))
        self.flood = FloodGuard()
        self.call_handler: CallHandler | None = None
        self.subscriptions: SubscriptionService | None = None
        """Phones' SUBSCRIBEs (busy lamps, message lamp, presence) go here."""
        self.client_handlers: dict[TransactionKey, Callable[[SipResponse | None], None]] = {}
        """Requests the appliance sends on its own behalf (a trunk's REGISTER and OPTIONS): their
        responses, and None for a timeout, go to the callback given to ``send_request``."""
        self._timer: asyncio.Handle | None = None
        self._timer_at = 0.0
        """The tick ``_timer`` was armed for (uvloop returns a plain Handle, without when(), for a
        deadline already past)."""
        self._expiry_task: asyncio.Task[None] | None = None
        self._saves: set[asyncio.Task[None]] = set()
        """Binding writes in flight: stop() waits for them, so a REGISTER just before a restart is kept."""
        self._unsaved_users: set[int] = set()
        self._flush: asyncio.TimerHandle | None = None
        self.stats = {"received": 0, "parse_errors": 0, "dropped_flood": 0, "stray_responses": 0}

    # -- lifecycle ----------------------------------------------------------------------------
    async def start(self) -> None:
        self.realm = await self.core.db.call(sip_realm)
        self.verifier = DigestVerifier(NonceManager(os.urandom(32)), self.realm, self.digest_algorithms)
        self.authenticator = Authenticator(self.accounts, self.verifier)
        await self.accounts.start()
        self.accounts.on_change.append(self._accounts_changed)
        restored = await self.core.db.call(_load_bindings)
        # A user locked or deleted while we were stopped (the CLI) is not reachable (USR-08).
        unreachable = {
            b.user_id for b in restored if (a := self.accounts.by_id(b.user_id)) is None or a.locked
        }
        self.location.restore(b for b in restored if b.user_id not in unreachable)
        for user_id in unreachable:
            await self.core.db.call(functools.partial(_save_bindings, user_id=user_id, bindings=[]))
        for attempt in range(20):
            await self.transports.start_udp(self.bind, self.port)
            port = self.port or self.transports.addresses["udp"][1]
            try:
                await self.transports.start_stream("tcp", self.bind, port)
                break
            except OSError:
                # Port 0 (tests): the UDP port the system picked may be taken for TCP; pick again.
                await self.transports.close()
                if self.port or attempt == 19:
                    raise
                self.transports = SipTransports(self._on_bytes)
        cert, key = await self.core.run_in_executor(ensure_certificate, self.core.data_dir, [self.advertise])
        tls_port = self.port + 1 if self.port else 0  # configured 0 (tests): any free port
        await self.transports.start_stream("tls", self.bind, tls_port, server_context(cert, key))
        self.port = port
        self.transports.on_connection_lost = self._connection_lost
        for account in self._all_accounts():
            for binding in self.location.bindings(account.user_id, time.time()):
                self._publish_device(account, binding)  # device states are not persisted
            self._publish_extension(account)
        self._expiry_task = self.core.create_task(self._expire_loop(), "SIP binding expiry")
        _LOGGER.info(
            "SIP on udp/tcp %s:%d, tls port %d", self.bind, port, self.transports.addresses["tls"][1]
        )

    async def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self._expiry_task is not None:
            self._expiry_task.cancel()
        self.accounts.stop()
        self.transports.on_connection_lost = None  # a restart keeps the bindings of TCP phones
        await self.transports.close()
        if self._flush is not None:
            self._flush.cancel()
        self._save_unsaved()
        if self._saves:
            await asyncio.wait(set(self._saves), timeout=5.0)

    # -- input --------------------------------------------------------------------------------
    def _on_bytes(self, data: bytes, peer: Peer) -> None:
        self.stats["received"] += 1
        now = self.core.loop.time()
        if not self.flood.allow(peer.host, now):
            self.stats["dropped_flood"] += 1
            return
        try:
            message = parse_message(data)
        except SipParseError as err:
            self.stats["parse_errors"] += 1
            response = stateless_error_response(data, f"Bad Request - {err}")
            if response is not None:
                self.transports.send(response, peer)
            _LOGGER.debug("Unparsable message from %s: %s", peer, err)
            return
        if isinstance(message, SipResponse):
            try:
                validate_response(message)
            except SipParseError:
                self.stats["stray_responses"] += 1
                return
        else:
            try:
                # RFC 4475 3.4.1: an RFC 2543 request without Max-Forwards is still served.
                validate_request(message, supported=SUPPORTED, allow_rfc2543=True)
                self._fix_via(message, peer)
            except SipStatusError as err:
                if message.method != "ACK":
                    self._send_stateless(err.to_response(message), peer)
                return
            except SipParseError as err:
                if message.method != "ACK":
                    self._send_stateless(make_response(message, 400, f"Bad Request - {err}"), peer)
                return
            if message.max_forwards == 0 and message.method not in ("ACK", "OPTIONS"):
                self._send_stateless(make_response(message, 483), peer)
                return
        self.layer.receive(message, peer, now)
        self.pump()

    def _send_stateless(self, response: SipResponse, peer: Peer) -> None:
        response.headers.set(h.SERVER, SERVER_NAME)
        self.transports.send(bytes(response), peer)

    @staticmethod
    def _fix_via(request: SipRequest, peer: Peer) -> None:
        """RFC 3261 18.2.1 received, RFC 3581 rport: answer where the request really came from."""
        via = request.top_via
        changed = False
        if via.host != peer.host:
            via.params["received"] = peer.host
            changed = True
        if "rport" in via.params:
            via.params["rport"] = str(peer.port)
            changed = True
        if changed:
            request.headers.restate_first(h.VIA, str(via))

    # -- the pump -----------------------------------------------------------------------------
    def pump(self) -> None:
        """Handle the layer's events, send what it queued, and re-arm its timer."""
        while (event := self.layer.next_event()) is not None:
            try:
                self._dispatch(event)
            except Exception:
                _LOGGER.exception("Error handling %s", type(event).__name__)
        for data, peer in self.layer.datagrams_to_send():
            self.transports.send(data, peer)
        self._arm_timer()

    def _arm_timer(self) -> None:
        """Wake at the first ``TIMER_TICK`` boundary at or after the layer's earliest deadline.

        Under load the layer holds thousands of deadlines, most of them stale (the transaction
        ended first); waking per tick rather than per deadline fires all of a tick's timers in
        one pass, and a timer already armed for an earlier tick stays as it is.
        """
        deadline = self.layer.next_wakeup()
        if deadline is None:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            return
        wake = math.ceil(deadline / TIMER_TICK) * TIMER_TICK
        if wake < deadline:  # float rounding
            wake += TIMER_TICK
        if self._timer is not None:
            if self._timer_at <= wake:
                return
            self._timer.cancel()
        self._timer = self.core.loop.call_at(wake, self._on_timer)
        self._timer_at = wake

    def _on_timer(self) -> None:
        self._timer = None
        # A loop may run a timer up to its clock resolution early: the tick it was set for has come.
        self.layer.handle_timer(max(self.core.loop.time(), self._timer_at))
        self.pump()

    def _dispatch(self, event: object) -> None:
        if isinstance(event, RequestReceived):
            self._on_request(event)
        elif isinstance(event, ResponseReceived):
            if (client := self.client_handlers.get(event.key)) is not None:
                if event.response.status >= 200:
                    del self.client_handlers[event.key]
                client(event.response)
            elif self.call_handler is not None:
                self.call_handler.on_response(event.key, event.response)
        elif isinstance(event, AckReceived):
            if self.call_handler is not None:
                self.call_handler.on_ack(event.request, event.peer)
        elif isinstance(event, TransactionTimedOut):
            if (client := self.client_handlers.pop(event.key, None)) is not None:
                client(None)
            elif self.call_handler is not None:
                self.call_handler.on_timeout(event.key)

    def _on_request(self, event: RequestReceived) -> None:
        request, peer = event.request, event.peer
        method = request.method
        if method == "REGISTER":
            response = self._register(request, peer)
            if response.status in CHALLENGES:
                self.challenge(event.key, response)
            else:
                self.respond(event.key, response)
            return
        if method == "OPTIONS" and request.to_tag is None:
            self.respond(event.key, self._options(request))
            return
        if method == "SUBSCRIBE" and self.subscriptions is not None:
            self.subscriptions.on_subscribe(event.key, request, peer)
            return
        if self.call_handler is not None and self.call_handler.on_request(
            event.key, request, peer, getattr(event, "cancels", None)
        ):
            return
        if method in ("INVITE", "BYE", "CANCEL", "INFO", "UPDATE", "OPTIONS"):
            self.respond(event.key, make_response(request, 481 if request.to_tag else 404))
        else:
            response = make_response(request, 501, "Not Implemented")
            response.headers.set(h.ALLOW, ALLOW)
            self.respond(event.key, response)

    def set_advertise(self, address: str) -> None:
        """Put ``address`` in Via, Contact and SDP from now on (calls in progress keep theirs)."""
        self.advertise = address

    # -- output -------------------------------------------------------------------------------
    def respond(self, key: TransactionKey, response: SipResponse) -> None:
        response.headers.set(h.SERVER, SERVER_NAME)
        self.layer.send_response(key, response, self.core.loop.time())
        self.pump()

    def challenge(self, key: TransactionKey, response: SipResponse) -> None:
        """Send a 401/407 challenge statelessly (``TransactionLayer.send_response_statelessly``)."""
        response.headers.set(h.SERVER, SERVER_NAME)
        self.layer.send_response_statelessly(key, response)
        self.pump()

    def send_request(
        self,
        request: SipRequest,
        peer: Peer,
        on_response: Callable[[SipResponse | None], None] | None = None,
    ) -> TransactionKey:
        """Send in a client transaction; ``on_response`` gets its responses (None: timed out)
        instead of the call handler."""
        request.headers.set(h.USER_AGENT, SERVER_NAME)
        key = self.layer.send_request(request, peer, self.core.loop.time())
        if on_response is not None:
            self.client_handlers[key] = on_response
        self.pump()
        return key

    def send_stateless_request(self, request: SipRequest, peer: Peer) -> bytes:
        """For ACK of a 2xx: outside any transaction (RFC 3261 13.2.2.4). Returns what was sent
        (for resending it)."""
        data = bytes(request)
        self.transports.send(data, peer)
        return data

    def via_for(self, transport: str, branch: str) -> str:
        port = self.transports.addresses.get(transport, (self.advertise, self.port))[1]
        return f"SIP/2.0/{transport.upper()} {self.advertise}:{port};branch={branch};rport"

    def contact_for(self, transport: str, user: str = "cordboard") -> str:
        port = self.transports.addresses.get(transport, (self.advertise, self.port))[1]
        suffix = "" if transport == "udp" else f";transport={transport}"
        return f"<sip:{user}@{self.advertise}:{port}{suffix}>"

    # -- registrar ----------------------------------------------------------------------------
    def _register(self, request: SipRequest, peer: Peer) -> SipResponse:
        now = time.time()
        outcome = self.authenticator.check(request, peer.host, self.core.loop.time())
        if outcome.account is None:
            assert outcome.response is not None
            return outcome.response
        if self.softphone_refused(outcome.account, peer):
            return make_response(request, 403, SOFTPHONE_REFUSED)
        result = self.registrar.handle(request, outcome.account, peer, now)
        if result.changed or result.removed:
            self._bindings_changed(outcome.account, result.changed, result.removed)
        return result.response

    def softphone_refused(self, account: SipAccount, peer: Peer) -> bool:
        """TERM-06: a softphone in the browser (SIP over WebSocket) of a user an administrator has
        not turned it on for (``core.softphone``); its REGISTER and INVITE get 403."""
        if peer.transport not in WEB_TRANSPORTS:
            return False
        preferences = getattr(self.core, "call_preferences", None)
        return preferences is None or not preferences.softphone_allowed(account.user_id)

    def _options(self, request: SipRequest) -> SipResponse:
        response = make_response(request, 200)
        response.headers.set(h.ALLOW, ALLOW)
        response.headers.set("Accept", "application/sdp")
        response.headers.set(h.SUPPORTED, ", ".join(SUPPORTED))
        return response

    def _bindings_changed(self, account: SipAccount, changed: list[Binding], removed: list[Binding]) -> None:
        now = time.time()
        for binding in changed:
            self._publish_device(account, binding)
            self.core.bus.fire(
                EVENT_REGISTRATION_CHANGED,
                {
                    "user_id": binding.user_id,
                    "extension": account.extension,
                    "contact": binding.contact,
                    "action": "registered",
                },
            )
        for binding in removed:
            self.core.states.remove(f"device.{device_id(binding)}")
            self.core.bus.fire(
                EVENT_REGISTRATION_CHANGED,
                {
                    "user_id": binding.user_id,
                    "extension": account.extension,
                    "contact": binding.contact,
                    "action": "expired" if binding.expires_at <= now else "unregistered",
                },
            )
        self._publish_extension(account)
        if account.user_id > 0:  # a seat account's bindings (negative ids, no user row) are not kept
            self._unsaved_users.add(account.user_id)
        if self._flush is None:
            self._flush = self.core.loop.call_later(BINDING_SAVE_DELAY, self._save_unsaved)

    def _save_unsaved(self) -> None:
        """Write the bindings of every user changed since the last write, in one transaction."""
        self._flush = None
        if not self._unsaved_users:
            return
        now = time.time()
        batch = {user_id: self.location.bindings(user_id, now) for user_id in self._unsaved_users}
        self._unsaved_users = set()
        save = self.core.create_task(
            self.core.db.call(lambda db: _save_binding_batch(db, batch)), "save bindings"
        )
        self._saves.add(save)
        save.add_done_callback(self._saves.discard)

    def _publish_device(self, account: SipAccount, binding: Binding) -> None:
        self.core.states.set(
            f"device.{device_id(binding)}",
            "registered",
            {
                "user_id": binding.user_id,
                "username": account.username,
                "extension": account.extension,
                "contact": binding.contact,
                "user_agent": binding.user_agent,
                "kind": account.device_kind or None,
                "source": f"{binding.transport}:{binding.source_host}:{binding.source_port}",
                "expires_at": binding.expires_at,
            },
        )

    def _publish_extension(self, account: SipAccount) -> None:
        if not account.extension:
            return
        bindings = self.location.bindings(account.user_id, time.time())
        entity_id = f"extension.{account.extension}"
        old = self.core.states.get(entity_id)
        # Other attributes of the user's extension (presence's: availability, dnd...) stay.
        kept = old.attributes if old is not None and old.attributes.get("user_id") == account.user_id else {}
        self.core.states.set(
            entity_id,
            "registered" if bindings else "unregistered",
            {
                **kept,
                "user_id": account.user_id,
                "username": account.username,
                "name": account.display_name,
                "devices": len(bindings),
            },
        )

    def _all_accounts(self) -> list[SipAccount]:
        return [a for a in (self.accounts.by_id(i) for i in self._account_ids()) if a is not None]

    def _account_ids(self) -> list[int]:
        return list(self.accounts._by_id)

    def _accounts_changed(self, old: dict[int, SipAccount], new: dict[int, SipAccount]) -> None:
        for user_id, account in old.items():
            current = new.get(user_id)
            removed = self.location.remove_all(user_id) if current is None or current.locked else []
            if removed:
                self._bindings_changed(current or account, [], removed)
            # After _bindings_changed, which publishes the extension it is given.
            if account.extension and (current is None or current.extension != account.extension):
                self.core.states.remove(f"extension.{account.extension}")
        for account in new.values():
            before = old.get(account.user_id)
            if before is not None and before.extension != account.extension:
                for binding in self.location.bindings(account.user_id, time.time()):
                    self._publish_device(account, binding)  # its extension attribute
            self._publish_extension(account)

    def _connection_lost(self, peer: Peer) -> None:
        by_user: dict[int, list[Binding]] = {}
        for binding in self.location.remove_flow(peer.transport, peer.host, peer.port):
            by_user.setdefault(binding.user_id, []).append(binding)
        for user_id, bindings in by_user.items():
            account = self.accounts.by_id(user_id)
            if account is not None:
                _LOGGER.info("%s: connection %s closed; its registration is gone", account.username, peer)
                self._bindings_changed(account, [], bindings)

    async def _expire_loop(self) -> None:
        while True:
            await asyncio.sleep(EXPIRY_INTERVAL)
            expired = self.location.expire(time.time())
            by_user: dict[int, list[Binding]] = {}
            for binding in expired:
                by_user.setdefault(binding.user_id, []).append(binding)
            for user_id, bindings in by_user.items():
                account = self.accounts.by_id(user_id)
                if account is not None:
                    self._bindings_changed(account, [], bindings)

    def targets(self, account: SipAccount) -> list[Binding]:
        """Where to ring a user: their live registrations, newest first."""
        return self.location.bindings(account.user_id, time.time())


def _save_binding_batch(db: sqlite_utils.Database, batch: dict[int, list[Binding]]) -> None:
    with db.atomic():
        for user_id, bindings in batch.items():
            _write_bindings(db, user_id, bindings)


def _save_bindings(db: sqlite_utils.Database, user_id: int, bindings: list[Binding]) -> None:
    with db.atomic():
        _write_bindings(db, user_id, bindings)


def _write_bindings(db: sqlite_utils.Database, user_id: int, bindings: list[Binding]) -> None:
    db.execute("DELETE FROM registrations WHERE user_id = ?", [user_id])
    for b in bindings:
        db.execute(
            "INSERT INTO registrations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                b.user_id,
                b.key,
                b.contact,
                b.call_id,
                b.cseq,
                b.expires_at,
                b.registered_at,
                b.transport,
                b.source_host,
                b.source_port,
                b.user_agent,
                b.instance_id,
            ],
        )


def _load_bindings(db: sqlite_utils.Database) -> list[Binding]:
    rows = db.execute(
        "SELECT user_id, contact, call_id, cseq, expires_at, registered_at, transport, source_host, "
        "source_port, user_agent, instance_id FROM registrations WHERE expires_at > ?",
        [time.time()],
    ).fetchall()
    return [
        Binding(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], user_agent=r[9], instance_id=r[10])
        for r in rows
    ]


__all__ = ["EVENT_REGISTRATION_CHANGED", "CallHandler", "SipService", "device_id"]
