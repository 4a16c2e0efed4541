"""Calls to rule-based numbers from real SIP phones over loopback (RBN-01..05, IVR-07): ann (1001)
and an outside caller on an IP trunk call the rule-based number "Sales line"; the organisation's
rules for rule-based numbers decide where the call goes (bo, 1002; the IVR menu 1600; busy); the
answering phone shows the number's info text (RBN-02) or, for a caller whose number cannot be
shown, the rule-based number (RBN-04); an outside caller hears the menu in the number's language
while a user keeps their own (RBN-03, IVR-07); an outside number one of the number's blocking
groups blocks is not rung (RBN-05); without a matching rule the caller hears it is unavailable."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from language_prompts import language_of, prompt_in_three_languages, tone_prompt
from loopback_pbx import add_cy, registered_phone, running_pbx
from rtp_audio import dominant, heard
from sip_phone import TestPhone
from trunk_helpers import add_trunk

from cordboard.core.bus import Event
from cordboard.core.calls.announcement import ANNOUNCEMENT_SETTING
from cordboard.core.calls.history import list_calls
from cordboard.core.core import Core
from cordboard.core.dialplan.storage import save_blocking_group
from cordboard.core.routing.model import Rule
from cordboard.core.sip.message import SipRequest, SipResponse
from cordboard.core.sip.uri import NameAddr, SipUri
from cordboard.plugins.ivr.const import IVR_MENUS_KEY
from cordboard.plugins.rule_numbers.const import EVENT_RULE_NUMBER_CALL, RULE_NUMBERS_KEY
from cordboard.plugins.rule_numbers.model import RuleNumber

RTP_MIN, RTP_MAX = 44000, 44199
OUTSIDE_CALLER = "+4970000001"
PUBLIC_NUMBER = "+4589001750"


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", RTP_MIN, RTP_MAX) as core:
        await add_cy(core)
        yield core


@pytest.fixture
async def phones(pbx: Core) -> AsyncIterator[tuple[TestPhone, TestPhone]]:
    """ann and bo, registered."""
    ann, bo = [await registered_phone(pbx, name) for name in ("ann", "bo")]
    yield ann, bo
    for phone in (ann, bo):
        phone.close()


@pytest.fixture
async def outside(pbx: Core) -> AsyncIterator[TestPhone]:
    """A caller outside: the far end of an IP trunk, calling from its address (not a user)."""
    assert pbx.sip is not None
    address = pbx.sip.transports.addresses["udp"]
    phone = await TestPhone(OUTSIDE_CALLER, "", (address[0], address[1])).open()
    await add_trunk(
        pbx, kind="ip", port=phone.port, addresses=[f"127.0.0.1:{phone.port}"], options_interval=0
    )
    yield phone
    phone.close()


async def _rule_number(core: Core, **fields: Any) -> RuleNumber:
    return await core.data[RULE_NUMBERS_KEY].create({"name": "Sales line", "number": "1750", **fields})


async def _rule(core: Core, name: str, conditions: dict[str, Any], *destinations: dict[str, Any]) -> Rule:
    return await core.routing.create(
        {"scope": "org", "list": "rule_numbers", "name": name, "conditions": conditions,
         "destinations": list(destinations)}
    )  # fmt: skip


def _outcomes(core: Core) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []

    def record(event: Event[Any]) -> None:
        seen.append(dict(event.data))

    core.bus.listen(EVENT_RULE_NUMBER_CALL, record)
    return seen


async def _route(core: Core, called: str = "1750") -> str:
    """The route of the latest call to ``called`` in the call history."""
    assert core.calls is not None
    await core.calls.history.flush()
    return next(row["route"] for row in await core.db.call(list_calls) if row["callee"] == called)


def _shown(incoming: SipRequest) -> tuple[str | None, str | None]:
    shown = NameAddr.parse(incoming.headers.get("From") or "")
    assert isinstance(shown.uri, SipUri)
    return shown.uri.user, shown.display_name


async def _hang_up(phone: TestPhone, invite: SipRequest, ok: SipResponse) -> None:
    bye = phone.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 1)
    phone.send(bye)
    assert (await phone.final_response(bye)).status == 200


async def _one_answers(
    caller: TestPhone,
    calling: asyncio.Task[tuple[SipRequest, SipResponse]],
    answering: tuple[TestPhone, SipRequest],
    *,
    cancelled: tuple[TestPhone, SipRequest],
) -> None:
    """``answering`` takes the call ``caller`` is placing, the other ringing phone gets CANCEL;
    then the caller hangs up."""
    phone, incoming = answering
    other, other_incoming = cancelled
    phone.answer(incoming, 200)
    invite, ok = await calling
    assert ok.status == 200, ok
    caller.ack(invite, ok)
    await phone.wait_request("ACK")
    other.answer(await other.wait_request("CANCEL"), 200)
    other.answer(other_incoming, 487)
    await _hang_up(caller, invite, ok)
    phone.answer(await phone.wait_request("BYE"), 200)


async def test_rbn_01_02_the_rule_rings_bo_with_the_info_text_then_says_busy(
    pbx: Core, phones: tuple[TestPhone, TestPhone]
) -> None:
    """ann calls 1750: the rule for internal callers rings bo, whose phone shows "Sales: Ann
    Tester"; bo refuses, and the rule's next destination (busy after 20 s) ends the call with 486."""
    ann, bo = phones
    seen = _outcomes(pbx)
    number = await _rule_number(pbx, display_text="Sales")
    rule = await _rule(
        pbx, "Colleagues", {"called_prefixes": ["1750"], "caller": "internal"},
        {"kind": "number", "target": "1002"}, {"kind": "busy", "after_s": 20},
    )  # fmt: skip
    calling = asyncio.create_task(ann.invite("1750"))
    incoming = await bo.wait_request("INVITE", wait=10)
    assert _shown(incoming) == ("1001", "Sales: Ann Tester"), incoming.headers.get("From")
    bo.answer(incoming, 486)
    _invite, final = await calling
    assert final.status == 486, final
    assert seen == [
        {"id": number.id, "number": "1750", "call_id": seen[0]["call_id"], "rule_id": rule.id,
         "outcome": "busy", "target": "1002"}
    ]  # fmt: skip
    route = await _route(pbx)
    assert "rule-based number Sales line: rule Colleagues" in route and "1002 did not answer" in route, route


async def test_rbn_01_without_a_matching_rule_the_caller_hears_it_is_unavailable(
    pbx: Core, phones: tuple[TestPhone, TestPhone]
) -> None:
    """The only rule is for outside callers: ann's call to 1750 matches none and gets 480, and bo's
    phone never rings (a rule-based number is routed by its rules only)."""
    ann, bo = phones
    await _rule_number(pbx)
    await _rule(pbx, "Outside", {"caller": "external"}, {"kind": "number", "target": "1002"})
    _invite, final = await ann.invite("1750")
    assert final.status == 480, final
    with pytest.raises(TimeoutError):
        await bo.wait_request("INVITE", wait=0.5)
    assert "rule-based number Sales line: no rule matches" in await _route(pbx)


async def test_rbn_03_ivr_07_an_outside_caller_hears_the_menu_in_the_numbers_language_a_user_in_their_own(
    pbx: Core, phones: tuple[TestPhone, TestPhone], outside: TestPhone
) -> None:
    """The rule-based number (public, +4589001750; German) sends every caller to the menu 1600, whose
    welcome prompt has an English, a German and a Danish take: the outside caller hears German, ann,
    a user whose language is the organisation's English, hears English."""
    ann, _bo = phones
    await pbx.data[IVR_MENUS_KEY].create(
        {"name": "Main", "number": "1600", "welcome_prompt": await prompt_in_three_languages(pbx)}
    )
    await _rule_number(pbx, number=PUBLIC_NUMBER, language="de")
    await _rule(pbx, "Everyone to the menu", {}, {"kind": "number", "target": "1600"})
    for caller, expected in ((outside, "de"), (ann, "en")):
        invite, ok = await caller.call(PUBLIC_NUMBER)
        assert ok.status == 200, ok
        played = await heard(caller, 0.8)
        await _hang_up(caller, invite, ok)
        assert language_of(played) == expected, caller.username


async def test_rbn_04_an_anonymous_outside_caller_is_shown_as_the_rule_based_number(
    pbx: Core, phones: tuple[TestPhone, TestPhone], outside: TestPhone
) -> None:
    """With "show the rule-based number as caller" on, bo's phone shows +4589001750 for an outside
    caller who withholds their number, and the outside caller's own number when they show it. bo
    is busy each time, so the caller hears busy (486), as with a user's own rule."""
    _ann, bo = phones
    await _rule_number(pbx, number=PUBLIC_NUMBER, show_as_caller=True)
    await _rule(pbx, "Outside to bo", {"caller": "external"}, {"kind": "number", "target": "1002"})
    await _rule(pbx, "Anonymous to bo", {"caller": "anonymous"}, {"kind": "number", "target": "1002"})
    for username, expected in (
        ("anonymous", (PUBLIC_NUMBER, "Sales line")),
        (OUTSIDE_CALLER, OUTSIDE_CALLER),
    ):
        outside.username = username
        calling = asyncio.create_task(outside.invite(PUBLIC_NUMBER))
        incoming = await bo.wait_request("INVITE", wait=10)
        user, name = _shown(incoming)
        if isinstance(expected, tuple):
            assert (user, name) == expected, incoming.headers.get("From")
        else:
            assert user == expected, incoming.headers.get("From")
        bo.answer(incoming, 486)
        _invite, final = await calling
        assert final.status == 486, final


async def test_rbn_05_an_outside_number_a_blocking_group_blocks_is_not_rung(
    pbx: Core, phones: tuple[TestPhone, TestPhone], outside: TestPhone
) -> None:
    """The rule sends ann's call on to +4930123456 over the trunk, but the rule-based number's blocking
    group blocks international numbers: nothing goes out, the caller gets 480, and the history says
    which group blocked it."""
    ann, _bo = phones
    group = await pbx.db.call(
        lambda db: save_blocking_group(
            db, {"name": "No abroad", "number_types": [], "international": True, "prefixes": []}
        )
    )
    await pbx.dialplan.reload()
    seen = _outcomes(pbx)
    await _rule_number(pbx, blocking_groups=[group.id])
    await _rule(pbx, "Abroad", {}, {"kind": "number", "target": "+4930123456"})
    _invite, final = await ann.invite("1750")
    assert final.status == 480, final
    with pytest.raises(TimeoutError):
        await outside.wait_request("INVITE", wait=0.5)
    assert seen[0]["outcome"] == "blocked", seen
    assert "+4930123456 blocked by the blocking group No abroad" in await _route(pbx)


async def test_rbn_01_numbers_that_start_together_ring_together_and_the_first_answer_takes_the_call(
    pbx: Core, phones: tuple[TestPhone, TestPhone]
) -> None:
    """The rule's two number destinations both start at once: bo's and cy's phones ring at the same
    time, each showing the info text; cy answers, bo's ringing is cancelled, and ann talks to cy."""
    ann, bo = phones
    cy = await registered_phone(pbx, "cy")
    try:
        seen = _outcomes(pbx)
        await _rule_number(pbx, display_text="Sales")
        await _rule(
            pbx, "Everyone", {"called_prefixes": ["1750"]},
            {"kind": "number", "target": "1002"}, {"kind": "number", "target": "1003"},
        )  # fmt: skip
        calling = asyncio.create_task(ann.invite("1750"))
        at_bo = await bo.wait_request("INVITE", wait=10)
        at_cy = await cy.wait_request("INVITE", wait=2)  # no 20 s of bo ringing alone first
        assert _shown(at_bo) == _shown(at_cy) == ("1001", "Sales: Ann Tester")
        bo.answer(at_bo, 180)
        await _one_answers(ann, calling, (cy, at_cy), cancelled=(bo, at_bo))
        assert [(s["outcome"], s["target"]) for s in seen] == [("transferred", "1003")]
    finally:
        cy.close()


async def test_rbn_01_prm_06_a_user_rung_alone_first_has_their_announcement_played(
    pbx: Core, phones: tuple[TestPhone, TestPhone]
) -> None:
    """bo at once, cy after 1 s; both chose an announcement before connect. bo's number starts
    alone, so ann hears bo's announcement (700 Hz) before bo's phone rings, as when dialling bo;
    cy's starts while bo's phone rings already, so it just joins: no second announcement holds up
    the ringing. bo answers, cy's ringing is cancelled."""
    ann, bo = phones
    cy = await registered_phone(pbx, "cy")
    try:
        prompts = {}
        for username, name, hz in (("bo", "Bo's intro", 700.0), ("cy", "Cy's intro", 1100.0)):
            user_id = (await pbx.identity.get_user_by_username(username)).id
            prompts[username] = await tone_prompt(pbx, name, hz)
            await pbx.settings.set("user", user_id, ANNOUNCEMENT_SETTING, prompts[username])
        await _rule_number(pbx)
        await _rule(
            pbx, "Bo, then both", {},
            {"kind": "number", "target": "1002"}, {"kind": "number", "target": "1003", "after_s": 1},
        )  # fmt: skip
        invite, response = await ann.invite_early("1750")
        while response.status != 183:
            assert response.status < 200, response
            response = await ann.response_to(invite, wait=5)
        announcement = await heard(ann, 0.8)
        assert int(np.abs(announcement.astype(np.int32)).max()) > 1000
        assert abs(dominant(announcement) - 700.0) < 20
        with pytest.raises(TimeoutError):  # bo's phone waits for the announcement
            await bo.wait_request("INVITE", wait=0.1)
        at_bo = await bo.wait_request("INVITE", wait=5)
        bo.answer(at_bo, 180)
        at_cy = await cy.wait_request("INVITE", wait=5)
        cy.answer(at_cy, 180)
        ann.drain_rtp()
        ringback = await heard(ann, 0.5)
        assert abs(dominant(ringback) - 1100.0) > 50, "cy's announcement held up the ringing"

        async def answered() -> tuple[SipRequest, SipResponse]:
            return invite, await ann.final_response(invite, wait=10)

        await _one_answers(ann, asyncio.create_task(answered()), (bo, at_bo), cancelled=(cy, at_cy))
        route = await _route(pbx)
        assert f"announcement {prompts['bo']}" in route and prompts["cy"] not in route, route
    finally:
        cy.close()


async def test_rbn_01_rte_04_a_number_that_starts_later_joins_the_one_still_ringing(
    pbx: Core, phones: tuple[TestPhone, TestPhone]
) -> None:
    """bo at once, cy after 1 s (both ring up to the forward ring time): cy's phone starts ringing
    while bo's still rings, as in a user's own rule; bo answers and cy's ringing is cancelled."""
    ann, bo = phones
    cy = await registered_phone(pbx, "cy")
    try:
        seen = _outcomes(pbx)
        await _rule_number(pbx)
        await _rule(
            pbx, "Bo, then both", {},
            {"kind": "number", "target": "1002"}, {"kind": "number", "target": "1003", "after_s": 1},
        )  # fmt: skip
        calling = asyncio.create_task(ann.invite("1750"))
        at_bo = await bo.wait_request("INVITE", wait=10)
        bo.answer(at_bo, 180)
        at_cy = await cy.wait_request("INVITE", wait=5)
        cy.answer(at_cy, 180)
        with pytest.raises(TimeoutError):  # bo's phone rings on
            await bo.wait_request("CANCEL", wait=0.5)
        await _one_answers(ann, calling, (bo, at_bo), cancelled=(cy, at_cy))
        assert [(s["outcome"], s["target"]) for s in seen] == [("transferred", "1002")]
    finally:
        cy.close()
