"""RFC 4733 telephone-event payload, sender and receiver (BYD-05), including loss, duplication and
reordering between the two."""

from __future__ import annotations

import random
from typing import Any

import pytest

from cordboard.core.media.dtmf_event import DTMF_DIGITS, DtmfEvent
from cordboard.core.rtp.dtmf import (
    MAX_DURATION,
    DtmfPacket,
    DtmfReceiver,
    DtmfSender,
    TelephoneEvent,
    TelephoneEventParseError,
)

Packet = tuple[int, int, bool, bytes, float]  # timestamp, sequence, marker, payload, arrival


def wire(packets: list[DtmfPacket], *, first_seq: int = 100, t0: float = 0.0) -> list[Packet]:
    """What the RTP session would send: consecutive sequence numbers, sent at send_at."""
    return [
        (p.timestamp, (first_seq + i) % 65536, p.marker, p.payload, t0 + p.send_at)
        for i, p in enumerate(packets)
    ]


def run(receiver: DtmfReceiver, packets: list[Packet], *, settle: float = 5.0) -> list[DtmfEvent]:
    events: list[DtmfEvent] = []
    last = 0.0
    for ts, seq, marker, payload, now in packets:
        events += receiver.feed(ts, seq, marker, payload, now)
        last = max(last, now)
    events += receiver.handle_timer(last + settle)
    return events


# --- payload ---------------------------------------------------------------------------------------


def test_payload_round_trip_and_bit_layout() -> None:
    event = TelephoneEvent(event=11, end=True, volume=63, duration=0xFFFF)
    data = bytes(event)
    assert data == b"\x0b\xbf\xff\xff"
    assert TelephoneEvent.parse(data) == event
    assert event.digit == "#"
    parsed = TelephoneEvent.parse(b"\x05\x4a\x01\x40")  # R bit set, volume 10, duration 320
    assert (parsed.event, parsed.end, parsed.reserved, parsed.volume, parsed.duration) == (
        5,
        False,
        True,
        10,
        320,
    )
    assert bytes(parsed) == b"\x05\x4a\x01\x40"
    assert TelephoneEvent(event=16).digit is None


@pytest.mark.parametrize("code", range(16))
def test_every_digit_code(code: int) -> None:
    event = TelephoneEvent.parse(bytes([code, 0x0A, 0, 160]))
    assert event.digit == DTMF_DIGITS[code]


@pytest.mark.parametrize("data", [b"", b"\x01\x02\x03", b"\x01\x02\x03\x04\x05", b"\x00" * 8])
def test_payload_of_wrong_length_is_refused(data: bytes) -> None:
    with pytest.raises(TelephoneEventParseError, match="bytes, not 4"):
        TelephoneEvent.parse(data)


@pytest.mark.parametrize(
    "kwargs", [{"event": 256}, {"event": -1}, {"event": 1, "volume": 64}, {"event": 1, "duration": 65536}]
)
def test_payload_fields_out_of_range(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="out of range"):
        TelephoneEvent(**kwargs)


# --- sender ----------------------------------------------------------------------------------------


def test_sender_packet_train_for_100_ms_at_8000() -> None:
    packets = DtmfSender().packets("5", start_timestamp=1000)
    payloads = [TelephoneEvent.parse(p.payload) for p in packets]
    assert [p.marker for p in packets] == [True] + [False] * 6
    assert {p.timestamp for p in packets} == {1000}
    assert [e.duration for e in payloads] == [160, 320, 480, 640, 800, 800, 800]
    assert [e.end for e in payloads] == [False] * 4 + [True] * 3
    assert {e.event for e in payloads} == {5}
    assert {e.volume for e in payloads} == {10}
    assert [round(p.send_at, 3) for p in packets] == [0.0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.12]
    assert DtmfSender().span() == pytest.approx(0.14)


def test_sender_at_16000_with_custom_duration_and_interval() -> None:
    sender = DtmfSender(clock_rate=16000, interval_ms=50, duration_ms=120, volume=20)
    packets = sender.packets("#", start_timestamp=0xFFFFFF00)
    payloads = [TelephoneEvent.parse(p.payload) for p in packets]
    # 800, 1600 units per 50 ms; the last update reports the exact 120 ms = 1920 units.
    assert [e.duration for e in payloads] == [800, 1600, 1920, 1920, 1920]
    assert [e.end for e in payloads] == [False, False, True, True, True]
    assert {e.event for e in payloads} == {11}
    assert {e.volume for e in payloads} == {20}
    assert [round(p.send_at, 3) for p in packets] == [0.0, 0.05, 0.1, 0.15, 0.2]


def test_sender_duration_per_digit_overrides_default() -> None:
    packets = DtmfSender(duration_ms=100).packets("1", 0, duration_ms=40)
    assert [TelephoneEvent.parse(p.payload).duration for p in packets] == [160, 320, 320, 320]
    assert packets[0].marker


def test_sender_splits_long_events_into_segments() -> None:
    """RFC 4733 2.5.1.3: a 10 s event at 8 kHz is 80000 units: one full segment and one of 14465."""
    packets = DtmfSender(duration_ms=10_000).packets("9", start_timestamp=0xFFFF0000)
    first_ts, second_ts = 0xFFFF0000, (0xFFFF0000 + MAX_DURATION) % (1 << 32)
    assert {p.timestamp for p in packets} == {first_ts, second_ts}
    firsts = [p for p in packets if p.timestamp == first_ts]
    seconds = [p for p in packets if p.timestamp == second_ts]
    assert [p.marker for p in packets].count(True) == 1 and packets[0].marker
    first_payloads = [TelephoneEvent.parse(p.payload) for p in firsts]
    assert [e.duration for e in first_payloads[-3:]] == [MAX_DURATION] * 3  # segment end, three times
    assert not any(e.end for e in first_payloads)
    second_payloads = [TelephoneEvent.parse(p.payload) for p in seconds]
    assert [e.duration for e in second_payloads[-3:]] == [80000 - MAX_DURATION] * 3
    assert [e.end for e in second_payloads].count(True) == 3
    assert all(e.duration <= MAX_DURATION for e in first_payloads + second_payloads)
    durations = [e.duration for e in second_payloads]
    assert durations == sorted(durations)
    assert [p.send_at for p in packets] == sorted(p.send_at for p in packets)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"clock_rate": 48000}, "clock rate"),
        ({"interval_ms": 0}, "interval"),
        ({"duration_ms": 0}, "positive"),
        ({"volume": 64}, "volume"),
    ],
)
def test_sender_refuses_bad_settings(kwargs: dict[str, int], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        DtmfSender(**kwargs)


def test_sender_refuses_non_digits() -> None:
    with pytest.raises(ValueError, match="not a DTMF digit"):
        DtmfSender().packets("E", 0)


# --- receiver: round trips -------------------------------------------------------------------------


def send_digits(
    digits: str, *, clock_rate: int = 8000, duration_ms: int = 100, gap_ms: int = 60
) -> list[Packet]:
    """Digits one after another, as an RTP session would send them."""
    sender = DtmfSender(clock_rate=clock_rate, duration_ms=duration_ms)
    out: list[Packet] = []
    now, ts = 10.0, 12345
    for digit in digits:
        train = wire(sender.packets(digit, ts), first_seq=len(out), t0=now)
        out += train
        step = sender.span() + gap_ms / 1000
        now += step
        ts = (ts + round(step * clock_rate)) % (1 << 32)
    return out


@pytest.mark.parametrize("clock_rate", [8000, 16000])
def test_round_trip_all_digits(clock_rate: int) -> None:
    receiver = DtmfReceiver(clock_rate=clock_rate)
    events = run(receiver, send_digits(DTMF_DIGITS, clock_rate=clock_rate))
    assert "".join(e.digit for e in events) == DTMF_DIGITS
    assert {e.duration_ms for e in events} == {100}
    assert {e.source for e in events} == {"rfc4733"}
    assert all(e.complete for e in events)
    assert {e.volume_dbm0 for e in events} == {-10}
    assert receiver.ignored == 0


def test_event_is_reported_at_the_first_end_packet_and_once() -> None:
    receiver = DtmfReceiver()
    packets = send_digits("7")
    reported = [receiver.feed(*p) for p in packets]
    assert [len(r) for r in reported] == [0, 0, 0, 0, 1, 0, 0]
    assert reported[4][0] == DtmfEvent("7", 100, "rfc4733", at=10.0, volume_dbm0=-10)
    assert receiver.duplicates == 2
    assert receiver.get_timer() is None


def test_repeated_same_digit_gives_two_events() -> None:
    events = run(DtmfReceiver(), send_digits("55"))
    assert [e.digit for e in events] == ["5", "5"]


def test_duplicated_packets() -> None:
    packets = [p for p in send_digits("123") for _ in range(3)]
    events = run(DtmfReceiver(), packets)
    assert [(e.digit, e.duration_ms, e.complete) for e in events] == [
        ("1", 100, True),
        ("2", 100, True),
        ("3", 100, True),
    ]


def test_lost_first_packet() -> None:
    packets = send_digits("4")
    events = run(DtmfReceiver(), packets[1:])
    assert [(e.digit, e.duration_ms, e.complete) for e in events] == [("4", 100, True)]


def test_lost_two_end_packets_still_reports_full_duration() -> None:
    packets = send_digits("6")
    events = run(DtmfReceiver(), packets[:4] + packets[6:])
    assert [(e.digit, e.duration_ms, e.complete) for e in events] == [("6", 100, True)]


def test_all_end_packets_lost_ends_by_timer() -> None:
    receiver = DtmfReceiver(timeout=0.5)
    packets = send_digits("8")[:4]  # updates up to 80 ms, no end
    for packet in packets:
        assert receiver.feed(*packet) == []
    last_arrival = packets[-1][4]
    assert receiver.get_timer() == pytest.approx(last_arrival + 0.5)
    assert receiver.handle_timer(last_arrival + 0.4) == []
    events = receiver.handle_timer(last_arrival + 0.5)
    assert [(e.digit, e.duration_ms, e.complete) for e in events] == [("8", 80, False)]
    assert receiver.get_timer() is None
    assert receiver.handle_timer(last_arrival + 10) == []
    # A late end packet of the timed-out event is a duplicate, not a new digit.
    late = send_digits("8")[5]
    assert receiver.feed(*late[:4], last_arrival + 11) == []


def test_new_event_without_end_of_previous() -> None:
    packets = send_digits("12")
    first_end = [i for i, p in enumerate(packets) if TelephoneEvent.parse(p[3]).end][:3]
    packets = [p for i, p in enumerate(packets) if i not in first_end]
    events = run(DtmfReceiver(timeout=10.0), packets)
    assert [(e.digit, e.duration_ms, e.complete) for e in events] == [("1", 80, False), ("2", 100, True)]


def test_reordered_packets() -> None:
    packets = send_digits("369")
    rng = random.Random(4733)
    # Swap neighbours within each digit's train (jitter that reorders, not across digits).
    shuffled: list[Packet] = []
    for start in range(0, len(packets), 7):
        train = packets[start : start + 7]
        for i in range(0, len(train) - 1, 2):
            if rng.random() < 0.7:
                train[i], train[i + 1] = train[i + 1], train[i]
        shuffled += train
    events = run(DtmfReceiver(), shuffled)
    assert [e.digit for e in events] == ["3", "6", "9"]
    assert all(e.duration_ms is not None and e.duration_ms >= 80 for e in events)


def test_end_packets_first_then_late_updates() -> None:
    packets = send_digits("0")
    events = run(DtmfReceiver(), packets[4:] + packets[:4])
    assert [(e.digit, e.duration_ms, e.complete) for e in events] == [("0", 100, True)]


def test_random_loss_duplication_and_reordering_never_double_reports() -> None:
    """Any digit whose end packets (at least one) arrive is reported exactly once; nothing extra."""
    rng = random.Random(5)
    digits = "".join(rng.choice(DTMF_DIGITS) for _ in range(200))
    packets = send_digits(digits)
    mangled: list[Packet] = []
    for packet in packets:
        if rng.random() < 0.1:
            continue  # lost
        mangled.append(packet)
        if rng.random() < 0.1:
            mangled.append(packet)  # duplicated
    for i in range(len(mangled) - 1):
        if rng.random() < 0.1 and mangled[i][0] == mangled[i + 1][0]:
            mangled[i], mangled[i + 1] = mangled[i + 1], mangled[i]
    events = run(DtmfReceiver(timeout=0.2), mangled)
    assert "".join(e.digit for e in events) == digits
    assert all(e.duration_ms is not None and 20 <= e.duration_ms <= 100 for e in events)


def test_long_event_across_segments() -> None:
    receiver = DtmfReceiver()
    events = run(receiver, send_digits("D", duration_ms=10_000))
    assert [(e.digit, e.duration_ms, e.complete) for e in events] == [("D", 10_000, True)]


def test_long_event_with_lost_segment_ends() -> None:
    packets = send_digits("B", duration_ms=10_000)
    first_ts = packets[0][0]
    # Lose the three packets that close the first segment (duration 65535).
    closing = [
        i
        for i, p in enumerate(packets)
        if p[0] == first_ts and TelephoneEvent.parse(p[3]).duration == MAX_DURATION
    ]
    assert len(closing) == 3
    events = run(DtmfReceiver(), [p for i, p in enumerate(packets) if i not in closing])
    assert [(e.digit, e.duration_ms) for e in events] == [("B", 10_000)]


def test_long_event_whose_segments_carry_the_marker_bit() -> None:
    packets = send_digits("C", duration_ms=10_000)
    second_ts = (packets[0][0] + MAX_DURATION) % (1 << 32)
    first_of_second = next(i for i, p in enumerate(packets) if p[0] == second_ts)
    ts, seq, _, payload, now = packets[first_of_second]
    packets[first_of_second] = (ts, seq, True, payload, now)
    events = run(DtmfReceiver(), packets)
    assert [(e.digit, e.duration_ms, e.complete) for e in events] == [("C", 10_000, True)]


def test_same_digit_again_after_lost_end_is_a_new_event() -> None:
    """A held key whose end packets were lost, then the same key again: two events, not one."""
    packets = send_digits("1", duration_ms=9000)
    packets = [p for p in packets if not TelephoneEvent.parse(p[3]).end]
    later = wire(DtmfSender().packets("1", (packets[-1][0] + 100_000) % (1 << 32)), t0=packets[-1][4] + 0.1)
    events = run(DtmfReceiver(timeout=1.0), packets + later)
    assert [(e.digit, e.complete) for e in events] == [("1", False), ("1", True)]
    assert events[1].duration_ms == 100


def test_timestamp_wrap_around() -> None:
    sender = DtmfSender()
    receiver = DtmfReceiver()
    first = wire(sender.packets("1", 0xFFFFFF00), t0=0.0)
    second = wire(sender.packets("2", 0x00000100), t0=1.0)
    events = run(receiver, first + second)
    assert [e.digit for e in events] == ["1", "2"]


def test_garbage_is_ignored_and_counted() -> None:
    receiver = DtmfReceiver()
    for payload in (
        b"",
        b"\x01",
        b"\x01\x02\x03\x04\x05",
        bytes([16, 0x0A, 0, 160]),
        bytes([200, 0x8A, 1, 0]),
    ):
        assert receiver.feed(1000, 1, True, payload, 0.0) == []
    assert receiver.ignored == 5
    assert receiver.get_timer() is None
    assert run(receiver, send_digits("A")) == [DtmfEvent("A", 100, "rfc4733", at=10.0, volume_dbm0=-10)]


def test_receiver_refuses_bad_clock_rate() -> None:
    with pytest.raises(ValueError, match="clock rate"):
        DtmfReceiver(clock_rate=44100)
