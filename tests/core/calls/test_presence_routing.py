"""Presence decides whose phones a direct call rings (PRS-05, PRS-10), with SIP test phones: while
ann has do-not-disturb on, bo's call to her gets busy and her phone stays quiet; while her presence
carries a diversion to cy's number, bo's call rings cy; without either it rings ann."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from loopback_pbx import add_cy, connected_call, registered_phone, running_pbx

from cordboard.core.calls.history import list_calls
from cordboard.core.core import Core


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", 42900, 42999) as core:
        await add_cy(core)
        yield core


async def user_id(core: Core, username: str) -> int:
    return next(u.id for u in await core.identity.list_users() if u.username == username)


async def test_prs_10_dnd_gives_busy_and_prs_05_a_diversion_rings_its_number(pbx: Core) -> None:
    assert pbx.presence is not None
    ann_id = await user_id(pbx, "ann")
    ann, bo, cy = [await registered_phone(pbx, name) for name in ("ann", "bo", "cy")]
    try:
        await pbx.presence.set_presence(ann_id, {"dnd": True})
        _invite, refused = await bo.invite("1001")
        assert (refused.status, refused.reason) == (486, "Busy Here - Do Not Disturb")
        with pytest.raises(TimeoutError):
            await ann.wait_request("INVITE", wait=0.5)

        await pbx.presence.set_presence(ann_id, {"dnd": False, "diversion": "1003"})
        calling = asyncio.create_task(bo.invite("1001"))
        ringing = await cy.wait_request("INVITE")
        cy.answer(ringing, 486)
        assert (await calling)[1].status == 486
        with pytest.raises(TimeoutError):
            await ann.wait_request("INVITE", wait=0.3)

        await pbx.presence.set_presence(ann_id, {"diversion": None})
        calling = asyncio.create_task(bo.invite("1001"))
        ann.answer(await ann.wait_request("INVITE"), 486)
        assert (await calling)[1].status == 486
    finally:
        for phone in (ann, bo, cy):
            phone.close()
    await pbx.calls.history.flush()
    rows = await pbx.db.call(list_calls)  # newest first
    assert [r["result"] for r in rows] == ["busy", "busy", "busy"]
    assert [r["route"] for r in rows] == ["", "presence: diverted to 1003", ""]  # the history says why


async def test_rte_12_call_waiting_off_makes_a_second_call_busy(pbx: Core) -> None:
    assert pbx.presence is not None
    ann_id = await user_id(pbx, "ann")
    ann, bo, cy = [await registered_phone(pbx, name) for name in ("ann", "bo", "cy")]
    try:
        invite, ok = await connected_call(bo, ann, "1001")
        for _ in range(100):
            if pbx.presence.get(ann_id).call_state.value == "in_call":
                break
            await asyncio.sleep(0.02)
        calling = asyncio.create_task(cy.invite("1001"))  # call waiting on (the default): it rings
        second = await ann.wait_request("INVITE")
        ann.answer(second, 486)
        assert (await calling)[1].status == 486

        await pbx.settings.set("user", ann_id, "core.call_waiting", False)
        for _ in range(100):
            if pbx.call_preferences.no_call_waiting(ann_id):
                break
            await asyncio.sleep(0.02)
        _invite, refused = await cy.invite("1001")
        assert (refused.status, refused.reason) == (486, "Busy Here - No Call Waiting")
        bye = bo.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 1)
        bo.send(bye)
    finally:
        for phone in (ann, bo, cy):
            phone.close()
