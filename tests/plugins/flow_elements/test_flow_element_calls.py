"""Calls to virtual switches (AA-04) and announcements (AA-03) from real SIP phones over loopback
(CAPA-14): ann (1001) calls the switch 1650, which rings bo (1002) while it is on and cy (1003)
while it is off; bo, an operator, sets it with *29*1650* / **29*1650* and the next call follows;
ann, no operator, is refused and the switch stays as it is; the announcement 1660 plays its prompt
(a 700 Hz tone) and then rings bo; a locked element refuses the call with 480; a user the switch
hands the caller to plays their announcement before connect first (PRM-06); two switches pointing
at each other end the call instead of handing it round for ever."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from language_prompts import tone_prompt
from loopback_pbx import add_cy, connected_call, registered_phone, running_pbx
from rtp_audio import dominant, heard
from sip_phone import TestPhone

from cordboard.core.bus import Event
from cordboard.core.calls.announcement import ANNOUNCEMENT_SETTING
from cordboard.core.calls.history import list_calls
from cordboard.core.core import Core
from cordboard.core.sip.message import SipRequest, SipResponse
from cordboard.plugins.flow_elements import storage as flow_storage
from cordboard.plugins.flow_elements.const import EVENT_SWITCH_CHANGED, FLOW_ELEMENTS_KEY
from cordboard.plugins.flow_elements.model import FlowSwitch
from cordboard.plugins.flow_elements.service import FlowElements

RTP_MIN, RTP_MAX = 50600, 50799
PROMPT_HZ = 700.0


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", RTP_MIN, RTP_MAX) as core:
        await add_cy(core)
        yield core


@pytest.fixture
async def phones(pbx: Core) -> AsyncIterator[tuple[TestPhone, TestPhone, TestPhone]]:
    """ann, bo and cy, registered."""
    ann, bo, cy = [await registered_phone(pbx, name) for name in ("ann", "bo", "cy")]
    yield ann, bo, cy
    for phone in (ann, bo, cy):
        phone.close()


def _elements(core: Core) -> FlowElements:
    return core.data[FLOW_ELEMENTS_KEY]


async def _switch(core: Core, *, on: bool, **fields: Any) -> FlowSwitch:
    """The switch "Day/night" at 1650: bo while on, cy while off; bo's user group operates it."""
    bo = await core.identity.get_user_by_username("bo")
    operators = await core.identity.create_group("Reception")
    await core.identity.set_group_members(operators.id, [bo.id])
    return await _elements(core).create_switch(
        {
            "name": "Day/night",
            "number": "1650",
            "on": on,
            "on_target": "1002",
            "off_target": "1003",
            "operator_groups": [operators.id],
            **fields,
        },
        by="test",
    )


def _changes(core: Core) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []

    def record(event: Event[Any]) -> None:
        seen.append(dict(event.data))

    core.bus.listen(EVENT_SWITCH_CHANGED, record)
    return seen


async def _hang_up(caller: TestPhone, callee: TestPhone, invite: SipRequest, ok: SipResponse) -> None:
    bye = caller.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 1)
    caller.send(bye)
    callee.answer(await callee.wait_request("BYE", wait=5), 200)
    assert (await caller.final_response(bye)).status == 200


async def _rings_through(caller: TestPhone, callee: TestPhone, number: str = "1650") -> None:
    """``caller`` calls ``number``; ``callee``'s phone rings, answers, and both hang up."""
    invite, ok = await connected_call(caller, callee, number)
    await callee.wait_request("ACK")
    await _hang_up(caller, callee, invite, ok)


async def _dial_code(phone: TestPhone, code: str) -> np.ndarray:
    """Dial a feature code, listen until the appliance hangs up; what was heard."""
    _invite, ok = await phone.call(code)
    assert ok.status == 200, ok
    audio = await heard(phone, 1.5)
    phone.answer(await phone.wait_request("BYE", wait=20), 200)
    return audio


async def _routes(core: Core, wanted: str) -> list[str]:
    routes: list[str] = []
    for _ in range(50):
        routes = [
            str(row.get("route") or "") for row in await core.db.call(lambda db: list_calls(db, limit=20))
        ]
        if any(wanted in r for r in routes):
            break
        await asyncio.sleep(0.1)
    return routes


async def test_aa_04_a_call_to_the_switch_follows_its_state(
    pbx: Core, phones: tuple[TestPhone, TestPhone, TestPhone]
) -> None:
    ann, bo, cy = phones
    switch = await _switch(pbx, on=True)
    await _rings_through(ann, bo)  # on: bo's phone
    with pytest.raises(TimeoutError):
        await cy.wait_request("INVITE", wait=0.2)
    await _elements(pbx).set_state(switch.id, False, by="root", via="web")
    await _rings_through(ann, cy)  # off: cy's phone
    with pytest.raises(TimeoutError):
        await bo.wait_request("INVITE", wait=0.2)
    routes = await _routes(pbx, "switch Day/night is off: 1003")
    assert any("switch Day/night is off: 1003" in r for r in routes), routes


async def test_aa_04_an_operator_sets_the_switch_by_phone_and_the_next_call_follows(
    pbx: Core, phones: tuple[TestPhone, TestPhone, TestPhone]
) -> None:
    ann, bo, cy = phones
    seen = _changes(pbx)
    switch = await _switch(pbx, on=False)
    confirmation = await _dial_code(bo, "*29*1650*")
    assert int(np.abs(confirmation.astype(np.int32)).max()) > 1000  # "the switch is now on"
    assert _elements(pbx).switch(switch.id).on is True
    assert [(c["on"], c["username"], c["via"]) for c in seen] == [(True, "bo", "phone")]
    assert _elements(pbx).switch(switch.id).changed_by == "bo (phone)"
    await _rings_through(ann, bo)

    await _dial_code(bo, "**29*1650*")
    assert _elements(pbx).switch(switch.id).on is False
    await _rings_through(ann, cy)
    assert [c["on"] for c in seen] == [True, False]

    # The state survives a restart: a new service reads it from the database.
    reloaded = FlowElements(pbx)
    await reloaded.load()
    assert reloaded.switch(switch.id).on is False


async def test_aa_04_a_non_operator_is_refused_and_the_switch_stays(
    pbx: Core, phones: tuple[TestPhone, TestPhone, TestPhone]
) -> None:
    ann, _bo, cy = phones
    seen = _changes(pbx)
    switch = await _switch(pbx, on=False)
    refusal = await _dial_code(ann, "*29*1650*")
    assert int(np.abs(refusal.astype(np.int32)).max()) > 1000  # "you may not use this code"
    assert _elements(pbx).switch(switch.id).on is False
    assert seen == []
    await _rings_through(ann, cy)  # still off


async def test_aa_03_an_announcement_plays_its_prompt_then_rings_the_next_number(
    pbx: Core, phones: tuple[TestPhone, TestPhone, TestPhone]
) -> None:
    ann, bo, _cy = phones
    prompt_id = await tone_prompt(pbx, "Closed", PROMPT_HZ)
    await _elements(pbx).create_announcement(
        {"name": "Welcome", "number": "1660", "prompt": prompt_id, "next_number": "1002"}, by="test"
    )
    invite, ok = await ann.call("1660")
    assert ok.status == 200, ok  # answered: the prompt plays
    played = await heard(ann, 0.8)
    assert int(np.abs(played.astype(np.int32)).max()) > 1000
    assert abs(dominant(played) - PROMPT_HZ) < 20
    incoming = await bo.wait_request("INVITE", wait=10)  # then bo's phone rings
    bo.answer(incoming, 200)
    await bo.wait_request("ACK")
    await _hang_up(ann, bo, invite, ok)
    routes = await _routes(pbx, "announcement Welcome")
    assert any(f"announcement Welcome: {prompt_id}" in r for r in routes), routes


async def test_capa_14_a_locked_element_refuses_the_call(
    pbx: Core, phones: tuple[TestPhone, TestPhone, TestPhone]
) -> None:
    ann, bo, cy = phones
    switch = await _switch(pbx, on=True)
    await _elements(pbx).lock_switch(switch.id, True, by="test")
    _invite, refused = await ann.invite("1650")
    assert refused.status == 480, refused
    await _elements(pbx).create_announcement(
        {"name": "Closed", "number": "1660", "prompt": "please_hold", "next_number": "1002", "locked": True},
        by="test",
    )
    _invite, refused = await ann.invite("1660")
    assert refused.status == 480, refused
    for phone in (bo, cy):
        with pytest.raises(TimeoutError):
            await phone.wait_request("INVITE", wait=0.2)
    routes = await _routes(pbx, "announcement Closed is locked")
    assert any("switch Day/night is locked: call refused" in r for r in routes), routes
    assert any("announcement Closed is locked: call refused" in r for r in routes), routes

    await _elements(pbx).lock_switch(switch.id, False, by="test")  # unlocked: it takes calls again
    await _rings_through(ann, bo)


async def test_prm_06_a_user_the_switch_hands_on_to_plays_their_announcement_first(
    pbx: Core, phones: tuple[TestPhone, TestPhone, TestPhone]
) -> None:
    """bo chose an announcement before connect: ann, sent to him by the switch, hears it as early
    media before bo's phone gets its INVITE, then the call connects."""
    ann, bo, _cy = phones
    await _switch(pbx, on=True)
    prompt_id = await tone_prompt(pbx, "Closed", PROMPT_HZ)
    bo_id = (await pbx.identity.get_user_by_username("bo")).id
    await pbx.settings.set("user", bo_id, ANNOUNCEMENT_SETTING, prompt_id)
    invite, first = await ann.invite_early("1650")
    assert first.status == 183 and first.body, first
    played = await heard(ann, 0.8)
    assert int(np.abs(played.astype(np.int32)).max()) > 1000
    assert abs(dominant(played) - PROMPT_HZ) < 20
    with pytest.raises(TimeoutError):
        await bo.wait_request("INVITE", wait=0.05)  # not while the announcement plays
    incoming = await bo.wait_request("INVITE", wait=10)
    bo.answer(incoming, 200)
    ok = await ann.final_response(invite, wait=10)
    assert ok.status == 200, ok
    ann.ack(invite, ok)
    await bo.wait_request("ACK")
    await _hang_up(ann, bo, invite, ok)
    routes = await _routes(pbx, f"announcement {prompt_id}")
    assert any(f"announcement {prompt_id}" in r for r in routes), routes


async def test_aa_04_switches_pointing_at_each_other_end_the_call_instead_of_looping(
    pbx: Core, phones: tuple[TestPhone, TestPhone, TestPhone]
) -> None:
    """1650 hands callers to 1651 and 1651 back to 1650. Saving that is refused now, but a
    database from before the check may hold it: a call to 1650 is then refused after a few
    steps, no phone rings, and the history says the call went round in circles; the switches
    work again once the loop is gone."""
    ann, bo, cy = phones
    first = await _switch(pbx, on=True)
    await _elements(pbx).create_switch(
        {"name": "Back", "number": "1651", "on": True, "on_target": "1650", "off_target": "1003"}, by="test"
    )
    await _stored_on_target(pbx, first, "1651")
    _invite, refused = await ann.invite("1650")
    assert refused.status >= 400, refused
    for phone in (bo, cy):
        with pytest.raises(TimeoutError):
            await phone.wait_request("INVITE", wait=0.2)
    routes = await _routes(pbx, "round in circles")
    assert any("not tried, the call goes round in circles" in r for r in routes), routes

    await _stored_on_target(pbx, first, "1002")
    await _rings_through(ann, bo)


async def _stored_on_target(core: Core, switch: FlowSwitch, target: str) -> None:
    """Store the switch's ``on_target`` past the save checks (as an older version could have)."""
    fields = {
        "name": switch.name,
        "number": switch.number,
        "on_target": target,
        "off_target": switch.off_target,
        "operator_groups": list(switch.operator_groups),
        "admin_groups": list(switch.admin_groups),
        "locked": switch.locked,
    }
    await core.db.call(lambda db: flow_storage.update_switch(db, switch.id, fields))
    await _elements(core).load()
