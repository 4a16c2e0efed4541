"""Feature codes dialled from real baresip softphones (issue 6: "baresip scenarios for each code").

Three baresip phones, each with a microphone tone of its own (ann 700 Hz, bo 1100 Hz, cy 1500 Hz),
so what a phone hears says who it is connected to. Bo answers by hand where his phone must ring.
The codes that change a setting are dialled in chains, one per phone, and the setting checked
after each; the codes that act on calls are checked by who hears whom.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from baresip_phone import BaresipPhone, last_tone, three_phones, wait_call_closed, write_tone
from cordboard_process import SipUser, require_tool
from feature_doubles import GroupLogins, Mailboxes
from loopback_pbx import CY_PASSWORD, PASSWORDS, add_cy, running_pbx, wait_for_sip_account

from cordboard.core.calls.caller_id import identity_of
from cordboard.core.core import Core

RTP_MIN, RTP_MAX = 49800, 49999
TONES = {"ann": 700.0, "bo": 1100.0, "cy": 1500.0}
TALK_S = 1.5


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", RTP_MIN, RTP_MAX) as core:
        await add_cy(core)
        for name in ("ann", "bo", "cy"):
            await wait_for_sip_account(core, name)
        yield core


async def started(core: Core, folder: Path, manual: str = "") -> list[BaresipPhone]:
    baresip = require_tool("baresip")
    assert core.sip is not None
    phones = three_phones(
        folder, core.sip.transports.addresses["udp"][1], {**PASSWORDS, "cy": CY_PASSWORD}, TONES, manual
    )
    for phone in phones:
        await asyncio.to_thread(phone.start, baresip)
    for phone in phones:
        await asyncio.to_thread(phone.wait_registered)
    return phones


async def stopped(phones: list[BaresipPhone]) -> None:
    for phone in phones:
        await asyncio.to_thread(phone.stop)


def forget_events(*phones: BaresipPhone) -> None:
    for phone in phones:
        with phone._lock:
            phone.events.clear()


def dial(phone: BaresipPhone, number: str) -> None:
    forget_events(phone)
    dialled = phone.command("dial", phone.uri(number.replace("#", "%23")))
    assert dialled.get("ok"), dialled


def hears(phone: BaresipPhone, other: str) -> None:
    """``phone`` hears ``other``'s tone now."""
    time.sleep(TALK_S)
    assert last_tone(phone, 1.0) == pytest.approx(TONES[other], abs=10), phone.name


def hang_up(phone: BaresipPhone, *others: BaresipPhone) -> None:
    assert phone.command("hangup").get("ok")
    for other in others:
        wait_call_closed(other)


async def test_fc_settings_codes_from_baresip(pbx: Core, tmp_path: Path) -> None:
    """FC-07, FC-08, FC-09 (with ``#21#`` and ``#21#*``, Q-02), FC-11, FC-12 and FC-17's error
    announcement: each phone dials its chain of codes (cy the forwards, bo activity and role, ann
    night mode and the presented number; the three chains side by side), the appliance answers,
    confirms and hangs up, and the setting has changed (or, for the unknown code, nothing has)."""
    assert pbx.presence is not None
    presence = pbx.presence
    ids = {name: (await pbx.identity.get_user_by_username(name)).id for name in ("ann", "bo", "cy")}
    lunch = await presence.save_activity({"name": "Lunch", "show_as": "busy"})
    private = await presence.save_role({"name": "Private"})
    await pbx.identity.update_user(ids["ann"], {"mobile": "+4520304050"})

    async def presented() -> object:
        return (await identity_of(pbx, ids["ann"])).number

    async def night_mode_off() -> object:
        return (await pbx.schedules.status(ids["ann"])).night_mode_off

    def diversion() -> object:
        return presence.get(ids["cy"]).diversion

    Step = tuple[str, Callable[[], Any], object]
    chains: dict[str, list[Step]] = {
        "cy": [
            ("*21*1001*", diversion, "1001"),
            ("#21#", diversion, None),
            ("*21*1002*", diversion, "1002"),
            ("#21#*", diversion, None),
            ("*77*", diversion, None),
        ],
        "bo": [
            (f"*23*{lunch.id}*", lambda: presence.get(ids["bo"]).activity_id, lunch.id),
            ("#23#", lambda: presence.get(ids["bo"]).activity_id, None),
            (f"*24*{private.id}*", lambda: presence.get(ids["bo"]).role_id, private.id),
        ],
        "ann": [
            ("*28*", night_mode_off, True),
            ("**28*", night_mode_off, False),
            ("*30*+4520304050*", presented, "+4520304050"),
            ("#30#", presented, "1001"),
        ],
    }
    phones = await started(pbx, tmp_path)

    async def run(phone: BaresipPhone, steps: list[Step]) -> None:
        for code, read, expected in steps:
            await asyncio.to_thread(dial, phone, code)
            await asyncio.to_thread(phone.wait_event, "CALL_ESTABLISHED")
            await asyncio.to_thread(wait_call_closed, phone)  # the appliance hangs up
            value = read()
            if asyncio.iscoroutine(value):
                value = await value
            assert value == expected, (phone.name, code)

    try:
        await asyncio.gather(*(run(phone, chains[phone.name]) for phone in phones))
    finally:
        await stopped(phones)


@pytest.mark.parametrize("code", ["*8*", "*9*1002*"], ids=["FC-03", "FC-04"])
async def test_fc_03_fc_04_baresip_picks_up(pbx: Core, tmp_path: Path, code: str) -> None:
    """Ann calls bo, whose phone rings; cy dials the pickup code and talks with ann."""
    group = await pbx.identity.create_group("Sales")
    members = [(await pbx.identity.get_user_by_username(n)).id for n in ("bo", "cy")]
    await pbx.identity.set_group_members(group.id, members)
    phones = await started(pbx, tmp_path, manual="bo")
    ann, bo, cy = phones

    def scenario() -> None:
        dial(ann, "1002")
        bo.wait_event("CALL_INCOMING")
        dial(cy, code)
        cy.wait_event("CALL_ESTABLISHED", extra_log=bo.log_tail())
        ann.wait_event("CALL_ESTABLISHED")
        wait_call_closed(bo)  # bo's phone stopped ringing
        assert bo.event("CALL_ESTABLISHED") is None
        hears(cy, "ann")
        hears(ann, "cy")
        hang_up(ann, cy)

    try:
        await asyncio.to_thread(scenario)
    finally:
        await stopped(phones)


async def test_fc_02_fc_05_baresip_intrudes_and_bypasses(pbx: Core, tmp_path: Path) -> None:
    """FC-05: bo forwards his calls to cy, and ann's ``*60*1002*`` rings bo's phone all the same.
    FC-02: cy dials ``*65*1002*`` into that call and hears bo; when cy hangs up, ann and bo talk
    again."""
    assert pbx.presence is not None
    bo_id = (await pbx.identity.get_user_by_username("bo")).id
    await pbx.presence.set_presence(bo_id, {"diversion": "1003"})
    everyone = [{"group_id": None, "scope": "org", "scope_id": None}]
    await pbx.rights.set_grants("bypass_diversion", everyone)
    await pbx.rights.set_grants("intrude", everyone)
    phones = await started(pbx, tmp_path)
    ann, bo, cy = phones

    def scenario() -> None:
        dial(ann, "*60*1002*")
        bo.wait_event("CALL_ESTABLISHED", extra_log=ann.log_tail())
        assert cy.event("CALL_INCOMING") is None
        hears(ann, "bo")
        dial(cy, "*65*1002*")
        cy.wait_event("CALL_ESTABLISHED", extra_log=bo.log_tail())
        hears(cy, "bo")
        hang_up(cy)
        time.sleep(0.5)
        hears(ann, "bo")
        hears(bo, "ann")
        hang_up(ann, bo)

    try:
        await asyncio.to_thread(scenario)
    finally:
        await stopped(phones)


async def test_fc_06_baresip_fetches_a_call_to_the_other_phone(pbx: Core, tmp_path: Path) -> None:
    """FC-06: ann talks with bo's desk phone; bo dials ``*7*`` on his second baresip (its own tone,
    1300 Hz): the desk phone's call ends and ann talks on with the second phone."""
    phones = await started(pbx, tmp_path)
    ann, bo = phones[0], phones[1]
    second = BaresipPhone(
        "bo2",
        tmp_path / "bo2",
        SipUser("bo", "1002", PASSWORDS["bo"], "Bo", "Tester"),
        bo.registrar_port,
        tone=write_tone(tmp_path / "bo2.wav", 1300.0, seconds=60, amplitude=0.3),
    )

    def scenario() -> None:
        dial(ann, "1002")
        bo.wait_event("CALL_ESTABLISHED", extra_log=ann.log_tail())
        hears(ann, "bo")
        second.start(require_tool("baresip"))
        second.wait_registered()
        dial(second, "*7*")
        second.wait_event("CALL_ESTABLISHED")
        wait_call_closed(bo)
        time.sleep(TALK_S)
        assert last_tone(ann, 1.0) == pytest.approx(1300, abs=10)
        hears(second, "ann")
        hang_up(ann, second)

    try:
        await asyncio.to_thread(scenario)
    finally:
        await stopped([*phones, second])


async def test_fc_01_fc_14_baresip_logs_in_and_reaches_a_mailbox(pbx: Core, tmp_path: Path) -> None:
    logins, mailboxes = GroupLogins(), Mailboxes()
    pbx.plugins.pm.register(logins, name="test_group_logins")
    pbx.plugins.pm.register(mailboxes, name="test_mailboxes")
    cy_id = (await pbx.identity.get_user_by_username("cy")).id
    bo_id = (await pbx.identity.get_user_by_username("bo")).id
    phones = await started(pbx, tmp_path)
    cy = phones[2]
    try:
        for code in ("*11*1500*", "**11*1500*", "*1*1002*"):
            await asyncio.to_thread(dial, cy, code)
            await asyncio.to_thread(cy.wait_event, "CALL_ESTABLISHED")
            await asyncio.to_thread(wait_call_closed, cy)
    finally:
        await stopped(phones)
    assert logins.seen == [(cy_id, "1500", True), (cy_id, "1500", False)]
    assert mailboxes.owners == [bo_id]
