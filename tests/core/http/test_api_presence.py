"""REST for presence: own and others' presence with role checks, DND clearing, activities, roles,
shortcuts, and bad input named by field (PRS-01..05, PRS-10, CAPA-08)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from cordboard.core.core import Core

Account = Any  # tests/core/http/conftest.py Account: id, username, headers, token


async def error_of(resp: Any, status: int) -> dict[str, Any]:
    """Assert the status and the one error shape; return the error object."""
    assert resp.status == status, await resp.text()
    body = await resp.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    return body["error"]  # type: ignore[no-any-return]


@pytest.fixture
async def people(account: Any) -> tuple[Account, Account, Account]:
    admin = await account("root", admin=True)
    anna = await account("anna", extension="1001")
    bo = await account("bo", extension="1002")
    return admin, anna, bo


async def ok(resp: Any, status: int = 200) -> Any:
    assert resp.status == status, await resp.text()
    return await resp.json() if status != 204 else None


async def setup_catalogue(api: TestClient, admin: Account) -> dict[str, Any]:
    lunch = await ok(
        await api.post(
            "/api/presence/activities",
            json={"id": 12, "name": "Lunch", "show_as": "busy", "labels": {"da": "Frokost", "en": "Lunch"}},
            headers=admin.headers,
        ),
        201,
    )
    office = await ok(
        await api.post(
            "/api/presence/activities", json={"name": "Office", "show_as": "available"}, headers=admin.headers
        ),
        201,
    )
    work = await ok(
        await api.post(
            "/api/presence/roles", json={"name": "Work", "labels": {"de": "Arbeit"}}, headers=admin.headers
        ),
        201,
    )
    return {"lunch": lunch, "office": office, "work": work}


async def test_prs_01_02_user_sets_own_presence(api: TestClient, people: tuple[Account, ...]) -> None:
    admin, anna, _ = people
    catalogue = await setup_catalogue(api, admin)
    assert catalogue["office"]["id"] == 13  # the next free number
    me = await ok(await api.get("/api/me/presence", headers=anna.headers))
    assert (me["availability"], me["activity_id"], me["dnd"], me["call_state"]) == (
        "available",
        None,
        False,
        "idle",
    )
    me = await ok(
        await api.put("/api/me/presence", json={"activity_id": 12, "role_id": 1}, headers=anna.headers)
    )
    assert me["availability"] == "busy" and me["activity"]["labels"]["da"] == "Frokost"
    assert me["role"]["name"] == "Work" and me["extension"] == "1001"
    me = await ok(await api.put("/api/me/presence", json={"availability": "available"}, headers=anna.headers))
    assert me["availability"] == "available" and me["activity_id"] == 12
    # Every user may read the catalogue, only the admin may change it.
    assert len(await ok(await api.get("/api/presence/activities", headers=anna.headers))) == 2
    resp = await api.post(
        "/api/presence/activities", json={"name": "X", "show_as": "busy"}, headers=anna.headers
    )
    await error_of(resp, 403)


async def test_prs_user_cannot_change_another_users_presence(
    api: TestClient, people: tuple[Account, ...]
) -> None:
    admin, anna, bo = people
    resp = await api.put(f"/api/users/{bo.id}/presence", json={"dnd": True}, headers=anna.headers)
    await error_of(resp, 403)
    await error_of(await api.get(f"/api/users/{bo.id}/presence", headers=anna.headers), 403)
    await error_of(await api.delete(f"/api/users/{bo.id}/presence/dnd", headers=anna.headers), 403)
    await error_of(await api.get("/api/presence", headers=anna.headers), 403)
    # Their own through the same route is fine; an admin may change anyone's.
    mine = await ok(await api.put(f"/api/users/{anna.id}/presence", json={"dnd": True}, headers=anna.headers))
    assert mine["dnd"] is True
    theirs = await ok(
        await api.put(f"/api/users/{bo.id}/presence", json={"availability": "busy"}, headers=admin.headers)
    )
    assert theirs["availability"] == "busy"
    await error_of(await api.get("/api/users/999/presence", headers=admin.headers), 404)


async def test_prs_10_capa_08_admin_clears_dnd(
    api: TestClient, core: Core, people: tuple[Account, ...]
) -> None:
    admin, anna, _ = people
    await ok(await api.put("/api/me/presence", json={"dnd": True}, headers=anna.headers))
    listing = await ok(await api.get("/api/presence", headers=admin.headers))
    assert [(p["username"], p["dnd"]) for p in listing] == [("anna", True), ("bo", False), ("root", False)]
    cleared = await ok(await api.delete(f"/api/users/{anna.id}/presence/dnd", headers=admin.headers))
    assert cleared["dnd"] is False
    state = core.states.get("extension.1001")
    assert state is not None and state.attributes["dnd"] is False


async def test_bad_presence_input_is_400_naming_the_field(
    api: TestClient, people: tuple[Account, ...]
) -> None:
    admin, anna, _ = people
    cases: list[tuple[dict[str, Any], str]] = [
        ({"until": time.time() - 60}, "until"),
        ({"until": "2020-01-01T10:00:00Z"}, "until"),
        ({"until": "tomorrow"}, "until"),
        ({"activity_id": 77}, "activity_id"),
        ({"activity_id": 0}, "activity_id"),
        ({"role_id": 5}, "role_id"),
        ({"diversion": "12ab"}, "diversion"),
        ({"diversion": "1001"}, "diversion"),  # her own extension
        ({"availability": "away"}, "availability"),
        ({"colour": "red"}, "colour"),
    ]
    for body, field in cases:
        error = await error_of(await api.put("/api/me/presence", json=body, headers=anna.headers), 400)
        assert field in error["fields"], (body, error)
    error = await error_of(
        await api.post(
            "/api/presence/shortcuts",
            json={"name": "X", "activity_id": 5, "diversion": "x"},
            headers=admin.headers,
        ),
        400,
    )
    assert "diversion" in error["fields"]
    error = await error_of(
        await api.post(
            "/api/presence/shortcuts", json={"name": "X", "activity_id": 5}, headers=admin.headers
        ),
        400,
    )
    assert "activity_id" in error["fields"]
    error = await error_of(
        await api.post(
            "/api/presence/activities", json={"name": "Y", "show_as": "maybe"}, headers=admin.headers
        ),
        400,
    )
    assert "show_as" in error["fields"]


async def test_prs_04_05_shortcuts_admin_and_user(
    api: TestClient, core: Core, people: tuple[Account, ...]
) -> None:
    """The admin's shortcuts show for every user; a user's own only for them; applying one with a
    duration sets activity, availability and diversion, which come back when it ends."""
    admin, anna, bo = people
    await setup_catalogue(api, admin)
    await ok(await api.put("/api/me/presence", json={"activity_id": 13}, headers=anna.headers))
    shared = await ok(
        await api.post(
            "/api/presence/shortcuts",
            json={
                "name": "Lunch",
                "activity_id": 12,
                "duration_minutes": 30,
                "icon": "🍽",
                "diversion": "1002",
            },
            headers=admin.headers,
        ),
        201,
    )
    own = await ok(
        await api.post(
            "/api/me/presence/shortcuts",
            json={"name": "Gym", "availability": "busy", "duration_minutes": 90},
            headers=anna.headers,
        ),
        201,
    )
    assert own["scope"] == "user" and shared["scope"] == "org"
    mine = await ok(await api.get("/api/me/presence/shortcuts", headers=anna.headers))
    assert [s["name"] for s in mine] == ["Lunch", "Gym"]
    theirs = await ok(await api.get("/api/me/presence/shortcuts", headers=bo.headers))
    assert [s["name"] for s in theirs] == ["Lunch"]
    # An admin sees the ones that may be applied for anna (CAPA-08); bo may not look.
    for_anna = await ok(await api.get(f"/api/users/{anna.id}/presence/shortcuts", headers=admin.headers))
    assert [s["name"] for s in for_anna] == ["Lunch", "Gym"]
    await error_of(await api.get(f"/api/users/{anna.id}/presence/shortcuts", headers=bo.headers), 403)
    await error_of(await api.post(f"/api/me/presence/shortcuts/{own['id']}/apply", headers=bo.headers), 404)
    await error_of(await api.delete(f"/api/me/presence/shortcuts/{own['id']}", headers=bo.headers), 404)
    await error_of(await api.delete(f"/api/presence/shortcuts/{shared['id']}", headers=anna.headers), 403)

    before = time.time()
    applied = await ok(
        await api.post(f"/api/me/presence/shortcuts/{shared['id']}/apply", headers=anna.headers)
    )
    assert (applied["activity_id"], applied["availability"], applied["diversion"]) == (12, "busy", "1002")
    assert before + 1800 <= applied["until"] <= time.time() + 1800
    # The end comes (a fake clock): the activity before the shortcut is back.
    service = core.presence
    assert service is not None
    service.clock = lambda: applied["until"] + 1
    await service.run_due()
    back = await ok(await api.get("/api/me/presence", headers=anna.headers))
    assert (back["activity_id"], back["availability"], back["diversion"], back["until"]) == (
        13,
        "available",
        None,
        None,
    )

    renamed = await ok(
        await api.put(
            f"/api/me/presence/shortcuts/{own['id']}",
            json={"name": "Gym and sauna", "availability": "busy"},
            headers=anna.headers,
        )
    )
    assert renamed["name"] == "Gym and sauna" and renamed["duration_minutes"] is None
    # The admin applies anna's own shortcut for her (CAPA-08).
    applied_for_anna = await ok(
        await api.post(f"/api/users/{anna.id}/presence/shortcuts/{own['id']}/apply", headers=admin.headers)
    )
    assert (applied_for_anna["shortcut_id"], applied_for_anna["availability"]) == (own["id"], "busy")
    await ok(await api.delete(f"/api/me/presence/shortcuts/{own['id']}", headers=anna.headers), 204)
    # An activity used by a shortcut is not deleted.
    await error_of(await api.delete("/api/presence/activities/12", headers=admin.headers), 409)
    await ok(await api.delete(f"/api/presence/shortcuts/{shared['id']}", headers=admin.headers), 204)
    await ok(await api.delete("/api/presence/activities/12", headers=admin.headers), 204)


async def test_prs_05_until_through_the_api_ends_by_itself(
    api: TestClient, people: tuple[Account, ...]
) -> None:
    _, anna, _ = people
    body = {"availability": "busy", "diversion": "+4533123456", "until": time.time() + 0.4}
    me = await ok(await api.put("/api/me/presence", json=body, headers=anna.headers))
    assert me["availability"] == "busy"
    for _ in range(60):
        await asyncio.sleep(0.05)
        me = await ok(await api.get("/api/me/presence", headers=anna.headers))
        if me["until"] is None:
            break
    assert (me["availability"], me["diversion"], me["until"]) == ("available", None, None)


async def test_roles_and_activities_crud(api: TestClient, people: tuple[Account, ...]) -> None:
    admin, anna, _ = people
    await setup_catalogue(api, admin)
    await error_of(
        await api.post("/api/presence/roles", json={"id": 1, "name": "Private"}, headers=admin.headers), 409
    )
    await error_of(
        await api.post(
            "/api/presence/activities", json={"name": "lunch", "show_as": "busy"}, headers=admin.headers
        ),
        409,
    )
    role = await ok(
        await api.put(
            "/api/presence/roles/1", json={"name": "Work hours", "labels": {}}, headers=admin.headers
        )
    )
    assert role == {"id": 1, "name": "Work hours", "labels": {}}
    await ok(await api.put("/api/me/presence", json={"role_id": 1}, headers=anna.headers))
    await ok(await api.delete("/api/presence/roles/1", headers=admin.headers), 204)
    me = await ok(await api.get("/api/me/presence", headers=anna.headers))
    assert me["role_id"] is None and me["role"] is None
    await error_of(await api.put("/api/presence/roles/1", json={"name": "Again"}, headers=admin.headers), 404)


async def test_prs_06_future_presence_through_the_api(api: TestClient, people: tuple[Account, ...]) -> None:
    """A user plans an activity; another user may neither see nor add plans for them (403); an
    admin may; a plan whose start has come is applied at once and ends by itself."""
    admin, anna, bo = people
    await setup_catalogue(api, admin)
    start, end = time.time() + 3600, time.time() + 7200
    plan = await ok(
        await api.post(
            "/api/me/presence/plans",
            json={"activity_id": 12, "start": start, "end": end},
            headers=anna.headers,
        ),
        201,
    )
    assert plan["user_id"] == anna.id and plan["created_by"] == anna.id
    await error_of(await api.get(f"/api/users/{anna.id}/presence/plans", headers=bo.headers), 403)
    body = {"activity_id": 12, "start": start, "end": end}
    await error_of(await api.post(f"/api/users/{anna.id}/presence/plans", json=body, headers=bo.headers), 403)
    by_admin = await ok(
        await api.post(f"/api/users/{anna.id}/presence/plans", json=body, headers=admin.headers), 201
    )
    assert by_admin["created_by"] == admin.id
    listed = await ok(await api.get(f"/api/users/{anna.id}/presence/plans", headers=admin.headers))
    assert [p["id"] for p in listed] == [plan["id"], by_admin["id"]]
    await error_of(await api.delete(f"/api/me/presence/plans/{plan['id']}", headers=bo.headers), 404)
    await ok(await api.delete(f"/api/me/presence/plans/{plan['id']}", headers=anna.headers), 204)

    bad = {"activity_id": 12, "start": "2030-01-01T10:00:00Z", "end": "2030-01-01T09:00:00Z"}
    error = await error_of(await api.post("/api/me/presence/plans", json=bad, headers=anna.headers), 400)
    assert "end" in error["fields"]
    error = await error_of(
        await api.post("/api/me/presence/plans", json={"activity_id": 12}, headers=anna.headers), 400
    )
    assert set(error["fields"]) == {"start", "end"}

    now_plan = {"activity_id": 12, "start": time.time() - 5, "end": time.time() + 0.5}
    await ok(await api.post("/api/me/presence/plans", json=now_plan, headers=anna.headers), 201)
    me = await ok(await api.get("/api/me/presence", headers=anna.headers))
    assert me["activity_id"] == 12 and me["availability"] == "busy"
    for _ in range(60):
        await asyncio.sleep(0.05)
        me = await ok(await api.get("/api/me/presence", headers=anna.headers))
        if me["activity_id"] is None:
            break
    assert (me["activity_id"], me["availability"], me["until"]) == (None, "available", None)
