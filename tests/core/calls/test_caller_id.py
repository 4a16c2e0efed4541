"""Caller ID (CLI-01, CLI-05, NUM-06, CAPU-12) over REST: the numbers a user may present (their line,
its aliases, their mobile, the switchboard number), the choice refused by field when the number is
not theirs or hiding is not allowed, and the anonymous identity a hidden number shows."""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiohttp.test_utils import TestClient
from api_calls import call
from loopback_pbx import registered_phone, running_pbx
from sip_phone import TestPhone

from cordboard.core.calls.caller_id import ANONYMOUS, Line, choose, identity_of, personal_lines
from cordboard.core.core import Core
from cordboard.core.sip.uri import NameAddr


async def test_cli_01_and_cli_05(core: Core, api: TestClient, user_headers: dict[str, str]) -> None:
    anna = next(u for u in await core.identity.list_users() if u.username == "anna")
    await core.identity.update_user(anna.id, {"mobile": "+4520123456"})
    await core.numbers.add_alias("1555", anna.id)
    await core.settings.set("org", None, "core.main_number", "+4589401000")
    status, mine = await call(api, "GET", "/api/me/caller_id", user_headers)
    assert status == 200
    assert mine == {
        "number": "1001",
        "name": "Anna Tester",
        "hidden": False,
        "allowed": ["1001", "1555", "+4520123456", "+4589401000"],
        "lines": [  # NUM-04: the landline first, the mobile second
            {"number": "1001", "type": "office_landline", "primary": True},
            {"number": "+4520123456", "type": "office_mobile", "primary": False},
        ],
    }
    status, mine = await call(api, "PUT", "/api/me/caller_id", user_headers, {"number": "+4589401000"})
    assert status == 200 and mine["number"] == "+4589401000"
    status, error = await call(api, "PUT", "/api/me/caller_id", user_headers, {"number": "+4599999999"})
    assert status == 400 and "not one of your numbers" in error["fields"]["number"]

    status, mine = await call(api, "PUT", "/api/me/caller_id", user_headers, {"hidden": True})
    assert status == 200 and mine["hidden"]
    assert (await identity_of(core, anna.id)).shown() == ANONYMOUS
    await core.settings.set("org", None, "core.allow_anonymous_calls", False)
    assert not (await identity_of(core, anna.id)).hidden, "the organisation's switch wins"
    status, error = await call(api, "PUT", "/api/me/caller_id", user_headers, {"hidden": True})
    assert status == 400 and "does not allow" in error["fields"]["hidden"]


async def rung_from(caller: TestPhone, callee: TestPhone) -> NameAddr:
    """``caller`` calls 1002 (``callee``), who answers busy: the From the callee's phone got."""
    calling = asyncio.create_task(caller.invite("1002"))
    incoming = await callee.wait_request("INVITE")
    callee.answer(incoming, 486)
    assert (await calling)[1].status == 486
    return NameAddr.parse(incoming.headers.get("From") or "")


async def test_cli_05_a_hidden_number_shows_anonymous_to_the_called_phone(tmp_path: Path) -> None:
    async with running_pbx(tmp_path / "data", 43600, 43699) as pbx:
        ann_id = next(u.id for u in await pbx.identity.list_users() if u.username == "ann")
        ann, bo = await registered_phone(pbx, "ann"), await registered_phone(pbx, "bo")
        try:
            shown = await rung_from(ann, bo)
            assert (shown.uri.user, shown.display_name) == ("1001", "Ann Tester")
            await choose(pbx, ann_id, number=None, hidden=True)
            for _ in range(100):
                if pbx.call_preferences.hidden(ann_id):
                    break
                await asyncio.sleep(0.02)
            shown = await rung_from(ann, bo)
            assert (shown.uri.user, shown.display_name) == ANONYMOUS
        finally:
            ann.close()
            bo.close()


def test_num_04_a_user_with_only_a_mobile_has_it_as_the_primary_line() -> None:
    assert personal_lines(None, "+4520123456") == (Line("+4520123456", "office_mobile", True),)
    assert personal_lines("1001", None) == (Line("1001", "office_landline", True),)
    assert personal_lines(None, None) == ()
