"""Encode-side pacing on a fake monotonic clock: no drift over an hour, bounded catch-up, RTP stamps."""

from __future__ import annotations

import random

import pytest

from cordboard.core.media.pacer import FRAME_INTERVAL, Pacer, RtpClock

HOUR_FRAMES = 3600 * 50


def test_due_times_are_start_plus_n_intervals() -> None:
    pacer = Pacer(100.0)
    assert pacer.next_due == 100.0
    assert pacer.frames_due(99.999) == 0
    assert list(pacer.due_frames(100.0)) == [0]
    assert pacer.next_due == 100.0 + 1 * FRAME_INTERVAL
    assert pacer.frames_due(100.019) == 0
    assert pacer.delay(100.019) == pytest.approx(0.001)
    assert list(pacer.due_frames(100.0 + 1 * FRAME_INTERVAL)) == [1]  # due exactly on time
    assert pacer.delay(200.0) == 0.0


def test_exact_boundaries_count_as_due() -> None:
    # Float division puts some n * 0.02 just below n; frames due exactly at `now` must still be sent.
    start = 12345.678
    pacer = Pacer(start)
    for n in range(5000):
        assert list(pacer.due_frames(start + n * FRAME_INTERVAL)) == [n]


def test_stall_catches_up_at_most_n_frames_then_skips() -> None:
    pacer = Pacer(0.0, max_catch_up=3)
    assert pacer.frames_due(0.0) == 1  # frame 0
    # A 200 ms stall: frames 1..10 are due; the three most recent are sent, 1..7 skipped.
    assert list(pacer.due_frames(0.2)) == [8, 9, 10]
    assert pacer.skipped == 7
    assert pacer.sent == 4
    # A short delay (2 frames late) is caught up entirely.
    assert list(pacer.due_frames(0.26)) == [11, 12, 13]
    assert pacer.skipped == 7
    assert pacer.next_due == pytest.approx(0.28)


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError, match="interval"):
        Pacer(0.0, interval=0)
    with pytest.raises(ValueError, match="max_catch_up"):
        Pacer(0.0, max_catch_up=0)
    with pytest.raises(ValueError, match="whole number"):
        RtpClock(11025)


@pytest.mark.parametrize("clock_rate", [8000, 16000, 48000])
def test_one_hour_call_with_random_lateness_has_zero_drift(clock_rate: int) -> None:
    """Wake up late by a random amount every time (sometimes stalling); frame n is always due at
    start + n * 0.02, nothing drifts, and the RTP stamps follow the frame index."""
    rng = random.Random(clock_rate)
    start = 5_000.123  # an arbitrary monotonic-clock reading
    pacer = Pacer(start, max_catch_up=3)
    clock = RtpClock(clock_rate, rng=random.Random(7))
    spf = clock_rate // 50
    now = start
    previous_stamp = None
    previous_index = -1
    sent = skipped_seen = 0
    expected_index = 0
    while pacer.next_index < HOUR_FRAMES:
        # Sleep until the next due time, waking up late: usually < 5 ms, sometimes a 30-150 ms stall.
        lateness = rng.expovariate(1 / 0.002)
        if rng.random() < 0.001:
            lateness += rng.uniform(0.03, 0.15)
        now = max(now, pacer.next_due + lateness)
        frames = pacer.due_frames(now)
        assert frames, "woken at or after the due time, at least one frame is due"
        skipped_seen += frames.start - expected_index
        for index in frames:
            due = pacer.due_time(index)
            assert due == start + index * FRAME_INTERVAL  # computed, never accumulated
            assert due <= now
            stamp = clock.stamp(index)
            assert stamp.timestamp == (clock.initial_timestamp + index * spf) % 2**32
            if previous_stamp is not None:
                assert stamp.sequence == (previous_stamp.sequence + 1) % 2**16  # no sequence gaps
                assert stamp.marker == (index != previous_index + 1)  # marker after skipped frames
                ts_step = (stamp.timestamp - previous_stamp.timestamp) % 2**32
                assert ts_step == (index - previous_index) * spf
            previous_stamp, previous_index = stamp, index
            sent += 1
        expected_index = frames.stop
        # Never more than max_catch_up at once, and never ahead of the clock.
        assert len(frames) <= 3
        assert pacer.next_due > now
    # Zero drift: after an hour of late wake-ups the stream is exactly where the clock says.
    assert pacer.next_index == HOUR_FRAMES
    assert pacer.next_due == start + HOUR_FRAMES * FRAME_INTERVAL
    assert pacer.next_due - start == pytest.approx(3600.0, abs=1e-9)
    assert sent + pacer.skipped == HOUR_FRAMES
    assert pacer.skipped == skipped_seen
    assert pacer.skipped < HOUR_FRAMES * 0.01  # stalls are rare; ordinary lateness is caught up
    assert clock.packets == sent
    final = clock.stamp(HOUR_FRAMES)
    assert final.timestamp == (clock.initial_timestamp + 3600 * clock_rate) % 2**32


@pytest.mark.parametrize(("clock_rate", "spf"), [(8000, 160), (16000, 320), (48000, 960)])
def test_rtp_clock_increments_and_wraps(clock_rate: int, spf: int) -> None:
    clock = RtpClock(clock_rate, initial_sequence=65534, initial_timestamp=2**32 - spf)
    assert clock.samples_per_frame == spf
    stamps = [clock.stamp(i) for i in range(3)]
    assert [s.sequence for s in stamps] == [65534, 65535, 0]
    assert [s.timestamp for s in stamps] == [2**32 - spf, 0, spf]
    assert [s.marker for s in stamps] == [True, False, False]
    with pytest.raises(ValueError, match="not after"):
        clock.stamp(2)


def test_rtp_clock_initial_values_are_random() -> None:
    clocks = [RtpClock(8000) for _ in range(8)]
    assert len({c.initial_sequence for c in clocks}) > 1
    assert len({c.initial_timestamp for c in clocks}) > 1
    assert all(0 <= c.initial_sequence < 2**16 and 0 <= c.initial_timestamp < 2**32 for c in clocks)
    seeded = [RtpClock(8000, rng=random.Random(1)) for _ in range(2)]
    assert seeded[0].initial_sequence == seeded[1].initial_sequence
