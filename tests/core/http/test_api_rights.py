"""Service rights (ROLE-09) and what they gate so far: seeing colleagues' status (PRS-11), their
future presence (PRS-07) and editing the company directory (DIR-02)."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from api_calls import call

from cordboard.core.core import Core


async def _groups(core: Core, **members: list[int]) -> dict[str, int]:
    """Groups named as the keywords, with those members; the rights see them at once."""
    ids = {}
    for name, user_ids in members.items():
        group = await core.identity.create_group(name)
        await core.identity.set_group_members(group.id, user_ids)
        ids[name] = group.id
    await core.rights.reload()
    return ids


async def _put(api: TestClient, headers: dict[str, str], service: str, grants: list[dict[str, Any]]) -> Any:
    status, body = await call(api, "PUT", f"/api/rights/{service}", headers, {"grants": grants})
    assert status == 200, body
    return body


async def test_role_09_a_new_installation_opens_status_and_only_admins_change_rights(
    api: TestClient, account: Any
) -> None:
    admin = await account("root", admin=True)
    anna = await account("anna")
    status, rights = await call(api, "GET", "/api/rights", admin.headers)
    assert status == 200
    by_service = {r["service"]: r for r in rights}
    assert by_service["see_status"]["feature"] == "PRS-11"
    assert by_service["see_status"]["grants"] == [{"group_id": None, "scope": "org", "scope_id": None}]
    assert by_service["edit_future_presence"]["grants"] == []
    for method, path in (("GET", "/api/rights"), ("PUT", "/api/rights/edit_directory")):
        status, _ = await call(api, method, path, anna.headers, {"grants": []})
        assert status == 403, (method, path)


async def test_role_09_grants_over_a_deleted_group_or_user_go_with_it(
    core: Core, api: TestClient, account: Any
) -> None:
    admin = await account("root", admin=True)
    boss = await account("bo", extension="1230")
    groups = await _groups(core, Assistants=[], Sales=[])
    grants = [
        {"group_id": groups["Assistants"], "scope": "user", "scope_id": boss.id},
        {"group_id": None, "scope": "group", "scope_id": groups["Sales"]},
        {"group_id": None, "scope": "org"},
    ]
    await _put(api, admin.headers, "view_future_presence", grants)
    for path in (f"/api/groups/{groups['Sales']}", f"/api/users/{boss.id}"):
        status, _ = await call(api, "DELETE", path, admin.headers)
        assert status == 204, path
    await core.rights.reload()
    status, rights = await call(api, "GET", "/api/rights", admin.headers)
    left = next(r["grants"] for r in rights if r["service"] == "view_future_presence")
    assert left == [{"group_id": None, "scope": "org", "scope_id": None}]
    await _put(api, admin.headers, "view_future_presence", left)  # saving what is left works


async def test_role_09_bad_grants_are_named_and_nothing_changes(
    core: Core, api: TestClient, account: Any
) -> None:
    admin = await account("root", admin=True)
    bad = [
        {"group_id": 999, "scope": "org"},
        {"group_id": None, "scope": "user", "scope_id": 12345},
        {"group_id": None, "scope": "group"},
    ]
    status, error = await call(api, "PUT", "/api/rights/see_status", admin.headers, {"grants": bad})
    assert status == 400, error
    assert set(error["fields"]) == {"grants.0.group_id", "grants.1.scope_id", "grants.2.scope_id"}
    status, error = await call(
        api, "PUT", "/api/rights/see_status", admin.headers, {"grants": [{"scope": "x"}]}
    )
    assert status == 400 and {"grants.0.group_id", "grants.0.scope"} <= set(error["fields"])
    status, _ = await call(api, "PUT", "/api/rights/fly", admin.headers, {"grants": []})
    assert status == 404
    assert [g.as_dict() for g in core.rights.grants("see_status")] == [
        {"group_id": None, "scope": "org", "scope_id": None}
    ]


async def test_prs_11_only_groups_with_the_right_see_a_colleagues_status(
    core: Core, api: TestClient, account: Any
) -> None:
    admin = await account("root", admin=True)
    reception = await account("rita", extension="1201")
    sales_a = await account("sam", extension="1202")
    other = await account("olga", extension="1203")
    groups = await _groups(core, Reception=[reception.id], Sales=[sales_a.id])
    assert core.presence is not None
    await core.presence.set_presence(sales_a.id, {"availability": "busy"})

    async def sees(viewer: Any, target: Any) -> bool:
        """Whether the directory shows ``viewer`` the status of ``target`` (hidden: no availability)."""
        status, found = await call(api, "GET", f"/api/directory/entries?q={target.username}", viewer.headers)
        assert status == 200, found
        entry = next(e for e in found["entries"] if e["kind"] == "user")
        expected = "busy" if target is sales_a else "available"
        assert entry["availability"] in (None, expected), entry
        return entry["availability"] is not None

    assert await sees(other, sales_a)  # the new installation's grant: everyone sees everyone
    await _put(
        api,
        admin.headers,
        "see_status",
        [{"group_id": groups["Reception"], "scope": "group", "scope_id": groups["Sales"]}],
    )
    assert await sees(reception, sales_a)
    assert not await sees(other, sales_a)
    assert not await sees(reception, other)  # Olga is not in Sales
    assert await sees(other, other)  # one's own, always


async def test_prs_07_future_presence_is_seen_and_planned_by_the_groups_with_the_rights(
    core: Core, api: TestClient, account: Any
) -> None:
    admin = await account("root", admin=True)
    boss = await account("bo", extension="1210")
    assistant = await account("ada", extension="1211")
    groups = await _groups(core, Assistants=[assistant.id])
    status, meeting = await call(
        api,
        "POST",
        "/api/presence/activities",
        admin.headers,
        {"id": 5, "name": "Meeting", "show_as": "busy"},
    )
    assert status == 201, meeting
    plan = {
        "activity_id": 5,
        "start": "2030-01-06T09:00:00+01:00",
        "end": "2030-01-06T10:00:00+01:00",
    }
    path = f"/api/users/{boss.id}/presence/plans"
    status, _ = await call(api, "GET", path, assistant.headers)
    assert status == 403
    status, _ = await call(api, "POST", path, assistant.headers, plan)
    assert status == 403

    async def shown_rights() -> tuple[bool, bool]:
        status, found = await call(api, "GET", "/api/directory/entries?q=bo", assistant.headers)
        assert status == 200, found
        entry = next(e for e in found["entries"] if e.get("id") == boss.id and e["kind"] == "user")
        return entry["can_view_plans"], entry["can_plan"]

    assert await shown_rights() == (False, False)
    grant = [{"group_id": groups["Assistants"], "scope": "user", "scope_id": boss.id}]
    await _put(api, admin.headers, "view_future_presence", grant)
    status, plans = await call(api, "GET", path, assistant.headers)
    assert status == 200 and plans == []
    status, _ = await call(api, "POST", path, assistant.headers, plan)
    assert status == 403  # seeing is not planning
    await _put(api, admin.headers, "edit_future_presence", grant)
    status, created = await call(api, "POST", path, assistant.headers, plan)
    assert status == 201, created
    assert await shown_rights() == (True, True)
    status, plans = await call(api, "GET", path, assistant.headers)
    assert [p["id"] for p in plans] == [created["id"]]


async def test_dir_02_a_group_with_the_right_edits_the_company_directory(
    core: Core, api: TestClient, account: Any
) -> None:
    admin = await account("root", admin=True)
    editor = await account("eva", extension="1220")
    user = await account("uwe", extension="1221")
    groups = await _groups(core, Office=[editor.id])
    contact = {"company": "Harbour Taxi", "scope": "org", "numbers": [{"number": "+4570102030"}]}
    status, _ = await call(api, "POST", "/api/directory/contacts", editor.headers, contact)
    assert status == 403
    status, lists = await call(api, "GET", "/api/directory/lists", editor.headers)
    assert lists == [{"scope": "user", "scope_id": editor.id, "name": None}]
    await _put(api, admin.headers, "edit_directory", [{"group_id": groups["Office"], "scope": "org"}])
    status, lists = await call(api, "GET", "/api/directory/lists", editor.headers)
    assert [(x["scope"], x["scope_id"]) for x in lists] == [("user", editor.id), ("org", None)]
    status, created = await call(api, "POST", "/api/directory/contacts", editor.headers, contact)
    assert status == 201 and created["editable"] is True, created
    # A right over the organisation's list is not one over the groups' lists.
    status, error = await call(
        api,
        "POST",
        "/api/directory/contacts",
        editor.headers,
        {**contact, "scope": "group", "scope_id": groups["Office"]},
    )
    assert status == 403, error
    status, found = await call(api, "GET", "/api/directory/entries?q=taxi", user.headers)
    assert [(e["name"], e["editable"]) for e in found["entries"]] == [("Harbour Taxi", False)]
    status, _ = await call(api, "DELETE", f"/api/directory/contacts/{created['id']}", user.headers)
    assert status == 403
    status, _ = await call(api, "DELETE", f"/api/directory/contacts/{created['id']}", editor.headers)
    assert status == 204
