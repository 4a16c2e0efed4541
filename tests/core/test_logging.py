"""Structured logging: each record carries the id of the Context it was logged under."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from cordboard.core.bus import Event, EventBus
from cordboard.core.context import Context
from cordboard.core.logging_setup import FORMAT, ContextFilter


async def test_records_in_a_listener_carry_the_event_context(caplog: pytest.LogCaptureFixture) -> None:
    handler_records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            handler_records.append(record)

    handler = Keep()
    handler.addFilter(ContextFilter())
    handler.setFormatter(logging.Formatter(FORMAT))
    logger = logging.getLogger("cordboard.test.ctx")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        bus = EventBus(lambda coro, name: asyncio.get_running_loop().create_task(coro))

        def listener(event: Event[Any]) -> None:
            logger.info("ringing")

        bus.listen("call.started", listener)
        ctx = Context(user_id="7")
        bus.fire("call.started", {}, ctx)
        logger.info("outside")
    finally:
        logger.removeHandler(handler)
    assert handler.format(handler_records[0]).endswith(f"[ctx={ctx.id}] ringing")
    assert handler.format(handler_records[1]).endswith("[ctx=-] outside")
