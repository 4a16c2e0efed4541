"""B2BUA edge cases below the SIPp interop tests: re-INVITE bookkeeping, lost ACKs, crossing CANCEL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from unittest.mock import Mock

import pytest
from loopback_pbx import connected_call, registered_phone, running_pbx
from sip_phone import sdp_offer

from cordboard.core.calls.b2bua import B2bua, PendingReinvite
from cordboard.core.core import Core
from cordboard.core.sip.message import SipRequest, SipResponse, parse_message

REINVITE = (
    b"INVITE sip:cordboard@127.0.0.1:5060 SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-hold\r\n"
    b"From: <sip:1001@127.0.0.1>;tag=ann\r\n"
    b"To: <sip:1002@127.0.0.1>;tag=pbx\r\n"
    b"Call-ID: hold-1@127.0.0.1\r\n"
    b"CSeq: 3 INVITE\r\n"
    b"Max-Forwards: 70\r\n"
    b"Content-Length: 0\r\n\r\n"
)


def test_a_re_invite_the_other_phone_never_answers_gets_408() -> None:
    """Without this the phone that sent the re-INVITE (hold, say) waits for an answer forever."""
    sip = Mock()
    b2bua = B2bua(Mock(), sip, Mock())
    request = parse_message(REINVITE)
    assert isinstance(request, SipRequest)
    forward = Mock()
    b2bua._reinvites[forward] = PendingReinvite(Mock(), "a", "server-key", request)
    b2bua._reinvite_requests[forward] = request

    b2bua.on_timeout(forward)

    sip.respond.assert_called_once()
    key, response = sip.respond.call_args.args
    assert key == "server-key"
    assert isinstance(response, SipResponse)
    assert response.status == 408
    assert response.cseq.seq == 3 and response.cseq.method == "INVITE"
    assert not b2bua._reinvites and not b2bua._reinvite_requests


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", 41400, 41599) as core:
        yield core


async def test_a_retransmitted_2xx_to_a_re_invite_is_acked_again(pbx: Core) -> None:
    """Our ACK of bo's 200 to a re-INVITE got lost: bo resends the 200 and must get the ACK again,
    else bo's phone ends the call after 64*T1 (RFC 3261 13.2.2.4, 14.2).
    """
    ann, bo = await registered_phone(pbx, "ann"), await registered_phone(pbx, "bo")
    invite, ok = await connected_call(ann, bo)
    await bo.wait_request("ACK")
    hold = ann.in_dialog(
        "INVITE", invite, ok, cseq=invite.cseq.seq + 1, body=sdp_offer(ann.rtp_port, direction="sendonly")
    )
    ann.send(hold)
    reinvite = await bo.wait_request("INVITE")
    answer = bo.answer(reinvite, 200, body=sdp_offer(bo.rtp_port, direction="recvonly"))
    first = await bo.wait_request("ACK")
    via = reinvite.top_via
    bo.send(answer, (via.received or via.host, via.rport or via.port or 5060))  # as if the ACK was lost
    again = await bo.wait_request("ACK")
    assert bytes(again) == bytes(first)
    held = await ann.final_response(hold)
    assert held.status == 200
    ann.ack(hold, held)
    assert isinstance(pbx.calls, B2bua)
    pbx.calls.hang_up_all()
    ann.close()
    bo.close()


async def test_a_2xx_crossing_the_callers_cancel_gets_ack_and_bye(pbx: Core) -> None:
    """bo picks up as ann gives up: ann's call is cancelled, and bo's phone gets ACK and BYE at once
    instead of sitting in a call with nobody until its own 64*T1 timeout.
    """
    ann, bo = await registered_phone(pbx, "ann"), await registered_phone(pbx, "bo")
    task = asyncio.create_task(ann.invite("1002"))
    incoming = await bo.wait_request("INVITE")
    ringing = bo.answer(incoming, 180)
    invite = None
    for _ in range(100):  # the authenticated INVITE is the one the PBX forked
        calls = pbx.calls
        assert isinstance(calls, B2bua)
        if calls.calls:
            invite = next(iter(calls.calls.values())).invite
            break
        await asyncio.sleep(0.02)
    assert invite is not None
    cancel = ann.new_request(
        "CANCEL", str(invite.uri), to=invite.headers.get("To"), call_id=invite.call_id, cseq=invite.cseq.seq
    )
    cancel.headers.set("From", invite.headers.get("From") or "")
    cancel.headers.set("Via", invite.headers.get("Via") or "")
    ann.send(cancel)
    assert (await ann.final_response(cancel)).status == 200
    _invite, final = await task
    assert final.status == 487
    await bo.wait_request("CANCEL")
    bo.answer(incoming, 200, to_tag=ringing.to_tag or "callee")  # crossed the CANCEL
    ack = await bo.wait_request("ACK")
    bye = await bo.wait_request("BYE")
    assert ack.call_id == bye.call_id == incoming.call_id
    bo.answer(bye, 200)
    ann.close()
    bo.close()
