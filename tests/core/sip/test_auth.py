"""Digest authentication: RFC 7616 vectors, parsing, nonces, replay and the client/server round trip."""

from __future__ import annotations

import pytest

from cordboard.core.identity.digest import ha1_pair
from cordboard.core.sip.auth import (
    AuthResult,
    DigestChallenge,
    DigestCredentials,
    DigestParseError,
    NonceManager,
    UnsupportedDigestAlgorithm,
    authorization_for,
    challenge_headers,
    compute_response,
    parse_challenge,
    parse_challenges,
    parse_credentials,
    select_challenge,
    verify,
)

# RFC 7616 section 3.9.1
USER = "Mufasa"
PASSWORD = "Circle of Life"
RFC_REALM = "http-auth@example.org"
RFC_NONCE = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
RFC_CNONCE = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
RFC_OPAQUE = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"
RFC_MD5 = "8ca523f5e9506fed4657c9700eebdbec"
RFC_SHA256 = "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"

REALM = "cordboard"
NOW = 1_700_000_000.0


def rfc_challenge(algorithm: str) -> DigestChallenge:
    return DigestChallenge(
        realm=RFC_REALM, nonce=RFC_NONCE, algorithm=algorithm, qop=("auth",), opaque=RFC_OPAQUE
    )


@pytest.mark.parametrize(("algorithm", "expected"), [("MD5", RFC_MD5), ("SHA-256", RFC_SHA256)])
def test_rfc7616_vectors_client(algorithm: str, expected: str) -> None:
    value = authorization_for(
        rfc_challenge(algorithm),
        username=USER,
        password=PASSWORD,
        method="GET",
        uri="/dir/index.html",
        nc=1,
        cnonce=RFC_CNONCE,
    )
    creds = parse_credentials(value)
    assert creds.response == expected
    assert creds.nc == "00000001"
    assert creds.qop == "auth"
    assert creds.opaque == RFC_OPAQUE
    assert creds.algorithm == algorithm


@pytest.mark.parametrize(("algorithm", "expected"), [("MD5", RFC_MD5), ("SHA-256", RFC_SHA256)])
def test_rfc7616_vectors_from_stored_ha1(algorithm: str, expected: str) -> None:
    ha1_md5, ha1_sha256 = ha1_pair(USER, RFC_REALM, PASSWORD)
    response = compute_response(
        algorithm=algorithm,
        ha1=ha1_md5 if algorithm == "MD5" else ha1_sha256,
        nonce=RFC_NONCE,
        method="GET",
        uri="/dir/index.html",
        qop="auth",
        nc="00000001",
        cnonce=RFC_CNONCE,
    )
    assert response == expected


def test_parse_rfc7616_authorization_example() -> None:
    value = (
        'Digest username="Mufasa",\r\n realm="http-auth@example.org",\r\n uri="/dir/index.html",\r\n'
        ' algorithm=SHA-256,\r\n nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",\r\n'
        ' nc=00000001,\r\n cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",\r\n qop=auth,\r\n'
        f' response="{RFC_SHA256}",\r\n opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"'
    )
    creds = parse_credentials(value)
    assert creds == DigestCredentials(
        username=USER,
        realm=RFC_REALM,
        nonce=RFC_NONCE,
        uri="/dir/index.html",
        response=RFC_SHA256,
        algorithm="SHA-256",
        cnonce=RFC_CNONCE,
        opaque=RFC_OPAQUE,
        qop="auth",
        nc="00000001",
    )
    assert creds.nc_value == 1
    assert parse_credentials(str(creds)) == creds


def test_parse_challenge_weird_but_valid() -> None:
    value = (
        'digest   REALM = "a \\"quoted\\" realm" ,nonce="abc,def" , , algorithm="sha-256",'
        'qop="auth, auth-int",stale=TRUE, opaque=xyz, userhash=false'
    )
    challenge = parse_challenge(value)
    assert challenge.realm == 'a "quoted" realm'
    assert challenge.nonce == "abc,def"
    assert challenge.algorithm == "SHA-256"
    assert challenge.qop == ("auth", "auth-int")
    assert challenge.stale is True
    assert challenge.opaque == "xyz"
    assert challenge.extra == {"userhash": "false"}
    assert parse_challenge(str(challenge)) == challenge


def test_parse_challenge_defaults_and_unquoted_nonce() -> None:
    challenge = parse_challenge("Digest realm=asterisk,nonce=1a2b/3c==")
    assert challenge.algorithm == "MD5"
    assert challenge.qop == ()
    assert challenge.nonce == "1a2b/3c=="
    assert not challenge.stale


def test_parse_credentials_tolerates_quoted_tokens_and_escapes() -> None:
    value = (
        'Digest username="o\\\\neil \\"x\\"", realm="cordboard", nonce="n", uri="sip:pbx.lan",'
        ' response="ABCDEF", algorithm="MD5", qop="auth", nc="0000000a", cnonce="c"'
    )
    creds = parse_credentials(value)
    assert creds.username == 'o\\neil "x"'
    assert creds.qop == "auth"
    assert creds.nc_value == 10
    assert parse_credentials(str(creds)) == creds


def test_parse_username_star() -> None:
    creds = parse_credentials(
        'Digest username*=UTF-8\'\'J%C3%A4s%C3%B8n%20Doe, realm=r, nonce=n, uri="sip:x", response="0"'
    )
    assert creds.username == "Jäsøn Doe"


def test_parse_multiple_challenges_in_one_value() -> None:
    value = 'Basic realm="x", Digest realm="r", nonce="1", algorithm=SHA-256, Digest realm="r", nonce="1"'
    challenges = parse_challenges(value)
    assert [c.algorithm for c in challenges] == ["SHA-256", "MD5"]
    with pytest.raises(DigestParseError):
        parse_challenge(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "Digest",
        "Basic realm=x, nonce=y",
        'Digest realm="unterminated, nonce="x"',
        "Digest realm=, nonce=x",
        "Digest realm=x nonce=y",
        "Digest realm=x, realm=y, nonce=z",
        "Digest =x",
        "Digest realm=x",
        "Digest, realm=x, nonce=y",
        "Digest realm=x; nonce=y",
        "\x00\x01\x02",
    ],
)
def test_challenge_garbage_raises(value: str) -> None:
    with pytest.raises(DigestParseError):
        parse_challenge(value)


@pytest.mark.parametrize(
    "value",
    [
        'Digest realm="r", nonce="n", uri="u", response="x"',  # no username
        'Digest username="u", realm="r", nonce="n", uri="u", response="x", nc=zz',
        'Digest username="u", realm="r", nonce="n", uri="u", response="x", nc=123456789',
        "Digest username*=bogus, realm=r, nonce=n, uri=u, response=x",
        "Digest username=\"a\", username*=UTF-8''b, realm=r, nonce=n, uri=u, response=x",
        "garbage",
    ],
)
def test_credentials_garbage_raises(value: str) -> None:
    with pytest.raises(DigestParseError):
        parse_credentials(value)


# --- nonces ---


def test_nonce_issue_and_check() -> None:
    manager = NonceManager(b"secret", lifetime_s=300)
    nonce = manager.issue(NOW)
    assert manager.issue(NOW) != nonce
    assert manager.check(nonce, NOW) == "ok"
    assert manager.check(nonce, NOW + 299) == "ok"
    assert manager.check(nonce, NOW + 301) == "stale"
    assert manager.check(nonce, NOW - 10) == "invalid"  # issued in the future
    assert NonceManager(b"other").check(nonce, NOW) == "invalid"
    assert manager.check("not-a-nonce!!", NOW) == "invalid"
    assert manager.check(nonce[:-2] + ("AA" if nonce[-2:] != "AA" else "BB"), NOW) == "invalid"
    assert manager.check("", NOW) == "invalid"


def test_nonce_count_replay_and_bounded_memory() -> None:
    manager = NonceManager(b"secret", lifetime_s=300, max_tracked=3)
    nonce = manager.issue(NOW)
    assert manager.accept_nc(nonce, 1, NOW)
    assert not manager.accept_nc(nonce, 1, NOW)
    assert manager.accept_nc(nonce, 3, NOW)
    assert not manager.accept_nc(nonce, 2, NOW)
    assert not manager.accept_nc("forged", 1, NOW)
    # Expired entries are evicted.
    later = NOW + 1000
    assert manager.accept_nc(manager.issue(later), 1, later)
    assert manager.tracked == 1
    # Beyond max_tracked the oldest are forgotten and answered as stale, never replayable.
    nonces = [manager.issue(later + i) for i in range(5)]
    for i, n in enumerate(nonces):
        assert manager.accept_nc(n, 1, later + i)
    assert manager.tracked == 3
    assert manager.check(nonces[0], later + 5) == "stale"
    assert manager.check(nonces[-1], later + 5) == "ok"


# --- verify ---


def creds_for(
    manager: NonceManager,
    *,
    algorithm: str = "SHA-256",
    password: str = "pw",
    nc: int = 1,
    now: float = NOW,
    realm: str = REALM,
    qop: tuple[str, ...] = ("auth",),
) -> DigestCredentials:
    challenge = DigestChallenge(realm=realm, nonce=manager.issue(now), algorithm=algorithm, qop=qop)
    value = authorization_for(
        challenge, username="1001", password=password, method="REGISTER", uri="sip:pbx.lan", nc=nc
    )
    return parse_credentials(value)


def stored(password: str = "pw") -> dict[str, str]:
    md5, sha = ha1_pair("1001", REALM, password)
    return {"MD5": md5, "SHA-256": sha}


def check(creds: DigestCredentials, manager: NonceManager, now: float = NOW) -> AuthResult:
    return verify(creds, "REGISTER", stored(), nonce_manager=manager, now=now, realm=REALM)


@pytest.mark.parametrize("algorithm", ["MD5", "SHA-256", "MD5-sess", "SHA-256-sess"])
def test_round_trip_ok(algorithm: str) -> None:
    manager = NonceManager(b"k")
    assert check(creds_for(manager, algorithm=algorithm), manager) is AuthResult.OK


def test_no_qop_rfc2617_compat() -> None:
    manager = NonceManager(b"k")
    creds = creds_for(manager, algorithm="MD5", qop=())
    assert creds.qop is None and creds.nc is None and creds.cnonce is None
    assert check(creds, manager) is AuthResult.OK


def test_stale_nonce() -> None:
    manager = NonceManager(b"k", lifetime_s=300)
    creds = creds_for(manager)
    assert check(creds, manager, now=NOW + 301) is AuthResult.STALE


def test_foreign_nonce_with_right_password_is_stale() -> None:
    creds = creds_for(NonceManager(b"before-restart"))
    assert check(creds, NonceManager(b"after-restart")) is AuthResult.STALE


def test_wrong_password() -> None:
    manager = NonceManager(b"k")
    assert check(creds_for(manager, password="nope"), manager) is AuthResult.BAD_CREDENTIALS
    # A wrong password never earns "stale", even with an expired nonce.
    assert check(creds_for(manager, password="nope"), manager, NOW + 999) is AuthResult.BAD_CREDENTIALS


def test_wrong_realm_and_missing_ha1() -> None:
    manager = NonceManager(b"k")
    assert check(creds_for(manager, realm="other"), manager) is AuthResult.BAD_CREDENTIALS
    creds = creds_for(manager, algorithm="SHA-256")
    only_md5 = {"MD5": stored()["MD5"]}
    result = verify(creds, "REGISTER", only_md5, nonce_manager=manager, now=NOW, realm=REALM)
    assert result is AuthResult.BAD_CREDENTIALS


def test_nc_replay() -> None:
    manager = NonceManager(b"k")
    creds = creds_for(manager)
    assert check(creds, manager) is AuthResult.OK
    assert check(creds, manager) is AuthResult.REPLAY
    nonce_challenge = DigestChallenge(realm=REALM, nonce=creds.nonce, algorithm="SHA-256", qop=("auth",))
    for nc, expected in [(2, AuthResult.OK), (5, AuthResult.OK), (4, AuthResult.REPLAY)]:
        value = authorization_for(
            nonce_challenge, username="1001", password="pw", method="REGISTER", uri="sip:pbx.lan", nc=nc
        )
        assert check(parse_credentials(value), manager) is expected


def test_method_is_covered() -> None:
    manager = NonceManager(b"k")
    creds = creds_for(manager)
    result = verify(creds, "INVITE", stored(), nonce_manager=manager, now=NOW, realm=REALM)
    assert result is AuthResult.BAD_CREDENTIALS


@pytest.mark.parametrize(
    "changes",
    [
        {"algorithm": "SHA-1"},
        {"qop": "auth-int"},
        {"nc": None},
        {"cnonce": None},
        {"qop": None, "nc": None, "algorithm": "MD5-sess"},
    ],
)
def test_malformed(changes: dict[str, str | None]) -> None:
    manager = NonceManager(b"k")
    creds = creds_for(manager)
    fields = {
        "username": creds.username,
        "realm": creds.realm,
        "nonce": creds.nonce,
        "uri": creds.uri,
        "response": creds.response,
        "algorithm": creds.algorithm,
        "cnonce": creds.cnonce,
        "opaque": creds.opaque,
        "qop": creds.qop,
        "nc": creds.nc,
    }
    fields.update(changes)
    assert check(DigestCredentials(**fields), manager) is AuthResult.MALFORMED


# --- challenges and the client ---


def test_challenge_headers_order_and_content() -> None:
    headers = challenge_headers(REALM, "N0nce", stale=True, opaque="op")
    assert len(headers) == 2
    first, second = (parse_challenge(h) for h in headers)
    assert (first.algorithm, second.algorithm) == ("SHA-256", "MD5")
    for challenge in (first, second):
        assert challenge.realm == REALM
        assert challenge.nonce == "N0nce"
        assert challenge.qop == ("auth",)
        assert challenge.stale is True
        assert challenge.opaque == "op"
    assert "stale" not in challenge_headers(REALM, "n")[0]


def test_select_challenge_prefers_strongest() -> None:
    md5 = DigestChallenge(realm="r", nonce="n")
    sha = DigestChallenge(realm="r", nonce="n", algorithm="SHA-256")
    odd = DigestChallenge(realm="r", nonce="n", algorithm="SHA-1")
    assert select_challenge([md5, odd, sha]) is sha
    assert select_challenge([odd]) is None


def test_client_rejects_unknown_algorithm() -> None:
    with pytest.raises(UnsupportedDigestAlgorithm):
        authorization_for(
            DigestChallenge(realm="r", nonce="n", algorithm="SHA-1"),
            username="u",
            password="p",
            method="INVITE",
            uri="sip:x",
        )
