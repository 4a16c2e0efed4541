"""One 20 ms clock for every channel's media: a single loop timer, however many channels.

Each endpoint used to arm its own timer every 20 ms (10,000 timer callbacks a second at 200
channels, each scheduled a little late on its own). The shared clock ticks once per frame and
calls every member in turn, in the order they joined; it starts with the first member and stops
with the last. Frame indices are the clock's: a member counts its own frames from the index it
joined at. Late ticks (the loop was busy) are counted in ``MediaStats`` for every member.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Final

from cordboard.core.media.pacer import Pacer
from cordboard.core.media.stats import LATE_AFTER, MediaStats

SEND_AHEAD: Final = 0.002
"""The clock wakes this long before a frame is due: event-loop timers fire up to a millisecond
late, and a busy loop (a burst of received packets) adds more; a frame sent 2 ms early is
nothing to a receiver's jitter buffer, one sent late shortens its margin."""

FrameCallback = Callable[[int, float], None]
"""Called with the clock's frame index and the loop time of the tick."""


class MediaClock:
    def __init__(self, stats: MediaStats | None = None) -> None:
        self.stats = stats if stats is not None else MediaStats()
        self._members: dict[int, FrameCallback] = {}
        self._pacer: Pacer | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._next_key = 0

    def __len__(self) -> int:
        return len(self._members)

    def add(self, callback: FrameCallback) -> tuple[int, int]:
        """Join: ``callback(index, now)`` runs every 20 ms from the next tick on. Returns a key for
        ``remove`` and the first frame index the member will see."""
        if self._pacer is None:
            loop = asyncio.get_running_loop()
            self._pacer = Pacer(loop.time())
            self._timer = loop.call_at(self._pacer.next_due - SEND_AHEAD, self._tick)
        key = self._next_key
        self._next_key += 1
        self._members[key] = callback
        return key, self._pacer.next_index

    def remove(self, key: int) -> None:
        self._members.pop(key, None)
        if not self._members and self._timer is not None:
            self._timer.cancel()
            self._timer = None
            self._pacer = None

    def _tick(self) -> None:
        pacer = self._pacer
        if pacer is None:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        stats = self.stats
        for index in pacer.due_frames(now + SEND_AHEAD):
            members = list(self._members.values())
            late = now - pacer.due_time(index)
            if late > LATE_AFTER:
                stats.late_frames += len(members)
                stats.max_late_ms = max(stats.max_late_ms, 1000 * late)
            stats.frames_sent += len(members)
            for callback in members:
                callback(index, now)
        if self._pacer is pacer:
            self._timer = loop.call_at(pacer.next_due - SEND_AHEAD, self._tick)
