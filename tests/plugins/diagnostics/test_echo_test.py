"""The echo test (diagnostics plugin, default ``*43``) on the Channel API: the caller hears their
own audio back, through hold and a re-INVITE, and the number is the plugin's setting."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from loopback_pbx import registered_phone, running_pbx
from rtp_audio import dominant, heard, send_audio, tone
from sip_phone import TestPhone, media_address, sdp_offer

from cordboard.core.calls.b2bua import B2bua
from cordboard.core.core import Core
from cordboard.core.sip.message import SipRequest, SipResponse

RTP_MIN, RTP_MAX = 42400, 42599


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", RTP_MIN, RTP_MAX) as core:
        yield core


async def echo_of(phone: TestPhone, target: tuple[str, int], freq: float, seq: int) -> np.ndarray:
    """Talk a tone for 1.5 s while listening; what came back, after the first loud sample."""
    phone.drain_rtp()
    said = asyncio.ensure_future(send_audio(phone, target, tone(freq, 1.5), seq))
    audio = await heard(phone, 1.8)
    await said
    loud = np.flatnonzero(np.abs(audio.astype(np.int32)) > 2000)
    assert loud.size, "nothing of the caller's audio came back"
    return audio[loud[0] :]


async def hang_up(phone: TestPhone, invite: SipRequest, ok: SipResponse, cseq: int) -> None:
    bye = phone.in_dialog("BYE", invite, ok, cseq=cseq)
    phone.send(bye)
    assert (await phone.final_response(bye)).status == 200


async def history(core: Core) -> list[dict[str, Any]]:
    for _ in range(100):
        rows = await core.db.call(lambda db: list(db.query("SELECT * FROM calls ORDER BY started")))
        if rows and rows[-1]["result"]:
            return rows
        await asyncio.sleep(0.02)
    raise AssertionError("no call was written to the history")


async def test_echo_test_returns_the_callers_audio(pbx: Core) -> None:
    """Issue 4 scope 8: *43 answers on a channel and the caller hears what they said."""
    ann = await registered_phone(pbx, "ann")
    try:
        invite, ok = await ann.call("*43")
        assert ok.status == 200, ok
        target = media_address(ok.body)
        assert target[0] == "127.0.0.1" and RTP_MIN <= target[1] <= RTP_MAX
        back = await echo_of(ann, target, 700, 1)
        assert back.size >= 8000, "about the whole second and a half comes back"
        assert abs(dominant(back[:8000]) - 700) < 10
        # A different tone comes back as that tone: the audio is the caller's, not a recording.
        assert abs(dominant((await echo_of(ann, target, 1200, 200))[:8000]) - 1200) < 10

        # Hold and resume (re-INVITEs) keep the echo going.
        hold = ann.in_dialog(
            "INVITE", invite, ok, cseq=invite.cseq.seq + 1, body=sdp_offer(ann.rtp_port, direction="sendonly")
        )
        ann.send(hold)
        held = await ann.final_response(hold)
        assert held.status == 200 and b"a=recvonly" in held.body
        ann.send(ann.in_dialog("ACK", invite, ok, cseq=hold.cseq.seq))
        resume = ann.in_dialog("INVITE", invite, ok, cseq=hold.cseq.seq + 1, body=sdp_offer(ann.rtp_port))
        ann.send(resume)
        assert (await ann.final_response(resume)).status == 200
        ann.send(ann.in_dialog("ACK", invite, ok, cseq=resume.cseq.seq))
        assert abs(dominant((await echo_of(ann, target, 500, 400))[:8000]) - 500) < 10

        await hang_up(ann, invite, ok, resume.cseq.seq + 1)
    finally:
        ann.close()
    row = (await history(pbx))[-1]
    assert row["callee"] == "*43" and row["result"] == "answered"
    calls = pbx.calls
    assert isinstance(calls, B2bua)
    for _ in range(50):
        if not calls.calls:
            break
        await asyncio.sleep(0.02)
    assert calls.calls == {}


async def test_echo_number_is_the_plugins_setting(pbx: Core) -> None:
    """The number can be moved (e.g. when *43 clashes with a feature code); the old one is free."""
    await pbx.plugins.set_config("diagnostics", {"echo_test_number": "*999"})
    ann = await registered_phone(pbx, "ann")
    try:
        _invite, response = await ann.call("*43")
        assert response.status == 200  # the old number is free: an unknown feature code now (FC-17)
        bye = await ann.wait_request("BYE", wait=20)  # after the error announcement, not an echo
        ann.answer(bye, 200)
        invite, ok = await ann.call("*999")
        assert ok.status == 200
        assert abs(dominant((await echo_of(ann, media_address(ok.body), 900, 1))[:8000]) - 900) < 10
        await hang_up(ann, invite, ok, invite.cseq.seq + 1)
    finally:
        ann.close()
