"""Channels with a phone that speaks only Opus (BYD-04 P2, a browser softphone): the appliance
answers in Opus at 48 kHz, the phone hears the prompt, in-band digits are detected (at 16 kHz), and
the recording is at 48 kHz; a plugin that dials a G.711 phone for it transcodes Opus <-> G.711."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from loopback_pbx import NumberPlugin, pbx_with_numbers, registered_phone
from rtp_audio import dominant, heard, tone
from sip_phone import TestPhone, media_address

from cordboard.core.calls.channel import Channel
from cordboard.core.core import Core
from cordboard.core.media.audio_file import read_audio
from cordboard.core.media.codecs import get_codec
from cordboard.core.media.dtmf_detect import COLUMN_FREQUENCIES, KEYPAD, ROW_FREQUENCIES
from cordboard.core.rtp.packet import RtpHeader

RTP_MIN, RTP_MAX = 42200, 42399
RATE = 48000
OPUS = ("opus", RATE)
OPUS_ONLY = (
    "v=0\r\no=web 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio {port} RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\n"
    "a=fmtp:111 minptime=10;useinbandfec=1\r\na=sendrecv\r\n"
)


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[tuple[Core, NumberPlugin]]:
    async with pbx_with_numbers(tmp_path / "data", RTP_MIN, RTP_MAX) as pbx:
        yield pbx


def dtmf(digit: str, seconds: float = 0.12) -> np.ndarray:
    row = next(i for i, keys in enumerate(KEYPAD) if digit in keys)
    column = KEYPAD[row].index(digit)
    t = np.arange(int(seconds * RATE)) / RATE
    pair = np.sin(2 * np.pi * ROW_FREQUENCIES[row] * t) + np.sin(2 * np.pi * COLUMN_FREQUENCIES[column] * t)
    return (4000 * pair).astype(np.int16)


async def opus_talk(phone: TestPhone, to: tuple[str, int], samples: np.ndarray) -> None:
    """Send ``samples`` as 20 ms Opus packets paced like a phone's clock (not 20 ms after the last
    send, which falls behind on a loaded machine and runs the appliance's jitter buffer dry)."""
    encoder = get_codec("opus", RATE).encoder()
    loop = asyncio.get_running_loop()
    start_at = loop.time()
    for index, start in enumerate(range(0, samples.size, 960)):
        frame = samples[start : start + 960]
        payload = encoder.encode(np.pad(frame, (0, 960 - frame.size)))
        seq = index + 1
        phone.send_rtp(bytes(RtpHeader(111, seq, seq * 960, 0x0B05)) + payload, to)
        await asyncio.sleep(max(0.0, start_at + (index + 1) * 0.02 - loop.time()))


async def test_an_opus_only_phone_hears_prompts_and_presses_inband_digits(
    pbx: tuple[Core, NumberPlugin], tmp_path: Path
) -> None:
    core, handlers = pbx
    result: dict[str, Any] = {}
    recording = tmp_path / "opus.wav"
    prompts_done = asyncio.Event()

    async def line(channel: Channel) -> None:
        await channel.answer()
        result["rate"] = channel.sample_rate
        await channel.play([tone(440.0, 1.0, rate=RATE)])
        await channel.play(["goodbye"])  # a system prompt, converted to 48 kHz once
        prompts_done.set()
        result["digits"] = await channel.collect_digits(max_digits=2, timeout=5, terminator=None)
        result["recording"] = await channel.record(recording, max_s=1.0, silence_s=None, beep=False)
        await channel.hangup()

    handlers.numbers["1605"] = line
    web = await registered_phone(core, "ann")
    try:
        _invite, ok = await web.call("1605", OPUS_ONLY.format(port=web.rtp_port).encode())
        assert ok.status == 200 and b"opus/48000/2" in ok.body
        to = media_address(ok.body)
        played = await heard(web, 1.1, OPUS, 111)
        loud = played[np.abs(played.astype(np.int32)) > 1000]
        assert loud.size > 0.7 * RATE and abs(dominant(played[-RATE // 2 :], rate=RATE) - 440) < 10
        spoken = await heard(web, 0.6, OPUS, 111)
        assert np.sqrt(np.mean(spoken.astype(np.float64) ** 2)) > 300, "the prompt was not heard"
        await asyncio.wait_for(prompts_done.wait(), 5)  # digits count once the plugin waits
        gap = np.zeros(int(0.15 * RATE), dtype=np.int16)
        keys = np.concatenate([gap, dtmf("4", 0.15), gap, dtmf("2", 0.15), gap])
        # one stream, as a phone sends it: a new sequence start would restart the jitter buffer
        await opus_talk(web, to, np.concatenate([keys, tone(700.0, 1.4, rate=RATE)]))
        bye = await web.wait_request("BYE", wait=5)
        web.answer(bye, 200, to_tag="")
    finally:
        web.close()
    assert result["rate"] == RATE
    assert result["digits"] == "42"
    rec = result["recording"]
    assert rec.ended_by == "max_length" and abs(rec.seconds - 1.0) < 0.05
    samples = read_audio(recording, RATE)
    assert abs(dominant(samples, rate=RATE) - 700) < 10
