"""Attended transfer between three real softphones (issue 6, PKP-10): PJSIP's pjsua2, each in its
own process with its own SIP and RTP ports, as three desks would be.

Ann calls Bo. Bo puts her on hold, calls Cy, talks to him, and transfers Ann to Cy with REFER on
Ann's call whose Refer-To carries Replaces naming the Bo-Cy call (RFC 3891). Each phone's
microphone is a tone of its own (ann 700 Hz, bo 1100 Hz, cy 1500 Hz), so what each hears says who
it is connected to: after the transfer Ann hears Cy and Cy hears Ann, and both of Bo's calls end.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from cordboard_process import free_port
from loopback_pbx import CY_PASSWORD, PASSWORDS, add_cy, running_pbx, wait_for_sip_account
from pjsua_phone import PjsuaPhone

from cordboard.core.calls.history import list_calls
from cordboard.core.core import Core

RTP_MIN, RTP_MAX = 49400, 49599
"""Cordboard's RTP ports here, clear of the other tests' ranges."""
PHONE_RTP = {"ann": 39000, "bo": 39100, "cy": 39200}
TONES = {"ann": 700, "bo": 1100, "cy": 1500}
EXTENSIONS = {"ann": "1001", "bo": "1002", "cy": "1003"}
TALK_S = 1.5


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", RTP_MIN, RTP_MAX) as core:
        await add_cy(core)
        for name in EXTENSIONS:
            await wait_for_sip_account(core, name)
        yield core


@pytest.fixture
async def phones(pbx: Core, tmp_path: Path) -> AsyncIterator[dict[str, PjsuaPhone]]:
    assert pbx.sip is not None
    registrar = f"127.0.0.1:{pbx.sip.transports.addresses['udp'][1]}"
    passwords = {**PASSWORDS, "cy": CY_PASSWORD}
    started = {name: PjsuaPhone(name, passwords[name], TONES[name], tmp_path) for name in EXTENSIONS}
    try:
        for name, phone in started.items():
            await phone.start(registrar, free_port(), PHONE_RTP[name])
        for phone in started.values():
            await phone.wait_event(lambda e: e.get("event") == "registered" and e["code"] == 200)
        yield started
    finally:
        for phone in started.values():
            await phone.stop()


async def hears(phone: PjsuaPhone, call: int, frequency: int) -> float:
    """Waits up to 5 s for ``phone`` to hear ``frequency`` on ``call``; what it heard last."""
    heard = 0.0
    for _ in range(25):
        heard = await phone.heard(call, TALK_S / 2)
        if abs(heard - frequency) <= 15:
            return heard
        await asyncio.sleep(0.2)
    return heard


async def test_pkp_10_attended_transfer_between_three_pjsua_phones(
    pbx: Core, phones: dict[str, PjsuaPhone]
) -> None:
    """PKP-10: attended transfer with Replaces; audio flows between the remaining parties."""
    ann, bo, cy = phones["ann"], phones["bo"], phones["cy"]
    assert pbx.sip is not None
    domain = f"127.0.0.1:{pbx.sip.transports.addresses['udp'][1]}"

    ann_call = (await ann.command("dial", uri=f"sip:{EXTENSIONS['bo']}@{domain}"))["call"]
    bo_ann = (await bo.wait_event(lambda e: e.get("event") == "incoming"))["call"]
    await ann.wait_state(ann_call, "CONFIRMED")
    await bo.wait_state(bo_ann, "CONFIRMED")
    assert await hears(ann, ann_call, TONES["bo"]) == pytest.approx(TONES["bo"], abs=15)
    assert await hears(bo, bo_ann, TONES["ann"]) == pytest.approx(TONES["ann"], abs=15)

    await bo.command("hold", call=bo_ann)
    bo_cy = (await bo.command("dial", uri=f"sip:{EXTENSIONS['cy']}@{domain}"))["call"]
    cy_call = (await cy.wait_event(lambda e: e.get("event") == "incoming"))["call"]
    await bo.wait_state(bo_cy, "CONFIRMED")
    assert await hears(cy, cy_call, TONES["bo"]) == pytest.approx(TONES["bo"], abs=15)

    await bo.command("xfer_replaces", call=bo_ann, other=bo_cy)
    await bo.wait_state(bo_ann, "DISCONNECTED")
    await bo.wait_state(bo_cy, "DISCONNECTED")
    progress = [e for e in bo.events if e.get("event") == "xfer_status" and e["call"] == bo_ann]
    assert any(e["code"] == 200 for e in progress), (progress, bo.log_tail())

    assert await hears(ann, ann_call, TONES["cy"]) == pytest.approx(TONES["cy"], abs=15)
    assert await hears(cy, cy_call, TONES["ann"]) == pytest.approx(TONES["ann"], abs=15)
    assert ann.events.count({"event": "incoming"}) == 0  # Ann's call went on; no new call rang her

    await ann.command("hangup", call=ann_call)
    await cy.wait_state(cy_call, "DISCONNECTED")

    rows: list[dict[str, Any]] = []
    for _ in range(50):
        rows = await pbx.db.call(list_calls)
        if len(rows) >= 2 and all(r["result"] for r in rows):
            break
        await asyncio.sleep(0.1)
    legs = {(r["caller"], r["callee"], r["result"]) for r in rows}
    assert ("1001", "1002", "answered") in legs, legs
    assert ("1002", "1003", "answered") in legs, legs
    assert not pbx.calls.calls and not pbx.calls.dialer.calls
