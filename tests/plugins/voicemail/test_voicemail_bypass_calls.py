"""VM-05 "press 2 to bypass voicemail" and VM-02/VM-03 "play activity information" with real SIP
phones on loopback. bo's first rule sends his calls to voicemail, the next one to cy (or to his own
phones): with bo's ``voicemail.bypass_key`` on, ann hears "to reach ... another way, press 2",
presses it and the call goes on with that next rule (cy's phone rings, she answers and hears ann);
without the setting 2 is no way out; with no rule after the voicemail one ann is told and leaves a
message. Combined with VM-04 both offers play and the key decides. With ``voicemail.activity_info``
the greeting says bo's activity and the end of his last back-to-back busy event (lunch until 12:30,
then a planned meeting until 14:00: "until 14:00"). Which prompts played is seen by a spy on
``Channel.play``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from loopback_pbx import add_cy, registered_phone, running_pbx
from rtp_audio import dominant, heard, send_audio, send_digits, tone, until_beep
from sip_phone import TestPhone, media_address

from cordboard.core.calls.channel import Channel
from cordboard.core.calls.history import list_calls
from cordboard.core.core import Core
from cordboard.plugins.voicemail.const import (
    ACTIVITY_INFO_SETTING,
    ASSISTANCE_SETTING,
    BYPASS_SETTING,
    MAILBOXES_KEY,
)
from cordboard.plugins.voicemail.mailboxes import Mailboxes

RTP_MIN, RTP_MAX = 50000, 50199


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", RTP_MIN, RTP_MAX) as core:
        await add_cy(core)
        yield core


@pytest.fixture
def played(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every prompt id the appliance plays to a caller, in order."""
    ids: list[str] = []
    original = Channel.play

    async def spy(self: Channel, prompts: Sequence[Any], *, interrupt_on_dtmf: bool = False) -> str | None:
        ids.extend(p for p in prompts if isinstance(p, str))
        return await original(self, prompts, interrupt_on_dtmf=interrupt_on_dtmf)

    monkeypatch.setattr(Channel, "play", spy)
    return ids


def _mailboxes(core: Core) -> Mailboxes:
    return core.data[MAILBOXES_KEY]


async def _bo(core: Core) -> int:
    return (await core.identity.get_user_by_username("bo")).id


async def _rules(core: Core, bo_id: int, *after: list[dict[str, Any]]) -> None:
    """bo's first rule: voicemail at once; then one rule per ``after`` (no conditions)."""
    for position, destinations in enumerate([[{"kind": "voicemail"}], *after], start=1):
        await core.routing.create(
            {
                "scope": "user",
                "scope_id": bo_id,
                "list": "incoming",
                "name": f"Step {position}",
                "destinations": destinations,
            }
        )


async def _until_played(played: list[str], prompt_id: str, wait: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + wait
    while prompt_id not in played:
        assert loop.time() < end, f"{prompt_id} never played: {played}"
        await asyncio.sleep(0.02)


async def _hang_up(phone: TestPhone, invite: Any, ok: Any) -> None:
    bye = phone.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 1)
    phone.send(bye)
    assert (await phone.final_response(bye)).status == 200


async def test_vm_05_press_2_goes_on_with_bo_s_next_rule_and_cy_answers(pbx: Core, played: list[str]) -> None:
    bo_id = await _bo(pbx)
    await _rules(pbx, bo_id, [{"kind": "number", "target": "1003"}])
    await pbx.settings.set("user", bo_id, BYPASS_SETTING, True)
    ann, cy = [await registered_phone(pbx, name) for name in ("ann", "cy")]
    try:
        invite, ok = await ann.call("1002")
        assert ok.status == 200, ok  # bo's mailbox answers
        to = media_address(ok.body)
        await _until_played(played, "vm_press_2_bypass")
        await send_digits(ann, to, "2", 1)
        at_cy = await cy.wait_request("INVITE", wait=10)  # the next rule: cy's phone rings
        cy.answer(at_cy, 200)
        await cy.wait_request("ACK")
        cy.drain_rtp()
        talking = asyncio.create_task(send_audio(ann, to, tone(650.0, 1.2), 100))
        cy_hears = await heard(cy, 1.2)
        await talking
        assert abs(dominant(cy_hears[-4000:]) - 650) < 15, "ann and cy talk"
        await _hang_up(ann, invite, ok)
        cy.answer(await cy.wait_request("BYE", wait=10), 200)
    finally:
        ann.close()
        cy.close()
    assert played == ["vm_press_2_bypass"], played  # the key cut the offer short: no greeting, no beep
    assert _mailboxes(pbx).messages(bo_id) == []
    await pbx.calls.history.flush()
    rows = await pbx.db.call(list_calls)
    route = next(r["route"] for r in rows if r["callee"] == "1002")
    assert "rule Step 1" in route and "voicemail bypassed: rule Step 2" in route, route


async def test_vm_05_without_the_setting_2_does_not_leave_voicemail(pbx: Core, played: list[str]) -> None:
    bo_id = await _bo(pbx)
    await _rules(pbx, bo_id, [{"kind": "number", "target": "1003"}])
    ann, cy = [await registered_phone(pbx, name) for name in ("ann", "cy")]
    try:
        invite, ok = await ann.call("1002")
        assert ok.status == 200, ok
        to = media_address(ok.body)
        await _until_played(played, "not_available")
        await send_digits(ann, to, "2", 1)
        with pytest.raises(TimeoutError):
            await cy.wait_request("INVITE", wait=1.5)
        await _hang_up(ann, invite, ok)
    finally:
        ann.close()
        cy.close()
    assert "vm_press_2_bypass" not in played


async def test_vm_05_with_no_rule_after_it_ann_is_told_and_leaves_a_message(
    pbx: Core, played: list[str]
) -> None:
    bo_id = await _bo(pbx)
    await _rules(pbx, bo_id)
    await pbx.settings.set("user", bo_id, BYPASS_SETTING, True)
    ann = await registered_phone(pbx, "ann")
    try:
        invite, ok = await ann.call("1002")
        assert ok.status == 200, ok
        to = media_address(ok.body)
        await _until_played(played, "vm_press_2_bypass")
        seq = await send_digits(ann, to, "2", 1)
        await until_beep(ann)  # "... cannot be reached another way right now", the beep
        await send_audio(ann, to, tone(500.0, 1.5), seq)
        await _hang_up(ann, invite, ok)
    finally:
        ann.close()
    assert "vm_no_other_way" in played, played
    for _ in range(100):
        if _mailboxes(pbx).messages(bo_id):
            break
        await asyncio.sleep(0.05)
    assert len(_mailboxes(pbx).messages(bo_id)) == 1


async def test_vm_05_vm_04_both_offers_play_and_the_key_decides(pbx: Core, played: list[str]) -> None:
    """Assistance (1) is cy, bo's next rule (2) rings his own phones: 2 rings bo, not cy."""
    bo_id = await _bo(pbx)
    await _rules(pbx, bo_id, [{"kind": "phones"}])
    await pbx.settings.set("user", bo_id, BYPASS_SETTING, True)
    await pbx.settings.set("user", bo_id, ASSISTANCE_SETTING, "1003")
    ann, bo, cy = [await registered_phone(pbx, name) for name in ("ann", "bo", "cy")]
    try:
        invite, ok = await ann.call("1002")
        assert ok.status == 200, ok
        to = media_address(ok.body)
        await _until_played(played, "vm_press_1_assistance")
        assert played[:2] == ["vm_press_1_assistance", "vm_press_2_bypass"], played
        await send_digits(ann, to, "2", 1)
        at_bo = await bo.wait_request("INVITE", wait=10)
        with pytest.raises(TimeoutError):
            await cy.wait_request("INVITE", wait=0.5)
        bo.answer(at_bo, 200)
        await bo.wait_request("ACK")
        await _hang_up(ann, invite, ok)
        bo.answer(await bo.wait_request("BYE", wait=10), 200)
    finally:
        for phone in (ann, bo, cy):
            phone.close()


async def test_vm_02_vm_03_the_greeting_says_the_activity_until_the_last_busy_event_ends(
    pbx: Core, played: list[str]
) -> None:
    """Lunch (no prompt of its own, busy) from 12:00 to 12:30, a planned meeting 12:30-14:00 (bo's
    clock, Copenhagen): at 12:15 the caller hears "... is busy until fourteen hundred", then the
    greeting; with the setting off, only the greeting."""
    bo_id = await _bo(pbx)
    assert pbx.presence is not None
    cph = ZoneInfo("Europe/Copenhagen")
    day = datetime.now(cph).date()

    def at(hour: int, minute: int) -> float:
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=cph).timestamp()

    await pbx.identity.update_user(bo_id, {"timezone": "Europe/Copenhagen"})
    pbx.presence.clock = lambda: at(12, 15)
    lunch = await pbx.presence.save_activity({"name": "Lunch", "show_as": "busy"})
    meeting = await pbx.presence.save_activity({"name": "Meeting", "show_as": "busy"})
    await pbx.presence.set_presence(bo_id, {"activity_id": lunch.id, "until": at(12, 30)})
    await pbx.presence.add_plan(
        bo_id, {"activity_id": meeting.id, "start": at(12, 30), "end": at(14, 0)}, None
    )

    async def greeting() -> list[str]:
        played.clear()
        ann = await registered_phone(pbx, "ann")
        try:
            invite, ok = await ann.call("*1*1002*")
            assert ok.status == 200, ok
            await until_beep(ann)
            await _hang_up(ann, invite, ok)
        finally:
            ann.close()
        return list(played)

    assert await greeting() == ["not_available", "leave_message"]
    await pbx.settings.set("user", bo_id, ACTIVITY_INFO_SETTING, True)
    said = await greeting()
    assert said == ["vm_activity_busy", "until", "n14", "time_o_clock", "not_available", "leave_message"], (
        said
    )
