"""BAR-04 blocking groups on a Core: made, changed and deleted by admins over the API (fields checked
by name), and what they block for the function numbers in them: number types, international
numbers, prefixes, never emergency numbers (BAR-06) or the PBX's own numbers."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp.test_utils import TestClient
from api_calls import add_user, call

from cordboard.core.core import Core

GROUPS = "/api/dialplan/blocking_groups"


async def _danish(core: Core) -> None:
    """Denmark's templates (Premium +4590 is barred for everyone, Mobile), international calls
    released for the organisation: what stays blocked is the blocking groups' doing."""
    await core.settings.set("org", None, "core.country", "DK")
    await core.settings.set("org", None, "core.international_calls", "released")
    for _ in range(100):
        if core.dialplan.types:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the Danish templates never came")


async def _decide(api: TestClient, headers: dict[str, str], number: str, groups: list[int]) -> dict[str, Any]:
    body = {"number": number, "blocking_groups": groups}
    status, decision = await call(api, "POST", "/api/dialplan/test", headers, body)
    assert status == 200, decision
    return dict(decision)


async def test_bar_04_admins_keep_blocking_groups_and_the_fields_are_checked(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    await _danish(core)
    body = {
        "name": "No mobiles abroad",
        "number_types": ["mobile"],
        "international": True,
        "prefixes": ["+4570 "],
    }
    status, group = await call(api, "POST", GROUPS, admin_headers, body)
    assert status == 201, group
    assert group == {
        "id": group["id"],
        "name": "No mobiles abroad",
        "number_types": ["Mobile"],  # the type's own spelling
        "international": True,
        "prefixes": ["+4570"],
    }
    _, plan = await call(api, "GET", "/api/dialplan", admin_headers)
    assert plan["blocking_groups"] == [group]

    refused = [
        ({**body, "name": "NO MOBILES ABROAD"}, 409, None),
        ({**body, "name": "Other", "number_types": ["Satellite"]}, 400, "number_types"),
        ({**body, "name": "Other", "prefixes": ["12ab"]}, 400, "prefixes"),
        ({"name": " "}, 400, "name"),
        (
            {"name": "Nothing", "number_types": [], "international": False, "prefixes": []},
            400,
            "number_types",
        ),
    ]
    for wrong, expected, field in refused:
        status, error = await call(api, "POST", GROUPS, admin_headers, wrong)
        assert status == expected, (wrong, error)
        if field is not None:
            assert field in error["fields"], error
    _, plan = await call(api, "GET", "/api/dialplan", admin_headers)
    assert [g["name"] for g in plan["blocking_groups"]] == ["No mobiles abroad"], "nothing refused was kept"

    status, changed = await call(
        api,
        "PUT",
        f"{GROUPS}/{group['id']}",
        admin_headers,
        {**body, "name": "Reception", "international": False},
    )
    assert status == 200 and (changed["name"], changed["international"]) == ("Reception", False), changed
    assert core.dialplan.blocking_groups[0].name == "Reception"

    for method, path in (
        ("POST", GROUPS),
        ("PUT", f"{GROUPS}/{group['id']}"),
        ("DELETE", f"{GROUPS}/{group['id']}"),
    ):
        status, _ = await call(api, method, path, user_headers, body)
        assert status == 403, (method, path)

    status, _ = await call(api, "DELETE", f"{GROUPS}/{group['id']}", admin_headers)
    assert status == 204
    status, _ = await call(api, "DELETE", f"{GROUPS}/{group['id']}", admin_headers)
    assert status == 404
    assert core.dialplan.blocking_groups == []


async def test_bar_04_what_a_blocking_group_blocks_and_bar_06_never_emergency_numbers(
    core: Core, api: TestClient, admin_headers: dict[str, str]
) -> None:
    await _danish(core)
    await add_user(core, "bea", "bea-secret-123456", extension="1001")
    made = {}
    for body in (
        {"name": "Abroad", "international": True},
        {"name": "Mobiles", "number_types": ["Mobile"]},
        {"name": "Service numbers", "prefixes": ["+4570"]},
    ):
        status, group = await call(api, "POST", GROUPS, admin_headers, body)
        assert status == 201, group
        made[group["name"]] = group["id"]
    every = list(made.values())

    abroad = await _decide(api, admin_headers, "004930123456", [made["Abroad"]])
    assert (abroad["allowed"], abroad["status"], abroad["reason"]) == (
        False,
        403,
        "Forbidden - Blocked By Abroad",
    )
    assert (await _decide(api, admin_headers, "004930123456", []))["allowed"], "no group, released"
    assert (await _decide(api, admin_headers, "004930123456", [made["Mobiles"]]))["allowed"]
    mobile = await _decide(api, admin_headers, "20304050", every)
    assert mobile["reason"] == "Forbidden - Blocked By Mobiles", mobile
    service = await _decide(api, admin_headers, "70203040", every)
    assert service["reason"] == "Forbidden - Blocked By Service numbers", service
    assert (await _decide(api, admin_headers, "33123456", every))["allowed"], (
        "a landline is no one's to block"
    )
    emergency = await _decide(api, admin_headers, "112", every)
    assert (emergency["allowed"], emergency["emergency"]) == (True, True)

    plan = core.dialplan
    assert (await plan.blocked_by(every, "004930123456")).name == "Abroad"  # type: ignore[union-attr]
    assert await plan.blocked_by([], "004930123456") is None
    assert await plan.blocked_by([999], "004930123456") is None, "unknown ids are ignored"
    assert await plan.blocked_by(every, "112") is None
    assert await plan.blocked_by(every, "114") is None
    assert await plan.blocked_by(every, "1001") is None, "bea's extension is no outside number"
    assert plan.blocking_group_ids() == set(every)
