"""The jitter buffer: ordering with wrap-around, duplicates, late packets, loss, adaptive depth, resync."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import pytest

from cordboard.core.rtp.jitterbuffer import LOSS, JitterBuffer, Loss

TICK = 0.020
SPF = 160  # samples per 20 ms frame at 8 kHz


@dataclass(order=True)
class Pkt:
    arrival: float
    seq: int
    ts: int = 0
    payload: bytes = b""
    ssrc: int | None = field(default=None, compare=False)
    marker: bool = field(default=False, compare=False)


def stream(count: int, *, first_seq: int = 1000, first_ts: int = 5000, start: float = 0.0) -> list[Pkt]:
    """``count`` packets sent every 20 ms, arriving exactly on time; payload = frame number."""
    return [
        Pkt(start + i * TICK, (first_seq + i) & 0xFFFF, (first_ts + i * SPF) & 0xFFFFFFFF, b"%d" % i)
        for i in range(count)
    ]


def play(
    jb: JitterBuffer, packets: list[Pkt], ticks: int, *, start: float = 0.0, phase: float = 0.01
) -> list[bytes | Loss | None]:
    """Deliver packets in arrival order and call get() every 20 ms from ``start + phase``."""
    pending = sorted(packets, key=lambda p: p.arrival)
    out: list[bytes | Loss | None] = []
    i = 0
    for k in range(ticks):
        now = start + phase + k * TICK
        while i < len(pending) and pending[i].arrival <= now:
            p = pending[i]
            jb.put(p.seq, p.ts, p.payload, p.arrival, ssrc=p.ssrc, marker=p.marker)
            i += 1
        out.append(jb.get(now))
    return out


def payloads(out: list[bytes | Loss | None]) -> list[bytes]:
    return [x for x in out if isinstance(x, bytes)]


def test_in_order_stream_plays_with_one_frame_of_delay() -> None:
    jb = JitterBuffer()
    out = play(jb, stream(100), 100)
    assert out == [b"%d" % i for i in range(100)]
    assert jb.stats.received == 100
    assert (jb.stats.lost, jb.stats.late, jb.stats.duplicates, jb.stats.dropped) == (0, 0, 0, 0)
    assert jb.stats.depth_ms == 20.0
    assert jb.stats.jitter_ms == pytest.approx(0.0, abs=1e-6)


def test_nothing_before_the_first_packet() -> None:
    jb = JitterBuffer()
    assert jb.get(0.0) is None
    assert jb.get(0.02) is None


def test_reordering_is_undone() -> None:
    jb = JitterBuffer(min_depth_ms=60)
    packets = stream(200)
    rng = random.Random(1)
    for p in packets:  # each packet up to 50 ms late, so neighbours overtake each other
        p.arrival += rng.uniform(0.0, 0.05)
    out = play(jb, packets, 215)
    assert payloads(out) == [b"%d" % i for i in range(200)]
    assert jb.stats.lost == 0 and jb.stats.late == 0


def test_sequence_wrap_around_with_reordering() -> None:
    jb = JitterBuffer(min_depth_ms=40)
    packets = stream(20, first_seq=65530)
    # 65535 and 0 arrive swapped.
    packets[5].arrival, packets[6].arrival = packets[6].arrival, packets[5].arrival + 0.001
    out = play(jb, packets, 25)
    assert payloads(out) == [b"%d" % i for i in range(20)]
    assert jb.stats.lost == 0


def test_duplicates_are_dropped_before_and_after_playout() -> None:
    jb = JitterBuffer(min_depth_ms=40)
    assert jb.put(10, 0, b"a", 0.0)
    assert not jb.put(10, 0, b"a", 0.001)  # still buffered
    assert jb.put(11, SPF, b"b", 0.02)
    assert jb.get(0.03) == b"a"
    assert not jb.put(10, 0, b"a", 0.031)  # already played
    assert jb.stats.duplicates == 2
    assert jb.stats.late == 0
    assert jb.get(0.05) == b"b"


def test_lost_packet_is_reported_and_a_late_one_dropped() -> None:
    jb = JitterBuffer()
    packets = [p for p in stream(10) if p.seq != 1003]
    out = play(jb, packets, 10)
    assert out[3] is LOSS
    assert payloads(out) == [b"%d" % i for i in range(10) if i != 3]
    assert jb.stats.lost == 1
    # Frame 3 turns up after its slot: too late.
    assert not jb.put(1003, 5000 + 3 * SPF, b"3", 0.5)
    assert jb.stats.late == 1


def test_interarrival_jitter_estimate_rfc3550() -> None:
    jb = JitterBuffer()
    packets = stream(400)
    for i, p in enumerate(packets):  # transit alternates 0 and 10 ms: |D| = 10 ms every packet
        p.arrival += 0.010 * (i % 2)
    play(jb, packets, 400)
    assert jb.stats.jitter_ms == pytest.approx(10.0, abs=0.1)
    # Target: one frame plus three jitter deviations (30 ms -> 2 frames) = 60 ms.
    assert jb.stats.target_ms == 60.0


def test_depth_adapts_up_under_jitter_and_back_down_when_calm() -> None:
    jb = JitterBuffer(min_depth_ms=20, max_depth_ms=200)
    rng = random.Random(4)
    jittery = stream(1500)
    for p in jittery:
        p.arrival += rng.expovariate(1 / 0.015)  # mean 15 ms extra delay, long tail
    play(jb, jittery, 1500)
    assert 20.0 < jb.stats.target_ms <= 200.0
    busy_depth = jb.stats.target_ms
    problems = jb.stats.lost + jb.stats.late
    assert problems < 0.05 * 1500, jb.stats
    # The same stream continues without jitter: the estimate decays and the buffer shrinks back.
    calm = stream(3000, first_seq=1000 + 1500, first_ts=5000 + 1500 * SPF, start=1500 * TICK)
    dropped_before = jb.stats.dropped
    out = play(jb, calm, 3000, start=1500 * TICK)
    assert jb.stats.target_ms < busy_depth
    assert jb.stats.target_ms == 20.0
    assert jb.stats.dropped > dropped_before
    # Back to one frame of buffering: the last packet is played in the tick right after it arrived.
    assert jb.stats.depth_ms == 20.0
    assert payloads(out)[-1] == b"2999"


def test_target_depth_is_capped() -> None:
    jb = JitterBuffer(min_depth_ms=20, max_depth_ms=100)
    rng = random.Random(2)
    packets = stream(500)
    for p in packets:
        p.arrival += rng.uniform(0.0, 0.4)  # wildly late
    play(jb, packets, 520)
    assert jb.stats.target_ms == 100.0
    assert jb.stats.depth_ms <= 100.0


def test_overflow_burst_is_trimmed_to_max_depth() -> None:
    jb = JitterBuffer(max_depth_ms=200)
    packets = stream(40)
    for p in packets[:30]:
        p.arrival = 0.0  # 600 ms of audio at once
    out = play(jb, packets, 40)
    assert jb.stats.dropped >= 19
    assert jb.stats.depth_ms <= 200.0
    assert out[0] is not None


def test_ssrc_change_starts_over() -> None:
    jb = JitterBuffer()
    first = stream(10)
    for p in first:
        p.ssrc = 111
    second = stream(10, first_seq=40000, first_ts=999_999, start=10 * TICK)
    for p in second:
        p.ssrc = 222
        p.payload = b"new" + p.payload
    out = play(jb, first + second, 22)
    got = payloads(out)
    assert got[:10] == [b"%d" % i for i in range(10)]
    assert got[10:] == [b"new%d" % i for i in range(10)]
    assert jb.stats.resyncs == 1
    assert jb.stats.lost == 0 and jb.stats.late == 0


def test_talkspurt_after_silence_resynchronises() -> None:
    jb = JitterBuffer(min_depth_ms=40)
    talk = stream(10)
    # Silence suppression: 2 s without packets, then a talkspurt with the marker bit; the sequence
    # continues, the timestamp jumps by the silence.
    resume = 10 * TICK + 2.0
    spurt = stream(10, first_seq=1010, first_ts=5000 + 10 * SPF + 16000, start=resume)
    spurt[0].marker = True
    for p in spurt:
        p.payload = b"s" + p.payload
    out = play(jb, talk + spurt, 10 + 100 + 15)
    got = payloads(out)
    assert got == [b"%d" % i for i in range(10)] + [b"s%d" % i for i in range(10)]
    # While silent: a few frames of concealment, then nothing (not endless LOSS).
    quiet = out[11:110]
    assert quiet[:3] == [LOSS, LOSS, LOSS]
    assert set(quiet[3:]) <= {None}
    assert jb.stats.resyncs == 1
    assert jb.stats.lost == 0 and jb.stats.late == 0


def test_timestamp_jump_without_marker_resynchronises() -> None:
    jb = JitterBuffer()
    packets = stream(20)
    for p in packets[10:]:
        p.ts = (p.ts + 8000 * 30) & 0xFFFFFFFF  # the source restarted its clock 30 s later
    out = play(jb, packets, 22)
    assert payloads(out) == [b"%d" % i for i in range(20)]
    assert jb.stats.resyncs == 1
    assert jb.stats.jitter_ms < 1.0  # the jump did not pollute the jitter estimate


def test_sequence_restart_needs_two_packets() -> None:
    jb = JitterBuffer()
    play(jb, stream(5), 5)
    # One stray packet far away is discarded ...
    assert not jb.put(30000, 0, b"stray", 0.2)
    assert jb.stats.discarded == 1
    # ... but two in a row mean the sender restarted its sequence.
    assert not jb.put(20000, 123, b"x0", 0.21)
    assert jb.put(20001, 123 + SPF, b"x1", 0.22)
    assert jb.stats.resyncs == 1
    assert jb.get(0.23) == b"x1"


def test_invalid_limits() -> None:
    with pytest.raises(ValueError):
        JitterBuffer(min_depth_ms=300, max_depth_ms=200)
    with pytest.raises(ValueError):
        JitterBuffer(frame_ms=20, min_depth_ms=10)
