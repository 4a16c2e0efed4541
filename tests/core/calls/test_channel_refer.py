"""A phone's blind transfer (REFER, RFC 3515) on calls a plugin drives with channels (issue 4 scope
7, "REFER from phones"): the party the plugin bridged the phone to is taken from the plugin and
rung through to the Refer-To number with their own caller ID; the transferring phone gets 202, the
sipfrag NOTIFYs and a BYE; a transfer nobody answers rings the transferring phone back.

Phones are tests/sip_phone.py user agents over loopback UDP; the plugin is a NumberPlugin handler
that answers, dials bo and bridges, as a queue or a reception would."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from loopback_pbx import NumberPlugin, add_cy, pbx_with_numbers, registered_phone
from rtp_audio import dominant, heard, send_audio, tone
from sip_phone import TestPhone, media_address

from cordboard.core.calls.channel import Channel, ChannelHungUp
from cordboard.core.calls.history import list_calls
from cordboard.core.core import Core
from cordboard.core.sip.message import SipRequest, SipResponse
from cordboard.core.sip.uri import NameAddr

RTP_MIN, RTP_MAX = 42600, 42799
QUEUE = "1650"


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[tuple[Core, NumberPlugin, dict[str, Any]]]:
    """ann (1001), bo (1002), cy (1003); QUEUE answers, dials bo and bridges: what the plugin saw
    is kept in the dict."""
    async with pbx_with_numbers(tmp_path / "data", RTP_MIN, RTP_MAX) as (core, handlers):
        await add_cy(core)
        seen: dict[str, Any] = {}

        async def queue(channel: Channel) -> None:
            await channel.answer()
            agent = await channel.dial(["1002"], ring_s=5)
            assert isinstance(agent, Channel)
            seen["agent"] = agent
            try:
                await channel.bridge(agent)
            finally:
                seen["bridge_returned"] = {"caller_ended": channel.ended, "agent_ended": agent.ended}
            try:
                await channel.play([tone(300, 0.5)])  # the plugin goes on with its caller...
                seen["played_after"] = True
            except ChannelHungUp:
                seen["played_after"] = False  # ...unless that caller was transferred away
            await agent.hangup()

        handlers.numbers[QUEUE] = queue
        yield core, handlers, seen


async def queue_call(ann: TestPhone, bo: TestPhone) -> tuple[SipRequest, SipResponse, SipRequest]:
    """ann calls the queue, bo answers the agent call: ann's INVITE and 200, bo's incoming INVITE."""
    calling = asyncio.create_task(ann.invite(QUEUE))
    invite, ok = await calling
    assert ok.status == 200, ok
    ann.ack(invite, ok)
    incoming = await bo.wait_request("INVITE")
    bo.answer(incoming, 200)
    await bo.wait_request("ACK")
    return invite, ok, incoming


def refer(
    phone: TestPhone, request: SipRequest, refer_to: str, *, extra: dict[str, str] | None = None
) -> SipRequest:
    request.headers.add("Refer-To", refer_to)
    for name, value in (extra or {}).items():
        request.headers.add(name, value)
    phone.send(request)
    return request


async def notifies(phone: TestPhone) -> list[tuple[str, str, str]]:
    """The two NOTIFYs of an accepted REFER (answered 200): (Event, Subscription-State, body)."""
    found = []
    for _ in range(2):
        notify = await phone.wait_request("NOTIFY")
        phone.answer(notify, 200)
        assert notify.headers.get("Content-Type") == "message/sipfrag;version=2.0"
        found.append(
            (
                notify.headers.get("Event") or "",
                notify.headers.get("Subscription-State") or "",
                notify.body.decode(),
            )
        )
    return found


async def hears(listener: TestPhone, talker: TestPhone, to: tuple[str, int], freq: float) -> float:
    listener.drain_rtp()
    talking = asyncio.create_task(send_audio(talker, to, tone(freq, 1.2), 1))
    audio = await heard(listener, 1.2)
    await talking
    return dominant(audio[-4000:])


async def history(core: Core, count: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for _ in range(60):
        rows = await core.db.call(lambda db: list_calls(db, limit=20))
        if len(rows) >= count and all(r["result"] for r in rows):
            return rows
        await asyncio.sleep(0.1)
    raise AssertionError(f"the call history has {rows}, not {count} calls")


async def test_agent_transfers_the_caller_to_another_user(
    pbx: tuple[Core, NumberPlugin, dict[str, Any]],
) -> None:
    """bo (the agent the plugin dialled) REFERs ann to cy: 202, NOTIFY 100 then 200 (terminated),
    BYE to bo; cy rings showing ann (1001); ann and cy talk; the plugin saw its caller hang up."""
    core, _handlers, seen = pbx
    ann, bo, cy = (
        await registered_phone(core, "ann"),
        await registered_phone(core, "bo"),
        await registered_phone(core, "cy"),
    )
    try:
        invite, ok, incoming = await queue_call(ann, bo)
        request = refer(bo, bo.request_as_callee(incoming, "REFER", cseq=2), "<sip:1003@127.0.0.1>")
        assert (await bo.final_response(request)).status == 202
        assert await notifies(bo) == [
            ("refer", "active;expires=60", "SIP/2.0 100 Trying\r\n"),
            ("refer", "terminated;reason=noresource", "SIP/2.0 200 OK\r\n"),
        ]
        bye = await bo.wait_request("BYE")
        bo.answer(bye, 200)

        ringing = await cy.wait_request("INVITE")
        shown = NameAddr.parse(ringing.headers.get("From") or "")
        assert shown.uri.user == "1001" and shown.display_name == "Ann Tester"
        cy.answer(ringing, 200)
        await cy.wait_request("ACK")
        assert abs(await hears(cy, ann, media_address(ok.body), 700) - 700) < 15
        assert abs(await hears(ann, cy, media_address(ringing.body), 900) - 900) < 15

        hang_up = ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 1)
        ann.send(hang_up)
        assert (await ann.final_response(hang_up)).status == 200
        cy_bye = await cy.wait_request("BYE")
        cy.answer(cy_bye, 200)
    finally:
        for phone in (ann, bo, cy):
            phone.close()
    assert seen["bridge_returned"] == {"caller_ended": True, "agent_ended": True}
    assert seen["played_after"] is False, "the transferred caller is no longer the plugin's"
    rows = await history(core, 3)
    to_cy = next(r for r in rows if r["callee"] == "1003")
    assert to_cy["caller"] == "1001" and to_cy["result"] == "answered"
    assert not core.calls.calls and not core.calls.dialer.calls


async def test_caller_transfers_the_agent_and_a_missed_transfer_rings_back(
    pbx: tuple[Core, NumberPlugin, dict[str, Any]],
) -> None:
    """ann (on the inbound channel) REFERs bo to cy, who is busy: ann is hung up, then rung back
    showing bo (1002) and, answering, talks to bo again."""
    core, _handlers, seen = pbx
    ann, bo, cy = (
        await registered_phone(core, "ann"),
        await registered_phone(core, "bo"),
        await registered_phone(core, "cy"),
    )
    try:
        invite, ok, incoming = await queue_call(ann, bo)
        request = refer(
            ann, ann.in_dialog("REFER", invite, ok, cseq=invite.cseq.seq + 1), "<sip:cy@127.0.0.1>"
        )
        assert (await ann.final_response(request)).status == 202
        assert [n[2] for n in await notifies(ann)] == ["SIP/2.0 100 Trying\r\n", "SIP/2.0 200 OK\r\n"]
        bye = await ann.wait_request("BYE")
        ann.answer(bye, 200)

        ringing = await cy.wait_request("INVITE")
        assert NameAddr.parse(ringing.headers.get("From") or "").uri.user == "1002"
        cy.answer(ringing, 486)
        await cy.wait_request("ACK")

        recall = await ann.wait_request("INVITE", wait=8)
        shown = NameAddr.parse(recall.headers.get("From") or "")
        assert shown.uri.user == "1002" and shown.display_name == "Bo Tester"
        ann.answer(recall, 200)
        await ann.wait_request("ACK")
        assert abs(await hears(ann, bo, media_address(incoming.body), 800) - 800) < 15

        hang_up = bo.request_as_callee(incoming, "BYE", cseq=3)
        bo.send(hang_up)
        assert (await bo.final_response(hang_up)).status == 200
        ann_bye = await ann.wait_request("BYE")
        ann.answer(ann_bye, 200)
    finally:
        for phone in (ann, bo, cy):
            phone.close()
    assert seen["bridge_returned"] == {"caller_ended": True, "agent_ended": True}
    rows = await history(core, 4)
    reasons = {r["callee"]: r["result"] for r in rows}
    assert reasons["1003"] == "busy"
    assert not core.calls.calls and not core.calls.dialer.calls


async def test_refers_the_appliance_does_not_carry_out_leave_the_call_as_it_was(
    pbx: tuple[Core, NumberPlugin, dict[str, Any]],
) -> None:
    """Unknown number: 404; attended transfer (Replaces): 501; no Refer-To: 400; REFER to a channel
    that is not bridged (a plugin playing): 403. The call goes on each time."""
    core, handlers, _seen = pbx

    async def announcement(channel: Channel) -> None:
        await channel.answer()
        await channel.play([tone(500, 30)])

    handlers.numbers["1651"] = announcement
    ann, bo = await registered_phone(core, "ann"), await registered_phone(core, "bo")
    try:
        invite, ok, incoming = await queue_call(ann, bo)
        cseq = 2
        for refer_to, status in (
            ("<sip:4711@127.0.0.1>", 404),
            ("<sip:1003@127.0.0.1?Replaces=abc%3Bto-tag%3D1%3Bfrom-tag%3D2>", 501),
            (None, 400),
        ):
            request = bo.request_as_callee(incoming, "REFER", cseq=cseq)
            if refer_to is not None:
                request.headers.add("Refer-To", refer_to)
            bo.send(request)
            assert (await bo.final_response(request)).status == status, refer_to
            cseq += 1
        assert abs(await hears(ann, bo, media_address(incoming.body), 600) - 600) < 15, "still connected"
        hang_up = ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 1)
        ann.send(hang_up)
        assert (await ann.final_response(hang_up)).status == 200
        bo_bye = await bo.wait_request("BYE")
        bo.answer(bo_bye, 200)

        invite, ok = await ann.call("1651")
        assert ok.status == 200
        request = refer(
            ann, ann.in_dialog("REFER", invite, ok, cseq=invite.cseq.seq + 1), "<sip:1002@127.0.0.1>"
        )
        refused = await ann.final_response(request)
        assert refused.status == 403 and "No Call To Transfer" in refused.reason
        ann.drain_rtp()
        assert abs(dominant(await heard(ann, 0.8)) - 500) < 15, "the announcement goes on"
        hang_up = ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 2)
        ann.send(hang_up)
        assert (await ann.final_response(hang_up)).status == 200
    finally:
        ann.close()
        bo.close()
