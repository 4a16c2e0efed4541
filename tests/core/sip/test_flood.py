"""The per-source token bucket in front of the SIP parser (injected clock): a flood from one address
is cut to the configured rate without starving other phones (TERM-01 devices keep registering)."""

from __future__ import annotations

import time

from cordboard.core.sip.flood import BURST, RATE, FloodGuard

T0 = 100.0


def allowed(guard: FloodGuard, source: str, count: int, now: float) -> int:
    return sum(guard.allow(source, now) for _ in range(count))


def test_burst_then_rate() -> None:
    guard = FloodGuard(rate=10, burst=20)
    assert allowed(guard, "a", 100, T0) == 20
    assert not guard.allow("a", T0 + 0.05)  # half a token
    assert allowed(guard, "a", 100, T0 + 1) == 10  # ten tokens a second
    assert allowed(guard, "a", 100, T0 + 1000) == 20  # refill stops at the burst


def test_defaults_let_a_busy_phone_through() -> None:
    guard = FloodGuard()
    assert (RATE, BURST) == (300.0, 600.0)
    # A phone retransmitting and registering several lines is far below the limit.
    for i in range(1000):
        assert guard.allow("192.0.2.1", T0 + i * 0.01)


def test_one_source_flooding_does_not_starve_another() -> None:
    guard = FloodGuard(rate=10, burst=20)
    now = T0
    for step in range(50):
        now = T0 + step * 0.1
        allowed(guard, "198.51.100.66", 1000, now)  # the flooder
        assert guard.allow("192.0.2.7", now), f"the quiet phone was refused at step {step}"
    # The flooder got its rate, not more.
    assert allowed(guard, "198.51.100.66", 1000, now) == 0


def test_memory_is_bounded_under_a_spoofed_source_flood() -> None:
    guard = FloodGuard(rate=10, burst=20, max_sources=100)
    allowed(guard, "flooder", 1000, T0)
    start = time.perf_counter()
    for i in range(20_000):
        assert guard.allow(f"10.{i // 65536}.{i // 256 % 256}.{i % 256}", T0 + i * 1e-6)
    assert time.perf_counter() - start < 5  # no quadratic work per new source
    assert len(guard._buckets) <= 100
    # The source that actually flooded is still held to its rate.
    assert not guard.allow("flooder", T0 + 0.02)


def test_forgets_idle_sources_first() -> None:
    guard = FloodGuard(rate=10, burst=20, max_sources=3)
    guard.allow("idle", T0)
    allowed(guard, "busy1", 50, T0)
    allowed(guard, "busy2", 50, T0)
    guard.allow("new", T0 + 0.5)  # idle's bucket is full again by now: it is the one forgotten
    assert "idle" not in guard._buckets
    assert {"busy1", "busy2", "new"} <= set(guard._buckets)
    assert allowed(guard, "busy1", 100, T0 + 0.5) == 5
