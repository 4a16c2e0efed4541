"""The recorded echo test (diagnostics plugin, ``*45``): a beep, the caller's words recorded for
``recorded_echo_seconds``, then played back to them; the last recording stays on disk."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest
from loopback_pbx import registered_phone, running_pbx
from rtp_audio import dominant, heard, send_audio, tone
from sip_phone import media_address

from cordboard.core.core import Core
from cordboard.core.media.audio_file import read_audio
from cordboard.plugins.diagnostics.recorded_echo import recording_path

RTP_MIN, RTP_MAX = 42200, 42399
SECONDS = 2


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", RTP_MIN, RTP_MAX) as core:
        await core.plugins.set_config("diagnostics", {"recorded_echo_seconds": SECONDS})
        yield core


async def test_recorded_echo_plays_back_what_the_caller_said(pbx: Core) -> None:
    ann = await registered_phone(pbx, "ann")
    try:
        _invite, ok = await ann.call("*45")
        assert ok.status == 200
        # ann talks (a 700 Hz tone) through the beep and the recording, listening all along
        said = asyncio.ensure_future(send_audio(ann, media_address(ok.body), tone(700, SECONDS + 1.0), 1))
        audio = await heard(ann, 2 * SECONDS + 1.5)
        await said
        bye = await ann.wait_request("BYE")  # the appliance hangs up once it has played it back
        ann.answer(bye)
    finally:
        ann.close()
    beep = audio[: 8000 // 4]
    assert abs(dominant(beep) - 1000) < 10  # the beep first
    loud = np.flatnonzero(np.abs(audio[8000 // 4 :].astype(np.int32)) > 2000)
    assert loud.size
    played = audio[8000 // 4 + loud[0] :][: SECONDS * 8000]
    assert played.size > (SECONDS - 0.2) * 8000
    assert abs(dominant(played) - 700) < 10  # then ann's own tone, as recorded

    path = recording_path(pbx.data_dir / "diagnostics" / "recorded-echo", "1001")
    kept = read_audio(path, 8000)
    assert kept.size == SECONDS * 8000  # the whole length, silence or not
    assert abs(dominant(kept[4000:]) - 700) < 10


def test_recording_path_keeps_odd_callers_inside_the_folder(tmp_path: Path) -> None:
    assert recording_path(tmp_path, "1001") == tmp_path / "1001.wav"
    assert recording_path(tmp_path, "../../etc/x") == tmp_path / "______etc_x.wav"
    assert recording_path(tmp_path, "") == tmp_path / "unknown.wav"
