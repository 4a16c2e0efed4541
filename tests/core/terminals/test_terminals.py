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
