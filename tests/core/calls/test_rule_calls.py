"""Calls follow the callee's routing rules (RTE-04, RTE-08, RTE-01), with SIP test phones: a rule
that rings ann's phones at once and cy's after a second (both ring, cy answers and talks with the
caller), an unconditional forward to cy (RTE-08: ann's phone stays quiet), a rule that makes ann
busy, a fallback that rejects, and no rule at all (the ordinary relayed call)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from loopback_pbx import add_cy, registered_phone, running_pbx
from rtp_audio import dominant, heard, send_audio, tone
from sip_phone import TestPhone, media_address

from cordboard.core.calls.history import list_calls
from cordboard.core.core import Core


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", 43100, 43299) as core:
        await add_cy(core)
        yield core


async def ann_id(core: Core) -> int:
    return next(u.id for u in await core.identity.list_users() if u.username == "ann")


async def phones(core: Core) -> tuple[TestPhone, TestPhone, TestPhone]:
    return (
        await registered_phone(core, "ann"),
        await registered_phone(core, "bo"),
        await registered_phone(core, "cy"),
    )


def rule(user_id: int, name: str, destinations: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "scope": "user",
        "scope_id": user_id,
        "list": "incoming",
        "name": name,
        "destinations": destinations,
        **extra,
    }


async def test_rte_04_timed_destinations_ring_one_after_the_other(pbx: Core) -> None:
    anna = await ann_id(pbx)
    await pbx.routing.create(
        rule(anna, "Then Cy", [{"kind": "phones"}, {"kind": "number", "target": "1003", "after_s": 1}])
    )
    ann, bo, cy = await phones(pbx)
    try:
        calling = asyncio.create_task(bo.invite("1001"))
        ann_rings = await ann.wait_request("INVITE")
        ann.answer(ann_rings, 180)  # a CANCEL waits for the phone's provisional response (RFC 3261 9.1)
        started = asyncio.get_running_loop().time()
        cy_rings = await cy.wait_request("INVITE", wait=3)
        assert asyncio.get_running_loop().time() - started >= 0.8, "cy rings a second after ann"
        cy.answer(cy_rings, 200)
        await cy.wait_request("ACK")
        cancel = await ann.wait_request("CANCEL")  # ann's phone stops ringing
        ann.answer(cancel, 200)
        ann.answer(ann_rings, 487)
        invite, ok = await calling
        assert ok.status == 200
        bo.ack(invite, ok)
        cy.drain_rtp()
        talking = asyncio.create_task(send_audio(bo, media_address(ok.body), tone(650.0, 1.2), 1))
        cy_hears = await heard(cy, 1.2)
        await talking
        assert abs(dominant(cy_hears[-4000:]) - 650) < 15
        bye = bo.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 1)
        bo.send(bye)
        assert (await bo.final_response(bye)).status == 200
        cy.answer(await cy.wait_request("BYE"), 200)
    finally:
        for phone in (ann, bo, cy):
            phone.close()
    await pbx.calls.history.flush()
    rows = await pbx.db.call(list_calls)
    assert any(r["callee"] == "1001" and r["route"] == "rule Then Cy" for r in rows), rows


async def test_rte_08_forward_all_calls_and_a_busy_rule(pbx: Core) -> None:
    anna = await ann_id(pbx)
    forward = await pbx.routing.create(rule(anna, "Forward all", [{"kind": "number", "target": "1003"}]))
    ann, bo, cy = await phones(pbx)
    try:
        calling = asyncio.create_task(bo.invite("1001"))
        cy.answer(await cy.wait_request("INVITE"), 486)
        assert (await calling)[1].status == 486
        with pytest.raises(TimeoutError):
            await ann.wait_request("INVITE", wait=0.3)

        await pbx.routing.update(forward.id, {"enabled": False})
        await pbx.routing.create(rule(anna, "Busy", [{"kind": "busy"}], conditions={"caller": "internal"}))
        _invite, refused = await bo.invite("1001")
        assert (refused.status, refused.reason) == (486, "Busy Here - Routing Rule")

        await pbx.routing.delete((await pbx.routing.rules("user", anna))[-1].id)
        nobody = {"scope": "org", "list": "fallback", "tier": "required", "name": "Nobody"}
        await pbx.routing.create(
            {**nobody, "destinations": [{"kind": "reject"}], "conditions": {"caller": "external"}}
        )
        calling = asyncio.create_task(bo.invite("1001"))  # internal caller: no rule, ann's phone rings
        ann.answer(await ann.wait_request("INVITE"), 486)
        assert (await calling)[1].status == 486
    finally:
        for phone in (ann, bo, cy):
            phone.close()


async def test_forward_on_busy_and_when_unavailable(pbx: Core) -> None:
    """The usual forwards as rules: on busy (ann's phone answers 486, cy rings at once instead of
    after the 20 s the rule gives) and when unavailable (no phone of ann's registered)."""
    anna = await ann_id(pbx)
    await pbx.routing.create(
        rule(anna, "Busy to Cy", [{"kind": "phones"}, {"kind": "number", "target": "1003", "after_s": 20}])
    )
    ann, bo, cy = await phones(pbx)
    try:
        calling = asyncio.create_task(bo.invite("1001"))
        ann.answer(await ann.wait_request("INVITE"), 486)
        started = asyncio.get_running_loop().time()
        cy.answer(await cy.wait_request("INVITE", wait=3), 486)
        assert asyncio.get_running_loop().time() - started < 2.5, "cy rang at once, not after 20 s"
        assert (await calling)[1].status == 486

        await pbx.routing.delete((await pbx.routing.rules("user", anna))[0].id)
        await pbx.routing.create(
            rule(
                anna, "Away", [{"kind": "number", "target": "1003"}], conditions={"phones_registered": False}
            )
        )
        calling = asyncio.create_task(bo.invite("1001"))  # ann's phone is registered: it rings
        ann.answer(await ann.wait_request("INVITE"), 486)
        assert (await calling)[1].status == 486
        assert (await ann.register(expires=0)).status == 200
        calling = asyncio.create_task(bo.invite("1001"))
        cy.answer(await cy.wait_request("INVITE"), 486)
        assert (await calling)[1].status == 486
    finally:
        for phone in (ann, bo, cy):
            phone.close()


async def test_rte_09_a_forward_rings_for_the_forward_ring_time(pbx: Core) -> None:
    """core.forward_ring_time (5 s here): cy's phone rings five seconds, then the rule's next step
    (reject) ends the call instead of waiting for its own 30 s."""
    await pbx.settings.set("org", None, "core.forward_ring_time", 5)
    anna = await ann_id(pbx)
    await pbx.routing.create(
        rule(anna, "To Cy", [{"kind": "number", "target": "1003"}, {"kind": "reject", "after_s": 30}])
    )
    ann, bo, cy = await phones(pbx)
    try:
        calling = asyncio.create_task(bo.invite("1001"))
        ringing = await cy.wait_request("INVITE")
        cy.answer(ringing, 180)
        started = asyncio.get_running_loop().time()
        cancel = await cy.wait_request("CANCEL", wait=8)
        assert 4.0 <= asyncio.get_running_loop().time() - started <= 7.0
        cy.answer(cancel, 200)
        cy.answer(ringing, 487)
        assert (await calling)[1].status == 603
    finally:
        for phone in (ann, bo, cy):
            phone.close()


async def test_sch_01_rte_01_working_hours_switch_a_rule_at_a_set_time(pbx: Core) -> None:
    """A schedule switches a rule (issue 5's tests): ann's "Night to Cy" rule holds outside the
    organisation's working hours only; on the working-hours clock set to Monday noon her own phone
    rings, set to Monday night cy's phone rings instead."""
    weekdays = ("mon", "tue", "wed", "thu", "fri")
    await pbx.schedules.set_level(
        "org", None, {"week": {d: {"from": "08:00", "to": "17:00"} for d in weekdays}}
    )
    anna = await ann_id(pbx)
    await pbx.routing.create(
        rule(anna, "Night to Cy", [{"kind": "number", "target": "1003"}], conditions={"working_hours": "out"})
    )
    ann, bo, cy = await phones(pbx)
    try:
        for at, rung, quiet in (
            (datetime(2026, 12, 7, 11, 0, tzinfo=UTC), ann, cy),
            (datetime(2026, 12, 7, 22, 0, tzinfo=UTC), cy, ann),
        ):
            pbx.schedules.clock = lambda at=at: at
            calling = asyncio.create_task(bo.invite("1001"))
            rung.answer(await rung.wait_request("INVITE"), 486)
            assert (await calling)[1].status == 486
            with pytest.raises(TimeoutError):
                await quiet.wait_request("INVITE", wait=0.3)
    finally:
        for phone in (ann, bo, cy):
            phone.close()
