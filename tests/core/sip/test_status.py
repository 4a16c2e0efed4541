"""The SipStatusError tree: codes, reasons, extra headers and the responses it builds (RFC 3261 8.2, 21)."""

from __future__ import annotations

import pytest

from cordboard.core.sip import status
from cordboard.core.sip.message import SipRequest, parse_message
from cordboard.core.sip.status import (
    STATUS_ERRORS,
    BadExtension,
    BadRequest,
    BusyHere,
    IntervalTooBrief,
    MethodNotAllowed,
    NotImplemented_,
    SipStatusError,
    reason_phrase,
)

REQUEST = (
    b"INVITE sip:bob@b.example SIP/2.0\r\nVia: SIP/2.0/UDP a.example;branch=z9hG4bK1\r\n"
    b"From: <sip:alice@a.example>;tag=f1\r\nTo: <sip:bob@b.example>\r\nCall-ID: c1\r\n"
    b"CSeq: 7 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
)


def request() -> SipRequest:
    message = parse_message(REQUEST)
    assert isinstance(message, SipRequest)
    return message


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("BadRequest", 400), ("Unauthorized", 401), ("Forbidden", 403), ("NotFound", 404),
        ("MethodNotAllowed", 405), ("RequestTimeout", 408), ("Gone", 410), ("RequestEntityTooLarge", 413),
        ("UnsupportedUriScheme", 416), ("BadExtension", 420), ("IntervalTooBrief", 423),
        ("TemporarilyUnavailable", 480), ("CallTransactionDoesNotExist", 481), ("LoopDetected", 482),
        ("TooManyHops", 483), ("AddressIncomplete", 484), ("BusyHere", 486), ("RequestTerminated", 487),
        ("NotAcceptableHere", 488), ("ServerInternalError", 500), ("NotImplemented_", 501),
        ("ServiceUnavailable", 503), ("VersionNotSupported", 505), ("MessageTooLarge", 513),
        ("BusyEverywhere", 600), ("Decline", 603),
    ],
)  # fmt: skip
def test_status_classes_carry_code_and_standard_reason(name: str, code: int) -> None:
    cls = getattr(status, name)
    assert issubclass(cls, SipStatusError)
    assert cls.status_code == code
    assert cls.reason == reason_phrase(code)
    assert STATUS_ERRORS[code] is cls


def test_handler_raises_busy_here_and_the_uas_answers_486() -> None:
    try:
        raise BusyHere()
    except SipStatusError as err:
        response = err.to_response(request())
    assert (response.status, response.reason) == (486, "Busy Here")
    assert response.to.tag  # RFC 3261 8.2.6.2: a To tag is added
    assert response.call_id == "c1" and response.cseq.seq == 7


def test_detail_is_appended_to_the_reason() -> None:
    err = BadRequest("Missing Call-ID")
    assert err.reason == "Bad Request - Missing Call-ID"
    assert str(err) == "400 Bad Request - Missing Call-ID"
    assert BadRequest("two\r\nlines").reason == "Bad Request - two lines"
    assert BadRequest(reason="Custom").reason == "Custom"
    assert BadRequest.reason == "Bad Request"  # the class attribute is untouched


def test_required_headers_are_added() -> None:
    assert IntervalTooBrief(60).to_response(request()).headers.get("Min-Expires") == "60"
    assert BadExtension(["foo", "bar"]).to_response(request()).headers.get_all("Unsupported") == [
        "foo",
        "bar",
    ]
    allow = MethodNotAllowed(["INVITE", "ACK"]).to_response(request()).headers.get_all("Allow")
    assert allow == ["INVITE", "ACK"]
    err = NotImplemented_(headers=[("Retry-After", "30")])
    assert err.to_response(request()).headers.get("Retry-After") == "30"


def test_explicit_to_tag_is_used() -> None:
    assert BusyHere().to_response(request(), to_tag="t9").to.tag == "t9"


def test_reason_phrase_falls_back_to_the_class() -> None:
    assert reason_phrase(486) == "Busy Here"
    assert reason_phrase(499) == "Bad Request"
    assert reason_phrase(299) == "OK"
