"""DTMF in SIP INFO bodies: application/dtmf-relay and application/dtmf (BYD-05)."""

from __future__ import annotations

import pytest

from cordboard.core.media.dtmf_event import DTMF_DIGITS, DtmfEvent, digit_to_code
from cordboard.core.media.dtmf_info import DtmfInfoError, parse_dtmf_info


@pytest.mark.parametrize(
    ("body", "digit", "duration"),
    [
        (b"Signal=5\r\nDuration=160\r\n", "5", 160),
        (b"signal=5\r\nduration=160", "5", 160),
        (b"SIGNAL = #\nDURATION = 250\n", "#", 250),
        (b"Signal= *\r\nDuration= 100\r\n", "*", 100),
        (b"Duration=80\r\nSignal=d\r\n", "D", 80),
        (b"Signal=A\r\n", "A", None),
        (b"Signal=10\r\nDuration=100\r\n", "*", 100),
        (b"Signal=11\r\nDuration=100\r\n", "#", 100),
        (b"\r\nSignal=0\r\n\r\nDuration=0\r\n\r\n", "0", 0),
        ("Signal=9\r\nDuration=300\r\n", "9", 300),
    ],
)
def test_dtmf_relay(body: bytes | str, digit: str, duration: int | None) -> None:
    event = parse_dtmf_info("application/dtmf-relay", body)
    assert event == DtmfEvent(digit=digit, duration_ms=duration, source="info")


@pytest.mark.parametrize(
    ("content_type", "body", "digit"),
    [
        ("application/dtmf", b"5", "5"),
        ("application/dtmf", b"#\r\n", "#"),
        ("Application/DTMF", b" * ", "*"),
        ("application/dtmf; charset=us-ascii", b"b", "B"),
        ("application/dtmf", b"11", "#"),
    ],
)
def test_dtmf_body(content_type: str, body: bytes, digit: str) -> None:
    assert parse_dtmf_info(content_type, body) == DtmfEvent(digit=digit, duration_ms=None, source="info")


def test_content_type_parameters_and_case() -> None:
    event = parse_dtmf_info("APPLICATION/DTMF-RELAY ; foo=bar", b"Signal=1\r\nDuration=60\r\n")
    assert (event.digit, event.duration_ms) == ("1", 60)


@pytest.mark.parametrize(
    ("content_type", "body", "match"),
    [
        ("application/sdp", b"Signal=5", "not a DTMF content type"),
        ("text/plain", b"5", "not a DTMF content type"),
        ("application/dtmf-relay", b"", "no Signal"),
        ("application/dtmf-relay", b"Duration=100\r\n", "no Signal"),
        ("application/dtmf-relay", b"Signal=E\r\n", "not a DTMF digit"),
        ("application/dtmf-relay", b"Signal=16\r\n", "not a DTMF digit"),
        ("application/dtmf-relay", b"Signal=\r\n", "not a DTMF digit"),
        ("application/dtmf-relay", b"Signal=55\r\n", "not a DTMF digit"),
        ("application/dtmf-relay", b"Signal=5\r\nDuration=abc\r\n", "Duration"),
        ("application/dtmf-relay", b"Signal=5\r\nDuration=-5\r\n", "Duration"),
        ("application/dtmf-relay", b"Signal=5\r\nDuration=\r\n", "Duration"),
        ("application/dtmf-relay", b"Signal=5\r\nDuration=99999999999\r\n", "Duration"),
        ("application/dtmf-relay", b"Signal 5\r\n", "without '='"),
        ("application/dtmf-relay", b"Signal=5\r\nSignal=6\r\n", "twice"),
        ("application/dtmf-relay", "Signal=\u0665".encode(), "not ASCII"),
        ("application/dtmf-relay", "Signal=\u0665", "not a DTMF digit"),
        ("application/dtmf-relay", b"Signal=5\r\n" + b"x" * 2000, "too long"),
        ("application/dtmf", b"", "not a DTMF digit"),
        ("application/dtmf", b"55", "not a DTMF digit"),
        ("application/dtmf", b"Signal=5", "not a DTMF digit"),
        ("application/dtmf", b"\xff", "not ASCII"),
    ],
)
def test_bad_bodies_raise_clear_value_errors(content_type: str, body: bytes | str, match: str) -> None:
    with pytest.raises(DtmfInfoError, match=match) as info:
        parse_dtmf_info(content_type, body)
    assert isinstance(info.value, ValueError)


# --- the shared event type (core/media/dtmf_event.py) ----------------------------------------------


def test_event_type_checks_digit_and_duration() -> None:
    assert DtmfEvent("a".upper(), 0, "inband").digit == "A"
    for bad in ("E", "", "12", "a"):
        with pytest.raises(ValueError, match="not a DTMF digit"):
            DtmfEvent(bad, None, "info")
    with pytest.raises(ValueError, match="negative"):
        DtmfEvent("1", -1, "rfc4733")


def test_digit_codes_follow_rfc_4733() -> None:
    assert [digit_to_code(d) for d in DTMF_DIGITS] == list(range(16))
    assert digit_to_code("d") == 15
    with pytest.raises(ValueError, match="not a DTMF digit"):
        digit_to_code("**")
