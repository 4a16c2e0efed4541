"""The shared 20 ms media clock (issue 4 scope 3): every member is called once per frame, in
order, frames are never sent after their due time on an idle loop (the clock wakes SEND_AHEAD
early), and the clock stops with its last member."""

from __future__ import annotations

import asyncio
import statistics

from cordboard.core.media.clock import SEND_AHEAD, MediaClock
from cordboard.core.media.pacer import FRAME_INTERVAL


async def test_members_tick_every_frame_never_late_and_never_too_early() -> None:
    clock = MediaClock()
    ticks: list[tuple[int, float]] = []
    other: list[int] = []
    key, first = clock.add(lambda index, now: ticks.append((index, now)))
    clock.add(lambda index, _now: other.append(index))
    await asyncio.sleep(1.0)
    pacer = clock._pacer
    assert pacer is not None
    indices = [index for index, _ in ticks]
    assert indices == list(range(first, first + len(indices))) and len(indices) >= 45
    assert other == indices[: len(other)]
    offsets = [now - pacer.due_time(index) for index, now in ticks]
    assert min(offsets) >= -SEND_AHEAD - 0.001, "a frame went out more than SEND_AHEAD early"
    assert statistics.median(offsets) < 0, "frames go out after their due time, not ahead of it"
    assert clock.stats.late_frames <= 2, offsets  # one stall of the test process at most
    assert abs(pacer.due_time(1) - pacer.due_time(0) - FRAME_INTERVAL) < 1e-9
    clock.remove(key)
    clock.remove(key + 1)
    assert clock._timer is None and len(clock) == 0
