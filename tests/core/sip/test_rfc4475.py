"""RFC 4475 torture messages: valid ones parse and round-trip, invalid ones are rejected as the RFC says."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cordboard.core.sip.errors import SipParseError
from cordboard.core.sip.message import (
    SipRequest,
    SipResponse,
    parse_message,
    validate_request,
    validate_response,
)
from cordboard.core.sip.status import SipStatusError
from cordboard.core.sip.uri import SipUri

FIXTURES = Path(__file__).parent / "rfc4475"
PARSE_ERROR = "parse"

# File -> expected outcome. None: parses and passes validation (requests) or validate_response
# (responses). PARSE_ERROR: parse_message raises SipParseError. An int: parse_message succeeds and
# validate_request raises a SipStatusError with that status (the RFC's "respond with ...").
TORTURE: dict[str, int | str | None] = {
    # RFC 4475 3.1.1: valid messages
    "wsinv": None,  # 3.1.1.1 short tortuous INVITE
    "intmeth": None,  # 3.1.1.2 wide range of valid characters
    "esc01": None,  # 3.1.1.3 valid use of % escaping
    "escnull": None,  # 3.1.1.4 escaped nulls in URIs
    "esc02": None,  # 3.1.1.5 use of % when it is not an escape
    "lwsdisp": None,  # 3.1.1.6 no LWS between display name and <
    "longreq": None,  # 3.1.1.7 long values in header fields
    "dblreq": None,  # 3.1.1.8 extra trailing octets in a UDP datagram
    "semiuri": None,  # 3.1.1.9 semicolon-separated parameters in URI user part
    "transports": None,  # 3.1.1.10 varied and unknown transport types
    "mpart01": None,  # 3.1.1.11 multipart MIME message
    "unreason": None,  # 3.1.1.12 unusual reason phrase
    "noreason": None,  # 3.1.1.13 empty reason phrase
    # RFC 4475 3.1.2: invalid messages
    "badinv01": 400,  # 3.1.2.1 extraneous header field separators
    "clerr": PARSE_ERROR,  # 3.1.2.2 Content-Length larger than message
    "ncl": PARSE_ERROR,  # 3.1.2.3 negative Content-Length
    "scalar02": 400,  # 3.1.2.4 request scalar fields with overlarge values
    "scalarlg": PARSE_ERROR,  # 3.1.2.5 response scalar fields with overlarge values (validate_response)
    "quotbal": 400,  # 3.1.2.6 unterminated quoted string in display name
    "ltgtruri": PARSE_ERROR,  # 3.1.2.7 <> enclosing Request-URI
    "lwsruri": PARSE_ERROR,  # 3.1.2.8 malformed SIP Request-URI (embedded LWS)
    "lwsstart": PARSE_ERROR,  # 3.1.2.9 multiple SP separating Request-Line elements
    "trws": PARSE_ERROR,  # 3.1.2.10 SP characters at end of Request-Line
    "escruri": 400,  # 3.1.2.11 escaped headers in SIP Request-URI
    "baddate": 400,  # 3.1.2.12 invalid time zone in Date header field
    "regbadct": 400,  # 3.1.2.13 failure to enclose name-addr URI in <>
    "badaspec": 400,  # 3.1.2.14 spaces within addr-spec
    "baddn": PARSE_ERROR,  # 3.1.2.15 non-token characters in display name (file lacks the final CRLF)
    "badvers": 505,  # 3.1.2.16 unknown protocol version
    "mismatch01": 400,  # 3.1.2.17 start line and CSeq method mismatch
    "mismatch02": 400,  # 3.1.2.18 unknown method with CSeq method mismatch
    "bigcode": PARSE_ERROR,  # 3.1.2.19 overlarge response code
    # RFC 4475 3.2: transaction layer semantics
    "badbranch": None,  # 3.2.1 missing transaction identifier (branch without magic cookie suffix)
    # RFC 4475 3.3: application layer semantics
    "insuf": 400,  # 3.3.1 missing required header fields
    "unkscm": 416,  # 3.3.2 Request-URI with unknown scheme
    "novelsc": 416,  # 3.3.3 known but atypical scheme: parses; 416 is appropriate
    "unksm2": None,  # 3.3.4 unknown URI schemes in header fields
    "bext01": 420,  # 3.3.5 Proxy-Require and Require
    "invut": None,  # 3.3.6 unknown Content-Type (the application answers 415)
    "regaut01": None,  # 3.3.7 unknown authorization scheme
    "multi01": 400,  # 3.3.8 multiple values in single-value required fields
    "mcl01": PARSE_ERROR,  # 3.3.9 multiple Content-Length values
    "bcast": None,  # 3.3.10 200 OK with broadcast Via
    "zeromf": None,  # 3.3.11 Max-Forwards of zero
    "cparam01": None,  # 3.3.12 REGISTER with a Contact header parameter
    "cparam02": None,  # 3.3.13 REGISTER with a url-parameter
    "regescrt": None,  # 3.3.14 REGISTER with a URL-escaped header
    "sdp01": None,  # 3.3.15 unacceptable Accept offering (the application answers 406)
    # RFC 4475 3.4: backward compatibility
    "inv2543": None,  # 3.4.1 INVITE with RFC 2543 syntax (validated with allow_rfc2543)
}

VALID = sorted(name for name, outcome in TORTURE.items() if outcome is None)


def fields(message: SipRequest | SipResponse) -> list[tuple[str, str]]:
    """Headers without Content-Length (serialization writes the real one last)."""
    return [(n, v) for n, v in message.headers.items() if n != "Content-Length"]


def load(name: str) -> bytes:
    return (FIXTURES / f"{name}.dat").read_bytes()


def test_table_covers_every_fixture() -> None:
    assert {p.stem for p in FIXTURES.glob("*.dat")} == set(TORTURE)


def check(message: SipRequest | SipResponse) -> None:
    if isinstance(message, SipRequest):
        validate_request(message, supported=(), allow_rfc2543=True)
    else:
        validate_response(message)
    # Touch every lazy accessor: none may raise anything but SipParseError.
    for attribute in ("via", "from_", "to", "call_id", "cseq", "contacts", "routes", "record_routes"):
        getattr(message, attribute)


@pytest.mark.parametrize("name", sorted(TORTURE))
def test_torture_message(name: str) -> None:
    expected = TORTURE[name]
    data = load(name)
    if expected == PARSE_ERROR:
        with pytest.raises(SipParseError):
            message = parse_message(data)
            if isinstance(message, SipResponse):
                validate_response(message)
        return
    message = parse_message(data)
    if expected is None:
        check(message)
        again = parse_message(bytes(message))
        check(again)
        assert fields(again) == fields(message)
        assert again.body == message.body
        return
    assert isinstance(message, SipRequest)
    with pytest.raises(SipStatusError) as info:
        validate_request(message, supported=())
    assert info.value.status_code == expected
    response = info.value.to_response(message)
    assert response.status == expected
    assert parse_message(bytes(response)).status == expected  # type: ignore[union-attr]


def test_wsinv_details() -> None:
    """RFC 4475 3.1.1.1: folding, LWS everywhere, escaped quotes, compact forms, multi-Via."""
    message = parse_message(load("wsinv"))
    assert isinstance(message, SipRequest)
    assert message.max_forwards == 68
    assert message.cseq.seq == 9
    assert message.from_.display_name == 'J Rosenberg \\"'
    assert message.from_tag == "98asjd8" and message.to_tag == "1918181833n"
    assert [v.transport for v in message.via] == ["UDP", "TCP", "UDP"]
    assert message.headers.get("NewFangledHeader") == "newfangled value continued newfangled value"
    assert message.headers.get("UnknownHeaderWithUnusualValue") == ";;,,;;,;"
    assert message.headers.get("Subject") == ""
    contacts = message.contacts
    assert contacts != "*"
    assert contacts[0].display_name == 'Quoted string ""'
    assert contacts[0].params == {"newparam": "newvalue", "secondparam": None, "q": "0.33"}
    assert len(message.body) == 150


def test_esc01_escaped_uris_compare_equal() -> None:
    """RFC 4475 3.1.1.3: escaped and unescaped forms are equivalent."""
    message = parse_message(load("esc01"))
    assert isinstance(message, SipRequest)
    assert message.to.uri == SipUri.parse("sip:user@example.com")
    assert isinstance(message.uri, SipUri) and message.uri.user == "sips:user@example.com"


def test_dblreq_keeps_only_content_length_octets() -> None:
    """RFC 4475 3.1.1.8: the second request in the datagram is ignored."""
    message = parse_message(load("dblreq"))
    assert isinstance(message, SipRequest) and message.method == "REGISTER"
    assert message.body == b""


def test_esc02_escapes_in_method_and_header_name_are_literal() -> None:
    """RFC 4475 3.1.1.5: 'RE%47IST%45R' is a method of its own and 'C%6Fntact' an unknown header."""
    message = parse_message(load("esc02"))
    assert isinstance(message, SipRequest) and message.method == "RE%47IST%45R"
    contacts = message.contacts
    assert contacts != "*" and len(contacts) == 2
    assert message.headers.get("C%6Fntact") == "<sip:alias2@host2.example.com>"


def test_inv2543_needs_rfc2543_mode() -> None:
    message = parse_message(load("inv2543"))
    assert isinstance(message, SipRequest)
    with pytest.raises(SipStatusError):
        validate_request(message)
    validate_request(message, allow_rfc2543=True)
    assert message.to.params == {"user": "phone"}  # RFC 3261 20.10: header parameter


def test_scalarlg_response_is_dropped() -> None:
    message = parse_message(load("scalarlg"))
    assert isinstance(message, SipResponse)
    with pytest.raises(SipParseError):
        validate_response(message)


def _mutate(data: bytes, ops: list[tuple[int, int, int]]) -> bytes:
    out = bytearray(data)
    for kind, position, value in ops:
        if not out:
            break
        i = position % len(out)
        if kind == 0:
            out[i] ^= 1 << (value % 8)  # bit flip
        elif kind == 1:
            out[i] = value % 256  # byte replacement
        elif kind == 2:
            del out[i:]  # truncation
        elif kind == 3:
            out[i:i] = bytes([value % 256]) * (1 + value % 3)  # insertion
        elif kind == 4:
            start = out.rfind(b"\r\n", 0, i) + 2 if out.rfind(b"\r\n", 0, i) != -1 else 0
            end = out.find(b"\r\n", i)
            if end != -1:
                out[start:start] = out[start : end + 2]  # header (line) duplication
        else:
            out[i:i] = b' \r\n\t,;:<>"%@?='[value % 14 : value % 14 + 1]  # structural characters
    return bytes(out)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(VALID),
    ops=st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=6
    ),
)
def test_mutated_torture_messages_only_raise_sip_errors(name: str, ops: list[tuple[int, int, int]]) -> None:
    data = _mutate(load(name), ops)
    try:
        message = parse_message(data)
    except SipParseError:
        return
    if isinstance(message, SipRequest):
        try:
            validate_request(message, supported=(), allow_rfc2543=True)
        except SipStatusError as err:
            assert 400 <= err.status_code < 700
            bytes(err.to_response(message))  # the rejection can always be sent
            return
    else:
        try:
            validate_response(message)
        except SipParseError:
            return
    check(message)  # a validated message has parseable mandatory headers ...
    reparsed = parse_message(bytes(message))  # ... and serializes to something that parses again
    assert type(reparsed) is type(message)
    assert fields(reparsed) == fields(message)
