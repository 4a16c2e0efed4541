"""Outgoing rules on calls (RTE-07, BAR-03, BAR-06), with SIP test phones: a rule blocks premium
numbers (by the dial plan's number type after conversion), a rule reroutes calls to bo to cy, and
emergency numbers never meet the rules."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from loopback_pbx import add_cy, registered_phone, running_pbx

from cordboard.core.calls.history import list_calls
from cordboard.core.core import Core


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", 43700, 43799) as core:
        await add_cy(core)
        await core.settings.set("org", None, "core.country", "DK")  # the DK types: Premium is +4590...
        for _ in range(100):
            if core.dialplan.types:
                break
            await asyncio.sleep(0.02)
        yield core


def outgoing(
    user_id: int, name: str, destinations: list[dict[str, Any]], **conditions: Any
) -> dict[str, Any]:
    return {"scope": "user", "scope_id": user_id, "list": "outgoing", "name": name,
            "conditions": conditions, "destinations": destinations}  # fmt: skip


async def test_rte_07_outgoing_rules_block_and_reroute_but_never_emergency_calls(pbx: Core) -> None:
    ann_id = next(u.id for u in await pbx.identity.list_users() if u.username == "ann")
    await pbx.routing.create(outgoing(ann_id, "No premium", [{"kind": "reject"}], number_types=["Premium"]))
    await pbx.routing.create(
        outgoing(ann_id, "Bo to Cy", [{"kind": "number", "target": "1003"}], called_prefixes=["1002"])
    )
    ann, bo, cy = [await registered_phone(pbx, name) for name in ("ann", "bo", "cy")]
    try:
        _invite, refused = await ann.invite("90123456")
        assert (refused.status, refused.reason) == (403, "Forbidden - Blocked By An Outgoing Rule")

        calling = asyncio.create_task(ann.invite("1002"))
        cy.answer(await cy.wait_request("INVITE"), 486)
        assert (await calling)[1].status == 486
        with pytest.raises(TimeoutError):
            await bo.wait_request("INVITE", wait=0.3)

        await pbx.routing.create(outgoing(ann_id, "Nothing else", [{"kind": "reject"}]))
        _invite, answer = await ann.invite("112")
        assert answer.status != 403, "an emergency call never meets the outgoing rules"
        _invite, refused = await ann.invite("33123456")
        assert refused.status == 403
    finally:
        for phone in (ann, bo, cy):
            phone.close()
    await pbx.calls.history.flush()
    routes = {(r["callee"], r["route"]) for r in await pbx.db.call(list_calls)}
    assert ("90123456", "outgoing rule No premium") in routes and ("1003", "outgoing rule Bo to Cy") in routes
    explained = await pbx.routing.explain(caller="1001", number="90123456", direction="outgoing")
    assert explained.rule is not None and explained.rule.name == "No premium"
    assert explained.facts.number_type == "Premium" and explained.facts.called_number == "+4590123456"
