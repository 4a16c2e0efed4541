"""Codes that act on calls in progress, with real SIP phones on loopback: fetch my call (FC-06,
PKP-07), intrusion (FC-02, PKP-05) and diversion bypass (FC-05, PKP-06), each with its right."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest
from loopback_pbx import add_cy, registered_phone, running_pbx
from phone_calls import call_between, taken_over, talk
from rtp_audio import heard
from sip_phone import media_address

from cordboard.core.core import Core

RTP_MIN, RTP_MAX = 48400, 48599


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", RTP_MIN, RTP_MAX) as core:
        await add_cy(core)
        yield core


async def _user_id(core: Core, name: str) -> int:
    return (await core.identity.get_user_by_username(name)).id


async def test_fc_06_fetch_my_call_to_my_other_phone(pbx: Core) -> None:
    """PKP-07: bo talks with ann on his desk phone, dials *7* on his second phone: the call moves
    there, the desk phone is hung up and ann stays connected."""
    ann = await registered_phone(pbx, "ann")
    desk = await registered_phone(pbx, "bo")
    try:
        invite, ok, _incoming = await call_between(ann, desk, "1002")
        other = await registered_phone(pbx, "bo")  # registered once the call rings only the desk
        fetching = asyncio.create_task(other.call("*7*"))
        ann_to = await taken_over(ann)
        _fetch, fetched = await fetching
        assert fetched.status == 200
        bye = await desk.wait_request("BYE", wait=5)
        desk.answer(bye, 200, to_tag="")
        await talk(ann, ann_to, other, media_address(fetched.body))
        hang_up = ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 2)
        ann.send(hang_up)
        assert (await ann.final_response(hang_up)).status == 200
        bye = await other.wait_request("BYE", wait=5)
        other.answer(bye, 200, to_tag="")
        other.close()
    finally:
        ann.close()
        desk.close()


async def test_fc_06_fetch_a_call_the_appliance_bridges(pbx: Core) -> None:
    """PKP-07 on a call the appliance bridges rather than relays (here ann's diversion bypass to
    bo): bo's second phone fetches it, his desk phone is hung up and ann talks on with him."""
    await pbx.rights.set_grants("bypass_diversion", [{"group_id": None, "scope": "org", "scope_id": None}])
    ann = await registered_phone(pbx, "ann")
    desk = await registered_phone(pbx, "bo")
    try:
        calling = asyncio.create_task(ann.invite("*60*1002*"))
        ringing = await desk.wait_request("INVITE", wait=5)
        desk.answer(ringing, 200)
        invite, ok = await calling
        assert ok.status == 200
        ann.ack(invite, ok)
        other = await registered_phone(pbx, "bo")
        _fetch, fetched = await other.call("*7*")
        assert fetched.status == 200
        bye = await desk.wait_request("BYE", wait=5)
        desk.answer(bye, 200, to_tag="")
        await talk(ann, media_address(ok.body), other, media_address(fetched.body))
        ann.send(ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 1))
        bye = await other.wait_request("BYE", wait=5)
        other.answer(bye, 200, to_tag="")
        other.close()
    finally:
        ann.close()
        desk.close()


async def test_fc_02_intrusion_and_the_other_party_reconnected(
    pbx: Core, caplog: pytest.LogCaptureFixture
) -> None:
    """PKP-05: ann (1001) talks with bo; cy, with the intrusion right, dials *65*1002*: cy talks
    with bo while ann hears she must wait; when cy hangs up ann and bo talk again. Without the
    right the code is refused and the call is untouched."""
    ann, bo, cy = [await registered_phone(pbx, n) for n in ("ann", "bo", "cy")]
    try:
        invite, ok, incoming = await call_between(ann, bo, "1002")
        with caplog.at_level(logging.INFO, logger="cordboard.core.features"):
            _refused, answered = await cy.call("*65*1002*")
            assert answered.status == 200
            bye = await cy.wait_request("BYE", wait=10)
            cy.answer(bye, 200, to_tag="")
        assert "no intrusion right over 1002" in caplog.text
        await talk(ann, media_address(ok.body), bo, media_address(incoming.body))

        cy_id = await _user_id(pbx, "cy")
        group = await pbx.identity.create_group("Reception")
        await pbx.identity.set_group_members(group.id, [cy_id])
        await pbx.rights.set_grants("intrude", [{"group_id": group.id, "scope": "org", "scope_id": None}])
        intruding = asyncio.create_task(cy.call("*65*1002*"))
        first, second = await asyncio.gather(taken_over(ann), taken_over(bo))
        _intrusion, intruded = await intruding
        assert intruded.status == 200
        ann.drain_rtp()
        await talk(bo, second, cy, media_address(intruded.body))
        waiting = await heard(ann, 0.5)
        assert int(np.abs(waiting.astype(np.int32)).max()) > 500  # the announcement, then music

        hang_up = cy.in_dialog("BYE", _intrusion, intruded, cseq=_intrusion.cseq.seq + 1)
        cy.send(hang_up)
        assert (await cy.final_response(hang_up)).status == 200
        await asyncio.sleep(0.3)
        await talk(ann, first, bo, second, first_seq=100)  # connected again; bo's stream goes on
        ann.send(ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 2))
        bye = await bo.wait_request("BYE", wait=5)
        bo.answer(bye, 200, to_tag="")
    finally:
        for phone in (ann, bo, cy):
            phone.close()


async def test_fc_05_diversion_bypass_rings_the_extension_itself(
    pbx: Core, caplog: pytest.LogCaptureFixture
) -> None:
    """PKP-06: bo forwards his calls to cy; ann's *60*1002* rings bo's phone once she has the
    bypass right (before, it is refused and nothing rings)."""
    assert pbx.presence is not None
    await pbx.presence.set_presence(await _user_id(pbx, "bo"), {"diversion": "1003"})
    ann, bo, cy = [await registered_phone(pbx, n) for n in ("ann", "bo", "cy")]
    try:
        with caplog.at_level(logging.INFO, logger="cordboard.core.features"):
            _refused, answered = await ann.call("*60*1002*")
            assert answered.status == 200
            bye = await ann.wait_request("BYE", wait=10)
            ann.answer(bye, 200, to_tag="")
        assert "no diversion-bypass right over 1002" in caplog.text

        await pbx.rights.set_grants(
            "bypass_diversion", [{"group_id": None, "scope": "org", "scope_id": None}]
        )
        calling = asyncio.create_task(ann.invite("*60*1002*"))
        ringing = await bo.wait_request("INVITE", wait=5)  # bo's own phone, not cy's
        bo.answer(ringing, 200)
        invite, ok = await calling
        assert ok.status == 200
        ann.ack(invite, ok)
        await talk(ann, media_address(ok.body), bo, media_address(ringing.body))
        ann.send(ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 1))
        bye = await bo.wait_request("BYE", wait=5)
        bo.answer(bye, 200, to_tag="")
        with pytest.raises(TimeoutError):
            await cy.wait_request("INVITE", wait=0.2)
    finally:
        for phone in (ann, bo, cy):
            phone.close()
