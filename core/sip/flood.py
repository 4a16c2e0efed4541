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
            self._forget(now)
        self._buckets[source] = (tokens - 1.0, now)
        return True

    def _forget(self, now: float) -> None:
        """Make room: drop the buckets that are full again (they would allow a burst anyway) and,
        when most sources are busy (a spoofed-address flood), keep only the half with the fewest
        tokens, so the work per new source stays amortised small and real flooders stay limited."""
        level = {
            k: min(self._burst, tokens + (now - last) * self._rate)
            for k, (tokens, last) in self._buckets.items()
        }
        keep = [k for k, tokens in level.items() if tokens < self._burst]
        if len(keep) > self._max_sources * 3 // 4:
            keep = sorted(keep, key=level.__getitem__)[: self._max_sources // 2]
        self._buckets = {k: self._buckets[k] for k in keep}
