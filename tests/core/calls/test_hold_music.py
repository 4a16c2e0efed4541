"""Music on hold for calls between phones (MOH-01..03): when bo puts ann on hold from his phone,
ann hears bo's music-on-hold class (not bo's line), and bo's voice again once he resumes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from loopback_pbx import connected_call, registered_phone, running_pbx, wait_for_sip_account
from rtp_audio import dominant, heard, send_audio, tone
from sip_phone import TestPhone, media_address, sdp_offer

from cordboard.core.calls.channel import Channel, InboundCall
from cordboard.core.core import Core
from cordboard.core.media.audio_file import write_wav
from cordboard.core.plugin_api import hookimpl
from cordboard.core.sip.message import SipRequest

RTP_MIN, RTP_MAX = 42000, 42199
MELODY_NOTES = (523.25, 659.25, 783.99, 587.33)
"""The built-in melody of the default class (core/media/moh.py)."""


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", RTP_MIN, RTP_MAX) as core:
        yield core


async def hold_round(ann: TestPhone, bo: TestPhone, incoming: SipRequest, cseq: int, direction: str) -> None:
    """bo sends a re-INVITE with ``direction``; ann answers with the mirrored direction."""
    reinvite = bo.request_as_callee(incoming, "INVITE", cseq, sdp_offer(bo.rtp_port, direction=direction))
    bo.send(reinvite)
    at_ann = await ann.wait_request("INVITE")
    assert f"a={direction}".encode() in at_ann.body
    mirrored = {"sendonly": "recvonly", "sendrecv": "sendrecv"}[direction]
    ann.answer(at_ann, 200, body=sdp_offer(ann.rtp_port, direction=mirrored), to_tag="")
    ok = await bo.final_response(reinvite)
    assert ok.status == 200
    ack = bo.request_as_callee(incoming, "ACK", cseq)
    bo.send(ack)


async def held_call(core: Core) -> tuple[TestPhone, TestPhone, SipRequest, tuple[str, int]]:
    ann = await registered_phone(core, "ann")
    bo = await registered_phone(core, "bo")
    task = asyncio.create_task(connected_call(ann, bo))
    incoming = await bo.wait_request("INVITE")
    await task
    bo_to_relay = media_address(incoming.body)
    return ann, bo, incoming, bo_to_relay


async def test_the_held_phone_hears_music_and_the_holder_again_after_resume(pbx: Core) -> None:
    core = pbx
    ann, bo, incoming, bo_to_relay = await held_call(core)
    try:
        talking = asyncio.create_task(send_audio(bo, bo_to_relay, tone(300.0, 6.0), 1))
        await asyncio.sleep(0.6)
        ann.drain_rtp()
        assert abs(dominant((await heard(ann, 0.6))[-2400:]) - 300) < 10  # bo's line before hold

        await hold_round(ann, bo, incoming, 2, "sendonly")
        await asyncio.sleep(0.3)
        ann.drain_rtp()
        music = await heard(ann, 2.5)
        frames = music[: music.size // 800 * 800].reshape(-1, 800)
        loud = [f for f in frames if np.sqrt(np.mean(f.astype(np.float64) ** 2)) > 300]
        assert len(loud) >= 10, "ann heard no music on hold"
        notes = {min(MELODY_NOTES, key=lambda n: abs(n - dominant(f))) for f in loud}
        assert all(abs(dominant(f) - 300) > 30 for f in loud), "bo's line leaked through the hold"
        assert len(notes) >= 2, f"not the melody: {notes}"

        await hold_round(ann, bo, incoming, 3, "sendrecv")
        await asyncio.sleep(0.3)
        ann.drain_rtp()
        assert abs(dominant((await heard(ann, 0.6))[-2400:]) - 300) < 10  # bo's line again
        await talking
    finally:
        ann.close()
        bo.close()
    assert all(call.hold_music is None for call in core.calls.calls.values())


async def test_the_holders_chosen_class_plays(pbx: Core) -> None:
    """MOH-03: bo chose the class "calm"; a held caller hears its file (a 700 Hz tone here)."""
    core = pbx
    folder = core.data_dir / "moh" / "calm"
    folder.mkdir(parents=True)
    write_wav(folder / "track.wav", tone(700.0, 3.0, rate=16000), 16000)
    await wait_for_sip_account(core, "bo")
    bo_user = core.sip.accounts.by_username("bo")
    assert bo_user is not None
    await core.settings.set("user", bo_user.user_id, "core.music_on_hold", "calm")
    ann, bo, incoming, _ = await held_call(core)
    try:
        await hold_round(ann, bo, incoming, 2, "sendonly")
        await asyncio.sleep(0.3)
        ann.drain_rtp()
        music = await heard(ann, 1.0)
        assert music.size >= 6000 and abs(dominant(music[-4000:]) - 700) < 10
    finally:
        ann.close()
        bo.close()


async def test_a_channel_on_hold_plays_the_organisations_class(pbx: Core) -> None:
    """A plugin's ``channel.hold()`` without a class plays the organisation's choice."""
    core = pbx
    folder = core.data_dir / "moh" / "calm"
    folder.mkdir(parents=True)
    write_wav(folder / "track.wav", tone(700.0, 3.0, rate=16000), 16000)
    await core.settings.set("org", None, "core.music_on_hold", "calm")

    class Queue:
        @hookimpl
        def cordboard_route_call(self, core: Core, call: InboundCall) -> Any:
            async def waiting(channel: Channel) -> None:
                await channel.answer()
                await channel.hold()
                await channel.wait_ended()

            return waiting if call.dialled == "1500" else None

    core.plugins.pm.register(Queue(), name="test_queue")
    ann = await registered_phone(core, "ann")
    try:
        _invite, ok = await ann.call("1500")
        assert ok.status == 200
        await asyncio.sleep(0.3)
        ann.drain_rtp()
        music = await heard(ann, 1.0)
        assert music.size >= 6000 and abs(dominant(music[-4000:]) - 700) < 10
    finally:
        ann.close()
