"""Call parking (PKP-04, BYD-36) with real SIP phones on loopback: a phone transfers its caller to a
park position (REFER); the caller hears music on hold; any phone with the right dials the position
and talks with the caller; a call nobody takes rings back the phone that parked it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest
from loopback_pbx import add_cy, registered_phone, running_pbx
from phone_calls import blind_transfer, call_between, talk
from rtp_audio import heard
from sip_phone import TestPhone, media_address

from cordboard.core.core import Core
from cordboard.core.sip.message import SipRequest, SipResponse

RTP_MIN, RTP_MAX = 48200, 48399
POSITION = "1700"


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", RTP_MIN, RTP_MAX) as core:
        await add_cy(core)
        await core.plugins.set_config(
            "park", {"first_number": POSITION, "positions": 2, "timeout_seconds": 3}
        )
        yield core


async def park(ann: TestPhone, bo: TestPhone) -> tuple[SipRequest, SipResponse, tuple[str, int]]:
    """ann calls bo, bo parks ann at POSITION: ann's phone is taken over (re-INVITE answered), bo's
    REFER accepted and bo hung up. ann's INVITE, its 200 and where ann's audio goes now."""
    invite, ok, incoming = await call_between(ann, bo, "1002")
    return invite, ok, await blind_transfer(bo, incoming, ann, POSITION)


async def test_pkp_04_park_and_take_the_call_from_another_phone(pbx: Core) -> None:
    ann, bo, cy = [await registered_phone(pbx, n) for n in ("ann", "bo", "cy")]
    try:
        invite, ok, ann_to = await park(ann, bo)
        state = pbx.states.get(f"park.{POSITION}")
        assert state is not None and state.state == "occupied"
        assert state.attributes["caller"] == "1001" and state.attributes["parked_by"] == "1002"
        music = await heard(ann, 1.0)
        assert int(np.abs(music.astype(np.int32)).max()) > 500  # music on hold while parked
        _take, taken = await cy.call(POSITION)
        assert taken.status == 200
        await talk(ann, ann_to, cy, media_address(taken.body))
        assert pbx.states.get(f"park.{POSITION}").state == "free"  # type: ignore[union-attr]
        ann.send(ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 2))
        bye = await cy.wait_request("BYE", wait=5)
        cy.answer(bye, 200, to_tag="")
    finally:
        for phone in (ann, bo, cy):
            phone.close()


async def test_byd_36_a_parked_call_nobody_takes_rings_the_parker_back(pbx: Core) -> None:
    ann, bo = [await registered_phone(pbx, n) for n in ("ann", "bo")]
    try:
        invite, ok, ann_to = await park(ann, bo)
        recall = await bo.wait_request("INVITE", wait=6)  # the 3 s timeout, then bo's phone rings
        assert "1001" in (recall.headers.get("From") or "")
        bo.answer(recall, 200)
        await talk(ann, ann_to, bo, media_address(recall.body))
        ann.send(ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 2))
        bye = await bo.wait_request("BYE", wait=5)
        bo.answer(bye, 200, to_tag="")
    finally:
        ann.close()
        bo.close()


async def test_pkp_04_an_empty_position_or_no_right_gets_an_announcement(
    pbx: Core, caplog: pytest.LogCaptureFixture
) -> None:
    ann, bo, cy = [await registered_phone(pbx, n) for n in ("ann", "bo", "cy")]
    try:
        _empty, answered = await cy.call(POSITION)
        assert answered.status == 200
        bye = await cy.wait_request("BYE", wait=10)  # "there is no call to pick up", then goodbye
        cy.answer(bye, 200, to_tag="")

        await pbx.rights.set_grants("retrieve_parked", [])
        await pbx.plugins.set_config(
            "park", {"first_number": POSITION, "positions": 2, "timeout_seconds": 60}
        )
        invite, ok, _ann_to = await park(ann, bo)
        with caplog.at_level(logging.INFO, logger="cordboard.plugins.park"):
            _refused, answered = await cy.call(POSITION)
            assert answered.status == 200
            bye = await cy.wait_request("BYE", wait=10)
            cy.answer(bye, 200, to_tag="")
        assert "1003 may not take the call parked at 1700" in caplog.text
        assert pbx.states.get(f"park.{POSITION}").state == "occupied"  # type: ignore[union-attr]
        hang_up = ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 2)
        ann.send(hang_up)
        assert (await ann.final_response(hang_up)).status == 200
        for _ in range(50):  # the parked caller hung up: the position is free again
            if pbx.states.get(f"park.{POSITION}").state == "free":  # type: ignore[union-attr]
                break
            await asyncio.sleep(0.05)
        assert pbx.states.get(f"park.{POSITION}").state == "free"  # type: ignore[union-attr]
    finally:
        for phone in (ann, bo, cy):
            phone.close()


async def test_byd_36_a_busy_lamp_key_on_the_position_lights_while_a_call_waits(pbx: Core) -> None:
    """cy's key on 1700: dark, lit (confirmed, with the parked caller) once bo parks ann, dark
    again once cy presses it (dials 1700) and takes the call."""
    ann, bo, cy = [await registered_phone(pbx, n) for n in ("ann", "bo", "cy")]
    try:
        _request, subscribed = await cy.subscribe(POSITION, "dialog")
        assert subscribed.status == 200
        assert b"<dialog " not in (await cy.notified()).body
        invite, ok, ann_to = await park(ann, bo)
        lit = (await cy.notified()).body.decode()
        assert "<state>confirmed</state>" in lit and "sip:1001@" in lit
        _take, taken = await cy.call(POSITION)
        assert taken.status == 200
        assert b"<dialog " not in (await cy.notified()).body
        await talk(ann, ann_to, cy, media_address(taken.body))
        ann.send(ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 2))
        bye = await cy.wait_request("BYE", wait=5)
        cy.answer(bye, 200, to_tag="")
        _request, nobody = await cy.subscribe("1799", "dialog")
        assert nobody.status == 404
    finally:
        for phone in (ann, bo, cy):
            phone.close()
