"""Feature codes dialled from real SIP phones over loopback (FC-01, FC-03, FC-04, FC-07, FC-09,
FC-11, FC-12, FC-17, PKP-01..03): each code changes what it says, is confirmed by voice, and a bad
or forbidden code gets the error announcement and changes nothing."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from feature_doubles import GroupLogins
from loopback_pbx import add_cy, registered_phone, running_pbx
from rtp_audio import dominant, heard, send_audio, tone
from sip_phone import TestPhone, media_address

from cordboard.core.calls.caller_id import identity_of
from cordboard.core.calls.history import list_calls
from cordboard.core.core import Core

RTP_MIN, RTP_MAX = 47400, 47599


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", RTP_MIN, RTP_MAX) as core:
        await add_cy(core)
        yield core


async def _user_id(core: Core, name: str) -> int:
    return (await core.identity.get_user_by_username(name)).id


async def _dial(phone: TestPhone, number: str) -> np.ndarray:
    """Dial a code and listen until the appliance hangs up: what was heard."""
    _invite, ok = await phone.call(number)
    assert ok.status == 200, ok
    audio = await heard(phone, 1.0)
    bye = await phone.wait_request("BYE", wait=20)
    phone.answer(bye, 200)
    return audio


def _spoken(audio: np.ndarray) -> bool:
    return audio.size > 0 and int(np.abs(audio.astype(np.int32)).max()) > 1000


async def test_fc_09_forward_all_on_and_off(pbx: Core) -> None:
    """*21*1003* diverts every call to 1003 (a call to ann rings cy), #21# ends it."""
    assert pbx.presence is not None
    ann_id = await _user_id(pbx, "ann")
    ann, bo, cy = [await registered_phone(pbx, n) for n in ("ann", "bo", "cy")]
    try:
        assert _spoken(await _dial(ann, "*21*1003*"))
        assert pbx.presence.get(ann_id).diversion == "1003"
        calling = asyncio.create_task(bo.invite("1001"))
        diverted = await cy.wait_request("INVITE", wait=5)
        cy.answer(diverted, 486)
        assert (await calling)[1].status == 486
        await _dial(ann, "#21#")
        assert pbx.presence.get(ann_id).diversion is None
        await _dial(ann, "#21#*")  # the other off form works too (and changes nothing more)
        assert pbx.presence.get(ann_id).diversion is None
    finally:
        for phone in (ann, bo, cy):
            phone.close()


async def test_fc_11_activity_and_fc_12_role_by_number(pbx: Core) -> None:
    assert pbx.presence is not None
    lunch = await pbx.presence.save_activity({"name": "Lunch", "show_as": "busy"})
    private = await pbx.presence.save_role({"name": "Private"})
    ann_id = await _user_id(pbx, "ann")
    ann = await registered_phone(pbx, "ann")
    try:
        await _dial(ann, f"*23*{lunch.id}*")
        presence = pbx.presence.get(ann_id)
        assert presence.activity_id == lunch.id and presence.availability == "busy"  # PRS-02
        await _dial(ann, f"*24*{private.id}*")
        assert pbx.presence.get(ann_id).role_id == private.id
        await _dial(ann, "*23*999*")  # no such activity: refused, nothing changes
        assert pbx.presence.get(ann_id).activity_id == lunch.id
        await _dial(ann, "#23#")
        assert pbx.presence.get(ann_id).activity_id is None
    finally:
        ann.close()


async def test_fc_07_present_one_of_my_numbers(pbx: Core, caplog: pytest.LogCaptureFixture) -> None:
    """*30*NUMBER* presents one of the caller's own numbers (CLI-01); another is refused; #30# is
    the own line again."""
    ann_id = await _user_id(pbx, "ann")
    await pbx.identity.update_user(ann_id, {"mobile": "+4520304050"})
    ann = await registered_phone(pbx, "ann")
    try:
        await _dial(ann, "*30*+4520304050*")
        assert (await identity_of(pbx, ann_id)).number == "+4520304050"
        with caplog.at_level(logging.INFO, logger="cordboard.core.features"):
            await _dial(ann, "*30*1002*")  # bo's line is not ann's to present
        assert "not theirs to present" in caplog.text
        assert (await identity_of(pbx, ann_id)).number == "+4520304050"
        await _dial(ann, "#30#")
        assert (await identity_of(pbx, ann_id)).number == "1001"
    finally:
        ann.close()


@pytest.mark.parametrize(
    ("dialled", "reason"),
    [
        ("*77*", "no feature code 77"),
        ("*21*", "Forward all calls is dialled as *21*NUMBER*"),
        ("#24#", "Set presence role cannot be turned off"),
        ("*2x1*", "a code is 1 to 6 digits"),
    ],
)
async def test_fc_17_bad_codes_get_the_error_announcement(
    pbx: Core, caplog: pytest.LogCaptureFixture, dialled: str, reason: str
) -> None:
    assert pbx.presence is not None
    ann_id = await _user_id(pbx, "ann")
    before = pbx.presence.get(ann_id)
    ann = await registered_phone(pbx, "ann")
    try:
        with caplog.at_level(logging.INFO, logger="cordboard.core.features"):
            assert _spoken(await _dial(ann, dialled))
    finally:
        ann.close()
    assert reason in caplog.text
    after = pbx.presence.get(ann_id)
    assert (after.diversion, after.activity_id, after.role_id) == (
        before.diversion,
        before.activity_id,
        before.role_id,
    )


async def _group_of(core: Core, *names: str) -> int:
    group = await core.identity.create_group("Sales")
    ids = [await _user_id(core, n) for n in names]
    await core.identity.set_group_members(group.id, ids)
    for _ in range(100):  # the rights follow membership events a moment later
        if all(group.id in core.rights.groups_of(i) for i in ids):
            return group.id
        await asyncio.sleep(0.02)
    raise AssertionError("the rights never saw the group's members")


async def _picked_up(core: Core, ann: TestPhone, bo: TestPhone, cy: TestPhone, code: str) -> None:
    """ann calls bo, cy dials ``code`` while bo's phone rings: bo's phone stops ringing, ann and cy
    talk, both hear each other."""
    calling = asyncio.create_task(ann.invite("1002"))
    ringing = await bo.wait_request("INVITE", wait=5)
    bo.answer(ringing, 180)
    _cy_invite, cy_ok = await cy.call(code)
    assert cy_ok.status == 200, cy_ok
    cancel = await bo.wait_request("CANCEL", wait=5)
    bo.answer(cancel, 200)
    bo.answer(ringing, 487)
    ann_invite, ann_ok = await calling
    assert ann_ok.status == 200, ann_ok
    ann.ack(ann_invite, ann_ok)
    ann.drain_rtp()
    cy.drain_rtp()
    results = await asyncio.gather(
        send_audio(ann, media_address(ann_ok.body), tone(440.0, 1.6), 1),
        send_audio(cy, media_address(cy_ok.body), tone(800.0, 1.6), 1),
        heard(ann, 1.6),
        heard(cy, 1.6),
    )
    ann_heard, cy_heard = results[2], results[3]
    assert abs(dominant(ann_heard[-4000:]) - 800) < 15
    assert abs(dominant(cy_heard[-4000:]) - 440) < 15
    ann.send(ann.in_dialog("BYE", ann_invite, ann_ok, cseq=ann_invite.cseq.seq + 1))
    bye = await cy.wait_request("BYE", wait=5)
    cy.answer(bye, 200)


async def _history(core: Core, count: int) -> list[dict[str, Any]]:
    for _ in range(50):
        rows = await core.db.call(lambda db: list_calls(db, limit=20))
        if len(rows) >= count:
            return rows
        await asyncio.sleep(0.1)
    raise AssertionError(f"the history never had {count} calls")


async def test_fc_03_group_pickup_answers_a_colleagues_ringing_call(pbx: Core) -> None:
    """PKP-01: cy and bo share a group; ann's call ringing at bo is picked up by cy with *8*."""
    await _group_of(pbx, "bo", "cy")
    ann, bo, cy = [await registered_phone(pbx, n) for n in ("ann", "bo", "cy")]
    try:
        await _picked_up(pbx, ann, bo, cy, "*8*")
    finally:
        for phone in (ann, bo, cy):
            phone.close()
    rows = await _history(pbx, 2)
    ann_call = next(r for r in rows if r["caller"] == "1001")
    assert ann_call["result"] == "answered" and ann_call["callee"] == "1002"
    assert "picked up by 1003" in ann_call["route"]


async def test_fc_04_directed_pickup_and_pkp_02_the_right(
    pbx: Core, caplog: pytest.LogCaptureFixture
) -> None:
    """PKP-03: *9*1002* picks up bo's call for a user with the pickup right over bo (everyone has it
    on a new installation); PKP-02: once the admin takes the right away, the code is refused and
    bo's phone keeps ringing. PKP-01: nothing ringing is said so."""
    ann, bo, cy = [await registered_phone(pbx, n) for n in ("ann", "bo", "cy")]
    try:
        await _picked_up(pbx, ann, bo, cy, "*9*1002*")
        with caplog.at_level(logging.INFO, logger="cordboard.core.features"):
            assert _spoken(await _dial(cy, "*9*1002*"))
            assert "no call is ringing there" in caplog.text
            assert _spoken(await _dial(cy, "*8*"))  # cy shares no group with anyone

            await pbx.rights.set_grants("pickup", [])
            calling = asyncio.create_task(ann.invite("1002"))
            ringing = await bo.wait_request("INVITE", wait=5)
            bo.answer(ringing, 180)
            await _dial(cy, "*9*1002*")
            assert "no pickup right over 1002" in caplog.text
            bo.answer(ringing, 200)  # still bo's call: bo answers it himself
            invite, ok = await calling
            assert ok.status == 200
            ann.ack(invite, ok)
            ann.send(ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 1))
            bye = await bo.wait_request("BYE", wait=5)
            bo.answer(bye, 200)
    finally:
        for phone in (ann, bo, cy):
            phone.close()


async def test_fc_01_group_login_and_logout_go_to_the_groups_plugin(
    pbx: Core, caplog: pytest.LogCaptureFixture
) -> None:
    logins = GroupLogins()
    pbx.plugins.pm.register(logins, name="test_groups")
    ann_id = await _user_id(pbx, "ann")
    ann = await registered_phone(pbx, "ann")
    try:
        with caplog.at_level(logging.INFO, logger="cordboard.core.features"):
            await _dial(ann, "*11*1500*")
            await _dial(ann, "**11*1500*")
            await _dial(ann, "*11*1501*")
            await _dial(ann, "*11*1599*")
    finally:
        ann.close()
    assert logins.seen == [(ann_id, "1500", True), (ann_id, "1500", False), (ann_id, "1501", True)]
    assert "not allowed to log in to group 1501" in caplog.text
    assert "no group has the identifier 1599" in caplog.text
