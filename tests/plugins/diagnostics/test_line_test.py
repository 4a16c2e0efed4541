"""The line test number (diagnostics plugin, on the Channel API): the caller hears their extension
read back, then a steady 1004 Hz tone at -10 dBm0; the media counters count what was sent."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest
import voluptuous as vol
from loopback_pbx import registered_phone, running_pbx
from rtp_audio import dominant, heard

from cordboard.core.core import Core
from cordboard.core.media.tones import dbm0_to_amplitude
from cordboard.plugins.diagnostics.schema import CONFIG_SCHEMA

RTP_MIN, RTP_MAX = 42000, 42199


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", RTP_MIN, RTP_MAX) as core:
        yield core


async def test_line_test_reads_the_extension_then_plays_the_test_tone(pbx: Core) -> None:
    ann = await registered_phone(pbx, "ann")
    try:
        invite, ok = await ann.call("*44")
        assert ok.status == 200
        audio = await heard(ann, 6.0)  # "one zero zero one" (about 2-3 s), then the tone
        bye = ann.in_dialog("BYE", invite, ok, invite.cseq.seq + 1)
        ann.send(bye)
        assert (await ann.final_response(bye)).status == 200
    finally:
        ann.close()
    tone = audio[-8000:]  # the last second
    assert abs(dominant(tone) - 1004) < 5
    peak = float(np.abs(tone.astype(np.int32)).max())
    expected = dbm0_to_amplitude(-10.0)
    assert 0.85 * expected < peak < 1.15 * expected  # -10 dBm0 within about 1 dB (G.711 steps)
    speech = audio[: 8000 * 2]
    assert np.abs(speech.astype(np.int32)).max() > 1000  # the extension was spoken first
    assert abs(dominant(speech) - 1004) > 50  # and it is speech, not the tone already
    assert pbx.calls is not None
    stats = pbx.calls.media_stats
    assert stats.frames_sent >= 250  # 5 s and more of 20 ms frames
    await asyncio.sleep(0.2)
    assert stats.open == 0  # the caller hung up: the endpoint is closed


def test_line_test_number_is_checked() -> None:
    defaults = {
        "echo_test_number": "*43",
        "line_test_number": "*44",
        "recorded_echo_number": "*45",
        "recorded_echo_seconds": 5,
    }
    assert CONFIG_SCHEMA({}) == defaults
    assert CONFIG_SCHEMA({"line_test_number": "#9"}) == {**defaults, "line_test_number": "#9"}
    with pytest.raises(vol.MultipleInvalid) as err:
        CONFIG_SCHEMA({"line_test_number": "*4a"})
    assert err.value.path == ["line_test_number"]
    for seconds in (0, 61, "5"):
        with pytest.raises(vol.MultipleInvalid) as err:
            CONFIG_SCHEMA({"recorded_echo_seconds": seconds})
        assert err.value.path == ["recorded_echo_seconds"]
