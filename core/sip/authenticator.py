"""Digest authentication of SIP requests against users' stored HA1 values, with failure throttling."""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass
from typing import Final

from cordboard.core.sip.accounts import SipAccount, SipAccounts
from cordboard.core.sip.auth import AuthResult, DigestParseError, DigestVerifier, parse_credentials
from cordboard.core.sip.message import SipRequest, SipResponse, make_response

_LOGGER = logging.getLogger(__name__)

MAX_FAILURES: Final = 10
"""Failed digest responses from one source address tolerated within FAILURE_WINDOW_S."""
FAILURE_WINDOW_S: Final = 60.0
BLOCK_S: Final = 120.0
CHALLENGES: Final = frozenset((401, 407))
"""The statuses of a challenge: sent statelessly (``SipService.challenge``)."""


@dataclass(frozen=True, slots=True)
class AuthOutcome:
    """Either the authenticated account or the response to send instead."""

    account: SipAccount | None
    response: SipResponse | None


class FailureThrottle:
    """Counts failed authentications per source address; blocks an address that keeps failing."""

    def __init__(self) -> None:
        self._failures: dict[str, deque[float]] = {}
        """Times of the recent failures per source (at most MAX_FAILURES kept)."""
        self._blocked_until: dict[str, float] = {}

    def blocked(self, source: str, now: float) -> bool:
        until = self._blocked_until.get(source)
        if until is None:
            return False
        if until <= now:
            del self._blocked_until[source]
            return False
        return True

    def fail(self, source: str, now: float) -> None:
        times = self._failures.get(source)
        if times is None:
            times = self._failures[source] = deque(maxlen=MAX_FAILURES)
        times.append(now)
        while now - times[0] > FAILURE_WINDOW_S:  # a sliding window: any 60 s, not fixed slots
            times.popleft()
        if len(times) >= MAX_FAILURES:
            self._blocked_until[source] = now + BLOCK_S
            self._failures.pop(source, None)
            _LOGGER.warning(
                "SIP authentication from %s blocked for %d s after repeated failures", source, BLOCK_S
            )
            return
        if len(self._failures) > 50_000:  # bound memory under a distributed attack
            self._failures = {k: v for k, v in self._failures.items() if now - v[-1] <= FAILURE_WINDOW_S}

    def succeed(self, source: str) -> None:
        self._failures.pop(source, None)


def _scheme(value: str) -> str:
    """The auth scheme of a credentials value, lower-cased ("" when empty)."""
    words = value.split(None, 1)
    return words[0].lower() if words else ""


class Authenticator:
    """Challenges (401 for REGISTER, 407 otherwise) and verifies digest credentials (RFC 3261 22)."""

    def __init__(self, accounts: SipAccounts, verifier: DigestVerifier) -> None:
        self._accounts = accounts
        self._verifier = verifier
        self.throttle = FailureThrottle()

    def _challenge(self, request: SipRequest, proxy: bool, now: float, *, stale: bool = False) -> SipResponse:
        status, header = (407, "Proxy-Authenticate") if proxy else (401, "WWW-Authenticate")
        response = make_response(request, status)
        for value in self._verifier.challenge_headers(now, stale=stale):
            response.headers.add(header, value)
        return response

    def check(self, request: SipRequest, source: str, now: float) -> AuthOutcome:
        """Authenticate ``request`` from ``source`` (an IP address)."""
        proxy = request.method != "REGISTER"
        if self.throttle.blocked(source, now):
            return AuthOutcome(None, make_response(request, 403, "Forbidden - Too Many Failed Attempts"))
        header = "Proxy-Authorization" if proxy else "Authorization"
        # Credentials in a scheme we do not know are ignored and Digest asked for (RFC 4475 3.3.7).
        values = [v for v in request.headers.get_all(header) if _scheme(v) == "digest"]
        if not values:
            return AuthOutcome(None, self._challenge(request, proxy, now))
        try:
            credentials = parse_credentials(values[0])
        except DigestParseError as err:
            return AuthOutcome(None, make_response(request, 400, f"Bad Request - Malformed {header}: {err}"))
        account = self._accounts.by_username(credentials.username)
        if account is None or account.ha1_md5 is None:
            self.throttle.fail(source, now)
            return AuthOutcome(None, self._challenge(request, proxy, now))
        if account.locked:
            return AuthOutcome(None, make_response(request, 403, "Forbidden - Account Locked"))
        ha1s = {k: v for k, v in (("MD5", account.ha1_md5), ("SHA-256", account.ha1_sha256)) if v}
        result = self._verifier.verify(credentials, request.method, ha1s, now)
        if result is AuthResult.OK:
            self.throttle.succeed(source)
            return AuthOutcome(account, None)
        if result in (AuthResult.STALE, AuthResult.REPLAY):
            # Right password, used nonce: a phone that caches nonces (or a replay, which a fresh
            # nonce defeats). Not a failure: the phone answers the new challenge at once.
            return AuthOutcome(None, self._challenge(request, proxy, now, stale=True))
        if result is AuthResult.MALFORMED:
            return AuthOutcome(None, make_response(request, 400, f"Bad Request - Unsupported {header}"))
        self.throttle.fail(source, now)
        _LOGGER.info(
            "SIP authentication of %s from %s failed: %s", credentials.username, source, result.value
        )
        return AuthOutcome(None, self._challenge(request, proxy, now))
