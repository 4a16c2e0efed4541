"""``Channel.dial``, ``bridge`` and ``transfer`` (issue 4 scope 7) and transcoding between legs that
share no codec (BYD-04), with SIP test phones over loopback: a plugin rings another user's phone,
the two hear each other, digits pass across, and every way a call can end cleans up both legs."""

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
from cordboard.core.calls.dialer import NotAnswered
from cordboard.core.calls.history import list_calls
from cordboard.core.calls.model import CallResult
from cordboard.core.core import Core
from cordboard.core.media.codecs import get_codec
from cordboard.core.rtp.packet import RtpHeader, payload_of
from cordboard.core.sip.uri import NameAddr

RTP_MIN, RTP_MAX = 41800, 41999
G722_ONLY = (
    "v=0\r\no=ann 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio {port} RTP/AVP 9 101\r\na=rtpmap:9 G722/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n"
)


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[tuple[Core, NumberPlugin]]:
    async with pbx_with_numbers(tmp_path / "data", RTP_MIN, RTP_MAX) as pbx:
        yield pbx


async def history(core: Core, count: int) -> list[dict[str, Any]]:
    """The call history once ``count`` calls are in it (it is written a moment after calls end)."""
    rows: list[dict[str, Any]] = []
    for _ in range(50):
        rows = await core.db.call(lambda db: list_calls(db, limit=20))
        if len(rows) >= count:
            await asyncio.sleep(1.0)  # a row too many would show up now
            return await core.db.call(lambda db: list_calls(db, limit=20))
        await asyncio.sleep(0.1)
    raise AssertionError(f"the call history has {rows}, not {count} calls")


async def test_dial_rings_a_user_and_bridge_connects_both_ways(pbx: tuple[Core, NumberPlugin]) -> None:
    """A plugin answers, dials bo, bridges: audio and RFC 4733 digits pass both ways; when bo hangs
    up the bridge returns, the caller's channel is still the plugin's and is hung up after."""
    core, handlers = pbx
    result: dict[str, Any] = {}

    async def agent_line(channel: Channel) -> None:
        await channel.answer()
        channel.start_tone("ringback")
        agent = await channel.dial(["1002"], ring_s=5)
        assert isinstance(agent, Channel)
        result["agent"] = agent
        await channel.bridge(agent)
        result["caller_still_up"] = not channel.ended
        result["agent_ended"] = agent.ended

    handlers.numbers["1600"] = agent_line
    ann = await registered_phone(core, "ann")
    bo = await registered_phone(core, "bo")
    try:
        invite_ann, ok = await ann.call("1600")
        assert ok.status == 200
        to_channel = media_address(ok.body)
        incoming = await bo.wait_request("INVITE")
        shown = NameAddr.parse(incoming.headers.get("From") or "")
        assert shown.uri.user == "1001" and shown.display_name == "Ann Tester"  # the caller, not 1600
        assert b"telephone-event" in incoming.body and b"G722" in incoming.body
        bo.answer(incoming, 200)
        await bo.wait_request("ACK")
        to_agent = media_address(incoming.body)
        ann.drain_rtp()
        bo.drain_rtp()
        ann_talks = asyncio.create_task(send_audio(ann, to_channel, tone(440.0, 1.6), 1))
        bo_talks = asyncio.create_task(send_audio(bo, to_agent, tone(800.0, 1.6), 1))
        ann_hears, bo_hears = await asyncio.gather(heard(ann, 1.6), heard(bo, 1.6))
        await asyncio.gather(ann_talks, bo_talks)
        assert abs(dominant(ann_hears[-4000:]) - 800) < 15
        assert abs(dominant(bo_hears[-4000:]) - 440) < 15

        ann.drain_rtp()
        await send_digits(bo, to_agent, "7", 200)
        events = []
        for _ in range(40):
            data, _addr = await ann.rtp(wait=2)
            header = RtpHeader.parse(data)
            if header.payload_type == 101:
                events.append(payload_of(data, header)[0])
        assert events and set(events) == {7}, "bo's digit did not reach ann as an RFC 4733 event"

        bye = bo.request_as_callee(incoming, "BYE", cseq=2)
        bo.send(bye)
        assert (await bo.final_response(bye)).status == 200
        ann_bye = await ann.wait_request("BYE", wait=5)  # the plugin returned: the core hangs up
        ann.answer(ann_bye, 200)
    finally:
        ann.close()
        bo.close()
    assert result == {"agent": result["agent"], "caller_still_up": True, "agent_ended": True}
    rows = await history(core, 2)
    by_callee = {r["callee"]: r for r in rows}
    assert by_callee["1002"]["result"] == "answered" and by_callee["1002"]["caller"] == "1001"
    assert by_callee["1600"]["result"] == "answered"
    assert not core.calls.dialer.calls and not core.calls.calls
    del invite_ann


async def test_sequential_dial_tries_the_next_target_and_reports_busy(pbx: tuple[Core, NumberPlugin]) -> None:
    """Sequential: bo answers busy, then nobody else: the dial returns why (busy wins)."""
    core, handlers = pbx
    outcome: dict[str, Any] = {}

    async def line(channel: Channel) -> None:
        outcome["dial"] = await channel.dial(["1002", "9999"], strategy="sequential", ring_s=2)
        await channel.hangup(486)

    handlers.numbers["1601"] = line
    ann = await registered_phone(core, "ann")
    bo = await registered_phone(core, "bo")
    try:
        calling = asyncio.create_task(ann.invite("1601"))
        incoming = await bo.wait_request("INVITE")
        bo.answer(incoming, 486)
        _invite, final = await calling
        assert final.status == 486  # hangup(cause) before answer: the caller's phone hears busy
    finally:
        ann.close()
        bo.close()
    result = outcome["dial"]
    assert isinstance(result, NotAnswered)
    assert result.result == CallResult.BUSY and result.status == 486


async def test_ring_timeout_cancels_and_the_caller_hanging_up_stops_the_ringing(
    pbx: tuple[Core, NumberPlugin],
) -> None:
    """ring_s ends the ringing with CANCEL (no answer); when the caller hangs up during the next
    dial, bo's phone gets CANCEL and the plugin gets ChannelHungUp."""
    core, handlers = pbx
    outcome: dict[str, Any] = {}

    async def line(channel: Channel) -> None:
        await channel.answer()
        outcome["first"] = await channel.dial(["1002"], ring_s=1)
        try:
            await channel.dial(["1002"], ring_s=30)
        except ChannelHungUp:
            outcome["hung_up"] = True
            raise

    handlers.numbers["1602"] = line
    ann = await registered_phone(core, "ann")
    bo = await registered_phone(core, "bo")
    try:
        invite_ann, ok = await ann.call("1602")
        first = await bo.wait_request("INVITE")
        bo.answer(first, 180)
        cancel = await bo.wait_request("CANCEL", wait=4)
        bo.answer(cancel, 200)
        bo.answer(first, 487)
        second = await bo.wait_request("INVITE", wait=4)
        bo.answer(second, 180)
        bye = ann.in_dialog("BYE", invite_ann, ok, cseq=invite_ann.cseq.seq + 1)
        ann.send(bye)
        assert (await ann.final_response(bye)).status == 200
        cancel = await bo.wait_request("CANCEL", wait=4)
        assert cancel.call_id == second.call_id
        bo.answer(cancel, 200)
        bo.answer(second, 487)
        await asyncio.sleep(0.2)
    finally:
        ann.close()
        bo.close()
    first_result = outcome["first"]
    assert isinstance(first_result, NotAnswered) and first_result.result == CallResult.NO_ANSWER
    assert outcome["hung_up"] is True
    assert not core.calls.dialer.calls and not core.calls.calls


async def test_a_failing_plugin_leaves_no_dialled_call_behind(pbx: tuple[Core, NumberPlugin]) -> None:
    """The plugin raises after the dial was answered: both phones get BYE, no ports stay in use."""
    core, handlers = pbx

    async def broken(channel: Channel) -> None:
        await channel.answer()
        agent = await channel.dial(["1002"], ring_s=5)
        assert isinstance(agent, Channel)
        raise RuntimeError("plugin bug")

    handlers.numbers["1603"] = broken
    ann = await registered_phone(core, "ann")
    bo = await registered_phone(core, "bo")
    in_use_before = len(core.calls.relays.allocator._in_use)
    try:
        await ann.call("1603")
        incoming = await bo.wait_request("INVITE")
        bo.answer(incoming, 200)
        bo_bye = await bo.wait_request("BYE", wait=5)
        bo.answer(bo_bye, 200, to_tag="")
        ann_bye = await ann.wait_request("BYE", wait=5)
        ann.answer(ann_bye, 200, to_tag="")
    finally:
        ann.close()
        bo.close()
    assert len(core.calls.relays.allocator._in_use) == in_use_before
    assert not core.calls.dialer.calls


async def test_transfer_connects_the_caller_before_answering(pbx: tuple[Core, NumberPlugin]) -> None:
    """transfer() on an unanswered call: 180 to the caller, bo rings, bo answers, then the caller
    gets 200 and the two talk; bo's hang-up ends both."""
    core, handlers = pbx

    async def reception(channel: Channel) -> None:
        assert await channel.transfer("1002", ring_s=5) is None

    handlers.numbers["1604"] = reception
    ann = await registered_phone(core, "ann")
    bo = await registered_phone(core, "bo")
    try:
        calling = asyncio.create_task(ann.invite("1604"))
        incoming = await bo.wait_request("INVITE")
        bo.answer(incoming, 200)
        invite_ann, ok = await calling
        assert ok.status == 200
        ann.ack(invite_ann, ok)
        bo.drain_rtp()
        talking = asyncio.create_task(send_audio(ann, media_address(ok.body), tone(600.0, 1.2), 1))
        bo_hears = await heard(bo, 1.2)
        await talking
        assert abs(dominant(bo_hears[-4000:]) - 600) < 15
        bye = bo.request_as_callee(incoming, "BYE", cseq=2)
        bo.send(bye)
        ann_bye = await ann.wait_request("BYE", wait=5)
        ann.answer(ann_bye, 200)
    finally:
        ann.close()
        bo.close()


async def test_phones_without_a_common_codec_are_transcoded(pbx: tuple[Core, NumberPlugin]) -> None:
    """BYD-04: ann offers G.722 alone, bo refuses it (488); the appliance answers ann in G.722,
    rings bo again with its own offer, bo picks G.711 and both hear each other; one history row."""
    core, _handlers = pbx
    ann = await registered_phone(core, "ann")
    bo = await registered_phone(core, "bo")
    g722 = get_codec("G722", 8000)
    try:
        calling = asyncio.create_task(ann.invite("1002", G722_ONLY.format(port=ann.rtp_port).encode()))
        relayed = await bo.wait_request("INVITE")
        assert b"PCMU" not in relayed.body
        bo.answer(relayed, 488)
        transcoded = await bo.wait_request("INVITE", wait=5)
        assert transcoded.call_id != relayed.call_id
        bo.answer(transcoded, 200)  # the test phone's PCMU answer
        invite_ann, ok = await calling
        assert ok.status == 200 and b"G722" in ok.body and b"PCMU" not in ok.body
        ann.ack(invite_ann, ok)
        to_channel, to_bo_leg = media_address(ok.body), media_address(transcoded.body)
        ann.drain_rtp()
        bo.drain_rtp()
        encoder = g722.encoder()
        ann_tone = tone(440.0, 1.6, rate=16000)

        async def ann_talks() -> None:
            for seq, start in enumerate(range(0, ann_tone.size, 320), start=1):
                payload = encoder.encode(ann_tone[start : start + 320])
                ann.send_rtp(bytes(RtpHeader(9, seq, seq * 160, 0xA22)) + payload, to_channel)
                await asyncio.sleep(0.02)

        async def ann_hears() -> np.ndarray:
            decoder = g722.decoder()
            frames = []
            end = asyncio.get_running_loop().time() + 1.6
            while asyncio.get_running_loop().time() < end:
                data, _ = await ann.rtp(wait=2)
                header = RtpHeader.parse(data)
                if header.payload_type == 9:
                    frames.append(decoder.decode(payload_of(data, header)))
            return np.concatenate(frames)

        results = await asyncio.gather(
            ann_talks(), send_audio(bo, to_bo_leg, tone(800.0, 1.6), 1), ann_hears(), heard(bo, 1.6)
        )
        wide, narrow = results[2], results[3]
        assert abs(dominant(wide[-8000:], rate=16000) - 800) < 15
        assert abs(dominant(narrow[-4000:]) - 440) < 15
        bye = ann.in_dialog("BYE", invite_ann, ok, cseq=invite_ann.cseq.seq + 1)
        ann.send(bye)
        bo_bye = await bo.wait_request("BYE", wait=5)
        bo.answer(bo_bye, 200, to_tag="")
    finally:
        ann.close()
        bo.close()
    rows = await history(core, 1)
    assert [(r["callee"], r["result"]) for r in rows] == [("1002", "answered")]


async def test_events_yield_states_digits_and_the_hang_up(pbx: tuple[Core, NumberPlugin]) -> None:
    """``channel.events()``: state changes, each digit, then ``hangup`` ends the iteration."""
    core, handlers = pbx
    seen: list[tuple[str, str, str | None]] = []

    async def watcher(channel: Channel) -> None:
        events = channel.events()
        await channel.answer()
        async for event in events:
            seen.append((event.kind, event.state, event.dtmf.digit if event.dtmf else None))
            if event.dtmf is not None and event.dtmf.digit == "#":
                await channel.hangup()

    handlers.numbers["1606"] = watcher
    ann = await registered_phone(core, "ann")
    try:
        _invite, ok = await ann.call("1606")
        await send_digits(ann, media_address(ok.body), "1#", 1)
        bye = await ann.wait_request("BYE", wait=5)
        ann.answer(bye, 200, to_tag="")
    finally:
        ann.close()
    assert seen == [
        ("state", "answered", None),
        ("dtmf", "answered", "1"),
        ("dtmf", "answered", "#"),
        ("state", "ended", None),
        ("hangup", "ended", None),
    ]
