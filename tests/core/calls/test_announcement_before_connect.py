"""PRM-06 "Announcement before connect" with real SIP phones on loopback: bo chose one of the
organisation's prompts (a 700 Hz tone); ann calls him and hears it as early media (183 with SDP)
before bo's phone gets its INVITE, then the call connects as usual. Without the setting, or with a
prompt that has gone, bo's phone rings at once; the setting must name an existing prompt."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest
from language_prompts import tone_prompt
from loopback_pbx import registered_phone, running_pbx
from phone_calls import talk
from rtp_audio import dominant, heard
from sip_phone import TestPhone, media_address

from cordboard.core.calls.announcement import ANNOUNCEMENT_SETTING, announcement_for
from cordboard.core.calls.history import list_calls
from cordboard.core.core import Core
from cordboard.core.exceptions import ConfigValidationError
from cordboard.core.media import org_prompts
from cordboard.core.sip.message import SipRequest, SipResponse, parse_message

RTP_MIN, RTP_MAX = 50200, 50399
ANNOUNCEMENT_HZ = 700.0


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", RTP_MIN, RTP_MAX) as core:
        yield core


async def _user_id(core: Core, username: str) -> int:
    return (await core.identity.get_user_by_username(username)).id


async def _tone_prompt(core: Core) -> str:
    return await tone_prompt(core, "Welcome", ANNOUNCEMENT_HZ)


def _invite_arrived(phone: TestPhone) -> bool:
    """Whether an INVITE reached ``phone`` (what arrived is kept for later waits)."""
    while not phone.messages.empty():
        data, _addr = phone.messages.get_nowait()
        phone._pending.append(parse_message(data))
    return any(isinstance(m, SipRequest) and m.method == "INVITE" for m in phone._pending)


async def _answered_and_talking(
    ann: TestPhone, bo: TestPhone, invite: SipRequest, incoming: SipRequest
) -> SipResponse:
    """bo answers ``incoming``; ann's call is answered and the two hear each other."""
    bo.answer(incoming, 200)
    ok = await ann.final_response(invite, wait=10)
    assert ok.status == 200, ok
    ann.ack(invite, ok)
    await talk(ann, media_address(ok.body), bo, media_address(incoming.body))
    bye = ann.in_dialog("BYE", invite, ok, invite.cseq.seq + 1)
    ann.send(bye)
    bo.answer(await bo.wait_request("BYE", wait=3), 200)
    assert (await ann.final_response(bye)).status == 200
    return ok


async def _announced_call(core: Core, ann: TestPhone, bo: TestPhone) -> None:
    """ann calls bo: the 700 Hz announcement as early media, only then bo's phone rings, and the
    call connects once bo answers."""
    invite, first = await ann.invite_early("1002")
    assert first.status == 183, first
    assert first.body, "early media carries the appliance's SDP"
    announcement = await heard(ann, 0.8)
    assert int(np.abs(announcement.astype(np.int32)).max()) > 1000
    assert abs(dominant(announcement) - ANNOUNCEMENT_HZ) < 20
    assert not _invite_arrived(bo), "bo's phone rang before the announcement was over"
    incoming = await bo.wait_request("INVITE", wait=5)
    ann.drain_rtp()
    ringback = await heard(ann, 0.4)  # the appliance's ringback on the early media now
    assert abs(dominant(ringback) - ANNOUNCEMENT_HZ) > 50
    await _answered_and_talking(ann, bo, invite, incoming)


async def test_prm06_caller_hears_the_announcement_before_the_phone_rings(pbx: Core) -> None:
    bo_id = await _user_id(pbx, "bo")
    prompt_id = await _tone_prompt(pbx)
    await pbx.settings.set("user", bo_id, ANNOUNCEMENT_SETTING, prompt_id)
    ann = await registered_phone(pbx, "ann")
    bo = await registered_phone(pbx, "bo")
    try:
        await _announced_call(pbx, ann, bo)
    finally:
        ann.close()
        bo.close()


async def test_prm06_announcement_before_a_routing_rule_rings(pbx: Core) -> None:
    """A call that bo's routing rule takes (phones, then his mailbox later) hears it too."""
    bo_id = await _user_id(pbx, "bo")
    await pbx.routing.create(
        {
            "scope": "user",
            "scope_id": bo_id,
            "list": "incoming",
            "name": "Voicemail when I do not answer",
            "destinations": [{"kind": "phones"}, {"kind": "voicemail", "after_s": 30}],
        }
    )
    await pbx.settings.set("user", bo_id, ANNOUNCEMENT_SETTING, await _tone_prompt(pbx))
    ann = await registered_phone(pbx, "ann")
    bo = await registered_phone(pbx, "bo")
    try:
        await _announced_call(pbx, ann, bo)
    finally:
        ann.close()
        bo.close()


async def test_prm06_announcement_before_a_terminal_plan_rings(pbx: Core) -> None:
    """bo's terminals ring one by one (his phones first): the announcement plays before them."""
    bo_id = await _user_id(pbx, "bo")
    await pbx.terminals.set_plan(
        bo_id, {"mode": "sequential", "terminals": [{"kind": "phones", "ring_s": 20}]}
    )
    await pbx.settings.set("user", bo_id, ANNOUNCEMENT_SETTING, await _tone_prompt(pbx))
    ann = await registered_phone(pbx, "ann")
    bo = await registered_phone(pbx, "bo")
    try:
        await _announced_call(pbx, ann, bo)
    finally:
        ann.close()
        bo.close()
    await pbx.calls.history.flush()
    rows = await pbx.db.call(list_calls)
    assert any(r["callee"] == "1002" and "announcement" in r["route"] for r in rows), rows


async def _plain_ringing(ann: TestPhone, bo: TestPhone) -> None:
    """ann calls bo: bo's phone rings at once, ann hears no announcement, and the call connects."""
    calling = asyncio.create_task(ann.invite_early("1002"))
    incoming = await bo.wait_request("INVITE", wait=5)
    bo.answer(incoming, 180)
    invite, first = await calling
    assert first.status == 180, first
    await _answered_and_talking(ann, bo, invite, incoming)


async def test_prm06_no_setting_no_announcement(pbx: Core) -> None:
    await _tone_prompt(pbx)
    ann = await registered_phone(pbx, "ann")
    bo = await registered_phone(pbx, "bo")
    try:
        await _plain_ringing(ann, bo)
    finally:
        ann.close()
        bo.close()


async def test_prm06_missing_prompt_rings_normally(pbx: Core, caplog: pytest.LogCaptureFixture) -> None:
    bo_id = await _user_id(pbx, "bo")
    prompt_id = await _tone_prompt(pbx)
    await pbx.settings.set("user", bo_id, ANNOUNCEMENT_SETTING, prompt_id)
    await pbx.db.call(lambda db: org_prompts.delete_prompt(db, prompt_id))
    await pbx.run_in_executor(pbx.prompts.remove_org, prompt_id)
    ann = await registered_phone(pbx, "ann")
    bo = await registered_phone(pbx, "bo")
    try:
        await _plain_ringing(ann, bo)
    finally:
        ann.close()
        bo.close()
    assert any("no longer exists" in r.getMessage() for r in caplog.records)


async def test_prm06_setting_must_name_an_existing_prompt(pbx: Core) -> None:
    bo_id = await _user_id(pbx, "bo")
    for wrong in ("org:99", "goodbye", "welcome"):
        with pytest.raises(ConfigValidationError) as err:
            await pbx.settings.set("user", bo_id, ANNOUNCEMENT_SETTING, wrong)
        assert ANNOUNCEMENT_SETTING in err.value.fields
    assert "org:99" in str(err.value.fields) or "prompt" in str(err.value.fields)
    prompt_id = await _tone_prompt(pbx)
    assert await pbx.settings.set("user", bo_id, ANNOUNCEMENT_SETTING, prompt_id) == prompt_id
    assert await pbx.settings.set("user", bo_id, ANNOUNCEMENT_SETTING, "") == "none"
    assert await pbx.settings.resolve(bo_id, ANNOUNCEMENT_SETTING) == "none"


async def test_prm06_not_for_calls_to_oneself(pbx: Core) -> None:
    bo_id = await _user_id(pbx, "bo")
    ann_id = await _user_id(pbx, "ann")
    prompt_id = await _tone_prompt(pbx)
    await pbx.settings.set("user", bo_id, ANNOUNCEMENT_SETTING, prompt_id)
    assert await announcement_for(pbx, bo_id, bo_id) is None
    assert await announcement_for(pbx, ann_id, bo_id) == prompt_id
    assert await announcement_for(pbx, None, bo_id) == prompt_id  # an outside caller hears it
