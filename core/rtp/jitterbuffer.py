"""A small adaptive jitter buffer for one incoming RTP stream (sans-IO).

Packets go in with :meth:`JitterBuffer.put` as they arrive; the playout clock calls
:meth:`JitterBuffer.get` once per frame (every 20 ms) and receives the next payload in sequence order,
:data:`LOSS` when that packet is missing (the decoder conceals it), or ``None`` while there is nothing to
play (before the stream starts, while the buffer fills, or after the stream has gone quiet).

The buffer orders by 16-bit sequence number with wrap-around (RFC 3550 appendix A.1), drops duplicates and
packets that arrive after their playout slot, and keeps its depth near a target derived from the
interarrival jitter estimate of RFC 3550 appendix A.8, between ``min_depth_ms`` and ``max_depth_ms``. It
grows by holding playout when it runs dry, or when the next packet is missing while the buffer is below
target; it shrinks by dropping one frame when even its lowest level over a second stayed above the
target. It starts over on an SSRC change, a sequence restart, a large
timestamp jump, or a marker bit (start of a talkspurt) after it ran dry.

One packet is assumed to carry one frame (``frame_ms`` of audio), which is what Cordboard offers in SDP.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from typing import Final

SEQ_MOD: Final = 1 << 16
TS_MOD: Final = 1 << 32
# RFC 3550 appendix A.1: sequence jumps beyond these are not treated as reordering or loss.
MAX_DROPOUT: Final = 3000
MAX_MISORDER: Final = 100
JITTER_FACTOR: Final = 3.0
"""Target depth covers this many times the mean jitter deviation, on top of one frame."""
ADAPT_WINDOW: Final = 50
"""Playout ticks (one second at 20 ms) over which the lowest buffer level is watched before shrinking."""
CONCEAL_FRAMES: Final = 3
"""While the buffer is dry, this many ticks return LOSS (concealment) before it returns None (silence)."""
TIMESTAMP_JUMP_S: Final = 1.0
"""A timestamp this far from what the sequence number predicts (without a marker) resynchronises."""


class Loss(enum.Enum):
    """The type of :data:`LOSS`."""

    LOSS = "loss"


LOSS: Final = Loss.LOSS
"""Returned by :meth:`JitterBuffer.get` for a missing frame that the decoder should conceal."""


@dataclass(slots=True)
class JitterStats:
    """Counters of one jitter buffer; depths and jitter in milliseconds."""

    received: int = 0
    """Packets accepted into the buffer."""
    late: int = 0
    """Packets that arrived after their playout slot had passed (dropped)."""
    lost: int = 0
    """Frames played as LOSS because their packet had not arrived while later ones had."""
    duplicates: int = 0
    """Packets received twice (dropped)."""
    dropped: int = 0
    """Frames dropped to shrink the buffer or because it overflowed ``max_depth_ms``."""
    discarded: int = 0
    """Packets with a sequence number far outside the stream (RFC 3550 A.1 probation)."""
    resyncs: int = 0
    """Times the buffer started over (new SSRC, sequence restart, timestamp jump, talkspurt)."""
    depth_ms: float = 0.0
    """Audio buffered ahead of the playout point at the last :meth:`JitterBuffer.get`."""
    target_ms: float = 0.0
    jitter_ms: float = 0.0
    """RFC 3550 A.8 interarrival jitter estimate."""


class JitterBuffer:
    """Reorders, de-duplicates and delays one RTP stream to absorb network jitter; see the module doc."""

    def __init__(
        self,
        *,
        clock_rate: int = 8000,
        frame_ms: int = 20,
        min_depth_ms: int = 20,
        max_depth_ms: int = 200,
    ) -> None:
        if not 0 < frame_ms <= min_depth_ms <= max_depth_ms:
            raise ValueError("need 0 < frame_ms <= min_depth_ms <= max_depth_ms")
        self.clock_rate = clock_rate
        self.frame_ms = frame_ms
        self.samples_per_frame = clock_rate * frame_ms // 1000
        self.min_frames = math.ceil(min_depth_ms / frame_ms)
        self.max_frames = max(self.min_frames, max_depth_ms // frame_ms)
        self.stats = JitterStats(target_ms=self.min_frames * frame_ms)
        self._frames: dict[int, bytes] = {}
        """Buffered payloads by extended sequence number."""
        self._ssrc: int | None = None
        self._highest: int | None = None
        """Extended sequence number of the newest packet (by sequence) of the current stream."""
        self._highest_ts = 0
        self._next: int | None = None
        """Extended sequence number of the next frame to play; None until playout has a reference."""
        self._playing = False
        self._dry_ticks = 0
        self._holds = 0
        self._probation: int | None = None
        self._recent: set[int] = set()
        """Extended sequence numbers received and already played, kept for duplicate detection."""
        self._transit: float | None = None
        self._jitter = 0.0
        """RFC 3550 A.8 jitter, in timestamp units."""
        self._window_min: int | None = None
        self._window_ticks = 0

    # --- input --------------------------------------------------------------------------------------

    def put(
        self,
        sequence: int,
        timestamp: int,
        payload: bytes,
        arrival_now: float,
        *,
        ssrc: int | None = None,
        marker: bool = False,
    ) -> bool:
        """Offer one packet that arrived at ``arrival_now`` (seconds); returns whether it was kept."""
        sequence &= 0xFFFF
        timestamp &= 0xFFFFFFFF
        if ssrc is not None and self._ssrc is not None and ssrc != self._ssrc:
            self._restart()
        if ssrc is not None:
            self._ssrc = ssrc
        if self._highest is None:
            self._start_stream(sequence, timestamp)
        assert self._highest is not None
        ext = self._extend(sequence)
        delta = ext - self._highest
        if delta > MAX_DROPOUT or delta < -MAX_MISORDER:
            # RFC 3550 A.1: a big jump is a restart only if the next packet follows it.
            if self._probation is not None and sequence == self._probation:
                self._restart()
                self._start_stream(sequence, timestamp)
                ext = self._extend(sequence)
                delta = 0
            else:
                self._probation = (sequence + 1) & 0xFFFF
                self.stats.discarded += 1
                return False
        self._probation = None
        if ext in self._frames or ext in self._recent:
            self.stats.duplicates += 1
            return False
        if self._next is not None and ext < self._next:
            self.stats.late += 1
            return False
        if delta > 0:
            self._check_timestamp(delta, timestamp, marker)
        self._update_jitter(timestamp, arrival_now)
        self._frames[ext] = payload
        if delta > 0:
            self._highest = ext
            self._highest_ts = timestamp
        self.stats.received += 1
        return True

    def _start_stream(self, sequence: int, timestamp: int) -> None:
        # The first packet's sequence number becomes the extended value 1 << 16, so that a little
        # reordering before it still gives positive extended numbers.
        self._highest = SEQ_MOD + sequence
        self._highest_ts = timestamp
        self._next = None

    def _extend(self, sequence: int) -> int:
        """Extended (wrap-free) sequence number nearest to the newest one (RFC 3550 A.1)."""
        assert self._highest is not None
        diff = (sequence - self._highest) % SEQ_MOD
        if diff >= SEQ_MOD // 2:
            diff -= SEQ_MOD
        return self._highest + diff

    def _check_timestamp(self, delta: int, timestamp: int, marker: bool) -> None:
        """Start over on a talkspurt after running dry, or on a timestamp jump the sequence cannot explain."""
        expected = (self._highest_ts + delta * self.samples_per_frame) % TS_MOD
        off = (timestamp - expected) % TS_MOD
        if off >= TS_MOD // 2:
            off -= TS_MOD
        jumped = abs(off) > TIMESTAMP_JUMP_S * self.clock_rate
        if jumped or (marker and not self._frames and self._dry_ticks > 0):
            self._resync()

    def _update_jitter(self, timestamp: int, arrival_now: float) -> None:
        """RFC 3550 A.8: J += (|D(i-1, i)| - J) / 16, all in timestamp units."""
        transit = arrival_now * self.clock_rate - timestamp
        if self._transit is not None:
            d = abs(transit - self._transit)
            self._jitter += (d - self._jitter) / 16.0
        self._transit = transit

    # --- resynchronisation --------------------------------------------------------------------------

    def _resync(self) -> None:
        """Refill to the target before playing on; forget the jitter reference across the discontinuity."""
        self._playing = False
        self._transit = None
        self.stats.resyncs += 1

    def _restart(self) -> None:
        """A new stream (SSRC change or sequence restart): drop everything buffered and start over."""
        self._frames.clear()
        self._recent.clear()
        self._highest = None
        self._next = None
        self._probation = None
        self._dry_ticks = 0
        self._resync()

    # --- output -------------------------------------------------------------------------------------

    @property
    def target_frames(self) -> int:
        """Target depth in frames: one frame plus ``JITTER_FACTOR`` jitter deviations, within the limits."""
        jitter_frames = JITTER_FACTOR * self._jitter / self.samples_per_frame
        # The estimate decays towards zero without reaching it; ignore float dust when rounding up.
        return max(self.min_frames, min(self.max_frames, 1 + math.ceil(jitter_frames - 1e-6)))

    def _depth(self) -> int:
        if self._highest is None or self._next is None:
            return len(self._frames)
        return max(0, self._highest - self._next + 1)

    def get(self, now: float) -> bytes | Loss | None:
        """The next frame at playout time ``now``: its payload, :data:`LOSS`, or ``None`` (nothing)."""
        del now  # playout advances one frame per call; the tick itself is the clock
        target = self.target_frames
        self.stats.target_ms = target * self.frame_ms
        self.stats.jitter_ms = 1000.0 * self._jitter / self.clock_rate
        if self._frames and self._dry_ticks:
            self._skip_gap_after_dry()
        if not self._playing:
            if not self._frames or not self._prefilled(target):
                self.stats.depth_ms = self._depth() * self.frame_ms
                return None
            self._playing = True
            self._window_min = None
            self._window_ticks = 0
        if not self._frames:
            return self._dry_tick()
        depth = self._trim(self._depth(), target)
        self.stats.depth_ms = depth * self.frame_ms
        assert self._next is not None
        frame = self._frames.pop(self._next, None)
        if frame is None and depth < target and self._holds < target:
            # The head packet is missing but the buffer is below target: wait for it one more frame
            # (growing the delay) instead of declaring it lost, a bounded number of times.
            self._holds += 1
            return LOSS
        if frame is None:
            self.stats.lost += 1
        else:
            self._remember(self._next)
        self._dry_ticks = 0
        self._holds = 0
        self._next += 1
        return LOSS if frame is None else frame

    def _prefilled(self, target: int) -> bool:
        """Whether enough is buffered to start playing; fixes the playout point when it is."""
        first = min(self._frames)
        start = first if self._next is None or self._next < first - self.max_frames else self._next
        assert self._highest is not None
        if self._highest - start + 1 < target:
            return False
        self._next = start
        return True

    def _dry_tick(self) -> Loss | None:
        """Playing but nothing buffered: conceal briefly (the packet may be late), then play nothing."""
        self.stats.depth_ms = 0.0
        self._dry_ticks += 1
        return LOSS if self._dry_ticks <= CONCEAL_FRAMES else None

    def _skip_gap_after_dry(self) -> None:
        """Packets are back after the buffer ran dry: the ticks already played stood in for the missing
        frames at the head, so skip up to that many of them (counted as lost) instead of playing them."""
        if self._next is None:
            return
        gap = min(self._frames) - self._next
        skip = min(max(gap, 0), self._dry_ticks)
        self._next += skip
        self.stats.lost += skip
        self._dry_ticks = 0

    def _remember(self, ext: int) -> None:
        """Keep recently played sequence numbers to tell duplicates from late packets."""
        self._recent.add(ext)
        if len(self._recent) > 2 * MAX_MISORDER:
            floor = ext - MAX_MISORDER
            self._recent = {s for s in self._recent if s >= floor}

    def _trim(self, depth: int, target: int) -> int:
        """Drop frames when the buffer overflows, or one frame when its low level stayed above target
        for a whole window; returns the depth left."""
        while depth > self.max_frames:
            self._drop_next()
            depth -= 1
        self._window_min = depth if self._window_min is None else min(self._window_min, depth)
        self._window_ticks += 1
        if self._window_ticks >= ADAPT_WINDOW:
            if self._window_min > target:
                self._drop_next()
                depth -= 1
            self._window_min = None
            self._window_ticks = 0
        return depth

    def _drop_next(self) -> None:
        """Skip the frame at the playout point: a dropped frame, or a lost one if it never came."""
        assert self._next is not None
        if self._frames.pop(self._next, None) is None:
            self.stats.lost += 1
        else:
            self._remember(self._next)
            self.stats.dropped += 1
        self._next += 1
