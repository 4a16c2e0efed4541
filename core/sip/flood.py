"""Per-source rate limiting of incoming SIP, so a flood from one address does not starve the others."""

from __future__ import annotations

from typing import Final

RATE: Final = 300.0
"""Messages per second one address may send on average."""
BURST: Final = 600.0


class FloodGuard:
    """A token bucket per source address (sans-IO: the caller passes ``now``)."""

    def __init__(self, rate: float = RATE, burst: float = BURST, max_sources: int = 100_000) -> None:
        self._rate = rate
        self._burst = burst
        self._max_sources = max_sources
        self._buckets: dict[str, tuple[float, float]] = {}

    def allow(self, source: str, now: float) -> bool:
        tokens, last = self._buckets.get(source, (self._burst, now))
        tokens = min(self._burst, tokens + (now - last) * self._rate)
        if tokens < 1.0:
            self._buckets[source] = (tokens, now)
            return False
        if len(self._buckets) >= self._max_sources and source not in self._buckets:
            # Forget full buckets: they would allow a burst anyway.
            self._buckets = {k: v for k, v in self._buckets.items() if v[0] < self._burst}
        self._buckets[source] = (tokens - 1.0, now)
        return True
