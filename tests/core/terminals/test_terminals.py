"""Users' terminals (TERM-02, TERM-03, TERM-09): the timeline a plan gives, its validation, the API
(own and admin), and real calls with SIP test phones: one by one (ann's phones for five seconds, then
cy's), and a terminal that rings only outside working hours."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from loopback_pbx import add_cy, registered_phone, running_pbx

from cordboard.core.calls.history import list_calls
from cordboard.core.core import Core
from cordboard.core.exceptions import ConfigValidationError
from cordboard.core.routing.model import Destination
from cordboard.core.terminals.model import Terminal, TerminalPlan, validate_plan


def test_term_02_timelines() -> None:
    terminals = (
        Terminal("phones", ring_s=10),
        Terminal("number", "+4520123456", delay_s=5, ring_s=15),
        Terminal("number", "1003", enabled=False),
    )
    together = TerminalPlan(7, "simultaneous", terminals)
    assert together.destinations(in_working_hours=True) == [
        Destination("phones", 0, None, None),
        Destination("number", 5, "+4520123456", None),
    ]
    one_by_one = TerminalPlan(7, "sequential", terminals)
    assert one_by_one.destinations(in_working_hours=True) == [
        Destination("phones", 0, None, 10),
        Destination("number", 10, "+4520123456", 15),
    ]
    assert TerminalPlan(7).is_default and not together.is_default


def test_rte_10_the_fallback_rings_when_the_terminals_are_over() -> None:
    terminals = (Terminal("phones", ring_s=10), Terminal("number", "+4520123456", delay_s=5, ring_s=15))
    together = TerminalPlan(7, "simultaneous", terminals, fallback="1000")
    assert together.destinations(in_working_hours=True, ring_s=25) == [
        Destination("phones", 0, None, 25),
        Destination("number", 5, "+4520123456", 20),
        Destination("number", 25, "1000", None),
    ]
    one_by_one = TerminalPlan(7, "sequential", terminals, fallback="1000")
    assert one_by_one.destinations(in_working_hours=True, ring_s=25)[-1] == Destination(
        "number", 25, "1000", None
    )
    # A user with only their phones but a fallback is no ordinary call any more.
    assert not TerminalPlan(7, fallback="1000").is_default
    assert TerminalPlan(7, fallback="1000").destinations(in_working_hours=True, ring_s=20) == [
        Destination("phones", 0, None, 20),
        Destination("number", 20, "1000", None),
    ]


def test_term_03_terminals_by_working_hours() -> None:
    plan = TerminalPlan(
        7,
        "simultaneous",
        (
            Terminal("phones", when="working_hours"),
            Terminal("number", "+4520123456", when="outside_working_hours"),
        ),
    )
    assert [d.kind for d in plan.destinations(in_working_hours=True)] == ["phones"]
    assert [d.target for d in plan.destinations(in_working_hours=False)] == ["+4520123456"]


PHONES = {"kind": "phones"}
SIX = [PHONES] + [{"kind": "number", "number": f"100{n}"} for n in range(3, 8)]


@pytest.mark.parametrize(
    ("mode", "terminals", "field"),
    [
        ("random", [PHONES], "mode"),
        ("sequential", [{"kind": "number", "number": "1003"}], "terminals"),
        ("sequential", [PHONES, {"kind": "number"}], "terminals.1.number"),
        ("sequential", [PHONES, {"kind": "number", "number": "1001"}], "terminals.1.number"),
        ("sequential", [{"kind": "phones", "ring_s": 2}], "terminals.0.ring_s"),
        ("sequential", [{"kind": "phones", "when": "lunch"}], "terminals.0.when"),
        ("sequential", SIX, "terminals"),
    ],
)
def test_bad_plans_name_the_field(mode: str, terminals: list[dict[str, Any]], field: str) -> None:
    with pytest.raises(ConfigValidationError) as err:
        validate_plan({"mode": mode, "terminals": terminals}, own_numbers=["1001"])
    assert field in err.value.fields, err.value.fields


@pytest.mark.parametrize("fallback", ["1001", "12ab", "+"])
def test_rte_10_a_bad_fallback_is_named(fallback: str) -> None:
    with pytest.raises(ConfigValidationError) as err:
        validate_plan(
            {"mode": "simultaneous", "terminals": [PHONES], "fallback": fallback}, own_numbers=["1001"]
        )
    assert "fallback" in err.value.fields, err.value.fields
    assert (
        validate_plan({"mode": "simultaneous", "terminals": [PHONES], "fallback": ""}, own_numbers=[])[
            "fallback"
        ]
        is None
    )


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", 43400, 43599) as core:
        await add_cy(core)
        yield core


async def test_term_02_one_by_one_with_real_phones(pbx: Core) -> None:
    ann_id = next(u.id for u in await pbx.identity.list_users() if u.username == "ann")
    await pbx.terminals.set_plan(
        ann_id,
        {
            "mode": "sequential",
            "terminals": [{"kind": "phones", "ring_s": 5}, {"kind": "number", "number": "1003"}],
        },
    )
    ann, bo, cy = [await registered_phone(pbx, name) for name in ("ann", "bo", "cy")]
    try:
        calling = asyncio.create_task(bo.invite("1001"))
        first = await ann.wait_request("INVITE")
        ann.answer(first, 180)
        with pytest.raises(TimeoutError):
            await cy.wait_request("INVITE", wait=3.5)  # cy waits while ann's phones ring
        cancel = await ann.wait_request("CANCEL", wait=4)  # after five seconds ann's phones stop
        ann.answer(cancel, 200)
        ann.answer(first, 487)
        cy.answer(await cy.wait_request("INVITE", wait=2), 486)
        assert (await calling)[1].status == 486
    finally:
        for phone in (ann, bo, cy):
            phone.close()
    await pbx.calls.history.flush()
    rows = await pbx.db.call(list_calls)
    assert any(r["callee"] == "1001" and r["route"] == "terminals one by one" for r in rows), rows


async def test_rte_10_a_call_nobody_answers_ends_at_the_users_fallback(pbx: Core) -> None:
    """Ann's phones ring for their five seconds, then her fallback (cy) rings; cy answers and talks
    with bo; the call history says so."""
    ann_id = next(u.id for u in await pbx.identity.list_users() if u.username == "ann")
    await pbx.terminals.set_plan(
        ann_id, {"mode": "sequential", "terminals": [{"kind": "phones", "ring_s": 5}], "fallback": "1003"}
    )
    ann, bo, cy = [await registered_phone(pbx, name) for name in ("ann", "bo", "cy")]
    try:
        calling = asyncio.create_task(bo.invite("1001"))
        first = await ann.wait_request("INVITE")
        ann.answer(first, 180)
        with pytest.raises(TimeoutError):
            await cy.wait_request("INVITE", wait=3.5)
        cancel = await ann.wait_request("CANCEL", wait=4)
        ann.answer(cancel, 200)
        ann.answer(first, 487)
        to_cy = await cy.wait_request("INVITE", wait=3)
        cy.answer(to_cy, 200)
        invite, ok = await calling
        assert ok.status == 200, ok
        bo.ack(invite, ok)
        cy_ack = await cy.wait_request("ACK", wait=3)
        assert cy_ack.call_id == to_cy.call_id
        bye = bo.in_dialog("BYE", invite, ok, invite.cseq.seq + 1)
        bo.send(bye)
        cy.answer(await cy.wait_request("BYE", wait=3), 200)
        assert (await bo.final_response(bye)).status == 200
    finally:
        for phone in (ann, bo, cy):
            phone.close()
    await pbx.calls.history.flush()
    rows = await pbx.db.call(list_calls)
    assert any(r["callee"] == "1001" and r["result"] == "answered" for r in rows), rows


async def test_terminals_api_own_and_admin(
    core: Core, api: Any, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    plan = {
        "mode": "simultaneous",
        "terminals": [{"kind": "phones"}, {"kind": "number", "number": "+4520123456", "delay_s": 10}],
    }
    resp = await api.put("/api/me/terminals", json=plan, headers=user_headers)
    assert resp.status == 200, await resp.text()
    mine = await (await api.get("/api/me/terminals", headers=user_headers)).json()
    assert mine["terminals"][1]["delay_s"] == 10
    anna = mine["user_id"]
    resp = await api.put(
        "/api/me/terminals",
        json={"mode": "simultaneous", "terminals": [{"kind": "number", "number": "1001"}]},
        headers=user_headers,
    )
    error = (await resp.json())["error"]
    assert resp.status == 400 and "terminals" in error["fields"]
    assert (await api.get(f"/api/users/{anna}/terminals", headers=admin_headers)).status == 200
    assert (await api.get(f"/api/users/{anna + 100}/terminals", headers=user_headers)).status == 403
