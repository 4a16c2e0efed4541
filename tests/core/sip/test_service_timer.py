"""The SIP service re-arms its transaction timer under uvloop too, where call_at of a deadline already
past returns a plain Handle (no when()): that raised under call load before."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from cordboard.core.sip.service import SipService


class Layer:
    """The one thing _arm_timer asks the transaction layer: its next deadline."""

    def __init__(self) -> None:
        self.deadline: float | None = None

    def get_timer(self) -> float | None:
        return self.deadline


def test_timer_rearmed_after_a_past_deadline_under_uvloop() -> None:
    uvloop = pytest.importorskip("uvloop")

    async def scenario() -> None:
        service = object.__new__(SipService)  # only the timer fields: no Core, no sockets
        service.core = SimpleNamespace(loop=asyncio.get_running_loop())  # type: ignore[assignment]
        service._timer = None
        service._timer_at = None
        layer = Layer()
        service.layer = layer  # type: ignore[assignment]
        loop = asyncio.get_running_loop()
        layer.deadline = loop.time() - 1.0  # already past: uvloop answers with a Handle
        service._arm_timer()
        first = service._timer
        assert first is not None and not hasattr(first, "when")
        layer.deadline = loop.time() + 60.0
        service._arm_timer()  # raised AttributeError: 'Handle' object has no attribute 'when'
        assert service._timer is not first and service._timer_at == layer.deadline
        service._arm_timer()  # same deadline: kept
        second = service._timer
        assert second is not None
        layer.deadline = None
        service._arm_timer()
        assert service._timer is None

    uvloop.run(scenario())
