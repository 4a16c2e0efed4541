"""Stateless 400 for requests too broken to parse (RFC 3261 8.2.6.2 copying, RFC 4475 3.1.2)."""

from __future__ import annotations

import pytest

from cordboard.core.sip.message import SipResponse, parse_message
from cordboard.core.sip.stateless import stateless_error_response

HEADERS = (
    b"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-one\r\n"
    b"Via: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK-two\r\n"
    b"From: <sip:anna@pbx.test>;tag=abc\r\n"
    b"To: <sip:bo@pbx.test>\r\n"
    b"Call-ID: broken-1@192.0.2.1\r\n"
    b"CSeq: 8 INVITE\r\n"
)


def parsed(data: bytes | None) -> SipResponse:
    assert data is not None
    response = parse_message(data)
    assert isinstance(response, SipResponse)
    return response


def test_400_copies_the_five_headers_and_gives_the_reason() -> None:
    data = b"INVITE sip:bo@pbx.test  SIP/2.0\r\n" + HEADERS + b"Content-Length: 0\r\n\r\n"
    response = parsed(stateless_error_response(data, "Bad Request - Malformed request line"))
    assert response.status == 400
    assert response.reason == "Bad Request - Malformed request line"
    assert response.headers.get_all("Via") == [
        "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-one",
        "SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK-two",
    ]
    assert response.from_tag == "abc"
    assert response.headers.get("To") == "<sip:bo@pbx.test>"
    assert response.call_id == "broken-1@192.0.2.1"
    assert response.cseq.seq == 8 and response.cseq.method == "INVITE"
    assert response.headers.get("Content-Length") == "0"
    assert response.body == b""


def test_compact_forms_and_lf_line_endings() -> None:
    data = (
        b"OPTIONS sip:pbx.test SIP/2.0\n"
        b"v: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-c\n"
        b"f: <sip:anna@pbx.test>;tag=1\n"
        b"t: <sip:pbx.test>\n"
        b"i: compact@192.0.2.1\n"
        b"CSeq: 1 OPTIONS\n"
        b"Content-Length: 9999\n\n"
    )
    response = parsed(stateless_error_response(data, "Bad Request"))
    assert response.status == 400
    assert response.call_id == "compact@192.0.2.1"
    assert response.top_via.branch == "z9hG4bK-c"


@pytest.mark.parametrize("missing", [b"Via", b"From", b"To", b"Call-ID", b"CSeq"])
def test_unaddressable_request_dropped(missing: bytes) -> None:
    lines = [line for line in HEADERS.split(b"\r\n") if line and not line.startswith(missing + b":")]
    data = b"INVITE sip:bo@pbx.test SIP/2.0 extra\r\n" + b"\r\n".join(lines) + b"\r\n\r\n"
    assert stateless_error_response(data, "Bad Request") is None


@pytest.mark.parametrize(
    "data",
    [
        b"SIP/2.0 200 OK\r\n" + HEADERS + b"\r\n",
        b"SIP/2.0 9999 Huge\r\n" + HEADERS + b"\r\n",
        b"",
        b"\x00\xff\xfe garbage",
        b"\r\n\r\n",
    ],
)
def test_responses_and_garbage_never_answered(data: bytes) -> None:
    assert stateless_error_response(data, "Bad Request") is None


def test_reason_is_sanitised_and_bounded() -> None:
    data = b"INVITE x SIP/2.0\r\n" + HEADERS + b"\r\n"
    reason = "Bad Request - \r\nInjected: header\x00" + "x" * 500
    out = stateless_error_response(data, reason)
    assert out is not None
    response = parsed(out)
    assert "Injected" not in response.headers
    assert len(response.reason) <= 120
    assert out.count(b"\r\n\r\n") == 1 and out.endswith(b"\r\n\r\n")


def test_non_utf8_bytes_do_not_break_the_answer() -> None:
    data = b"INV\xffITE sip:bo@pbx.test SIP/2.0\r\n" + HEADERS.replace(b"abc", b"a\xffc") + b"\r\n"
    response = parsed(stateless_error_response(data, "Bad Request"))
    assert response.status == 400
    assert response.call_id == "broken-1@192.0.2.1"


def test_a_lone_cr_in_a_copied_value_cannot_split_the_response() -> None:
    data = (
        b"INVITE sip:bo@pbx.test SIP/2.0\r\n"
        + HEADERS.replace(b"Call-ID: broken-1@192.0.2.1", b"Call-ID: x\rInjected: yes")
        + b"\r\n"
    )
    # The Call-ID cannot be copied safely, so the request cannot be addressed: dropped.
    assert stateless_error_response(data, "Bad Request") is None


def test_body_is_not_copied() -> None:
    data = b"MESSAGE sip:bo@pbx.test SIP/2.0 x\r\n" + HEADERS + b"Content-Length: 5\r\n\r\nhello"
    out = stateless_error_response(data, "Bad Request")
    assert out is not None and b"hello" not in out


def test_an_unparsable_ack_is_not_answered() -> None:
    """RFC 3261 17: an ACK never gets a response, not even a 400 (SIPp interop: ACK with no URI)."""
    data = b"ACK  SIP/2.0\r\n" + HEADERS.replace(b"8 INVITE", b"8 ACK") + b"Content-Length: 0\r\n\r\n"
    assert stateless_error_response(data, "Bad Request - URI without scheme: ''") is None
    assert stateless_error_response(b"\r\n" + data, "Bad Request") is None
