"""The dial plan on a Core (CNV-05, BAR-01, BAR-05, BAR-06, EMR-01/02, BYD-15): the country's
templates once the country is set, international calls blocked until released (per user too),
barred and released types, emergency numbers before everything, the daily limit, and roles."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiohttp.test_utils import TestClient
from api_calls import call

from cordboard.core.core import Core


async def decide(api: TestClient, headers: dict[str, str], number: str, **extra: Any) -> dict[str, Any]:
    status, decision = await call(api, "POST", "/api/dialplan/test", headers, {"number": number, **extra})
    assert status == 200, decision
    return dict(decision)


async def danish(core: Core) -> None:
    await core.settings.set("org", None, "core.country", "DK")
    for _ in range(100):
        if core.dialplan.conversions:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the Danish templates never came")


async def test_cnv_05_templates_and_bar_05_international_blocked_until_released(
    core: Core, api: TestClient, admin_headers: dict[str, str]
) -> None:
    assert core.dialplan.conversions == [], "no country, no templates"
    await danish(core)
    _, plan = await call(api, "GET", "/api/dialplan", admin_headers)
    assert [(c["prefix"], c["digits"], c["rewrite"]) for c in plan["conversions"]] == [
        ("00", None, "+"),
        ("", 8, "+45"),
    ]
    assert plan["special_numbers"] == ["112", "114"]

    national = await decide(api, admin_headers, "33123456")
    assert (national["number"], national["allowed"], national["international"]) == (
        "+4533123456",
        True,
        False,
    )
    abroad = await decide(api, admin_headers, "004930123456")
    assert abroad["number"] == "+4930123456" and abroad["international"]
    assert (abroad["allowed"], abroad["status"]) == (False, 403)
    assert abroad["reason"] == "Forbidden - International Calls Are Barred"
    premium = await decide(api, admin_headers, "90123456")
    assert (premium["number_type"], premium["allowed"]) == ("Premium", False)

    # BAR-06 / EMR-01: 112 before everything, never converted or barred.
    emergency = await decide(api, admin_headers, "112")
    assert (emergency["number"], emergency["allowed"], emergency["emergency"]) == ("112", True, True)

    # Released for one user (a user-level setting), or for a type (release in part).
    anna = await core.identity.create_user(
        username="anna", first_name="Anna", last_name="A", email="anna@example.com", extension="1001"
    )
    await core.settings.set("user", anna.id, "core.international_calls", "released")
    assert (await decide(api, admin_headers, "004930123456", user_id=anna.id))["allowed"]
    assert not (await decide(api, admin_headers, "004930123456"))["allowed"]
    status, swedish = await call(
        api,
        "POST",
        "/api/dialplan/number_types",
        admin_headers,
        {"name": "Sweden", "prefixes": ["+46"], "released": True},
    )
    assert status == 201
    assert (await decide(api, admin_headers, "004687654321"))["allowed"]

    # A conversion of one's own; emergency numbers cannot be converted.
    status, created = await call(
        api, "POST", "/api/dialplan/conversions", admin_headers,
        {"prefix": "2", "digits": 2, "intervals": ["07-15"], "rewrite": "+4588", "label": "Annex"},
    )  # fmt: skip
    assert status == 201
    assert (await decide(api, admin_headers, "212"))["number"] == "+458812"
    status, error = await call(
        api,
        "POST",
        "/api/dialplan/conversions",
        admin_headers,
        {"prefix": "11", "digits": 1, "rewrite": "+45"},
    )
    assert status == 400 and "emergency" in error["fields"]["prefix"]
    # Once an admin has their own rules, another country does not replace them.
    await core.settings.set("org", None, "core.country", "DE")
    await asyncio.sleep(0.2)
    assert any(c.id == created["id"] for c in core.dialplan.conversions)
    assert swedish["released"]


async def test_byd_15_daily_limit_of_external_calls(
    core: Core, api: TestClient, admin_headers: dict[str, str]
) -> None:
    await danish(core)
    anna = await core.identity.create_user(
        username="anna", first_name="Anna", last_name="A", email="anna@example.com", extension="1001"
    )
    await core.settings.set("org", None, "core.daily_external_calls", 2)
    now = time.time()

    def calls_today(db: Any) -> None:
        for n in range(2):
            row = {"id": f"c{n}", "sip_call_id": f"x{n}", "caller": "1001", "caller_user_id": anna.id}
            db["calls"].insert(
                {**row, "callee": "+4533123456", "started": now - 60, "ended": now, "result": "answered"}
            )

    assert (await decide(api, admin_headers, "33123456", user_id=anna.id))["allowed"]
    await core.db.call(calls_today)
    limited = await decide(api, admin_headers, "33123456", user_id=anna.id)
    assert (limited["allowed"], limited["reason"]) == (
        False,
        "Forbidden - Daily Limit Of External Calls Reached",
    )
    assert (await decide(api, admin_headers, "112", user_id=anna.id))["allowed"], "never for emergency calls"


async def test_the_dial_plan_is_the_admins(api: TestClient, user_headers: dict[str, str]) -> None:
    for method, path in (
        ("GET", "/api/dialplan"),
        ("POST", "/api/dialplan/test"),
        ("POST", "/api/dialplan/conversions"),
    ):
        assert (await call(api, method, path, user_headers, {"number": "1"}))[0] == 403


async def test_cnv_06_the_emergency_list_is_editable_and_keeps_112(
    core: Core, api: TestClient, admin_headers: dict[str, str]
) -> None:
    await danish(core)
    status, error = await call(
        api, "PUT", "/api/settings/org", admin_headers, {"core.emergency_numbers": "114 1813"}
    )
    assert status == 400 and "112 is always" in error["fields"]["core.emergency_numbers"]
    status, _ = await call(
        api, "PUT", "/api/settings/org", admin_headers, {"core.emergency_numbers": "114, 112 1813"}
    )
    assert status == 200
    _, plan = await call(api, "GET", "/api/dialplan", admin_headers)
    assert plan["special_numbers"] == ["112", "114", "1813"]
    assert (await decide(api, admin_headers, "1813"))["emergency"]
