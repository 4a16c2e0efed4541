"""A real phone's blind transfer (issue 4 scope 7, "REFER from phones"): baresip's ``transfer``
command sends REFER on a call that a plugin of this test suite drives through the call-control API.

Ann calls a queue number; the plugin answers, dials Bo (the agent) and bridges them, as a queue
does. Bo transfers Ann to Cy. Each phone's microphone is a tone of its own (ann 700 Hz, bo 1100 Hz,
cy 1500 Hz), so what each one hears says who it is connected to: Cy hears Ann, Ann hears Bo and then
Cy, and Bo's call ends.

Cordboard runs in this process (tests/loopback_pbx.py) so the plugin can be registered on its
plugin manager; the baresip harness blocks, so the phones' parts run in threads.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from baresip_phone import BaresipPhone, last_tone, three_phones, wait_call_closed
from cordboard_process import require_tool
from loopback_pbx import CY_PASSWORD, PASSWORDS, add_cy, running_pbx, wait_for_sip_account

from cordboard.core.calls.channel import Channel, InboundCall
from cordboard.core.calls.history import list_calls
from cordboard.core.core import Core
from cordboard.core.plugin_api import hookimpl

RTP_MIN, RTP_MAX = 38400, 38599
"""Cordboard's RTP ports here: clear of baresip's (40000-49998) and of the other tests' ranges."""
QUEUE = "1660"
TONES = {"ann": 700.0, "bo": 1100.0, "cy": 1500.0}
TALK_S = 2.0


class QueuePlugin:
    """Answers QUEUE, rings the agent bo (1002) and bridges the caller with him."""

    def __init__(self) -> None:
        self.errors: list[BaseException] = []

    @hookimpl
    def cordboard_route_call(self, core: Core, call: InboundCall) -> Any:
        return self.queue if call.dialled == QUEUE else None

    async def queue(self, channel: Channel) -> None:
        try:
            await channel.answer()
            channel.start_tone("ringback")
            agent = await channel.dial(["1002"], ring_s=10)
            if isinstance(agent, Channel):
                await channel.bridge(agent)
                await agent.hangup()
        except Exception as err:
            self.errors.append(err)
            raise


@pytest.fixture
async def queue_pbx(tmp_path: Path) -> AsyncIterator[tuple[Core, QueuePlugin]]:
    async with running_pbx(tmp_path / "data", RTP_MIN, RTP_MAX) as core:
        await add_cy(core)
        plugin = QueuePlugin()
        core.plugins.pm.register(plugin, name="test_baresip_queue")
        for name in (*PASSWORDS, "cy"):
            await wait_for_sip_account(core, name)
        yield core, plugin


def transfer_scenario(
    ann: BaresipPhone, bo: BaresipPhone, cy: BaresipPhone, number: str = QUEUE
) -> dict[str, float]:
    """Ann calls ``number`` (the queue, or Bo), Bo answers and transfers her to Cy; what each heard,
    by the way."""
    heard: dict[str, float] = {}
    dialled = ann.command("dial", ann.uri(number))
    assert dialled.get("ok"), dialled
    ann.wait_event("CALL_ESTABLISHED")
    bo.wait_event("CALL_ESTABLISHED", extra_log=ann.log_tail())
    time.sleep(TALK_S)
    heard["ann_before"] = last_tone(ann, 1.0)
    heard["bo_before"] = last_tone(bo, 1.0)

    sent = bo.command("transfer", bo.uri("1003"))
    assert sent.get("ok"), sent
    cy.wait_event("CALL_ESTABLISHED", extra_log=bo.log_tail())
    wait_call_closed(bo)
    time.sleep(TALK_S)
    heard["ann_after"] = last_tone(ann, 1.0)
    heard["cy"] = last_tone(cy, 1.0)
    ended = ann.command("hangup")
    assert ended.get("ok"), ended
    wait_call_closed(cy)
    return heard


async def transferred(core: Core, tmp_path: Path, number: str) -> dict[str, float]:
    """Three real baresip phones run ``transfer_scenario``; Ann is heard by Cy, Cy by Ann after."""
    baresip = require_tool("baresip")
    assert core.sip is not None
    sip_port = core.sip.transports.addresses["udp"][1]
    passwords = {**PASSWORDS, "cy": CY_PASSWORD}
    phones = three_phones(tmp_path, sip_port, passwords, TONES)
    try:
        for phone in phones:
            await asyncio.to_thread(phone.start, baresip)
        for phone in phones:
            await asyncio.to_thread(phone.wait_registered)
        heard = await asyncio.to_thread(transfer_scenario, *phones, number)
    finally:
        for phone in phones:
            await asyncio.to_thread(phone.stop)
    expected = {
        "ann_before": TONES["bo"],
        "bo_before": TONES["ann"],
        "ann_after": TONES["cy"],
        "cy": TONES["ann"],
    }
    assert {k: round(v) for k, v in heard.items()} == pytest.approx(expected, abs=10), heard
    return heard


async def test_pkp_10_baresip_transfers_a_call_between_phones(
    queue_pbx: tuple[Core, QueuePlugin], tmp_path: Path
) -> None:
    """PKP-10: Ann calls Bo directly (a relayed call), Bo's baresip transfers her to Cy: the
    appliance takes Ann over by re-INVITE and rings Cy for her."""
    core, _plugin = queue_pbx
    await transferred(core, tmp_path, "1002")
    rows: list[dict[str, Any]] = []
    for _ in range(50):
        rows = await core.db.call(list_calls)
        if len(rows) >= 2 and all(r["result"] for r in rows):
            break
        await asyncio.sleep(0.1)
    legs = sorted((r["caller"], r["callee"], r["result"]) for r in rows)
    assert ("1001", "1002", "answered") in legs and ("1001", "1003", "answered") in legs, legs
    assert not core.calls.calls and not core.calls.dialer.calls


async def test_baresip_agent_transfers_the_caller(
    queue_pbx: tuple[Core, QueuePlugin], tmp_path: Path
) -> None:
    core, plugin = queue_pbx
    await transferred(core, tmp_path, QUEUE)
    assert plugin.errors == []

    rows: list[dict[str, Any]] = []
    for _ in range(50):
        rows = await core.db.call(list_calls)
        if len(rows) >= 3 and all(r["result"] for r in rows):
            break
        await asyncio.sleep(0.1)
    legs = sorted((r["caller"], r["callee"], r["result"]) for r in rows)
    assert ("1001", "1003", "answered") in legs, legs  # cy was rung showing ann
    assert ("1001", QUEUE, "answered") in legs, legs
    assert not core.calls.calls and not core.calls.dialer.calls
