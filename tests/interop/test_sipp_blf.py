"""A busy-lamp key as SIPp (BYD-09): SIPp subscribes to bo's line as cy; ann calls bo; the key
gets the ringing state; cy's phone picks the call up with the directed pickup code; the key goes
dark again (scenarios/subscribe_blf.xml)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from loopback_pbx import CY_PASSWORD, add_cy, registered_phone, running_pbx
from phone_calls import talk
from sip_phone import media_address
from sipp_runner import SCENARIOS, sipp_command

from cordboard.core.core import Core

RTP_MIN, RTP_MAX = 49000, 49199
SIPP_TIMEOUT = 40


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", RTP_MIN, RTP_MAX) as core:
        await add_cy(core)
        yield core


async def test_byd_09_a_sipp_busy_lamp_key_sees_the_ringing_and_the_pickup(pbx: Core, tmp_path: Path) -> None:
    assert pbx.sip is not None and pbx.sip.subscriptions is not None
    port = pbx.sip.transports.addresses["udp"][1]
    work = tmp_path / "sipp"
    work.mkdir()
    command = sipp_command(
        "-sf",
        str(SCENARIOS / "subscribe_blf.xml"),
        f"127.0.0.1:{port}",
        "-s",
        "1002",
        "-au",
        "cy",
        "-ap",
        CY_PASSWORD,
        "-key",
        "username",
        "cy",
        "-p",
        "0",
        "-trace_msg",
        "-message_file",
        str(work / "messages.log"),
        timeout=SIPP_TIMEOUT,
    )
    key = await asyncio.create_subprocess_exec(
        *command, cwd=work, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    ann, bo, cy = [await registered_phone(pbx, n) for n in ("ann", "bo", "cy")]
    try:
        for _ in range(100):
            if pbx.sip.subscriptions.subscriptions:
                break
            await asyncio.sleep(0.05)
        assert pbx.sip.subscriptions.subscriptions, "SIPp never subscribed"
        calling = asyncio.create_task(ann.invite("1002"))
        ringing = await bo.wait_request("INVITE", wait=5)
        bo.answer(ringing, 180)
        await asyncio.sleep(0.5)
        _pickup, picked = await cy.call("*9*1002")
        assert picked.status == 200
        bo.answer(await bo.wait_request("CANCEL", wait=5), 200)
        bo.answer(ringing, 487)
        invite, ok = await calling
        assert ok.status == 200
        ann.ack(invite, ok)
        output, _ = await asyncio.wait_for(key.communicate(), SIPP_TIMEOUT + 10)
        trace_tail = (work / "messages.log").read_text(errors="replace")[-6000:]
        assert key.returncode == 0, output.decode(errors="replace")[-1500:] + trace_tail
        await talk(ann, media_address(ok.body), cy, media_address(picked.body))
        ann.send(ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 1))
        cy.answer(await cy.wait_request("BYE", wait=5), 200, to_tag="")
    finally:
        if key.returncode is None:
            key.kill()
        for phone in (ann, bo, cy):
            phone.close()
    trace = (work / "messages.log").read_text(errors="replace")
    notifies = re.findall(r"NOTIFY sip:.*?(?=\n-{10,}|\Z)", trace, re.S)
    states = [re.findall(r"<state>(\w+)</state>", n) for n in notifies]
    assert states[0] == [] and ["early"] in states and states[-1] == [], states
