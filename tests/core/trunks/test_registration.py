"""BYD-01: the outbound registration state machine, driven with a fake clock and a digest server."""

from __future__ import annotations

import random

from cordboard.core.identity.digest import ha1
from cordboard.core.sip import headers as h
from cordboard.core.sip.auth import AuthResult, DigestVerifier, NonceManager, parse_credentials
from cordboard.core.sip.message import SipRequest, SipResponse, make_response, parse_message
from cordboard.core.trunks.registration import (
    Registration,
    RegistrationConfig,
    backoff_delay,
)

CONFIG = RegistrationConfig(
    domain="provider.test",
    username="4589000000",
    auth_username="acct1",
    password="s3cret",
    contact="sip:4589000000@192.0.2.10:5060",
    expires=600,
)


def _wire(request: SipRequest) -> SipRequest:
    """As the provider receives it (with the Via the driver adds)."""
    request.headers.add(h.VIA, "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKtest", prepend=True)
    parsed = parse_message(bytes(request))
    assert isinstance(parsed, SipRequest)
    return parsed


class Provider:
    """A registrar with digest (MD5 and SHA-256, qop=auth) for one account."""

    def __init__(self, password: str = "s3cret", algorithms: tuple[str, ...] = ("SHA-256", "MD5")) -> None:
        self.verifier = DigestVerifier(NonceManager(b"k" * 32), "provider.test", algorithms)
        self.password = password
        self.granted = 120

    def answer(self, request: SipRequest, now: float) -> SipResponse:
        value = request.headers.get(h.AUTHORIZATION)
        if value is None:
            response = make_response(request, 401, to_tag="p1")
            for challenge in self.verifier.challenge_headers(now):
                response.headers.add(h.WWW_AUTHENTICATE, challenge)
            return response
        credentials = parse_credentials(value)
        assert credentials.username == "acct1"
        assert credentials.qop == "auth"
        secrets = {
            "MD5": ha1("acct1", "provider.test", self.password),
            "SHA-256": ha1("acct1", "provider.test", self.password, "SHA-256"),
        }
        if self.verifier.verify(credentials, "REGISTER", secrets, now) is not AuthResult.OK:
            response = make_response(request, 401, to_tag="p1")
            for challenge in self.verifier.challenge_headers(now):
                response.headers.add(h.WWW_AUTHENTICATE, challenge)
            return response
        ok = make_response(request, 200, to_tag="p1")
        ok.headers.add(h.CONTACT, f"<{CONFIG.contact}>;expires={self.granted}")
        return ok


def _run(reg: Registration, provider: Provider, now: float) -> None:
    """Deliver every queued REGISTER to the provider and its answer back, until quiet."""
    for _ in range(5):
        requests = reg.requests_to_send()
        if not requests:
            return
        for request in requests:
            reg.receive_response(provider.answer(_wire(request), now), now)


def _states(reg: Registration) -> list[str]:
    out = []
    while (event := reg.next_event()) is not None:
        out.append(event.state)
    return out


def test_byd_01_registers_with_digest_and_refreshes_before_expiry() -> None:
    reg = Registration(CONFIG, rng=random.Random(1))
    provider = Provider()
    reg.start(0.0)
    _run(reg, provider, 0.0)
    assert reg.state == "registered"
    assert reg.expires_in == 120
    assert _states(reg) == ["registered"]
    timer = reg.get_timer()
    assert timer is not None and 0.5 * 120 <= timer <= 0.8 * 120
    reg.handle_timer(timer)
    _run(reg, provider, timer)
    assert reg.state == "registered"
    # One Call-ID, CSeq increasing: 1 (401), 2 (200); the refresh answers the stored challenge
    # at once (nc=2): 3 (200).
    assert reg._cseq == 3


def test_byd_01_wrong_password_fails_and_backs_off() -> None:
    reg = Registration(CONFIG, rng=random.Random(1))
    provider = Provider(password="other")
    reg.start(0.0)
    _run(reg, provider, 0.0)
    assert reg.state == "failed"
    assert "refused the credentials" in reg.last_error
    assert reg.get_timer() == 30.0
    reg.handle_timer(30.0)
    _run(reg, provider, 30.0)
    assert reg.get_timer() == 30.0 + 60.0
    assert [backoff_delay(n) for n in (1, 2, 3, 4, 5, 6, 7)] == [30, 60, 120, 240, 480, 600, 600]
    provider.password = "s3cret"
    reg.handle_timer(90.0)
    _run(reg, provider, 90.0)
    assert reg.state == "registered" and reg.failures == 0


def test_byd_01_md5_only_provider_and_timeout() -> None:
    reg = Registration(CONFIG)
    provider = Provider(algorithms=("MD5",))
    reg.start(0.0)
    _run(reg, provider, 0.0)
    assert reg.state == "registered"
    reg.handle_timer(reg.get_timer() or 0)
    assert reg.requests_to_send()
    reg.transaction_failed("408 Request Timeout", 100.0)
    assert reg.state == "failed" and reg.last_error == "408 Request Timeout"
    assert reg.get_timer() == 130.0


def test_byd_01_unregister_sends_expires_zero() -> None:
    reg = Registration(CONFIG)
    provider = Provider()
    reg.start(0.0)
    _run(reg, provider, 0.0)
    reg.stop(10.0)
    sent = reg.requests_to_send()
    assert len(sent) == 1 and sent[0].expires == 0
    assert reg.state == "unregistered"
    reg.receive_response(provider.answer(_wire(sent[0]), 10.0), 10.0)
    assert reg.state == "unregistered"
    assert reg.get_timer() is None
