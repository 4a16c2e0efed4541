"""Counters of the appliance's own media (the channels it answers), for diagnostics and benchmarks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

LATE_AFTER: Final = 0.005
"""A frame sent this long after its due time counts as late (media stats)."""


@dataclass(slots=True)
class MediaStats:
    """What the appliance's own media did, over all endpoints: for diagnostics and benchmarks."""

    open: int = 0
    frames_sent: int = 0
    late_frames: int = 0
    max_late_ms: float = 0.0

    def as_dict(self) -> dict[str, float]:
        return {
            "open": self.open,
            "frames_sent": self.frames_sent,
            "late_frames": self.late_frames,
            "max_late_ms": round(self.max_late_ms, 2),
        }
