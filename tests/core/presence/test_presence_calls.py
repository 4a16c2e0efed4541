"""PRS-09: the call state in presence follows a real call between two SIP test phones."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from loopback_pbx import registered_phone, running_pbx

from cordboard.core.core import Core
from cordboard.core.presence import EVENT_PRESENCE_CHANGED, CallState


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", 45200, 45299) as core:
        yield core


def call_state(core: Core, extension: str) -> Any:
    state = core.states.get(f"extension.{extension}")
    return state.attributes.get("call_state") if state is not None else None


async def until_call_state(core: Core, extension: str, expected: str) -> None:
    for _ in range(250):
        if call_state(core, extension) == expected:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"extension {extension} stayed {call_state(core, extension)!r}, not {expected!r}")


async def test_prs_09_call_state_follows_a_call_between_two_phones(pbx: Core) -> None:
    """Idle, then ringing for the callee (the caller is in a call from the start), in a call for
    both once answered, idle again after the BYE; every step is a presence.changed event and an
    extension.<n> attribute beside the SIP service's own (registered, devices)."""
    assert pbx.presence is not None
    events: list[tuple[int, str]] = []
    pbx.bus.listen(
        EVENT_PRESENCE_CHANGED,
        lambda e: (
            events.append((e.data["user_id"], e.data["call_state"]))
            if "call_state" in e.data["changed"]
            else None
        ),
    )
    ann, bo = await registered_phone(pbx, "ann"), await registered_phone(pbx, "bo")
    ann_id = (await pbx.identity.get_user_by_username("ann")).id
    bo_id = (await pbx.identity.get_user_by_username("bo")).id
    await until_call_state(pbx, "1001", "idle")
    await until_call_state(pbx, "1002", "idle")

    task = asyncio.create_task(ann.invite("1002"))
    incoming = await bo.wait_request("INVITE")
    await until_call_state(pbx, "1002", "ringing")
    assert call_state(pbx, "1001") == "in_call"
    assert pbx.presence.get(bo_id).call_state is CallState.RINGING
    bo.answer(incoming, 180)
    bo.answer(incoming, 200)
    invite, ok = await task
    assert ok.status == 200
    ann.ack(invite, ok)
    await until_call_state(pbx, "1002", "in_call")
    state = pbx.states.get("extension.1002")
    assert state is not None and state.state == "registered" and state.attributes["devices"] == 1
    assert state.attributes["availability"] == "available"

    bye = ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 1)
    ann.send(bye)
    assert (await ann.final_response(bye)).status == 200
    bo.answer(await bo.wait_request("BYE"), 200)
    await until_call_state(pbx, "1001", "idle")
    await until_call_state(pbx, "1002", "idle")
    assert [s for user, s in events if user == bo_id] == ["ringing", "in_call", "idle"]
    assert [s for user, s in events if user == ann_id] == ["in_call", "idle"]
    ann.close()
    bo.close()
