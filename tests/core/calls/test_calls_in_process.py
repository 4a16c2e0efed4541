"""Calls through a real SIP service in-process: late offer, dead-call detection, settings.

The phones are tests/sip_phone.py user agents on loopback UDP sockets.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from loopback_pbx import connected_call, registered_phone, running_pbx
from sip_phone import media_address, rtp_packet, sdp_offer

from cordboard.core.calls.b2bua import B2bua
from cordboard.core.core import Core


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", 41000, 41199) as core:
        yield core


def b2bua(core: Core) -> B2bua:
    assert isinstance(core.calls, B2bua)
    return core.calls


def assert_forgotten(core: Core) -> None:
    """Nothing of ended calls stays behind in the B2BUA's maps or the relay manager."""
    calls = b2bua(core)
    leftovers = {
        "calls": calls.calls,
        "by_server_key": calls._by_server_key,
        "by_client_key": calls._by_client_key,
        "by_dialog": calls._by_dialog,
        "reinvites": calls._reinvites,
        "reinvite_requests": calls._reinvite_requests,
        "acks": calls._acks,
    }
    assert {name: len(found) for name, found in leftovers.items() if found} == {}
    assert len(core.relays or []) == 0


async def history(core: Core) -> list[dict[str, Any]]:
    for _ in range(100):
        rows = await core.db.call(lambda db: list(db.query("SELECT * FROM calls ORDER BY started")))
        if rows:
            return rows
        await asyncio.sleep(0.02)
    raise AssertionError("no call was written to the history")


async def test_late_offer_invite_is_bridged(pbx: Core) -> None:
    """An INVITE without SDP: the callee's 200 carries the offer and the caller's ACK the answer."""
    ann, bo = await registered_phone(pbx, "ann"), await registered_phone(pbx, "bo")
    task = asyncio.create_task(ann.invite("1002", body=b""))
    incoming = await bo.wait_request("INVITE")
    assert incoming.body == b"", "no offer is invented for the callee"
    bo.answer(incoming, 200)  # bo's SDP offer
    invite, ok = await task
    assert ok.status == 200 and ok.body, "the caller receives the callee's offer, pointing at the relay"
    offer_target = media_address(ok.body)
    assert offer_target[1] != bo.rtp_port and offer_target[0] == "127.0.0.1"
    ann.ack(invite, ok, body=sdp_offer(ann.rtp_port))
    ack = await bo.wait_request("ACK")
    assert ack.body, "the callee's ACK carries the caller's answer"
    answer_target = media_address(ack.body)

    ann.send_rtp(rtp_packet(1), offer_target)
    packet, _ = await bo.rtp()
    assert packet[2:4] == b"\x00\x01"
    bo.send_rtp(rtp_packet(7), answer_target)
    packet, _ = await ann.rtp()
    assert packet[2:4] == b"\x00\x07"

    bye = ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 1)
    ann.send(bye)
    assert (await ann.final_response(bye)).status == 200
    bo_bye = await bo.wait_request("BYE")
    bo.answer(bo_bye, 200)
    await history(pbx)
    assert_forgotten(pbx)
    ann.close()
    bo.close()


async def test_dead_call_is_ended_after_the_media_timeout(pbx: Core) -> None:
    """A call whose phones send no audio for media_timeout seconds is ended with BYE both ways."""
    calls = b2bua(pbx)
    calls.media_timeout = 0.3
    ann, bo = await registered_phone(pbx, "ann"), await registered_phone(pbx, "bo")
    await connected_call(ann, bo)
    assert len(calls.calls) == 1
    calls._check_media()
    assert len(calls.calls) == 1, "a fresh call is not dead"
    await asyncio.sleep(0.4)
    calls._check_media()
    assert not calls.calls
    bye_a = await ann.wait_request("BYE")
    bye_b = await bo.wait_request("BYE")
    ann.answer(bye_a, 200)
    bo.answer(bye_b, 200)
    row = (await history(pbx))[0]
    assert row["result"] == "answered" and "media timeout" in row["reason"]
    assert_forgotten(pbx)
    ann.close()
    bo.close()


async def test_call_on_hold_is_not_ended_by_the_media_timeout(pbx: Core) -> None:
    """Silence on hold is expected: the media timeout does not end held calls."""
    calls = b2bua(pbx)
    calls.media_timeout = 0.2
    ann, bo = await registered_phone(pbx, "ann"), await registered_phone(pbx, "bo")
    invite, ok = await connected_call(ann, bo)
    hold = ann.in_dialog(
        "INVITE", invite, ok, cseq=invite.cseq.seq + 1, body=sdp_offer(ann.rtp_port, direction="sendonly")
    )
    ann.send(hold)
    reinvite = await bo.wait_request("INVITE")
    assert b"a=sendonly" in reinvite.body
    bo.answer(reinvite, 200, body=sdp_offer(bo.rtp_port, direction="recvonly"))
    held = await ann.final_response(hold)
    assert held.status == 200 and b"a=recvonly" in held.body
    await asyncio.sleep(0.3)
    calls._check_media()
    assert len(calls.calls) == 1, "the held call stays up"
    calls.hang_up_all()
    ann.close()
    bo.close()


async def test_all_phones_of_the_callee_ring_and_the_first_answer_wins(pbx: Core) -> None:
    """TERM-01 / issue 3 scope 4: every registered phone rings; the others get CANCEL on answer."""
    ann = await registered_phone(pbx, "ann")
    desk, mobile = await registered_phone(pbx, "bo"), await registered_phone(pbx, "bo")
    task = asyncio.create_task(ann.invite("1002"))
    to_desk = await desk.wait_request("INVITE")
    to_mobile = await mobile.wait_request("INVITE")
    assert to_desk.from_.display_name == "Ann Tester", "the caller's name comes from the user record"
    assert to_desk.from_.uri.user == "1001"  # type: ignore[union-attr]
    desk.answer(to_desk, 180)
    mobile.answer(to_mobile, 180)
    mobile.answer(to_mobile, 200)
    invite, ok = await task
    assert ok.status == 200
    ann.ack(invite, ok)
    await mobile.wait_request("ACK")
    cancel = await desk.wait_request("CANCEL")
    desk.answer(cancel, 200)
    desk.answer(to_desk, 487)
    bye = ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 1)
    ann.send(bye)
    assert (await ann.final_response(bye)).status == 200
    mobile.answer(await mobile.wait_request("BYE"), 200)
    row = (await history(pbx))[0]
    assert row["result"] == "answered" and row["callee"] == "1002"
    assert_forgotten(pbx)
    for each in (ann, desk, mobile):
        each.close()


async def test_calling_your_own_number_rings_your_other_phones_only(pbx: Core) -> None:
    """Dialling your own extension never rings the phone you dial from (busy if it is your only one)."""
    desk = await registered_phone(pbx, "ann")
    _invite, response = await desk.call("1001")
    assert response.status == 486
    softphone = await registered_phone(pbx, "ann")
    task = asyncio.create_task(desk.invite("1001"))
    incoming = await softphone.wait_request("INVITE")
    softphone.answer(incoming, 486)
    _invite, response = await task
    assert response.status == 486
    assert desk.messages.empty(), "the calling phone was not rung"
    desk.close()
    softphone.close()


async def test_unregister_stops_the_phone_ringing(pbx: Core) -> None:
    """Expires: 0 removes the binding: calls to the user find no phone (480)."""
    ann, bo = await registered_phone(pbx, "ann"), await registered_phone(pbx, "bo")
    response = await bo.register(expires=0)
    assert response.status == 200
    _invite, response = await ann.call("1002")
    assert response.status == 480
    ann.close()
    bo.close()


async def test_info_dtmf_is_passed_to_the_other_phone(pbx: Core) -> None:
    """BYD-05: DTMF as SIP INFO (application/dtmf-relay) reaches the other phone; its answer comes back."""
    ann, bo = await registered_phone(pbx, "ann"), await registered_phone(pbx, "bo")
    invite, ok = await connected_call(ann, bo)
    info = ann.in_dialog("INFO", invite, ok, cseq=invite.cseq.seq + 1)
    info.body = b"Signal=5\r\nDuration=160\r\n"
    info.headers.set("Content-Type", "application/dtmf-relay")
    info.headers.set("Content-Length", str(len(info.body)))
    ann.send(info)
    passed = await bo.wait_request("INFO")
    assert passed.body == b"Signal=5\r\nDuration=160\r\n"
    assert passed.content_type == "application/dtmf-relay"
    bo.answer(passed, 200)
    assert (await ann.final_response(info)).status == 200
    b2bua(pbx).hang_up_all()
    assert not b2bua(pbx)._forwarded
    ann.close()
    bo.close()


async def test_cancel_waits_for_the_phones_first_provisional_response(pbx: Core) -> None:
    """RFC 3261 9.1: a CANCEL goes to a phone only after it has sent a 1xx for the INVITE."""
    ann, bo = await registered_phone(pbx, "ann"), await registered_phone(pbx, "bo")
    task = asyncio.create_task(ann.invite("1002"))
    incoming = await bo.wait_request("INVITE")  # bo stays silent: no 100, no 180
    call = next(iter(b2bua(pbx).calls.values()))  # the B2BUA sent that INVITE: the call exists
    cancel = ann.new_request(
        "CANCEL",
        str(call.invite.uri),
        to=call.invite.headers.get("To"),
        call_id=call.invite.call_id,
        cseq=call.invite.cseq.seq,
        from_tag=call.invite.from_tag,
    )
    cancel.headers.set("Via", call.invite.headers.get("Via") or "")
    ann.send(cancel)
    assert (await ann.final_response(cancel)).status == 200
    _invite, final = await task
    assert final.status == 487
    with pytest.raises(TimeoutError):
        await bo.wait_request("CANCEL", wait=0.4)
    bo.answer(incoming, 180)
    cancel_to_bo = await bo.wait_request("CANCEL")
    bo.answer(cancel_to_bo, 200)
    bo.answer(incoming, 487)
    ann.close()
    bo.close()


async def test_refused_hold_leaves_the_session_as_it_was(pbx: Core) -> None:
    """RFC 3261 14.1: when the other phone refuses a re-INVITE, media and hold state stay unchanged."""
    ann, bo = await registered_phone(pbx, "ann"), await registered_phone(pbx, "bo")
    invite, ok = await connected_call(ann, bo)
    call = next(iter(b2bua(pbx).calls.values()))
    before = call.relay.a.sdp_address
    assert before == ("127.0.0.1", ann.rtp_port, ann.rtp_port + 1)
    moved = sdp_offer(ann.rtp_port + 10, direction="sendonly")
    hold = ann.in_dialog("INVITE", invite, ok, cseq=invite.cseq.seq + 1, body=moved)
    ann.send(hold)
    reinvite = await bo.wait_request("INVITE")
    bo.answer(reinvite, 488)
    refused = await ann.final_response(hold)
    assert refused.status == 488
    assert call.relay.a.sdp_address == before and not call.on_hold
    b2bua(pbx).hang_up_all()
    ann.close()
    bo.close()
