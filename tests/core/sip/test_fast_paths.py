"""The fast paths of ``parse_uri``, ``NameAddr.parse``, ``Via.parse`` and the Digest parameter
parser (one regular expression for the shapes phones usually send) must give exactly what the
general parsers give, or defer to them: same fields, same errors. Hypothesis builds the values
from the grammars' pieces, including the ones the fast paths refuse (escapes, quoted pairs, IPv6,
odd spacing and case)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cordboard.core.sip import auth
from cordboard.core.sip.errors import SipParseError
from cordboard.core.sip.headers import Via
from cordboard.core.sip.uri import NameAddr, SipUri, Uri, parse_uri, parse_uri_general

TOKEN_ALPHABET = "abcXYZ019-.!%*_+`'~"
token = st.text(TOKEN_ALPHABET, min_size=1, max_size=6)
spaces = st.sampled_from(["", " ", "  ", "\t", " \t"])
host = st.sampled_from(
    ["example.com", "10.0.0.1", "127.0.2.1", "a_b.example", "[2001:db8::1]", "ex ample", "", "h%41st"]
)
port = st.one_of(st.none(), st.integers(0, 99999).map(str), st.sampled_from(["", "x1", "065535", "123456"]))
param_value = st.one_of(token, st.sampled_from(['"quoted value"', '"a\\"b"', "", "a b", "a%20b", "[::1]"]))
param = st.tuples(token, st.one_of(st.none(), param_value)).map(
    lambda p: p[0] if p[1] is None else f"{p[0]}={p[1]}"
)
params = st.lists(st.tuples(spaces, param), max_size=3).map(lambda ps: "".join(f";{s}{p}" for s, p in ps))
user = st.one_of(st.none(), token, st.sampled_from(["a%40b", "alice:secret", "", "a;b"]))
scheme = st.sampled_from(["sip", "sips", "SIP", "tel", "http"])


@st.composite
def uri_text(draw: Any) -> str:
    u = draw(user)
    p = draw(port)
    userinfo = "" if u is None else u + "@"
    return f"{draw(scheme)}:{userinfo}{draw(host)}{'' if p is None else ':' + p}{draw(params)}"


display = st.one_of(
    st.just(""),
    st.lists(token, min_size=1, max_size=3).flatmap(
        lambda words: spaces.map(lambda s: (s or " ").join(words))
    ),
    st.text(st.characters(codec="utf-8", exclude_characters='\r\n"\\'), max_size=8).map(lambda t: f'"{t}"'),
    st.sampled_from(['"a\\"b"', '""', '"unterminated', "bad<display"]),
)


@st.composite
def name_addr_text(draw: Any) -> str:
    if draw(st.booleans()):
        return f"{draw(spaces)}{draw(display)}{draw(spaces)}<{draw(uri_text())}>{draw(spaces)}{draw(params)}"
    return f"{draw(uri_text())}{draw(params)}"


def uri_fields(uri: Uri) -> tuple[Any, ...]:
    if isinstance(uri, SipUri):
        return (uri.scheme, uri.user, uri.password, uri.host, uri.port, uri.params, uri.headers)
    return (type(uri).__name__, str(uri))


def fields(value: NameAddr) -> tuple[Any, ...]:
    return (uri_fields(value.uri), value.display_name, value.params)


@settings(max_examples=300, deadline=None)
@given(uri_text())
def test_uri_fast_path_equals_the_general_parser(text: str) -> None:
    fast_kind, fast = outcome(parse_uri, text)
    general_kind, general = outcome(parse_uri_general, text)
    assert fast_kind == general_kind, (text, fast, general)
    if fast_kind == "ok":
        assert uri_fields(fast) == uri_fields(general), text
    else:
        assert fast == general


def test_usual_request_uri_takes_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    import cordboard.core.sip.uri as uri_module

    def refuse(value: str) -> Uri:
        raise AssertionError(f"general parser used for {value!r}")

    monkeypatch.setattr(uri_module, "parse_uri_general", refuse)
    uri = parse_uri("sip:3001@127.0.0.1:5060;user=phone")
    assert isinstance(uri, SipUri)
    assert (uri.user, uri.host, uri.port, uri.params) == ("3001", "127.0.0.1", 5060, {"user": "phone"})


def assert_same(fast: Any, general: Any, text: str) -> None:
    """The fast path and the general parser agree on ``text``: the same value or the same error."""
    assert outcome(fast, text) == outcome(general, text), text


def outcome(parse: Any, text: str) -> tuple[str, Any]:
    try:
        return ("ok", parse(text))
    except (SipParseError, auth.DigestParseError) as exc:
        return ("error", str(exc))


@settings(max_examples=300, deadline=None)
@given(name_addr_text())
def test_name_addr_fast_path_equals_the_general_parser(text: str) -> None:
    fast_kind, fast = outcome(NameAddr.parse, text)
    general_kind, general = outcome(NameAddr.parse_general, text)
    assert fast_kind == general_kind, (text, fast, general)
    if fast_kind == "ok":
        assert fields(fast) == fields(general), text
    else:
        assert fast == general


@st.composite
def via_text(draw: Any) -> str:
    protocol = draw(
        st.sampled_from(["SIP/2.0/UDP", "SIP/2.0/tcp", "sip/2.0/UDP", "SIP / 2.0 / TLS", "SIP/2.0"])
    )
    p = draw(port)
    rport = draw(
        st.sampled_from(["", ";rport", ";rport=5060", ";rport=99999", ";rport=x", ";rport=" + "1" * 5000])
    )
    sent_by = f"{draw(host)}{'' if p is None else ':' + p}"
    return f"{draw(spaces)}{protocol} {sent_by}{draw(params)}{rport}{draw(spaces)}"


@settings(max_examples=300, deadline=None)
@given(via_text())
def test_via_fast_path_equals_the_general_parser(text: str) -> None:
    assert_same(Via.parse, Via.parse_general, text)  # Via is a dataclass: compared field by field


@pytest.mark.parametrize(
    "text",
    [
        '"Ann Smith" <sip:100@10.0.0.1:5060;transport=udp>;tag=abc',
        "Bo <sip:101@pbx.example>",
        "<sips:pbx.example;lr>",
        "sipp   phone <sip:call0001@127.0.0.1:5060>;tag=1234SIPpTag001;x",
    ],
)
def test_usual_addresses_take_the_fast_path(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shapes phones send do not reach the general parser (which would cost twice the time)."""

    def refuse(cls: type, value: str) -> NameAddr:
        raise AssertionError(f"general parser used for {value!r}")

    monkeypatch.setattr(NameAddr, "parse_general", classmethod(refuse))
    assert NameAddr.parse(text).uri is not None


def test_usual_via_takes_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(cls: type, value: str) -> Via:
        raise AssertionError(f"general parser used for {value!r}")

    monkeypatch.setattr(Via, "parse_general", classmethod(refuse))
    via = Via.parse("SIP/2.0/UDP 127.0.2.1:40000;branch=z9hG4bK-1-0;rport")
    assert (via.transport, via.host, via.port, via.branch, via.rport_requested) == (
        "UDP", "127.0.2.1", 40000, "z9hG4bK-1-0", True,
    )  # fmt: skip


auth_name = st.sampled_from(
    ["username", "realm", "nonce", "uri", "response", "algorithm", "qop", "nc", "Realm"]
)
auth_value = st.one_of(
    token.map(lambda t: f'"{t}"'),
    token,
    st.sampled_from(
        ['"sip:100@10.0.0.1:5060"', '"a\\"b"', '"with space"', '""', "a/b=", '"unterminated', "", "x y"]
    ),
)
auth_separator = st.sampled_from([",", ", ", " , ", ",,", "\t,", " "])


@st.composite
def digest_text(draw: Any) -> str:
    pairs = draw(st.lists(st.tuples(auth_name, st.sampled_from(["=", " = ", "=\t"]), auth_value), max_size=6))
    body = "".join(
        (draw(auth_separator) if i else "") + f"{name}{eq}{value}"
        for i, (name, eq, value) in enumerate(pairs)
    )
    scheme = draw(st.sampled_from(["Digest", "digest", "DIGEST", "Basic", "Digestx", ""]))
    return f"{draw(spaces)}{scheme}{draw(st.sampled_from([' ', '  ', '', chr(9)]))}{body}{draw(spaces)}"


@settings(max_examples=300, deadline=None)
@given(digest_text())
def test_digest_fast_path_equals_the_general_parser(text: str) -> None:
    assert_same(auth._digest_params, auth._digest_params_general, text)


def test_usual_credentials_take_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(value: str) -> dict[str, str]:
        raise AssertionError(f"general parser used for {value!r}")

    monkeypatch.setattr(auth, "_digest_params_general", refuse)
    credentials = auth.parse_credentials(
        'Digest username="call0001",realm="cordboard",uri="sip:3001@127.0.0.1:5060",'
        'nonce="abc",response="0123456789abcdef0123456789abcdef",algorithm=MD5'
    )
    assert (credentials.username, credentials.uri, credentials.algorithm) == (
        "call0001", "sip:3001@127.0.0.1:5060", "MD5",
    )  # fmt: skip
