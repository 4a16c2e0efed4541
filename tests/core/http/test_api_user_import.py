"""CSV export and import of users over REST (ADM-03): preview, all-or-nothing apply, round trip, roles."""

from __future__ import annotations

import csv
import io

from aiohttp.test_utils import TestClient

from cordboard.core.bus import Event
from cordboard.core.core import Core
from cordboard.core.identity.service import EVENT_USER_CREATED, EVENT_USER_UPDATED
from cordboard.core.identity.user_import import IMPORT_COLUMNS

HEADER = ",".join(IMPORT_COLUMNS)


async def _users(api: TestClient, headers: dict[str, str]) -> dict[str, dict]:
    resp = await api.get("/api/users", headers=headers)
    assert resp.status == 200
    return {u["username"]: u for u in await resp.json()}


async def test_export_has_import_columns_and_no_secrets(
    api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    resp = await api.get("/api/users/export.csv", headers=admin_headers)
    assert resp.status == 200
    assert resp.content_type == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(await resp.text())))
    assert tuple(rows[0]) == IMPORT_COLUMNS
    by_name = {row["username"]: row for row in rows}
    assert by_name["anna"]["extension"] == "1001"
    assert by_name["anna"]["email"] == "anna@example.com"
    assert all(row["sip_password"] == "" for row in rows)


async def test_dry_run_lists_changes_and_changes_nothing(
    api: TestClient, admin_headers: dict[str, str]
) -> None:
    rows = ["bob,1201,Bob,Builder,bob@example.com,", "carl,1202,Carl,C,carl@example.com,sip-secret-123456"]
    text = "\n".join([HEADER, *rows]) + "\n"
    resp = await api.post("/api/users/import", headers=admin_headers, json={"csv": text, "dry_run": True})
    assert resp.status == 200, await resp.text()
    body = await resp.json()
    assert body["applied"] is False and body["errors"] == []
    assert [(c["line"], c["username"], c["action"]) for c in body["changes"]] == [
        (2, "bob", "create"),
        (3, "carl", "create"),
    ]
    assert body["changes"][1]["sets_sip_password"] is True
    assert "bob" not in await _users(api, admin_headers)


async def test_apply_creates_and_updates_and_fires_events(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    seen: list[Event] = []
    core.bus.listen(EVENT_USER_CREATED, seen.append)
    core.bus.listen(EVENT_USER_UPDATED, seen.append)
    text = f"{HEADER}\nbob,1201,Bob,Builder,bob@example.com,\nanna,1001,Anna,Renamed,anna@example.com,\n"
    preview = await (
        await api.post("/api/users/import", headers=admin_headers, json={"csv": text, "dry_run": True})
    ).json()
    assert preview["changes"][1]["changes"] == {"last_name": ["Tester", "Renamed"]}
    resp = await api.post("/api/users/import", headers=admin_headers, json={"csv": text, "dry_run": False})
    assert resp.status == 200, await resp.text()
    assert (await resp.json())["applied"] is True
    users = await _users(api, admin_headers)
    assert users["bob"]["extension"] == "1201"
    assert users["anna"]["last_name"] == "Renamed"
    assert {e.event_type for e in seen} == {"user.created", "user.updated"}


async def test_export_then_import_changes_nothing(
    api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    exported = await (await api.get("/api/users/export.csv", headers=admin_headers)).text()
    body = await (
        await api.post("/api/users/import", headers=admin_headers, json={"csv": exported, "dry_run": False})
    ).json()
    assert body["errors"] == []
    assert {c["action"] for c in body["changes"]} == {"unchanged"}


async def test_errors_listed_in_preview_and_refuse_a_real_run(
    api: TestClient, admin_headers: dict[str, str], check_error
) -> None:
    text = f"{HEADER}\nbob,1201,Bob,Builder,bob@example.com,\neve,1201,Eve,E,not-an-address,\n"
    resp = await api.post("/api/users/import", headers=admin_headers, json={"csv": text})
    assert resp.status == 200
    body = await resp.json()
    assert [e["line"] for e in body["errors"]] == [3]
    resp = await api.post("/api/users/import", headers=admin_headers, json={"csv": text, "dry_run": False})
    error = await check_error(resp, 400)
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"line 3"}
    assert "bob" not in await _users(api, admin_headers)
    bad_header = await (
        await api.post("/api/users/import", headers=admin_headers, json={"csv": "name,mail\nx,y\n"})
    ).json()
    assert bad_header["errors"][0]["line"] == 1 and "missing column" in bad_header["errors"][0]["message"]


async def test_import_and_export_are_admin_only(
    api: TestClient, user_headers: dict[str, str], check_error
) -> None:
    resp = await api.get("/api/users/export.csv", headers=user_headers)
    assert (await check_error(resp, 403))["code"] == "forbidden"
    resp = await api.post("/api/users/import", headers=user_headers, json={"csv": HEADER})
    await check_error(resp, 403)
    resp = await api.get("/api/users/export.csv")
    await check_error(resp, 401)


async def test_import_body_is_validated(api: TestClient, admin_headers: dict[str, str], check_error) -> None:
    resp = await api.post("/api/users/import", headers=admin_headers, json={"csv": 5, "dry_run": "yes"})
    error = await check_error(resp, 400)
    assert set(error["fields"]) == {"csv", "dry_run"}
