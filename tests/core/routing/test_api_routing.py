"""Routing rules over REST and the routing test tool (RTE-01..05, BYD-25), on a Core with the
presence, schedules and number registry services: roles, allowed destinations, rule order, and
explanations that follow do-not-disturb and working hours."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from api_calls import call

from cordboard.core.core import Core

MONDAY_10 = "2026-12-07T10:00:00+01:00"
SATURDAY_10 = "2026-12-12T10:00:00+01:00"


async def anna_id(core: Core) -> int:
    return next(u.id for u in await core.identity.list_users() if u.username == "anna")


def own_rule(user_id: int, name: str, **changes: Any) -> dict[str, Any]:
    return {"scope": "user", "scope_id": user_id, "list": "incoming", "name": name,
            "destinations": [{"kind": "phones"}], **changes}  # fmt: skip


async def test_rte_03_roles_and_rte_05_allowed_destinations(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    anna = await anna_id(core)
    org_rule = {
        "scope": "org",
        "list": "incoming",
        "tier": "required",
        "name": "Night",
        "destinations": [{"kind": "voicemail"}],
    }
    status, error = await call(api, "POST", "/api/routing/rules", user_headers, org_rule)
    assert status == 403 and "your own routing rules" in error["message"]
    status, created = await call(api, "POST", "/api/routing/rules", admin_headers, org_rule)
    assert status == 201 and created["tier"] == "required"
    status, _ = await call(api, "POST", "/api/routing/rules", user_headers, own_rule(anna + 1, "Not mine"))
    assert status == 403
    status, mine = await call(api, "POST", "/api/routing/rules", user_headers, own_rule(anna, "Mine"))
    assert status == 201 and mine["position"] == 1
    status, listed = await call(api, "GET", "/api/routing/rules", user_headers)
    assert [r["name"] for r in listed] == ["Mine"]
    status, _ = await call(
        api, "PATCH", f"/api/routing/rules/{created['id']}", user_headers, {"name": "Mine now"}
    )
    assert status == 403

    # RTE-05: the admin lets users' rules ring phones and forward only.
    await core.settings.set("org", None, "core.routing_user_destinations", ["phones", "number"])
    status, error = await call(
        api,
        "POST",
        "/api/routing/rules",
        user_headers,
        own_rule(anna, "VM", destinations=[{"kind": "voicemail"}]),
    )
    assert status == 400 and "not allowed in your rules" in error["fields"]["destinations.0.kind"]
    status, error = await call(
        api, "POST", "/api/routing/rules", user_headers,
        own_rule(anna, "Loop", destinations=[{"kind": "number", "target": "1001"}]),
    )  # fmt: skip
    assert (
        status == 400
        and error["fields"]["destinations.0.target"] == "the rule would forward the call to itself"
    )


async def test_rte_02_order_of_a_users_rules(
    core: Core, api: TestClient, user_headers: dict[str, str]
) -> None:
    anna = await anna_id(core)
    ids = [
        (await call(api, "POST", "/api/routing/rules", user_headers, own_rule(anna, n)))[1]["id"]
        for n in "ABC"
    ]
    status, ordered = await call(api, "PUT", "/api/routing/rules/order", user_headers, {"order": ids[::-1]})
    assert status == 200 and [r["name"] for r in ordered] == ["C", "B", "A"]
    status, error = await call(api, "PUT", "/api/routing/rules/order", user_headers, {"order": ids[:2]})
    assert status == 400 and "order" in error["fields"]


async def test_byd_25_explain_follows_presence_and_working_hours(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    anna = await anna_id(core)
    week = {d: {"from": "07:00", "to": "18:00"} for d in ("mon", "tue", "wed", "thu", "fri")}
    await core.schedules.set_level("org", None, {"week": week})
    await core.settings.set("org", None, "core.timezone", "Europe/Copenhagen")
    dnd_rule = own_rule(
        anna, "DND to voicemail", conditions={"dnd": True}, destinations=[{"kind": "voicemail"}]
    )
    night_rule = own_rule(
        anna, "Night to mobile", conditions={"working_hours": "out"},
        destinations=[{"kind": "phones"}, {"kind": "number", "target": "+4520123456", "after_s": 15}],
    )  # fmt: skip
    for rule in (dnd_rule, night_rule):
        assert (await call(api, "POST", "/api/routing/rules", user_headers, rule))[0] == 201

    explain = {"caller": "+4533123456", "number": "1001", "at": MONDAY_10}
    status, found = await call(api, "POST", "/api/routing/explain", user_headers, explain)
    assert status == 200, found
    assert found["source"] == "default" and found["destinations"] == [
        {"kind": "phones", "after_s": 0, "target": None}
    ]
    assert [c["why_not"] for c in found["checked"]] == ["do-not-disturb is off", "inside working hours"]
    assert found["facts"]["caller_kind"] == "external"

    status, found = await call(
        api, "POST", "/api/routing/explain", user_headers, {**explain, "at": SATURDAY_10}
    )
    assert found["rule"]["name"] == "Night to mobile"
    assert [(d["kind"], d["after_s"]) for d in found["destinations"]] == [("phones", 0), ("number", 15)]

    assert core.presence is not None
    await core.presence.set_presence(anna, {"dnd": True})
    status, found = await call(
        api, "POST", "/api/routing/explain", admin_headers, {**explain, "at": SATURDAY_10}
    )
    assert found["rule"]["name"] == "DND to voicemail" and found["facts"]["dnd"] is True

    # RTE-06: a function number follows its own settings; unknown numbers and other users' calls.
    status, found = await call(
        api, "POST", "/api/routing/explain", admin_headers, {"caller": "1001", "number": "*43"}
    )
    assert status == 200 and found["source"] == "function" and "diagnostics plugin" in found["note"]
    status, error = await call(
        api, "POST", "/api/routing/explain", admin_headers, {"caller": "1001", "number": "4711"}
    )
    assert status == 404 and "Nobody owns 4711" in error["message"]
    status, _ = await call(
        api, "POST", "/api/routing/explain", user_headers, {"caller": "1001", "number": "*43"}
    )
    assert status == 403
    status, error = await call(
        api, "POST", "/api/routing/explain", admin_headers, {**explain, "at": "tomorrow"}
    )
    assert status == 400 and "at" in error["fields"]


async def test_rte_a_rule_for_callers_in_the_contacts(
    core: Core, api: TestClient, user_headers: dict[str, str]
) -> None:
    """ "Caller in contacts" as a condition: Anna's VIPs ring through her do-not-disturb, other
    callers meet it; a colleague counts as a colleague, an unknown number as not in the contacts."""
    anna = await anna_id(core)
    vip = {"company": "Big Client", "type": "vip", "numbers": [{"number": "+45 70 10 20 30"}]}
    assert (await call(api, "POST", "/api/directory/contacts", user_headers, vip))[0] == 201
    rule = own_rule(anna, "VIPs ring through", conditions={"caller_contacts": ["vip"]})
    assert (await call(api, "POST", "/api/routing/rules", user_headers, rule))[0] == 201
    dnd = own_rule(anna, "DND busy", conditions={"dnd": True}, destinations=[{"kind": "busy"}])
    assert (await call(api, "POST", "/api/routing/rules", user_headers, dnd))[0] == 201
    assert core.presence is not None
    await core.presence.set_presence(anna, {"dnd": True})

    async def explained(caller: str) -> dict[str, Any]:
        status, found = await call(
            api,
            "POST",
            "/api/routing/explain",
            user_headers,
            {"caller": caller, "number": "1001", "at": MONDAY_10},
        )
        assert status == 200, found
        return found  # type: ignore[no-any-return]

    found = await explained("+4570102030")
    assert (found["facts"]["caller_contact"], found["rule"]["name"]) == ("vip", "VIPs ring through")
    found = await explained("+4599887766")
    assert (found["facts"]["caller_contact"], found["rule"]["name"]) == ("unknown", "DND busy")
    assert found["checked"][0]["why_not"] == "the caller is not in the contacts"
    await core.identity.create_user(
        username="cole", first_name="Cole", last_name="League", email="c@example.com", extension="1005"
    )
    found = await explained("1005")
    assert found["facts"]["caller_contact"] == "colleague"
