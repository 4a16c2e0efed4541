"""Terminals and routing rules with real phones (issue 5 tests: "parallel vs sequential terminals,
forward on busy"): baresip phones call through Cordboard in this process.

Bo's terminals ring one by one (TERM-02): his own phone (baresip, which does not answer) for five
seconds, then Cy's; Cy answers and talks with Ann. Then a routing rule of Bo's rings his phone and
Cy's after 20 s; Bo rejects the call on his phone and Cy's phone rings at once (forward on busy).
Each phone's microphone is a tone of its own, so what each hears says who it talks to.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from baresip_phone import BaresipPhone, last_tone, three_phones, wait_call_closed
from cordboard_process import require_tool
from loopback_pbx import CY_PASSWORD, PASSWORDS, add_cy, running_pbx, wait_for_sip_account

from cordboard.core.core import Core

RTP_MIN, RTP_MAX = 38600, 38799
"""Cordboard's RTP ports here: clear of baresip's (40000-49998) and of the other tests' ranges."""
TONES = {"ann": 700.0, "bo": 1100.0, "cy": 1500.0}


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", RTP_MIN, RTP_MAX) as core:
        await add_cy(core)
        for name in (*PASSWORDS, "cy"):
            await wait_for_sip_account(core, name)
        yield core


def one_by_one(ann: BaresipPhone, bo: BaresipPhone, cy: BaresipPhone) -> dict[str, float]:
    assert ann.command("dial", ann.uri("1002")).get("ok")
    bo.wait_event("CALL_INCOMING")
    rang_bo = time.monotonic()
    cy.wait_event("CALL_ESTABLISHED", timeout=12, extra_log=bo.log_tail())
    waited = time.monotonic() - rang_bo
    ann.wait_event("CALL_ESTABLISHED")
    time.sleep(2.0)
    result = {"waited": waited, "ann": last_tone(ann), "cy": last_tone(cy)}
    assert ann.command("hangup").get("ok")
    wait_call_closed(cy)
    return result


def forward_on_busy(ann: BaresipPhone, bo: BaresipPhone, cy: BaresipPhone) -> float:
    for phone in (ann, bo, cy):
        phone.events.clear()
    assert ann.command("dial", ann.uri("1002")).get("ok")
    bo.wait_event("CALL_INCOMING")
    rejected = time.monotonic()
    assert bo.command("hangup").get("ok")  # Bo rejects the call on his phone
    cy.wait_event("CALL_ESTABLISHED", timeout=10, extra_log=bo.log_tail())
    waited = time.monotonic() - rejected
    assert ann.command("hangup").get("ok")
    wait_call_closed(cy)
    return waited


async def test_term_02_one_by_one_and_forward_on_busy_with_baresip(pbx: Core, tmp_path: Path) -> None:
    baresip = require_tool("baresip")
    assert pbx.sip is not None
    sip_port = pbx.sip.transports.addresses["udp"][1]
    passwords = {**PASSWORDS, "cy": CY_PASSWORD}
    phones = three_phones(tmp_path, sip_port, passwords, TONES, manual="bo")
    ann, bo, cy = phones
    bo_id = next(u.id for u in await pbx.identity.list_users() if u.username == "bo")
    await pbx.terminals.set_plan(
        bo_id,
        {
            "mode": "sequential",
            "terminals": [{"kind": "phones", "ring_s": 5}, {"kind": "number", "number": "1003"}],
        },
    )
    try:
        for phone in phones:
            await asyncio.to_thread(phone.start, baresip)
        for phone in phones:
            await asyncio.to_thread(phone.wait_registered)
        first = await asyncio.to_thread(one_by_one, ann, bo, cy)
        await pbx.terminals.set_plan(bo_id, {"mode": "simultaneous", "terminals": [{"kind": "phones"}]})
        await pbx.routing.create(
            {"scope": "user", "scope_id": bo_id, "list": "incoming", "name": "Busy to Cy",
             "destinations": [{"kind": "phones"}, {"kind": "number", "target": "1003", "after_s": 20}]}
        )  # fmt: skip
        waited = await asyncio.to_thread(forward_on_busy, ann, bo, cy)
    finally:
        for phone in phones:
            await asyncio.to_thread(phone.stop)
    assert 4.0 <= first["waited"] <= 9.0, first
    assert abs(first["ann"] - TONES["cy"]) < 10 and abs(first["cy"] - TONES["ann"]) < 10, first
    assert waited < 5.0, f"Cy's phone rang {waited:.1f} s after Bo's rejected the call, not at once"
