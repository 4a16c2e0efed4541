"""Phones' subscriptions over real SIP on loopback: busy-lamp keys (dialog package, BYD-09), the
message lamp (message-summary, BYD-10, with a test double of the voicemail plugin) and presence
(PIDF); rights (PRS-11), refresh, unsubscribe, expiry and bad requests (RFC 6665)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from loopback_pbx import add_cy, registered_phone, running_pbx
from sip_phone import TestPhone

from cordboard.core.calls.subscriptions import EVENT_MESSAGE_COUNTS, MessageCounts
from cordboard.core.core import Core
from cordboard.core.plugin_api import hookimpl
from cordboard.core.sip.message import SipRequest, SipResponse

RTP_MIN, RTP_MAX = 47600, 47799


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", RTP_MIN, RTP_MAX) as core:
        await add_cy(core)
        yield core


async def resubscribe(
    phone: TestPhone, request: SipRequest, response: SipResponse, expires: int
) -> SipResponse:
    """A SUBSCRIBE in the subscription's dialog (a refresh, or Expires 0 to end it)."""
    again = phone.new_request(
        "SUBSCRIBE",
        str(request.uri),
        to=response.headers.get("To"),
        call_id=request.call_id,
        cseq=request.cseq.seq + 1,
        from_tag=request.from_tag,
        extra={"Event": request.headers.get("Event") or "", "Expires": str(expires)},
    )
    phone.send(again)
    answer = await phone.final_response(again)
    if answer.status == 407:
        again = phone.authorize(again, answer)
        phone.send(again)
        answer = await phone.final_response(again)
    return answer


def dialog_states(notify: SipRequest) -> list[tuple[str, str]]:
    body = notify.body.decode()
    return re.findall(r'direction="(\w+)">\s*<state>(\w+)</state>', body)


async def test_byd_09_a_busy_lamp_follows_a_ringing_call_and_its_pickup_by_the_key(pbx: Core) -> None:
    """cy watches bo (1002): idle, then ringing (early, with the caller) when ann calls, then idle
    again once cy presses the key, which dials the directed pickup code as Yealink's BLF pickup
    does; cy's own lamp would show the call."""
    ann, bo, cy = [await registered_phone(pbx, n) for n in ("ann", "bo", "cy")]
    try:
        request, response = await cy.subscribe("1002", "dialog")
        assert response.status == 200 and response.headers.get("Expires") == "600"
        first = await cy.notified()
        assert first.headers.get("Event") == "dialog"
        assert (first.headers.get("Subscription-State") or "").startswith("active;expires=")
        assert first.headers.get("Content-Type") == "application/dialog-info+xml"
        assert 'entity="sip:1002@' in first.body.decode() and dialog_states(first) == []

        calling = asyncio.create_task(ann.invite("1002"))
        ringing = await bo.wait_request("INVITE", wait=5)
        bo.answer(ringing, 180)
        lamp = await cy.notified()
        assert dialog_states(lamp) == [("recipient", "early")]
        assert f'call-id="{ringing.call_id}"' in lamp.body.decode()
        assert "sip:1001@" in lamp.body.decode()  # who is calling, for the phone's display
        version = int(re.search(r'version="(\d+)"', lamp.body.decode()).group(1))  # type: ignore[union-attr]
        assert version == 1

        _pickup, picked = await cy.call("*9*1002")  # the key press: the code and the key's number
        assert picked.status == 200
        cancel = await bo.wait_request("CANCEL", wait=5)
        bo.answer(cancel, 200)
        bo.answer(ringing, 487)
        invite, ok = await calling
        assert ok.status == 200
        ann.ack(invite, ok)
        idle = await cy.notified()
        assert dialog_states(idle) == []
        ann.send(ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 1))
        bye = await cy.wait_request("BYE", wait=5)
        cy.answer(bye, 200)
        assert (await resubscribe(cy, request, response, 0)).status == 200
        last = await cy.notified()
        assert last.headers.get("Subscription-State") == "terminated"
    finally:
        for phone in (ann, bo, cy):
            phone.close()
    assert pbx.sip is not None and pbx.sip.subscriptions is not None
    assert pbx.sip.subscriptions.subscriptions == {}


async def test_byd_09_a_key_that_picks_up_with_replaces(pbx: Core) -> None:
    """Phones that pick up from the dialog information (Snom, Poly) send an INVITE with Replaces
    naming the ringing INVITE's dialog: the appliance takes the call to them (PKP-03 rights), and a
    Replaces naming no ringing call gets 481."""
    ann, bo, cy = [await registered_phone(pbx, n) for n in ("ann", "bo", "cy")]
    try:
        _request, subscribed = await cy.subscribe("1002", "dialog")
        assert subscribed.status == 200
        await cy.notified()
        calling = asyncio.create_task(ann.invite("1002"))
        ringing = await bo.wait_request("INVITE", wait=5)
        bo.answer(ringing, 180, to_tag="bo-early")
        lamp = (await cy.notified()).body.decode()
        assert 'local-tag="bo-early"' in lamp and f'remote-tag="{ringing.from_tag}"' in lamp
        replaces = f"{ringing.call_id};to-tag=bo-early;from-tag={ringing.from_tag};early-only"
        _none, unknown = await cy.call("1002", extra={"Replaces": "nothing-rings;to-tag=a;from-tag=b"})
        assert unknown.status == 481
        _invite, picked = await cy.call("1002", extra={"Replaces": replaces})
        assert picked.status == 200
        cancel = await bo.wait_request("CANCEL", wait=5)
        bo.answer(cancel, 200)
        bo.answer(ringing, 487)
        invite, ok = await calling
        assert ok.status == 200
        ann.ack(invite, ok)
        ann.send(ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 1))
        bye = await cy.wait_request("BYE", wait=5)
        cy.answer(bye, 200)
    finally:
        for phone in (ann, bo, cy):
            phone.close()


async def test_byd_09_a_lamp_needs_the_right_to_see_the_status_and_bad_requests_are_refused(
    pbx: Core,
) -> None:
    cy = await registered_phone(pbx, "cy")
    try:
        await pbx.rights.set_grants("see_status", [])
        _request, refused = await cy.subscribe("1002", "dialog")
        assert (refused.status, refused.reason) == (403, "Forbidden - Not Allowed To See This Status")
        _request, own = await cy.subscribe("1003", "dialog")  # one's own line, always
        assert own.status == 200
        await cy.notified()
        _request, unknown = await cy.subscribe("1999", "dialog")
        assert unknown.status == 404
        _request, bad_event = await cy.subscribe("1003", "conference")
        assert bad_event.status == 489
        assert bad_event.headers.get_all("Allow-Events") == ["dialog", "presence", "message-summary"]
        _request, brief = await cy.subscribe("1003", "dialog", expires=10)
        assert brief.status == 423 and brief.headers.get("Min-Expires") == "60"
        _request, mailbox = await cy.subscribe("1002", "message-summary")
        assert mailbox.status == 403  # only one's own mailbox
    finally:
        cy.close()


class MailboxDouble:
    """The voicemail plugin's side of BYD-10, as a test double: counts it can change."""

    def __init__(self) -> None:
        self.counts: dict[int, MessageCounts] = {}

    @hookimpl
    def cordboard_message_counts(self, core: Core, user_id: int) -> MessageCounts | None:
        return self.counts.get(user_id)


async def test_byd_10_the_message_lamp_follows_the_mailbox_within_2_s(pbx: Core) -> None:
    mailbox = MailboxDouble()
    pbx.plugins.pm.register(mailbox, name="mailbox_double")
    ann_id = (await pbx.identity.get_user_by_username("ann")).id
    ann = await registered_phone(pbx, "ann")
    try:
        _request, response = await ann.subscribe("1001", "message-summary")
        assert response.status == 200
        first = await ann.notified()
        assert first.headers.get("Content-Type") == "application/simple-message-summary"
        assert b"Messages-Waiting: no" in first.body and b"Voice-Message: 0/0 (0/0)" in first.body

        mailbox.counts[ann_id] = MessageCounts(new=2, old=1, new_urgent=1)
        pbx.bus.fire(EVENT_MESSAGE_COUNTS, {"user_id": ann_id})
        lit = await ann.notified(wait=2.0)
        assert b"Messages-Waiting: yes" in lit.body and b"Voice-Message: 2/1 (1/0)" in lit.body

        mailbox.counts[ann_id] = MessageCounts(new=0, old=3)
        pbx.bus.fire(EVENT_MESSAGE_COUNTS, {"user_id": ann_id})
        dark = await ann.notified(wait=2.0)
        assert b"Messages-Waiting: no" in dark.body and b"Voice-Message: 0/3 (0/0)" in dark.body
    finally:
        ann.close()


async def test_presence_keys_follow_do_not_disturb(pbx: Core) -> None:
    assert pbx.presence is not None
    bo_id = (await pbx.identity.get_user_by_username("bo")).id
    ann = await registered_phone(pbx, "ann")
    try:
        _request, response = await ann.subscribe("1002", "presence")
        assert response.status == 200
        first = await ann.notified()
        assert first.headers.get("Content-Type") == "application/pidf+xml"
        assert b"<basic>open</basic>" in first.body
        await pbx.presence.set_presence(bo_id, {"dnd": True})
        closed = await ann.notified()
        assert b"<basic>closed</basic>" in closed.body and b"<note>Do not disturb</note>" in closed.body
    finally:
        ann.close()


async def test_refresh_expiry_and_a_phone_that_forgot_its_subscription(pbx: Core) -> None:
    """A refresh gets 200 and the state again; an unrefreshed subscription ends with
    terminated;reason=timeout; a NOTIFY answered 481 drops the subscription."""
    assert pbx.sip is not None and pbx.sip.subscriptions is not None
    service = pbx.sip.subscriptions
    service.min_expires = 1
    ann = await registered_phone(pbx, "ann")
    try:
        request, response = await ann.subscribe("1002", "dialog")
        await ann.notified()
        assert (await resubscribe(ann, request, response, 600)).status == 200
        again = await ann.notified()
        assert (again.headers.get("Subscription-State") or "").startswith("active")

        _short, short_ok = await ann.subscribe("1003", "dialog", expires=1)
        assert short_ok.status == 200
        await ann.notified()
        expired = await ann.notified(wait=3.0)
        assert expired.headers.get("Subscription-State") == "terminated;reason=timeout"
        assert len(service.subscriptions) == 1

        await pbx.presence.set_presence(  # type: ignore[union-attr]
            (await pbx.identity.get_user_by_username("bo")).id, {"dnd": True}
        )
        _presence, presence_ok = await ann.subscribe("1002", "presence")
        await ann.notified(status=481)  # the phone has forgotten it: the appliance drops it too
        await asyncio.sleep(0.2)
        assert [s.package for s in service.subscriptions.values()] == ["dialog"]
        gone = await resubscribe(ann, _presence, presence_ok, 600)
        assert gone.status == 481
    finally:
        ann.close()
