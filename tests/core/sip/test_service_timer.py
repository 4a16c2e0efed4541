"""The SIP service arms one loop timer for its transaction layer, on ``TIMER_TICK`` boundaries, and
re-arms it under uvloop too, where call_at of a deadline already past returns a plain Handle (no
when()): that raised under call load before."""

from __future__ import annotations

import asyncio
import math
from types import SimpleNamespace

import pytest

from cordboard.core.sip.service import TIMER_TICK, SipService
from cordboard.core.sip.transaction import TimerConfig, TransactionLayer


class Layer:
    """The one thing _arm_timer asks the transaction layer: its next deadline."""

    def __init__(self) -> None:
        self.deadline: float | None = None

    def next_wakeup(self) -> float | None:
        return self.deadline


def _bare_service(layer: object) -> SipService:
    service = object.__new__(SipService)  # only the timer fields: no Core, no sockets
    service.core = SimpleNamespace(loop=asyncio.get_running_loop())  # type: ignore[assignment]
    service._timer = None
    service._timer_at = 0.0
    service.layer = layer  # type: ignore[assignment]
    return service


def _tick_after(deadline: float) -> float:
    return math.ceil(deadline / TIMER_TICK) * TIMER_TICK


def test_timer_rearmed_after_a_past_deadline_under_uvloop() -> None:
    uvloop = pytest.importorskip("uvloop")

    async def scenario() -> None:
        layer = Layer()
        service = _bare_service(layer)
        loop = asyncio.get_running_loop()
        layer.deadline = loop.time() - 1.0  # already past: uvloop answers with a Handle
        service._arm_timer()
        first = service._timer
        assert first is not None and not hasattr(first, "when")
        layer.deadline = loop.time() + 60.0
        service._arm_timer()  # an armed earlier tick is kept
        assert service._timer is first
        service._timer = None  # it fired
        service._arm_timer()  # raised AttributeError: 'Handle' object has no attribute 'when'
        second = service._timer
        assert second is not None and service._timer_at == pytest.approx(_tick_after(layer.deadline))
        assert service._timer_at >= layer.deadline
        service._arm_timer()  # same deadline: kept
        assert service._timer is second
        layer.deadline -= 30.0  # an earlier deadline: armed anew
        service._arm_timer()
        assert service._timer is not second
        assert service._timer_at == pytest.approx(_tick_after(layer.deadline))
        layer.deadline = None
        service._arm_timer()
        assert service._timer is None

    uvloop.run(scenario())


def test_timers_of_one_tick_fire_in_one_wakeup() -> None:
    """Three INVITE server transactions' Trying timers, set within one tick, cost one loop wake-up,
    and each sends its 100 Trying no earlier than its deadline and at most a tick late."""

    async def scenario() -> None:
        from cordboard.core.sip.message import parse_message
        from cordboard.core.sip.peer import Peer

        layer = TransactionLayer(timers=TimerConfig())
        service = _bare_service(layer)
        wakeups = 0
        original = service._on_timer

        def counted() -> None:
            nonlocal wakeups
            wakeups += 1
            original()

        service._on_timer = counted  # type: ignore[method-assign]
        sent: list[tuple[float, bytes]] = []
        service.layer = layer
        loop = asyncio.get_running_loop()

        def pump() -> None:
            for data, _peer in layer.datagrams_to_send():
                sent.append((loop.time(), data))
            while layer.next_event() is not None:
                pass
            service._arm_timer()

        service.pump = pump  # type: ignore[method-assign]
        # Three deadlines 2 ms apart inside one tick: (aligned + 0.101, aligned + 0.105].
        base = _tick_after(loop.time()) + 0.001
        for n in range(3):
            invite = parse_message(
                (
                    "INVITE sip:1001@127.0.0.1 SIP/2.0\r\n"
                    f"Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-t{n}\r\n"
                    f"From: <sip:1000@127.0.0.1>;tag=f{n}\r\nTo: <sip:1001@127.0.0.1>\r\n"
                    f"Call-ID: tick-{n}\r\n"
                    "CSeq: 1 INVITE\r\nContact: <sip:1000@127.0.0.1:5070>\r\nMax-Forwards: 70\r\n"
                    "Content-Length: 0\r\n\r\n"
                ).encode()
            )
            layer.receive(invite, Peer("udp", "127.0.0.1", 5070), base + 0.002 * n)
            pump()
        last_deadline = base + 0.004 + TimerConfig().trying
        await asyncio.sleep(last_deadline - loop.time() + 3 * TIMER_TICK)
        assert len(sent) == 3 and all(b" 100 " in data.split(b"\r\n")[0] for _at, data in sent)
        # All in the one wake-up at the tick after the last deadline (a loop may run it 1 ms early).
        assert all(last_deadline - 0.002 <= at <= last_deadline + TIMER_TICK + 0.02 for at, _data in sent)
        assert wakeups == 1
        assert service._timer is None  # nothing left to wait for

    asyncio.run(scenario())
