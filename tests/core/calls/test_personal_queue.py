"""Pending transfers and personal queues (PKP-08, PQ-01..03) with real SIP phones on loopback: a
call transferred to a colleague who is on the phone waits in the colleague's queue (music on hold)
and rings them as soon as they are free; a full queue sends it back to the transferring phone; with
pending transfers off it rings the busy colleague at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from loopback_pbx import add_cy, registered_phone, running_pbx
from phone_calls import blind_transfer, call_between, talk
from rtp_audio import heard
from sip_phone import TestPhone, media_address

from cordboard.core.calls.personal_queue import (
    CAMPED_NOTIFY_ALL_S,
    CAMPED_NOTIFY_S,
    EVENT_CAMPED_WAITING,
    PENDING_TRANSFER,
    QUEUE_SIZE,
)
from cordboard.core.core import Core
from cordboard.core.sip.message import SipRequest, SipResponse

RTP_MIN, RTP_MAX = 48600, 48799
ECHO_TEST = "*43"


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", RTP_MIN, RTP_MAX) as core:
        await add_cy(core)
        yield core


async def busy_with_echo_test(core: Core, bo: TestPhone) -> tuple[SipRequest, SipResponse]:
    """bo is on the phone (the echo test): his presence says in a call."""
    invite, ok = await bo.call(ECHO_TEST)
    assert ok.status == 200
    bo_id = (await core.identity.get_user_by_username("bo")).id
    assert core.presence is not None
    for _ in range(50):
        if core.presence.get(bo_id).call_state == "in_call":
            return invite, ok
        await asyncio.sleep(0.05)
    raise AssertionError("bo's presence never said he is in a call")


async def transfer_to_bo(ann: TestPhone, cy: TestPhone) -> tuple[SipRequest, SipResponse, tuple[str, int]]:
    """ann calls cy, cy transfers ann to 1002: ann's INVITE, 200, and where ann's audio goes now."""
    invite, ok, incoming = await call_between(ann, cy, "1003")
    return invite, ok, await blind_transfer(cy, incoming, ann, "1002")


async def test_pkp_08_a_transfer_to_a_busy_colleague_waits_until_he_is_free(pbx: Core) -> None:
    assert pbx.calls is not None
    bo_id = (await pbx.identity.get_user_by_username("bo")).id
    ann, bo, cy = [await registered_phone(pbx, n) for n in ("ann", "bo", "cy")]
    try:
        echo, echo_ok = await busy_with_echo_test(pbx, bo)
        invite, ok, ann_to = await transfer_to_bo(ann, cy)
        waiting = await heard(ann, 1.5)
        assert int(np.abs(waiting.astype(np.int32)).max()) > 500  # welcome prompt, music on hold
        assert len(pbx.calls.personal_queues.waiting[bo_id]) == 1
        with pytest.raises(TimeoutError):  # bo is on the phone: the call waits (PQ-01)
            await bo.wait_request("INVITE", wait=0.5)

        hang_up = bo.in_dialog("BYE", echo, echo_ok, cseq=echo.cseq.seq + 1)
        bo.send(hang_up)
        assert (await bo.final_response(hang_up)).status == 200
        ringing = await bo.wait_request("INVITE", wait=5)  # free: the waiting call rings him
        assert "1001" in (ringing.headers.get("From") or "")
        bo.answer(ringing, 200)
        await talk(ann, ann_to, bo, media_address(ringing.body))
        ann.send(ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 2))
        bo.answer(await bo.wait_request("BYE", wait=5), 200, to_tag="")
    finally:
        for phone in (ann, bo, cy):
            phone.close()
    assert bo_id not in pbx.calls.personal_queues.waiting


async def test_pq_02_a_full_queue_sends_the_call_back_to_the_transferring_phone(pbx: Core) -> None:
    assert pbx.calls is not None
    await pbx.settings.set("org", None, QUEUE_SIZE, 1)
    bo_id = (await pbx.identity.get_user_by_username("bo")).id
    ann, bo, cy = [await registered_phone(pbx, n) for n in ("ann", "bo", "cy")]
    try:
        echo, echo_ok = await busy_with_echo_test(pbx, bo)
        other_caller = object()  # another transferred call already waits for bo
        pbx.calls.personal_queues.waiting[bo_id] = [other_caller]  # type: ignore[list-item]
        invite, ok, ann_to = await transfer_to_bo(ann, cy)
        recall = await cy.wait_request("INVITE", wait=5)  # back to cy, showing ann
        assert "1001" in (recall.headers.get("From") or "")
        cy.answer(recall, 200)
        await talk(ann, ann_to, cy, media_address(recall.body))
        ann.send(ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 2))
        cy.answer(await cy.wait_request("BYE", wait=5), 200, to_tag="")
        bo.send(bo.in_dialog("BYE", echo, echo_ok, cseq=echo.cseq.seq + 1))
    finally:
        for phone in (ann, bo, cy):
            phone.close()


async def test_pkp_08_off_rings_the_busy_colleague_at_once(pbx: Core) -> None:
    await pbx.settings.set("org", None, PENDING_TRANSFER, False)
    ann, bo, cy = [await registered_phone(pbx, n) for n in ("ann", "bo", "cy")]
    try:
        echo, echo_ok = await busy_with_echo_test(pbx, bo)
        invite, ok, _ann_to = await transfer_to_bo(ann, cy)
        ringing = await bo.wait_request("INVITE", wait=5)  # call waiting on bo's phone
        bo.answer(ringing, 486)
        recall = await cy.wait_request("INVITE", wait=5)
        cy.answer(recall, 200)
        ann.send(ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 2))
        cy.answer(await cy.wait_request("BYE", wait=5), 200, to_tag="")
        bo.send(bo.in_dialog("BYE", echo, echo_ok, cseq=echo.cseq.seq + 1))
    finally:
        for phone in (ann, bo, cy):
            phone.close()


async def test_pq_06_a_receptionist_camps_a_call_on_a_busy_colleague(pbx: Core) -> None:
    """PQ-06 camp-on: pending transfers are off for the organisation, but cy is in the reception
    group, which has the camp-on right: his transfer to busy bo waits in bo's personal queue and
    rings bo once he is free. (Without the right it would ring bo at once: the test above.)
    PQ-07: while it waits, cy and then the whole reception are told."""
    assert pbx.calls is not None
    await pbx.settings.set("org", None, PENDING_TRANSFER, False)
    await pbx.settings.set("org", None, CAMPED_NOTIFY_S, 1)
    await pbx.settings.set("org", None, CAMPED_NOTIFY_ALL_S, 2)
    bo_id = (await pbx.identity.get_user_by_username("bo")).id
    cy_id = (await pbx.identity.get_user_by_username("cy")).id
    dee = await pbx.identity.create_user(
        username="dee", first_name="Dee", last_name="Tester", email="dee@example.com", extension="1004"
    )
    reception = await pbx.identity.create_group("Reception")
    await pbx.identity.set_group_members(reception.id, [cy_id, dee.id])
    notices: list[dict[str, Any]] = []
    pbx.bus.listen(EVENT_CAMPED_WAITING, lambda event: notices.append(dict(event.data)))
    await pbx.rights.set_grants("camp_on", [{"group_id": reception.id, "scope": "org", "scope_id": None}])
    for _ in range(50):
        if pbx.rights.allows("camp_on", cy_id, bo_id):
            break
        await asyncio.sleep(0.05)
    assert not pbx.rights.allows("camp_on", bo_id, cy_id)  # only the reception's members
    ann, bo, cy = [await registered_phone(pbx, n) for n in ("ann", "bo", "cy")]
    try:
        echo, echo_ok = await busy_with_echo_test(pbx, bo)
        invite, ok, ann_to = await transfer_to_bo(ann, cy)
        with pytest.raises(TimeoutError):
            await bo.wait_request("INVITE", wait=4.0)
        assert len(pbx.calls.personal_queues.waiting[bo_id]) == 1
        # PQ-07: after 1 s cy is told, after 2 s the whole reception
        assert [(n["to"], n["user_ids"]) for n in notices] == [
            ("camper", [cy_id]),
            ("reception", sorted([cy_id, dee.id])),
        ]
        assert notices[0]["caller"] == "1001" and notices[0]["number"] == "1002"
        assert notices[1]["waited_s"] >= 2
        hang_up = bo.in_dialog("BYE", echo, echo_ok, cseq=echo.cseq.seq + 1)
        bo.send(hang_up)
        assert (await bo.final_response(hang_up)).status == 200
        ringing = await bo.wait_request("INVITE", wait=5)
        assert "1001" in (ringing.headers.get("From") or "")
        bo.answer(ringing, 200)
        await talk(ann, ann_to, bo, media_address(ringing.body), first_seq=500)
        ann.send(ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 2))
        bo.answer(await bo.wait_request("BYE", wait=5), 200, to_tag="")
    finally:
        for phone in (ann, bo, cy):
            phone.close()


async def test_pq_04_press_5_to_be_called_back(pbx: Core) -> None:
    """ann waits for bo, presses 5 and is hung up; once bo is free his phone rings showing 1001,
    and when he answers ann's phone rings showing bo: they talk."""
    from rtp_audio import send_digits

    from cordboard.core.calls.personal_queue import CALLBACK

    assert pbx.calls is not None
    await pbx.settings.set("org", None, CALLBACK, True)
    bo_id = (await pbx.identity.get_user_by_username("bo")).id
    ann, bo, cy = [await registered_phone(pbx, n) for n in ("ann", "bo", "cy")]
    try:
        echo, echo_ok = await busy_with_echo_test(pbx, bo)
        _invite, _ok, ann_to = await transfer_to_bo(ann, cy)
        await asyncio.sleep(1.0)
        await send_digits(ann, ann_to, "5", 500)
        ann.answer(await ann.wait_request("BYE", wait=15), 200, to_tag="")  # "we will call you back"
        assert pbx.calls.personal_queues.waiting[bo_id] == ["1001"]

        hang_up = bo.in_dialog("BYE", echo, echo_ok, cseq=echo.cseq.seq + 1)
        bo.send(hang_up)
        assert (await bo.final_response(hang_up)).status == 200
        at_bo = await bo.wait_request("INVITE", wait=5)
        assert "1001" in (at_bo.headers.get("From") or "")
        bo.answer(at_bo, 200)
        at_ann = await ann.wait_request("INVITE", wait=5)
        assert "1002" in (at_ann.headers.get("From") or "")
        ann.answer(at_ann, 200)
        await talk(ann, media_address(at_ann.body), bo, media_address(at_bo.body))
        hang_up = ann.request_as_callee(at_ann, "BYE", cseq=2)
        ann.send(hang_up)
        assert (await ann.final_response(hang_up)).status == 200
        bo.answer(await bo.wait_request("BYE", wait=5), 200, to_tag="")
    finally:
        for phone in (ann, bo, cy):
            phone.close()
    assert bo_id not in pbx.calls.personal_queues.waiting
