"""The call-control API (issue 4 scope 7): a plugin claims a number with ``cordboard_route_call``
and drives the caller's channel: ring, answer, play, collect RFC 4733 digits, record, hang up; the
core cleans up whatever the plugin does (caller hangs up mid-play, plugin raises)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from loopback_pbx import NumberPlugin, pbx_with_numbers, registered_phone
from rtp_audio import dominant, heard, send_audio, send_digits, tone
from sip_phone import media_address

from cordboard.core.calls.channel import Channel, ChannelHungUp
from cordboard.core.calls.history import list_calls
from cordboard.core.core import Core
from cordboard.core.media.audio_file import read_audio

RTP_MIN, RTP_MAX = 41600, 41799


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[tuple[Core, NumberPlugin]]:
    async with pbx_with_numbers(tmp_path / "data", RTP_MIN, RTP_MAX) as pbx:
        yield pbx


async def test_plugin_answers_plays_collects_and_records(
    pbx: tuple[Core, NumberPlugin], tmp_path: Path
) -> None:
    core, handlers = pbx
    result: dict[str, Any] = {}
    recording = tmp_path / "message.wav"

    async def ivr(channel: Channel) -> None:
        await channel.ring()
        await channel.answer()
        await channel.play([tone(440.0, 1.0)])
        result["digits"] = await channel.collect_digits(max_digits=4, timeout=5)
        result["recording"] = await channel.record(recording, max_s=10, silence_s=1.0, beep=False)
        await channel.hangup()

    handlers.numbers["1600"] = ivr
    ann = await registered_phone(core, "ann")
    try:
        _invite, ok = await ann.call("1600")
        assert ok.status == 200
        to = media_address(ok.body)
        played = await heard(ann, 1.2)
        loud = np.abs(played.astype(np.int32)) > 1000
        start = int(np.argmax(loud))
        assert loud.sum() > 0.8 * 8000 and abs(dominant(played[start : start + 4000]) - 440) < 10
        seq = await send_digits(ann, to, "42#", 1)
        seq = await send_audio(ann, to, tone(800.0, 1.0), seq)
        await send_audio(ann, to, np.zeros(8000 * 2, dtype=np.int16), seq)  # silence ends it
        bye = await ann.wait_request("BYE", wait=5)
        ann.answer(bye, 200)
    finally:
        ann.close()
    assert handlers.seen[0].dialled == "1600" and handlers.seen[0].caller == "1001"
    assert result["digits"] == "42"
    rec = result["recording"]
    assert rec.ended_by == "silence" and 0.8 < rec.seconds < 1.6
    samples = read_audio(recording, 8000)
    assert abs(dominant(samples) - 800) < 15
    rows = await core.db.call(list_calls)
    assert rows[0]["callee"] == "1600" and rows[0]["result"] == "answered"
    assert core.relays is not None and core.relays.allocator.in_use == 0


async def test_caller_hanging_up_mid_play_ends_the_plugin_with_channel_hung_up(
    pbx: tuple[Core, NumberPlugin],
) -> None:
    core, handlers = pbx
    outcome: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    async def long_prompt(channel: Channel) -> None:
        await channel.answer()
        try:
            await channel.play([tone(440.0, 30.0)])
            outcome.set_result("finished")
        except ChannelHungUp:
            outcome.set_result("hung up")
            raise

    handlers.numbers["1601"] = long_prompt
    ann = await registered_phone(core, "ann")
    try:
        invite, ok = await ann.call("1601")
        assert ok.status == 200
        await asyncio.sleep(0.3)
        bye = ann.in_dialog("BYE", invite, ok, invite.cseq.seq + 1)
        ann.send(bye)
        assert (await ann.final_response(bye)).status == 200
        assert await asyncio.wait_for(outcome, 3) == "hung up"
    finally:
        ann.close()
    await asyncio.sleep(0.05)
    assert core.calls is not None and not core.calls.calls
    assert core.relays is not None and core.relays.allocator.in_use == 0


async def final_status(core: Core, number: str) -> int:
    """Ann calls ``number``: the status of the final response."""
    ann = await registered_phone(core, "ann")
    try:
        _invite, response = await ann.call(number)
    finally:
        ann.close()
    return response.status


async def test_a_failing_plugin_gets_the_caller_a_500_not_silence(pbx: tuple[Core, NumberPlugin]) -> None:
    core, handlers = pbx

    async def broken(channel: Channel) -> None:
        raise RuntimeError("plugin bug")

    handlers.numbers["1602"] = broken
    assert await final_status(core, "1602") == 500
    rows = await core.db.call(list_calls)
    assert rows[0]["result"] == "failed" and rows[0]["sip_code"] == 500


async def test_unclaimed_numbers_go_on_to_the_extensions(pbx: tuple[Core, NumberPlugin]) -> None:
    core, handlers = pbx
    assert await final_status(core, "1699") == 404
    assert [c.dialled for c in handlers.seen] == ["1699"]


async def test_sip_info_digits_reach_the_channel(pbx: tuple[Core, NumberPlugin]) -> None:
    """BYD-05: DTMF sent as SIP INFO (application/dtmf-relay and application/dtmf) is collected like
    RFC 4733 digits; an INFO the channel cannot use is refused with 415."""
    core, handlers = pbx
    collected: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    async def collect(channel: Channel) -> None:
        await channel.answer()
        collected.set_result(await channel.collect_digits(max_digits=2, timeout=5))

    handlers.numbers["1603"] = collect
    ann = await registered_phone(core, "ann")
    try:
        invite, ok = await ann.call("1603")
        assert ok.status == 200
        statuses = []
        for cseq, (content_type, body) in enumerate(
            [
                ("application/json", b'{"x": 1}'),
                ("application/dtmf-relay", b"Signal=7\r\nDuration=160\r\n"),
                ("application/dtmf", b"9"),
            ],
            start=invite.cseq.seq + 1,
        ):
            info = ann.in_dialog("INFO", invite, ok, cseq, body=body)
            info.headers.set("Content-Type", content_type)
            ann.send(info)
            statuses.append((await ann.final_response(info)).status)
        assert statuses == [415, 200, 200]
        assert await asyncio.wait_for(collected, 3) == "79"
    finally:
        ann.close()


async def test_early_media_ringback_then_music_on_hold(pbx: tuple[Core, NumberPlugin]) -> None:
    """progress() sends 183 with SDP: the caller hears the country's ringback (DK: 425 Hz) before
    the answer; hold() plays music on hold (the built-in melody when no files are there)."""
    core, handlers = pbx
    answered = asyncio.Event()

    async def queue(channel: Channel) -> None:
        await channel.progress()
        channel.start_tone("ringback")
        await asyncio.sleep(1.5)
        channel.stop_tone()
        await channel.answer()
        answered.set()
        await channel.hold()
        await channel.wait_ended()

    handlers.numbers["1604"] = queue
    ann = await registered_phone(core, "ann")
    try:
        invite, response = await ann.invite_early("1604")
        assert response.status == 183 and response.body
        early = await heard(ann, 1.2)
        invite_ok = await ann.final_response(invite, wait=5)
        assert invite_ok.status == 200
        ann.ack(invite, invite_ok)
        await asyncio.wait_for(answered.wait(), 2)
        music = await heard(ann, 2.0)
        bye = ann.in_dialog("BYE", invite, invite_ok, invite.cseq.seq + 1)
        ann.send(bye)
        assert (await ann.final_response(bye)).status == 200
    finally:
        ann.close()
    loud = np.abs(early.astype(np.int32)) > 300
    start = int(np.argmax(loud))
    assert loud.sum() > 0.5 * 8000 and abs(dominant(early[start : start + 4000]) - 425) < 10
    assert np.abs(music.astype(np.int32)).max() > 1000  # the melody, not silence


async def test_channel_speaks_the_callers_language_and_uses_the_countrys_tones(
    pbx: tuple[Core, NumberPlugin],
) -> None:
    """A caller whose language is German hears German prompts; the organisation's country picks
    the tone plan (DE), an unknown one falls back to the default plan."""
    core, handlers = pbx
    seen: asyncio.Future[tuple[str, str | None]] = asyncio.get_running_loop().create_future()

    async def look(channel: Channel) -> None:
        channel.start_tone("ringback")  # must not raise for any country
        seen.set_result((channel.language, channel.country))

    handlers.numbers["1605"] = look
    ann = await core.identity.get_user_by_username("ann")
    await core.settings.set("user", ann.id, "core.language", "de")
    await core.settings.set("org", None, "core.country", "DE")
    for _ in range(50):
        assert core.calls is not None
        if core.calls.country == "DE":
            break
        await asyncio.sleep(0.02)
    await final_status(core, "1605")
    assert await asyncio.wait_for(seen, 3) == ("de", "DE")


async def test_a_cancelled_play_stops_the_prompt(pbx: tuple[Core, NumberPlugin]) -> None:
    """A plugin that stops waiting for a prompt (its task cancelled, e.g. a timeout around it)
    stops the prompt too: the caller hears what comes next, not the rest of it."""
    core, handlers = pbx

    async def interrupted(channel: Channel) -> None:
        await channel.answer()
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.5):
                await channel.play([tone(440.0, 10.0)])
        await channel.play([tone(900.0, 1.5)])
        await channel.hangup()

    handlers.numbers["1600"] = interrupted
    ann = await registered_phone(core, "ann")
    try:
        _invite, ok = await ann.call("1600")
        assert ok.status == 200
        played = await heard(ann, 1.6)
        assert abs(dominant(played[-4000:]) - 900) < 15
        ann.answer(await ann.wait_request("BYE", wait=5), 200)
    finally:
        ann.close()
