"""Digest authentication of REGISTER and other requests, with an injected clock.

401 for REGISTER and 407 otherwise (RFC 3261 22), stale nonces, nonce-count replay, and the per-source
failure throttle (10 failures in 60 s block the address for 120 s). USR-08: a locked user is refused.
"""

from __future__ import annotations

import dataclasses
from typing import cast

import pytest

from cordboard.core.identity.digest import ha1_pair
from cordboard.core.sip.accounts import SipAccount, SipAccounts
from cordboard.core.sip.auth import (
    DigestVerifier,
    NonceManager,
    authorization_for,
    parse_challenge,
)
from cordboard.core.sip.authenticator import (
    BLOCK_S,
    FAILURE_WINDOW_S,
    MAX_FAILURES,
    Authenticator,
    FailureThrottle,
)
from cordboard.core.sip.message import SipRequest, SipResponse, parse_message

REALM = "cordboard"
T0 = 5_000.0
GOOD = "198.51.100.1"
BAD = "203.0.113.66"
PASSWORD = "anna-sip-secret-1"


def account(
    username: str, user_id: int, *, password: str | None = PASSWORD, locked: bool = False
) -> SipAccount:
    md5, sha256 = ha1_pair(username, REALM, password) if password else (None, None)
    return SipAccount(user_id, username, None, username.title(), md5, sha256, locked)


class FakeAccounts:
    def __init__(self, *accounts: SipAccount) -> None:
        self._by_username = {a.username.lower(): a for a in accounts}

    def by_username(self, username: str) -> SipAccount | None:
        return self._by_username.get(username.lower())


@pytest.fixture
def authenticator() -> Authenticator:
    accounts = FakeAccounts(
        account("anna", 1),
        account("bo", 2),
        account("locked", 3, locked=True),
        account("nosip", 4, password=None),
    )
    verifier = DigestVerifier(NonceManager(b"k" * 32), REALM)
    return Authenticator(cast(SipAccounts, accounts), verifier)


def request(method: str = "REGISTER", *, auth: str | None = None, cseq: int = 1) -> SipRequest:
    header = "Authorization" if method == "REGISTER" else "Proxy-Authorization"
    lines = [
        f"{method} sip:pbx.test SIP/2.0",
        f"Via: SIP/2.0/UDP 198.51.100.1;branch=z9hG4bK{method}{cseq}",
        "Max-Forwards: 70",
        "From: <sip:anna@pbx.test>;tag=1",
        "To: <sip:anna@pbx.test>",
        "Call-ID: auth-test",
        f"CSeq: {cseq} {method}",
    ]
    if auth is not None:
        lines.append(f"{header}: {auth}")
    lines += ["Content-Length: 0", "", ""]
    message = parse_message("\r\n".join(lines).encode())
    assert isinstance(message, SipRequest)
    return message


def challenge_of(response: SipResponse, algorithm: str = "SHA-256") -> str:
    header = "WWW-Authenticate" if response.status == 401 else "Proxy-Authenticate"
    for value in response.headers.get_all(header):
        if parse_challenge(value).algorithm == algorithm:
            return value
    raise AssertionError(f"no {algorithm} challenge in {response.headers.get_all(header)}")


def answer(
    response: SipResponse,
    *,
    method: str = "REGISTER",
    username: str = "anna",
    password: str = PASSWORD,
    algorithm: str = "SHA-256",
    nc: int = 1,
) -> str:
    return authorization_for(
        parse_challenge(challenge_of(response, algorithm)),
        username=username,
        password=password,
        method=method,
        uri="sip:pbx.test",
        nc=nc,
    )


def challenge(authenticator: Authenticator, now: float = T0, method: str = "REGISTER") -> SipResponse:
    outcome = authenticator.check(request(method), GOOD, now)
    assert outcome.account is None and outcome.response is not None
    return outcome.response


def test_register_without_credentials_gets_401_with_both_algorithms(authenticator: Authenticator) -> None:
    response = challenge(authenticator)
    assert response.status == 401
    values = response.headers.get_all("WWW-Authenticate")
    assert [parse_challenge(v).algorithm for v in values] == ["SHA-256", "MD5"]
    for value in values:
        parsed = parse_challenge(value)
        assert parsed.realm == REALM and parsed.qop == ("auth",) and not parsed.stale
    assert "Proxy-Authenticate" not in response.headers


@pytest.mark.parametrize("method", ["INVITE", "OPTIONS", "BYE"])
def test_other_methods_get_407(authenticator: Authenticator, method: str) -> None:
    response = challenge(authenticator, method=method)
    assert response.status == 407
    assert len(response.headers.get_all("Proxy-Authenticate")) == 2
    assert "WWW-Authenticate" not in response.headers
    creds = answer(response, method=method)
    outcome = authenticator.check(request(method, auth=creds), GOOD, T0 + 1)
    assert outcome.account is not None and outcome.account.username == "anna"


@pytest.mark.parametrize("algorithm", ["SHA-256", "MD5"])
def test_right_password_accepted(authenticator: Authenticator, algorithm: str) -> None:
    creds = answer(challenge(authenticator), algorithm=algorithm)
    outcome = authenticator.check(request(auth=creds, cseq=2), GOOD, T0 + 1)
    assert outcome.response is None
    assert outcome.account is not None and outcome.account.user_id == 1


def test_credentials_in_the_wrong_header_are_ignored(authenticator: Authenticator) -> None:
    creds = answer(challenge(authenticator, method="INVITE"), method="INVITE")
    # An INVITE carrying Authorization (not Proxy-Authorization) is challenged again.
    message = request("INVITE")
    message.headers.add("Authorization", creds)
    outcome = authenticator.check(message, GOOD, T0 + 1)
    assert outcome.response is not None and outcome.response.status == 407


def test_stale_nonce_rechallenged_with_stale_true(authenticator: Authenticator) -> None:
    lifetime = authenticator._verifier.nonce_manager.lifetime_s
    creds = answer(challenge(authenticator, T0))
    outcome = authenticator.check(request(auth=creds, cseq=2), GOOD, T0 + lifetime + 1)
    assert outcome.account is None and outcome.response is not None
    assert outcome.response.status == 401
    values = outcome.response.headers.get_all("WWW-Authenticate")
    assert values and all(parse_challenge(v).stale for v in values)
    # The fresh nonce works; a stale answer is not a failure that counts toward blocking.
    fresh = answer(outcome.response)
    assert authenticator.check(request(auth=fresh, cseq=3), GOOD, T0 + lifetime + 2).account is not None


def test_stale_is_only_said_to_who_knows_the_password(authenticator: Authenticator) -> None:
    lifetime = authenticator._verifier.nonce_manager.lifetime_s
    creds = answer(challenge(authenticator, T0), password="wrong")
    outcome = authenticator.check(request(auth=creds, cseq=2), GOOD, T0 + lifetime + 1)
    assert outcome.response is not None and outcome.response.status == 401
    values = outcome.response.headers.get_all("WWW-Authenticate")
    assert not any(parse_challenge(v).stale for v in values)


def test_replayed_nonce_count_rejected(authenticator: Authenticator) -> None:
    first = challenge(authenticator)
    creds = answer(first, nc=1)
    assert authenticator.check(request(auth=creds, cseq=2), GOOD, T0 + 1).account is not None
    replay = authenticator.check(request(auth=creds, cseq=2), BAD, T0 + 2)
    assert replay.account is None and replay.response is not None and replay.response.status == 401
    # The same nonce with the next count is fine (RFC 7616 3.4).
    nxt = answer(first, nc=2)
    assert authenticator.check(request(auth=nxt, cseq=3), GOOD, T0 + 3).account is not None
    lower = answer(first, nc=1)
    assert authenticator.check(request(auth=lower, cseq=4), GOOD, T0 + 4).account is None


def test_credentials_without_qop_are_good_for_one_request(authenticator: Authenticator) -> None:
    """The RFC 2069 form has no nonce-count: its nonce serves one request, so a captured REGISTER
    cannot be replayed (with another Contact) while the nonce lives. The phone is re-challenged
    with stale=true and that is not counted as a failed attempt."""
    first = challenge(authenticator)
    old_style = dataclasses.replace(parse_challenge(challenge_of(first, "MD5")), qop=())
    creds = authorization_for(
        old_style, username="anna", password=PASSWORD, method="REGISTER", uri="sip:pbx.test"
    )
    assert "qop" not in creds
    assert authenticator.check(request(auth=creds, cseq=2), GOOD, T0 + 1).account is not None
    for attempt in range(MAX_FAILURES + 2):
        replay = authenticator.check(request(auth=creds, cseq=3 + attempt), GOOD, T0 + 2)
        assert replay.account is None and replay.response is not None
        assert replay.response.status == 401
        assert "stale=true" in replay.response.headers.get_all("WWW-Authenticate")[0]
    fresh = answer(challenge(authenticator, T0 + 3), algorithm="MD5")
    assert authenticator.check(request(auth=fresh, cseq=20), GOOD, T0 + 3).account is not None, (
        "replays are not failures: the address is not blocked"
    )


def test_unknown_user_and_user_without_sip_password_are_challenged(authenticator: Authenticator) -> None:
    for username in ("nobody", "nosip"):
        creds = answer(challenge(authenticator), username=username)
        outcome = authenticator.check(request(auth=creds, cseq=2), GOOD, T0 + 1)
        assert outcome.response is not None and outcome.response.status == 401


def test_locked_user_forbidden(authenticator: Authenticator) -> None:
    """USR-08: a locked user's device cannot register, even with the right password."""
    creds = answer(challenge(authenticator), username="locked")
    outcome = authenticator.check(request(auth=creds, cseq=2), GOOD, T0 + 1)
    assert outcome.account is None and outcome.response is not None
    assert outcome.response.status == 403


@pytest.mark.parametrize(
    "value", ["Digest", 'Digest username="anna"', 'DIGEST username="anna", realm="x', "digest ,,,"]
)
def test_malformed_credentials_400(authenticator: Authenticator, value: str) -> None:
    outcome = authenticator.check(request(auth=value), GOOD, T0)
    assert outcome.response is not None and outcome.response.status == 400


@pytest.mark.parametrize("value", ["Basic YW5uYTpwdw==", "NoOneKnowsThisScheme opaque-data=here", "\x00", ""])
def test_unknown_scheme_is_challenged(authenticator: Authenticator, value: str) -> None:
    """RFC 4475 3.3.7: credentials in a scheme we do not know get a Digest challenge, not a 400."""
    outcome = authenticator.check(request(auth=value), GOOD, T0)
    assert outcome.response is not None and outcome.response.status == 401
    assert outcome.response.headers.get_all("WWW-Authenticate")


def test_digest_credentials_found_among_others(authenticator: Authenticator) -> None:
    creds = answer(challenge(authenticator))
    message = request(auth="Basic YW5uYTpwdw==", cseq=2)
    message.headers.add("Authorization", creds)
    outcome = authenticator.check(message, GOOD, T0 + 1)
    assert outcome.account is not None


def test_unsupported_algorithm_400(authenticator: Authenticator) -> None:
    creds = answer(challenge(authenticator)).replace("algorithm=SHA-256", "algorithm=SHA-1")
    outcome = authenticator.check(request(auth=creds, cseq=2), GOOD, T0 + 1)
    assert outcome.response is not None and outcome.response.status == 400


def fail_once(authenticator: Authenticator, source: str, now: float) -> SipResponse:
    creds = answer(challenge(authenticator, now), password="guess")
    outcome = authenticator.check(request(auth=creds, cseq=2), source, now)
    assert outcome.account is None and outcome.response is not None
    return outcome.response


def test_wrong_password_throttled_then_released(authenticator: Authenticator) -> None:
    """10 failures within 60 s from one address: 403 for 120 s, even with the right password."""
    assert (MAX_FAILURES, FAILURE_WINDOW_S, BLOCK_S) == (10, 60.0, 120.0)
    for i in range(MAX_FAILURES):
        assert fail_once(authenticator, BAD, T0 + i).status == 401
    now = T0 + MAX_FAILURES
    blocked = authenticator.check(request(), BAD, now)
    assert blocked.response is not None and blocked.response.status == 403
    right = answer(challenge(authenticator, now))
    refused = authenticator.check(request(auth=right, cseq=2), BAD, now)
    assert refused.account is None and refused.response is not None and refused.response.status == 403
    block_start = T0 + MAX_FAILURES - 1
    still = authenticator.check(request(), BAD, block_start + BLOCK_S - 1)
    assert still.response is not None and still.response.status == 403
    later = block_start + BLOCK_S + 1
    right = answer(challenge(authenticator, later))
    assert authenticator.check(request(auth=right, cseq=3), BAD, later).account is not None


def test_a_good_source_is_not_blocked_by_a_bad_one(authenticator: Authenticator) -> None:
    for i in range(MAX_FAILURES + 5):
        fail_once(authenticator, BAD, T0 + i)
    now = T0 + MAX_FAILURES + 5
    creds = answer(challenge(authenticator, now))
    outcome = authenticator.check(request(auth=creds, cseq=2), GOOD, now)
    assert outcome.account is not None and outcome.account.username == "anna"
    # Also the attacked user may still register from their own address.
    assert authenticator.check(request(), GOOD, now).response.status == 401  # type: ignore[union-attr]


def test_failures_spread_beyond_the_window_do_not_block(authenticator: Authenticator) -> None:
    for i in range(3 * MAX_FAILURES):
        response = fail_once(authenticator, BAD, T0 + i * (FAILURE_WINDOW_S / (MAX_FAILURES - 2)))
        assert response.status == 401, f"blocked after {i + 1} spread-out failures"


def test_success_resets_the_failure_count(authenticator: Authenticator) -> None:
    for i in range(MAX_FAILURES - 1):
        fail_once(authenticator, GOOD, T0 + i)
    creds = answer(challenge(authenticator, T0 + 10))
    assert authenticator.check(request(auth=creds, cseq=2), GOOD, T0 + 10).account is not None
    for i in range(MAX_FAILURES - 1):
        assert fail_once(authenticator, GOOD, T0 + 11 + i).status == 401
    assert authenticator.check(request(), GOOD, T0 + 30).response.status == 401  # type: ignore[union-attr]


def test_unknown_usernames_count_as_failures(authenticator: Authenticator) -> None:
    for i in range(MAX_FAILURES):
        creds = answer(challenge(authenticator, T0 + i), username=f"guess{i}")
        authenticator.check(request(auth=creds, cseq=2), BAD, T0 + i)
    assert authenticator.check(request(), BAD, T0 + 11).response.status == 403  # type: ignore[union-attr]


def test_throttle_unit() -> None:
    throttle = FailureThrottle()
    for i in range(MAX_FAILURES - 1):
        throttle.fail("a", T0 + i)
        assert not throttle.blocked("a", T0 + i)
    throttle.fail("a", T0 + 9)
    assert throttle.blocked("a", T0 + 9)
    assert not throttle.blocked("b", T0 + 9)
    assert throttle.blocked("a", T0 + 9 + BLOCK_S - 0.5)
    assert not throttle.blocked("a", T0 + 9 + BLOCK_S)
    # After the block the count starts again from zero.
    throttle.fail("a", T0 + 200)
    assert not throttle.blocked("a", T0 + 200)


def test_ten_failures_within_any_60_s_block() -> None:
    """The window slides: failures straddling the end of an earlier window still count together."""
    throttle = FailureThrottle()
    throttle.fail("a", T0)
    for i in range(MAX_FAILURES - 2):
        throttle.fail("a", T0 + 52 + i)
    throttle.fail("a", T0 + 61)  # the first failure is out of the window now: 9 in the last 60 s
    assert not throttle.blocked("a", T0 + 61)
    throttle.fail("a", T0 + 62)  # ten failures between T0 + 52 and T0 + 62
    assert throttle.blocked("a", T0 + 62)


def test_octets_that_are_not_utf8_in_credentials_do_not_raise(authenticator: Authenticator) -> None:
    creds = answer(challenge(authenticator), algorithm="MD5").encode()
    for mangled in (
        creds.replace(b'nonce="', b'nonce="\xff'),
        creds.replace(b'response="', b'response="\xe9'),
    ):
        data = bytes(request(cseq=2)).replace(
            b"Content-Length", b"Authorization: " + mangled + b"\r\nContent-Length"
        )
        message = parse_message(data)
        assert isinstance(message, SipRequest)
        outcome = authenticator.check(message, GOOD, T0 + 1)
        assert outcome.account is None and outcome.response is not None
        assert outcome.response.status == 401
