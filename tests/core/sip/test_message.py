"""SIP message parsing, serialization, validation, responses and stream framing (RFC 3261 7, 8, 18)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cordboard.core.sip import headers as h
from cordboard.core.sip.errors import SipParseError
from cordboard.core.sip.headers import CSeq, Headers
from cordboard.core.sip.message import (
    SipRequest,
    SipResponse,
    StreamFramer,
    make_cancel,
    make_response,
    parse_message,
    validate_request,
    validate_response,
)
from cordboard.core.sip.status import BadExtension, BadRequest, UnsupportedUriScheme, VersionNotSupported
from cordboard.core.sip.uri import NameAddr, SipUri, TelUri

INVITE = (
    b"INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
    b"Max-Forwards: 70\r\n"
    b"To: Bob <sip:bob@biloxi.example.com>\r\n"
    b"From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    b"Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    b"CSeq: 314159 INVITE\r\n"
    b"Contact: <sip:alice@pc33.atlanta.example.com>\r\n"
    b"Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r\n"
    b"Content-Type: application/sdp\r\n"
    b"Content-Length: 4\r\n"
    b"\r\n"
    b"v=0\n"
)


def invite() -> SipRequest:
    message = parse_message(INVITE)
    assert isinstance(message, SipRequest)
    return message


def test_parse_request_and_accessors() -> None:
    request = invite()
    assert request.method == "INVITE"
    assert request.uri == SipUri.parse("sip:bob@biloxi.example.com")
    assert request.version == "SIP/2.0"
    assert request.top_via.branch == "z9hG4bK776asdhds"
    assert request.from_.display_name == "Alice" and request.from_tag == "1928301774"
    assert request.to.tag is None and request.to_tag is None
    assert request.call_id == "a84b4c76e66710@pc33.atlanta.example.com"
    assert request.cseq == CSeq(314159, "INVITE")
    assert request.max_forwards == 70
    assert request.contacts == [NameAddr.parse("<sip:alice@pc33.atlanta.example.com>")]
    assert [str(r.uri) for r in request.record_routes] == ["sip:p1.example.com;lr", "sip:p2.example.com;lr"]
    assert request.routes == []
    assert request.content_type == "application/sdp"
    assert request.media_type == "application/sdp"
    assert request.expires is None
    assert request.body == b"v=0\n"


def test_serialize_round_trip_is_stable() -> None:
    request = invite()
    data = bytes(request)
    assert data.startswith(b"INVITE sip:bob@biloxi.example.com SIP/2.0\r\n")
    again = parse_message(data)
    assert isinstance(again, SipRequest)
    assert bytes(again) == data
    assert again.headers == request.headers


def test_serialize_writes_the_actual_content_length() -> None:
    request = invite()
    request.body = b"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n"
    data = bytes(request)
    assert b"Content-Length: 31\r\n\r\nv=0" in data
    assert data.count(b"Content-Length") == 1


def test_parse_response_with_empty_and_unicode_reason() -> None:
    response = parse_message(b"SIP/2.0 100 \r\nVia: SIP/2.0/UDP a;branch=z9hG4bK1\r\n\r\n")
    assert isinstance(response, SipResponse)
    assert (response.status, response.reason) == (100, "")
    assert response.is_provisional and not response.is_final
    response = parse_message("SIP/2.0 200 Très bien\r\nContent-Length: 0\r\n\r\n".encode())
    assert isinstance(response, SipResponse)
    assert response.reason == "Très bien"
    assert bytes(response).startswith("SIP/2.0 200 Très bien\r\n".encode())
    assert parse_message(b"SIP/2.0 180\r\n\r\n").reason == ""  # type: ignore[union-attr]


def test_folded_headers_are_unfolded() -> None:
    """RFC 3261 7.3.1: a line starting with SP or HT continues the header above."""
    data = b"OPTIONS sip:a@b SIP/2.0\r\nSubject: first\r\n  second\r\n\tthird\r\nCSeq: 1\r\n OPTIONS\r\n\r\n"
    message = parse_message(data)
    assert message.headers.get("Subject") == "first second third"
    assert message.cseq == CSeq(1, "OPTIONS")


def test_compact_forms_and_case_insensitive_names() -> None:
    data = (
        b"OPTIONS sip:a@b SIP/2.0\r\nv: SIP/2.0/UDP h;branch=z9hG4bK1\r\nf: <sip:x@y>;tag=1\r\nt: sip:z@w\r\n"
        b"i: abc\r\nCSEQ: 2 OPTIONS\r\nmAX-fORWARDS: 9\r\nm: <sip:c@d>, <sip:e@f>\r\nl: 0\r\n\r\n"
    )
    message = parse_message(data)
    assert message.call_id == "abc"
    assert message.max_forwards == 9
    contacts = message.contacts
    assert contacts != "*" and len(contacts) == 2
    assert b"Call-ID: abc\r\n" in bytes(message)
    assert b"Contact: <sip:c@d>\r\nContact: <sip:e@f>\r\n" in bytes(message)


def test_bare_lf_line_endings_are_accepted() -> None:
    message = parse_message(b"OPTIONS sip:a@b SIP/2.0\nCall-ID: x\nContent-Length: 2\n\nhi")
    assert message.call_id == "x"
    assert message.body == b"hi"


def test_leading_crlfs_are_ignored() -> None:
    """RFC 3261 7.5: CRLFs before the start line are skipped."""
    assert isinstance(parse_message(b"\r\n\r\nSIP/2.0 200 OK\r\n\r\n"), SipResponse)


def test_content_length_rules() -> None:
    """RFC 3261 18.3: extra datagram octets are dropped; a short body is an error; no length = to the end."""
    base = b"MESSAGE sip:a@b SIP/2.0\r\nContent-Type: text/plain\r\n"
    assert parse_message(base + b"Content-Length: 3\r\n\r\nabcdef").body == b"abc"
    assert parse_message(base + b"\r\nabcdef").body == b"abcdef"
    with pytest.raises(SipParseError, match="larger"):
        parse_message(base + b"Content-Length: 30\r\n\r\nabcdef")
    with pytest.raises(SipParseError):
        parse_message(base + b"Content-Length: -1\r\n\r\nabcdef")
    with pytest.raises(SipParseError, match="Conflicting"):
        parse_message(base + b"Content-Length: 3\r\nl: 4\r\n\r\nabcdef")
    assert parse_message(base + b"Content-Length: 3\r\nl: 3\r\n\r\nabcdef").body == b"abc"


def test_binary_body_of_any_type_is_kept() -> None:
    body = bytes(range(256))
    data = b"MESSAGE sip:a@b SIP/2.0\r\nContent-Type: application/octet-stream\r\nContent-Length: 256\r\n\r\n"
    message = parse_message(data + body)
    assert message.body == body
    assert parse_message(bytes(message)).body == body


def test_other_sip_versions_parse_and_keep_the_version() -> None:
    message = parse_message(b"OPTIONS sip:a@b SIP/7.0\r\n\r\n")
    assert isinstance(message, SipRequest) and message.version == "SIP/7.0"
    assert bytes(message).startswith(b"OPTIONS sip:a@b SIP/7.0\r\n")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\r\n",
        b"INVITE sip:a@b SIP/2.0\r\nTo: x\r\n",  # no empty line
        b"INVITE sip:a@b\r\n\r\n",
        b"INVITE  sip:a@b SIP/2.0\r\n\r\n",
        b"INVITE sip:a@b HTTP/1.1\r\n\r\n",
        b"INVITE sip:a@b SIP/2.x\r\n\r\n",
        b"INV(ITE sip:a@b SIP/2.0\r\n\r\n",
        b"INVITE sip:a@b SIP/2.0\r\nNoColon\r\n\r\n",
        b"INVITE sip:a@b SIP/2.0\r\n folded-first\r\n\r\n",
        b"INVITE sip:a@b SIP/2.0\r\nBad Name: x\r\n\r\n",
        b"INVITE sip:a@b SIP/2.0\r\nX: a\rb\r\n\r\n",
        b"SIP/2.0 2000 OK\r\n\r\n",
        b"SIP/2.0 099 Low\r\n\r\n",
        b"SIP/2.0\r\n\r\n",
    ],
)
def test_malformed_messages_raise_parse_error(data: bytes) -> None:
    with pytest.raises(SipParseError):
        parse_message(data)


def test_accessors_raise_parse_error_for_missing_mandatory_headers() -> None:
    message = parse_message(b"OPTIONS sip:a@b SIP/2.0\r\n\r\n")
    for attribute in ("top_via", "from_", "to", "call_id", "cseq"):
        with pytest.raises(SipParseError):
            getattr(message, attribute)
    assert message.via == [] and message.contacts == [] and message.max_forwards is None


def test_contact_wildcard_and_expires() -> None:
    message = parse_message(b"REGISTER sip:b SIP/2.0\r\nContact: *\r\nExpires: 0\r\n\r\n")
    assert message.contacts == "*"
    assert message.expires == 0
    huge = parse_message(b"REGISTER sip:b SIP/2.0\r\nExpires: 99999999999999999999\r\n\r\n")
    assert huge.expires is None  # RFC 4475 3.1.2.4: an overlarge expiry acts as absent


def test_tel_request_uri() -> None:
    message = parse_message(b"INVITE tel:+15551234 SIP/2.0\r\n\r\n")
    assert isinstance(message, SipRequest) and isinstance(message.uri, TelUri)


def test_validate_request_accepts_a_good_request() -> None:
    validate_request(invite())
    validate_request(invite(), supported=["replaces"])


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("Call-ID", "Bad Request - Missing Call-ID"),
        ("To", "Bad Request - Missing To"),
        ("From", "Bad Request - Missing From"),
        ("CSeq", "Bad Request - Missing CSeq"),
        ("Via", "Bad Request - Missing Via"),
        ("Max-Forwards", "Bad Request - Missing Max-Forwards"),
    ],
)
def test_validate_request_names_the_missing_header(name: str, reason: str) -> None:
    request = invite()
    request.headers.remove(name)
    with pytest.raises(BadRequest) as info:
        validate_request(request)
    assert info.value.status_code == 400
    assert info.value.reason == reason


def test_validate_request_rfc2543_mode_allows_missing_max_forwards() -> None:
    request = invite()
    request.headers.remove("Max-Forwards")
    validate_request(request, allow_rfc2543=True)


@pytest.mark.parametrize(
    ("change", "error", "reason"),
    [
        (lambda r: r.headers.set("CSeq", "1 BYE"), BadRequest, "CSeq method does not match"),
        (lambda r: r.headers.add("Call-ID", "second"), BadRequest, "Multiple Call-ID"),
        (lambda r: r.headers.set("Max-Forwards", "256"), BadRequest, "Max-Forwards"),
        (lambda r: r.headers.set("Max-Forwards", "many"), BadRequest, "Malformed Max-Forwards"),
        (lambda r: r.headers.set("From", "Bell, A <sip:a@b>"), BadRequest, "Malformed From"),
        (lambda r: r.headers.set("Via", "garbage"), BadRequest, "Malformed Via"),
        (lambda r: r.headers.set("Date", "Fri, 01 Jan 2010 16:00:00 EST"), BadRequest, "Date"),
        (lambda r: r.headers.remove("Content-Type"), BadRequest, "Missing Content-Type"),
        (lambda r: setattr(r, "version", "SIP/3.0"), VersionNotSupported, "Version Not Supported"),
        (lambda r: setattr(r, "uri", SipUri.parse("sip:a@b?x=y")), BadRequest, "headers"),
    ],
)
def test_validate_request_rejections(change, error, reason) -> None:  # type: ignore[no-untyped-def]
    request = invite()
    change(request)
    with pytest.raises(error) as info:
        validate_request(request)
    assert reason in info.value.reason


def test_validate_request_unknown_scheme_is_416() -> None:
    request = parse_message(
        INVITE.replace(b"sip:bob@biloxi.example.com SIP", b"im:bob@biloxi.example.com SIP")
    )
    assert isinstance(request, SipRequest)
    with pytest.raises(UnsupportedUriScheme):
        validate_request(request)


def test_validate_request_require_is_checked_against_supported() -> None:
    """RFC 3261 8.2.2.3: unknown Require tags give 420 with Unsupported; never for ACK/CANCEL."""
    request = invite()
    request.headers.add("Require", "100rel, foo")
    validate_request(request)  # supported=None skips the check
    with pytest.raises(BadExtension) as info:
        validate_request(request, supported={"100rel"})
    response = info.value.to_response(request)
    assert response.status == 420
    assert response.headers.get_all("Unsupported") == ["foo"]


def test_validate_response() -> None:
    response = make_response(invite(), 200)
    validate_response(response)
    response.headers.remove("CSeq")
    with pytest.raises(SipParseError):
        validate_response(response)


def test_make_response_copies_headers_rfc3261_8_2_6() -> None:
    request = invite()
    request.headers.add("Via", "SIP/2.0/UDP proxy;branch=z9hG4bKp")
    response = make_response(request, 180, to_tag="abc")
    assert (response.status, response.reason) == (180, "Ringing")
    assert response.headers.get_all("Via") == request.headers.get_all("Via")
    assert response.from_ == request.from_
    assert response.to.tag == "abc"
    assert response.call_id == request.call_id and response.cseq == request.cseq
    assert response.headers.get_all("Record-Route") == request.headers.get_all("Record-Route")
    assert make_response(request, 486).headers.get("Record-Route") is None
    assert make_response(request, 404, "Nobody Here").reason == "Nobody Here"


def test_make_response_keeps_an_existing_to_tag() -> None:
    request = invite()
    request.headers.set("To", "<sip:bob@b>;tag=old")
    assert make_response(request, 200, to_tag="new").to.tag == "old"


def test_make_cancel_rfc3261_9_1() -> None:
    request = invite()
    request.headers.add("Route", "<sip:p1.example.com;lr>")
    cancel = make_cancel(request)
    assert cancel.method == "CANCEL"
    assert cancel.uri == request.uri
    assert cancel.headers.get_all("Via") == [request.headers.get("Via")]
    assert cancel.cseq == CSeq(314159, "CANCEL")
    assert cancel.call_id == request.call_id
    assert cancel.headers.get_all("Route") == ["<sip:p1.example.com;lr>"]
    validate_request(cancel)


def test_build_request_from_scratch() -> None:
    request = SipRequest("OPTIONS", SipUri(host="example.com", user="bob"), Headers())
    request.headers.add(h.VIA, "SIP/2.0/TCP 192.0.2.1;branch=z9hG4bKx")
    request.headers.add(h.CSEQ, CSeq(1, "OPTIONS"))
    assert bytes(request) == (
        b"OPTIONS sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bKx\r\n"
        b"CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
    )


# --- StreamFramer (RFC 3261 18.3, RFC 5626 4.4.1) ---------------------------------------------------


def test_framer_splits_back_to_back_messages() -> None:
    framer = StreamFramer()
    response = bytes(make_response(invite(), 200))
    assert framer.feed(INVITE + response) == [INVITE, response]
    assert framer.buffered == 0


def test_framer_waits_for_the_body() -> None:
    framer = StreamFramer()
    assert framer.feed(INVITE[:-2]) == []
    assert framer.feed(INVITE[-2:]) == [INVITE]


def test_framer_counts_double_crlf_pings_and_skips_single_crlf() -> None:
    framer = StreamFramer()
    assert framer.feed(b"\r\n\r\n") == []
    assert framer.feed(b"\r\n") == []
    assert framer.feed(b"\r\n") == []
    assert framer.take_pings() == 2
    assert framer.take_pings() == 0
    assert framer.feed(b"\r\n" + INVITE) == [INVITE]  # a lone CRLF (pong) before a message
    assert framer.take_pings() == 0


def test_framer_requires_content_length() -> None:
    with pytest.raises(SipParseError, match="Missing Content-Length"):
        StreamFramer().feed(b"OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\n\r\n")


def test_framer_accepts_compact_content_length() -> None:
    data = b"OPTIONS sip:a@b SIP/2.0\r\nl: 2\r\n\r\nhi"
    assert StreamFramer().feed(data) == [data]


def test_framer_bounds_the_message_size() -> None:
    with pytest.raises(SipParseError, match="exceeds"):
        StreamFramer(max_message_size=1000).feed(b"MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 5000\r\n\r\n")
    framer = StreamFramer(max_message_size=100)
    with pytest.raises(SipParseError, match="Header section"):
        framer.feed(b"OPTIONS sip:a@b SIP/2.0\r\n" + b"X: y\r\n" * 30)


def test_framer_rejects_a_bad_content_length() -> None:
    with pytest.raises(SipParseError):
        StreamFramer().feed(b"OPTIONS sip:a@b SIP/2.0\r\nContent-Length: x\r\n\r\n")


@settings(max_examples=200, deadline=None)
@given(
    cuts=st.lists(st.integers(min_value=0, max_value=2000), max_size=12),
    pings=st.lists(st.booleans(), min_size=3, max_size=3),
)
def test_framer_is_independent_of_chunk_boundaries(cuts: list[int], pings: list[bool]) -> None:
    response = bytes(make_response(invite(), 200))
    ping = b"\r\n\r\n"
    stream = (ping if pings[0] else b"") + INVITE + (ping if pings[1] else b"") + response
    stream += (ping if pings[2] else b"") + INVITE
    points = sorted({min(c, len(stream)) for c in cuts})
    chunks = [stream[a:b] for a, b in zip([0, *points], [*points, len(stream)], strict=True)]
    framer = StreamFramer()
    out: list[bytes] = []
    for chunk in chunks:
        out.extend(framer.feed(chunk))
    assert out == [INVITE, response, INVITE]
    assert framer.take_pings() == sum(pings)
    assert framer.buffered == 0
