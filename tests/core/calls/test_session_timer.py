"""SIP session timers (RFC 4028) on the caller's side of a call through the B2BUA: the interval
is agreed in the 200, a caller that refreshes keeps its call, a caller that stops refreshing (or
answers the appliance's refresh 481) has both sides hung up, and a too-short interval gets 422.

The RFC's minimum interval of 90 s is lowered for these tests (MIN_SE), so a session runs out in
seconds instead of minutes; everything else is the real B2BUA between two SIP test phones."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from loopback_pbx import registered_phone, running_pbx
from sip_phone import TestPhone

from cordboard.core.core import Core
from cordboard.core.sip import session_timer
from cordboard.core.sip.message import SipRequest, SipResponse, parse_message
from cordboard.core.sip.session_timer import SessionTimer, negotiate
from cordboard.core.sip.status import BadRequest, SessionIntervalTooSmall

SHORT_MIN_SE = 3


def invite_with(*headers: str) -> SipRequest:
    text = (
        "INVITE sip:1002@127.0.0.1 SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-st\r\n"
        "From: <sip:1001@127.0.0.1>;tag=a\r\nTo: <sip:1002@127.0.0.1>\r\n"
        "Call-ID: st@127.0.0.1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
        + "".join(f"{header}\r\n" for header in headers)
        + "Content-Length: 0\r\n\r\n"
    )
    request = parse_message(text.encode())
    assert isinstance(request, SipRequest)
    return request


def test_negotiation_follows_rfc_4028_section_9() -> None:
    assert negotiate(invite_with()) is None
    assert negotiate(invite_with("Supported: timer", "Session-Expires: 1800")) == SessionTimer(1800, False)
    assert negotiate(invite_with("Supported: timer", "x: 600;refresher=uas")) == SessionTimer(600, True)
    # A proxy asked, the caller knows nothing of timers: the appliance must refresh.
    assert negotiate(invite_with("Session-Expires: 600;refresher=uac")) == SessionTimer(600, True)
    # Too short: 422 with our minimum when the caller can retry, else raised to it.
    with pytest.raises(SessionIntervalTooSmall) as refused:
        negotiate(invite_with("Supported: timer", "Session-Expires: 60"))
    assert refused.value.status_code == 422 and ("Min-SE", "90") in refused.value.headers
    assert negotiate(invite_with("Session-Expires: 60")) == SessionTimer(90, True)
    # The caller's Min-SE counts too.
    with pytest.raises(SessionIntervalTooSmall) as higher:
        negotiate(invite_with("Supported: timer", "Session-Expires: 100", "Min-SE: 120"))
    assert ("Min-SE", "120") in higher.value.headers
    for bad in ("Session-Expires: soon", "Session-Expires: 600;refresher=both", "Session-Expires: -5"):
        with pytest.raises(BadRequest):
            negotiate(invite_with("Supported: timer", bad))
    timer = SessionTimer(90, False)
    assert (timer.answer_header, timer.request_header) == ("90;refresher=uac", "90;refresher=uac")
    assert SessionTimer(90, True).answer_header == "90;refresher=uas"
    assert timer.refresh_after == 45 and timer.expires_after == 60  # 90 - min(32, 30)


@pytest.fixture
async def pbx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Core]:
    monkeypatch.setattr(session_timer, "MIN_SE", SHORT_MIN_SE)
    async with running_pbx(tmp_path / "data", 46800, 46899) as core:
        yield core


async def call_with_timer(ann: TestPhone, bo: TestPhone, expires: str) -> tuple[SipRequest, SipResponse]:
    """ann (who supports timers) calls bo asking for ``Session-Expires: <expires>``; bo answers."""
    task = asyncio.create_task(ann.invite("1002", extra={"Supported": "timer", "Session-Expires": expires}))
    incoming = await bo.wait_request("INVITE")
    assert "Session-Expires" not in incoming.headers, "each side of the B2BUA has its own session"
    bo.answer(incoming, 200)
    invite, ok = await task
    assert ok.status == 200, ok
    ann.ack(invite, ok)
    return invite, ok


async def ended_reason(core: Core, call_id: str) -> str | None:
    assert core.calls is not None
    await core.calls.history.flush()
    calls = await core.db.call(lambda db: list(db["calls"].rows_where("sip_call_id = ?", [call_id])))
    return calls[0]["reason"] if calls else None


async def test_a_caller_that_refreshes_keeps_the_call_and_one_that_stops_is_hung_up(pbx: Core) -> None:
    ann, bo = await registered_phone(pbx, "ann"), await registered_phone(pbx, "bo")
    try:
        invite, ok = await call_with_timer(ann, bo, "9;refresher=uac")
        assert ok.headers.get("Session-Expires") == "9;refresher=uac"
        assert "timer" in ok.headers.get_all("Require")
        # Refresh with an UPDATE after 3 s: the 200 states the timer again.
        await asyncio.sleep(3)
        update = ann.in_dialog("UPDATE", invite, ok, cseq=invite.cseq.seq + 1)
        update.headers.add("Session-Expires", "9;refresher=uac")
        update.headers.add("Supported", "timer")
        ann.send(update)
        refreshed = await ann.final_response(update)
        assert refreshed.status == 200 and refreshed.headers.get("Session-Expires") == "9;refresher=uac"
        # 9 - min(32, 9/3) = 6 s after that refresh the call would end: 3 s later it still runs.
        await asyncio.sleep(3)
        assert pbx.calls is not None and len(pbx.calls.calls) == 1
        # No more refreshes: both phones get a BYE.
        bye_ann = await ann.wait_request("BYE", wait=8)
        bye_bo = await bo.wait_request("BYE", wait=5)
        ann.answer(bye_ann, 200, to_tag="")
        bo.answer(bye_bo, 200, to_tag="")
        assert not pbx.calls.calls
        assert await ended_reason(pbx, invite.call_id) == "no session refresh from the caller (session timer)"
    finally:
        ann.close()
        bo.close()


async def test_the_appliance_refreshes_when_asked_and_hangs_up_when_the_caller_is_gone(pbx: Core) -> None:
    ann, bo = await registered_phone(pbx, "ann"), await registered_phone(pbx, "bo")
    try:
        invite, ok = await call_with_timer(ann, bo, "4;refresher=uas")
        assert ok.headers.get("Session-Expires") == "4;refresher=uas"
        assert "timer" not in ok.headers.get_all("Require")
        # Half the interval later the appliance sends an UPDATE, in which it is the refresher.
        first = await ann.wait_request("UPDATE", wait=4)
        assert first.headers.get("Session-Expires") == "4;refresher=uac"
        assert first.call_id == invite.call_id and first.to_tag == invite.from_tag
        ann.answer(first, 200, to_tag="")
        second = await ann.wait_request("UPDATE", wait=4)
        assert second.cseq.seq > first.cseq.seq
        ann.answer(second, 481, to_tag="")  # the phone lost the call
        bye_bo = await bo.wait_request("BYE", wait=5)
        bo.answer(bye_bo, 200, to_tag="")
        bye_ann = await ann.wait_request("BYE", wait=5)
        ann.answer(bye_ann, 200, to_tag="")
        assert pbx.calls is not None and not pbx.calls.calls
        assert "session refresh refused" in (await ended_reason(pbx, invite.call_id) or "")
    finally:
        ann.close()
        bo.close()


async def test_a_too_short_interval_gets_422_before_anything_rings(pbx: Core) -> None:
    ann, bo = await registered_phone(pbx, "ann"), await registered_phone(pbx, "bo")
    try:
        _invite, response = await ann.invite("1002", extra={"Supported": "timer", "Session-Expires": "2"})
        assert response.status == 422 and response.headers.get("Min-SE") == str(SHORT_MIN_SE)
        with pytest.raises(TimeoutError):
            await bo.wait_request("INVITE", wait=0.5)
        # Like a phone does, the caller tries again with the minimum, and the call goes through.
        _again, ok = await call_with_timer(ann, bo, str(SHORT_MIN_SE))
        assert ok.headers.get("Session-Expires") == f"{SHORT_MIN_SE};refresher=uac"
        assert pbx.calls is not None
        pbx.calls.hang_up_all()
    finally:
        ann.close()
        bo.close()
