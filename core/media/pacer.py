"""Encode-side pacing: when each outgoing 20 ms frame is due on a monotonic clock, and the RTP sequence
number and timestamp that go with it.

Due times are computed, never accumulated: frame ``n`` is due at ``start + n * interval``, so scheduling
lateness (a slow event loop, a stall) never shifts later frames and a one-hour call ends on time. After a
stall the caller catches up by sending at most ``max_catch_up`` overdue frames at once; older overdue frames
are skipped (their RTP timestamps are skipped too, so the receiver sees a gap in time, not a speed-up).

Sans-IO: the caller passes ``now`` (``time.monotonic()`` in the asyncio adapter, a fake clock in tests)
and sleeps until :attr:`Pacer.next_due` itself.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from typing import Final, Protocol

FRAME_INTERVAL: Final = 0.020
DEFAULT_MAX_CATCH_UP: Final = 3
SEQUENCE_MOD: Final = 1 << 16
TIMESTAMP_MOD: Final = 1 << 32


class Pacer:
    """Due times of a frame stream started at ``start`` with one frame every ``interval`` seconds."""

    def __init__(
        self, start: float, *, interval: float = FRAME_INTERVAL, max_catch_up: int = DEFAULT_MAX_CATCH_UP
    ) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        if max_catch_up < 1:
            raise ValueError("max_catch_up must be at least 1")
        self.start = start
        self.interval = interval
        self.max_catch_up = max_catch_up
        self._next = 0
        self.sent = 0
        """Frames handed out by :meth:`due_frames` so far."""
        self.skipped = 0
        """Frames skipped because they were more than ``max_catch_up`` frames overdue."""

    def due_time(self, index: int) -> float:
        """When frame ``index`` is due: ``start + index * interval``."""
        return self.start + index * self.interval

    @property
    def next_index(self) -> int:
        """Index of the next frame not yet sent or skipped."""
        return self._next

    @property
    def next_due(self) -> float:
        """When the next frame is due; sleep until then."""
        return self.due_time(self._next)

    def delay(self, now: float) -> float:
        """Seconds from ``now`` until the next frame is due (0 when it is already due)."""
        return max(0.0, self.next_due - now)

    def _last_due_index(self, now: float) -> int:
        """The highest frame index whose due time is at or before ``now`` (-1 before the start)."""
        k = math.floor((now - self.start) / self.interval)
        # The division can be off by one at exact boundaries; settle it against due_time itself.
        while self.due_time(k + 1) <= now:
            k += 1
        while k >= 0 and self.due_time(k) > now:
            k -= 1
        return max(k, -1)

    def due_frames(self, now: float) -> range:
        """Indices of the frames to send now (empty when none is due), skipping any beyond the catch-up."""
        last = self._last_due_index(now)
        if last < self._next:
            return range(0)
        first = max(self._next, last - self.max_catch_up + 1)
        self.skipped += first - self._next
        self._next = last + 1
        self.sent += last + 1 - first
        return range(first, last + 1)

    def frames_due(self, now: float) -> int:
        """How many frames to send now; like :meth:`due_frames` but only the count."""
        return len(self.due_frames(now))


class _RandomSource(Protocol):
    def getrandbits(self, k: int, /) -> int: ...


@dataclass(frozen=True, slots=True)
class RtpStamp:
    """The RTP header fields of one outgoing packet."""

    sequence: int
    timestamp: int
    marker: bool


class RtpClock:
    """RTP sequence numbers and timestamps for a paced frame stream (RFC 3550 section 5.1).

    The initial sequence number and timestamp are random (RFC 3550 5.1: "SHOULD be random") unless
    given. The timestamp of frame ``n`` is ``initial + n * samples_per_frame`` (mod 2**32), so it
    follows the pacer's due times exactly; the sequence number goes up by one per packet actually sent
    (mod 2**16), so skipped frames show as a timestamp gap without a sequence gap (no loss reported).
    The marker bit is set on the first packet and on the first packet after skipped frames
    (RFC 3551 section 4.1: the first packet after silence).
    """

    def __init__(
        self,
        clock_rate: int,
        *,
        frame_ms: int = 20,
        initial_sequence: int | None = None,
        initial_timestamp: int | None = None,
        rng: _RandomSource | None = None,
    ) -> None:
        if clock_rate <= 0 or frame_ms <= 0 or clock_rate * frame_ms % 1000:
            raise ValueError(f"{frame_ms} ms is not a whole number of samples at {clock_rate} Hz")
        source: _RandomSource = rng if rng is not None else secrets.SystemRandom()
        self.clock_rate = clock_rate
        self.samples_per_frame = clock_rate * frame_ms // 1000
        self.initial_sequence = (
            initial_sequence % SEQUENCE_MOD if initial_sequence is not None else source.getrandbits(16)
        )
        self.initial_timestamp = (
            initial_timestamp % TIMESTAMP_MOD if initial_timestamp is not None else source.getrandbits(32)
        )
        self._packets = 0
        self._last_index: int | None = None

    def timestamp(self, frame_index: int) -> int:
        """RTP timestamp of frame ``frame_index``."""
        return (self.initial_timestamp + frame_index * self.samples_per_frame) % TIMESTAMP_MOD

    @property
    def packets(self) -> int:
        """Packets stamped so far."""
        return self._packets

    def stamp(self, frame_index: int) -> RtpStamp:
        """Header fields for the packet carrying frame ``frame_index``; frame indices must increase."""
        if self._last_index is not None and frame_index <= self._last_index:
            raise ValueError(f"frame {frame_index} is not after frame {self._last_index}")
        marker = self._last_index is None or frame_index != self._last_index + 1
        sequence = (self.initial_sequence + self._packets) % SEQUENCE_MOD
        self._packets += 1
        self._last_index = frame_index
        return RtpStamp(sequence, self.timestamp(frame_index), marker)
