"""Outbound registration of a trunk to its provider (BYD-01), sans-IO.

Driven by three sources, as aioquic's connection: the owner (``start``, ``stop``), responses to our
REGISTERs (``receive_response``, ``transaction_failed``) and a timer (``get_timer``,
``handle_timer``), with the time always passed in. It queues REGISTER requests without a Via (the
driver adds its own, it knows the transport) and state changes as ``RegistrationChanged`` events.

RFC 3261 10.2: one Call-ID for every REGISTER of the binding, CSeq increasing; a 401/407 is answered
once with digest credentials (RFC 3261 22.2, RFC 8760 SHA-256, qop=auth); a second challenge to
the same credentials that is not ``stale`` means the password is wrong. A granted expiry is
refreshed at a random 50-80 % of it; failures back off exponentially from 30 s to 10 min.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass
from typing import Final

from cordboard.core.random_tokens import token_hex
from cordboard.core.sip import headers as h
from cordboard.core.sip.auth import (
    DigestChallenge,
    UnsupportedDigestAlgorithm,
    authorization_for,
    parse_challenges,
    select_challenge,
)
from cordboard.core.sip.headers import CSeq, Headers
from cordboard.core.sip.message import SipRequest, SipResponse
from cordboard.core.sip.uri import NameAddr, SipUri

BACKOFF_MIN: Final = 30.0
BACKOFF_MAX: Final = 600.0
REFRESH_RANGE: Final = (0.5, 0.8)
MIN_REFRESH: Final = 5.0


@dataclass(frozen=True, slots=True)
class RegistrationConfig:
    """What one registration needs; ``contact`` is our Contact URI as the provider must reach it."""

    domain: str
    """The registrar's domain: the Request-URI and the host part of the AOR."""
    username: str
    auth_username: str
    password: str
    contact: str
    expires: int = 600
    registrar_port: int | None = None


@dataclass(frozen=True, slots=True)
class RegistrationChanged:
    """The registration's state: ``registered``, ``failed`` or ``unregistered``."""

    state: str
    last_error: str
    expires_in: int
    """Seconds the provider granted (0 unless registered)."""
    retry_in: float
    """Seconds until the next attempt after a failure (0 otherwise)."""


def backoff_delay(failures: int) -> float:
    """30 s after the first failure, doubling up to 10 min."""
    return min(BACKOFF_MAX, BACKOFF_MIN * 2 ** max(0, failures - 1))


class Registration:
    """One trunk's binding at its provider."""

    def __init__(self, config: RegistrationConfig, *, rng: random.Random | None = None) -> None:
        self.config = config
        self.state = "unregistered"
        self.last_error = ""
        self.failures = 0
        self.expires_in = 0
        self._rng = rng or random.Random()
        self._call_id = f"{token_hex(12)}@cordboard"
        self._from_tag = token_hex(6)
        self._cseq = 0
        self._timer: float | None = None
        self._pending: SipRequest | None = None
        """The REGISTER awaiting its final response."""
        self._challenge: DigestChallenge | None = None
        """The provider's last challenge: later REGISTERs answer it at once (nc counting up), so
        a refresh costs one round trip instead of two."""
        self._proxy_challenge = False
        self._nc = 0
        self._fresh_answer = False
        """The pending request answers a challenge just received: another one means wrong credentials."""
        self._stopping = False
        self._outbox: deque[SipRequest] = deque()
        self._events: deque[RegistrationChanged] = deque()

    # -- the owner ------------------------------------------------------------------------------
    def start(self, now: float) -> None:
        """Register now."""
        self._stopping = False
        self._send(now, self.config.expires)

    def stop(self, now: float) -> None:
        """Unregister (Expires 0) when registered; else simply stop trying."""
        self._timer = None
        was_registered = self.state == "registered"
        self._stopping = True
        if was_registered:
            self._send(now, 0)
        self._set("unregistered", "", 0)

    # -- output ---------------------------------------------------------------------------------
    def requests_to_send(self) -> list[SipRequest]:
        out = list(self._outbox)
        self._outbox.clear()
        return out

    def next_event(self) -> RegistrationChanged | None:
        return self._events.popleft() if self._events else None

    def get_timer(self) -> float | None:
        return self._timer

    # -- input ----------------------------------------------------------------------------------
    def handle_timer(self, now: float) -> None:
        if self._timer is None or now < self._timer:
            return
        self._timer = None
        self._send(now, self.config.expires)

    def receive_response(self, response: SipResponse, now: float) -> None:
        pending = self._pending
        if pending is None or response.cseq.seq != pending.cseq.seq or response.status < 200:
            return
        self._pending = None
        status = response.status
        expires_sent = pending.expires if pending.expires is not None else self.config.expires
        if status in (401, 407):
            self._challenged(pending, response, now)
        elif 200 <= status < 300:
            if expires_sent == 0 or self._stopping:
                return
            granted = self._granted(response, expires_sent)
            self.failures = 0
            self._set("registered", "", granted)
            refresh = max(MIN_REFRESH, granted * self._rng.uniform(*REFRESH_RANGE))
            self._timer = now + refresh
        elif status == 423:  # RFC 3261 10.2.8: Interval Too Brief; try again with Min-Expires
            minimum = response.headers.get(h.MIN_EXPIRES)
            if minimum is not None and minimum.strip().isdigit() and int(minimum) > expires_sent:
                self._send(now, int(minimum))
            else:
                self._fail(now, f"{status} {response.reason}")
        elif not self._stopping:
            self._fail(now, f"{status} {response.reason}")

    def transaction_failed(self, reason: str, now: float) -> None:
        """The pending REGISTER timed out or could not be sent."""
        if self._pending is None:
            return
        self._pending = None
        if not self._stopping:
            self._fail(now, reason)

    # -- internals ------------------------------------------------------------------------------
    def _challenged(self, pending: SipRequest, response: SipResponse, now: float) -> None:
        proxy = response.status == 407
        header = h.PROXY_AUTHENTICATE if proxy else h.WWW_AUTHENTICATE
        challenges = [c for v in response.headers.get_all(header) for c in parse_challenges(v)]
        challenge = select_challenge(challenges)
        if challenge is None:
            self._fail(now, f"{response.status}: no digest challenge we can answer")
            return
        if self._fresh_answer and not challenge.stale:
            self._challenge = None
            self._fail(now, f"{response.status} {response.reason}: the provider refused the credentials")
            return
        self._challenge, self._proxy_challenge, self._nc = challenge, proxy, 0
        expires = pending.expires if pending.expires is not None else self.config.expires
        request = self._register(expires)
        if not self._authorise(request, now):
            return
        self._fresh_answer = True
        self._queue(request)

    def _authorise(self, request: SipRequest, now: float) -> bool:
        """Add credentials for the stored challenge (False, and failed, when they cannot be made)."""
        challenge = self._challenge
        if challenge is None:
            return True
        self._nc += 1
        try:
            value = authorization_for(
                challenge,
                username=self.config.auth_username or self.config.username,
                password=self.config.password,
                method="REGISTER",
                uri=str(request.uri),
                nc=self._nc,
            )
        except UnsupportedDigestAlgorithm as err:
            self._challenge = None
            self._fail(now, str(err))
            return False
        request.headers.add(h.PROXY_AUTHORIZATION if self._proxy_challenge else h.AUTHORIZATION, value)
        return True

    def _granted(self, response: SipResponse, asked: int) -> int:
        """RFC 3261 10.2.4: our Contact's expires parameter, else Expires, else what we asked."""
        ours = _contact_key(self.config.contact)
        contacts = response.contacts if response.headers.get(h.CONTACT) else []
        if isinstance(contacts, list):
            for contact in contacts:
                if (
                    _contact_key(str(contact.uri)) == ours
                    and str(contact.params.get("expires", "")).isdigit()
                ):
                    return int(str(contact.params["expires"]))
        header = response.expires
        return header if header is not None else asked

    def _fail(self, now: float, error: str) -> None:
        self.failures += 1
        delay = backoff_delay(self.failures)
        self._timer = now + delay
        self._set("failed", error, 0, delay)

    def _set(self, state: str, error: str, expires_in: int, retry_in: float = 0.0) -> None:
        changed = (state, error) != (self.state, self.last_error) or state == "registered"
        self.state, self.last_error, self.expires_in = state, error, expires_in
        if changed:
            self._events.append(RegistrationChanged(state, error, expires_in, retry_in))

    def _send(self, now: float, expires: int) -> None:
        self._fresh_answer = False
        request = self._register(expires)
        if self._authorise(request, now):
            self._queue(request)

    def _queue(self, request: SipRequest) -> None:
        self._pending = request
        self._outbox.append(request)

    def _register(self, expires: int) -> SipRequest:
        config = self.config
        self._cseq += 1
        registrar = SipUri(host=config.domain, port=config.registrar_port)
        aor = SipUri(host=config.domain, user=config.username)
        headers = Headers()
        headers.add(h.MAX_FORWARDS, "70")
        headers.add(h.FROM, str(NameAddr(aor, None, {"tag": self._from_tag})))
        headers.add(h.TO, str(NameAddr(aor, None, {})))
        headers.add(h.CALL_ID, self._call_id)
        headers.add(h.CSEQ, str(CSeq(self._cseq, "REGISTER")))
        headers.add(h.CONTACT, f"<{config.contact}>")
        headers.add(h.EXPIRES, str(expires))
        return SipRequest("REGISTER", registrar, headers, b"")


def _contact_key(uri: str) -> str:
    """A Contact URI compared loosely: user, host and port (providers rewrite parameters)."""
    try:
        parsed = SipUri.parse(uri.strip("<>"))
    except Exception:
        return uri
    return f"{parsed.user}@{parsed.host}:{parsed.port or 5060}".lower()


__all__ = ["Registration", "RegistrationChanged", "RegistrationConfig", "backoff_delay"]
