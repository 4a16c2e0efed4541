"""The directory's REST API: own contacts, the company lists, who may change what, search and CSV
import (DIR-01..09, DIR-15, SET-05, CAPU-08, CAPU-09)."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from api_calls import call

from cordboard.core.core import Core

PASSWORD = "user-password-2"

ACME = {
    "first_name": "Anna",
    "last_name": "Berg",
    "company": "Acme Shipping",
    "city": "Aarhus",
    "numbers": [{"type": "work", "number": "+45 33 12 34 56"}, {"type": "mobile", "number": "20 30 40 50"}],
}


async def _user(core: Core, api: TestClient, username: str, extension: str, **extra: str) -> dict[str, str]:
    """A new user, logged in: their request headers."""
    await core.identity.create_user(
        username=username, first_name=username.title(), last_name="Tester", email=f"{username}@example.com",
        password=PASSWORD, extension=extension, **extra,
    )  # fmt: skip
    status, session = await call(
        api, "POST", "/api/auth/login", {}, {"username": username, "password": PASSWORD}
    )
    assert status == 200, session
    api.session.cookie_jar.clear()  # each request says who it is
    return {"Authorization": f"Bearer {session['token']}"}


async def _names(api: TestClient, headers: dict[str, str], query: str = "", book: str = "all") -> list[str]:
    status, found = await call(api, "GET", f"/api/directory/entries?q={query}&book={book}", headers)
    assert status == 200, found
    return [entry["name"] for entry in found["entries"]]


async def test_dir_04_a_user_keeps_private_contacts_nobody_else_sees(
    core: Core, api: TestClient, user_headers: dict[str, str]
) -> None:
    status, created = await call(api, "POST", "/api/directory/contacts", user_headers, ACME)
    assert status == 201, created
    assert (created["name"], created["scope"], created["editable"]) == ("Anna Berg", "user", True)
    status, own = await call(api, "GET", "/api/directory/contacts", user_headers)
    assert status == 200 and [c["id"] for c in own] == [created["id"]]

    bent = await _user(core, api, "bent", "1002")
    assert "Anna Berg" not in await _names(api, bent)
    status, _ = await call(
        api, "GET", f"/api/directory/contacts?scope=user&scope_id={created['scope_id']}", bent
    )
    assert status == 403
    for method in ("PUT", "DELETE"):
        status, _ = await call(api, method, f"/api/directory/contacts/{created['id']}", bent, ACME)
        assert status == 404, method  # another user's contact does not exist for bent

    changed = {**ACME, "type": "favourite", "company": "Acme Logistics"}
    status, updated = await call(
        api, "PUT", f"/api/directory/contacts/{created['id']}", user_headers, changed
    )
    assert status == 200 and (updated["company"], updated["type"]) == ("Acme Logistics", "favourite")
    status, _ = await call(api, "DELETE", f"/api/directory/contacts/{created['id']}", user_headers)
    assert status == 204
    status, own = await call(api, "GET", "/api/directory/contacts", user_headers)
    assert own == []


async def test_dir_08_dir_16_bad_contacts_are_refused_by_field_and_nothing_is_saved(
    api: TestClient, user_headers: dict[str, str]
) -> None:
    bad = {"first_name": "", "email": "nope", "numbers": [{"type": "pager", "number": "12ab"}]}
    status, error = await call(api, "POST", "/api/directory/contacts", user_headers, bad)
    assert status == 400, error
    assert {"email", "numbers.0.number", "numbers.0.type"} <= set(error["fields"])
    status, error = await call(api, "POST", "/api/directory/contacts", user_headers, {"last_name": "X"})
    assert status == 400 and "numbers" in error["fields"]
    status, error = await call(
        api, "POST", "/api/directory/contacts", user_headers, {**ACME, "mandatory": True}
    )
    assert status == 400 and "mandatory" in error["fields"]
    status, error = await call(api, "POST", "/api/directory/contacts", user_headers, {**ACME, "scope": "org"})
    assert status == 403, error
    status, own = await call(api, "GET", "/api/directory/contacts", user_headers)
    assert own == []

    status, taxi = await call(
        api, "POST", "/api/directory/contacts", user_headers, {**ACME, "speed_dial": "77"}
    )
    assert status == 201, taxi
    other = {"company": "Beta", "speed_dial": "77", "numbers": [{"number": "+4544556677"}]}
    status, error = await call(api, "POST", "/api/directory/contacts", user_headers, other)
    assert status == 400 and "Anna Berg" in error["fields"]["speed_dial"], error
    status, _ = await call(
        api, "PUT", f"/api/directory/contacts/{taxi['id']}", user_headers, {**ACME, "speed_dial": "77"}
    )
    assert status == 200  # its own speed dial is no clash


async def test_dir_06_set_05_company_lists_add_up_and_mandatory_contacts_stay(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    """The user sees the organisation's contacts, their group's (not other groups'), and their own;
    the admin's contacts are not theirs to change."""
    assert core.identity is not None
    anna = await core.identity.get_user_by_username("anna")
    sales = await core.identity.create_group("Sales")
    support = await core.identity.create_group("Support")
    await core.identity.set_group_members(sales.id, [anna.id])
    org_contact = {"company": "Harbour Taxi", "mandatory": True, "numbers": [{"number": "+45 70 10 20 30"}]}
    status, taxi = await call(
        api, "POST", "/api/directory/contacts", admin_headers, {**org_contact, "scope": "org"}
    )
    assert status == 201 and taxi["mandatory"] is True, taxi
    for group, company in ((sales, "Sales Lead Ltd"), (support, "Support Partner A/S")):
        body = {
            "company": company,
            "scope": "group",
            "scope_id": group.id,
            "numbers": [{"number": "+4540000001"}],
        }
        status, created = await call(api, "POST", "/api/directory/contacts", admin_headers, body)
        assert status == 201, created
    await call(api, "POST", "/api/directory/contacts", user_headers, ACME)

    assert await _names(api, user_headers, book="company") == [
        "Anna Tester",
        "Harbour Taxi",
        "Sales Lead Ltd",
    ]
    assert await _names(api, user_headers, book="own") == ["Anna Berg"]
    everything = await _names(api, user_headers)
    assert "Support Partner A/S" not in everything and "Anna Berg" in everything

    status, entries = await call(api, "GET", "/api/directory/entries?q=taxi", user_headers)
    assert [(e["kind"], e["editable"]) for e in entries["entries"]] == [("contact", False)]
    for method in ("PUT", "DELETE"):
        status, error = await call(
            api, method, f"/api/directory/contacts/{taxi['id']}", user_headers, org_contact
        )
        assert status == 403, (method, error)
    status, org = await call(api, "GET", "/api/directory/contacts?scope=org", user_headers)
    assert status == 403
    status, org = await call(api, "GET", "/api/directory/contacts?scope=org", admin_headers)
    assert [c["company"] for c in org] == ["Harbour Taxi"]


async def test_dir_01_dir_03_search_covers_every_field_and_colleagues_show_availability(
    core: Core, api: TestClient, user_headers: dict[str, str]
) -> None:
    await _user(core, api, "pia", "1005", mobile="+4520202020")
    assert core.presence is not None
    pia = await core.identity.get_user_by_username("pia")
    await core.presence.set_presence(pia.id, {"availability": "busy"})
    await call(api, "POST", "/api/directory/contacts", user_headers, ACME)

    status, found = await call(api, "GET", "/api/directory/entries?q=pia", user_headers)
    colleague = found["entries"][0]
    assert (colleague["kind"], colleague["extension"], colleague["availability"]) == ("user", "1005", "busy")
    assert {"type": "mobile", "number": "+4520202020", "short": ""} in colleague["numbers"]
    assert await _names(api, user_headers, "aarhus") == ["Anna Berg"]  # the city
    assert await _names(api, user_headers, "ACME berg") == ["Anna Berg"]  # every word must match
    assert await _names(api, user_headers, "33123456") == ["Anna Berg"]  # digits, whatever the spacing
    assert await _names(api, user_headers, "+4533 123456") == ["Anna Berg"]
    assert await _names(api, user_headers, "acme zebra") == []
    status, error = await call(api, "GET", "/api/directory/entries?book=everyone", user_headers)
    assert status == 400 and "book" in error["fields"]


async def test_dir_09_csv_import_previews_then_saves_the_good_rows(
    api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    text = (
        "Name,Company,Phone,Mobile\n"
        "Jens Jensen,Bager ApS,33 11 22 33,\n"
        "No Number,Nowhere,,\n"
        "Lis Lund,,,20 11 22 33\n"
    )
    body: dict[str, Any] = {"filename": "contacts.csv", "text": text}
    status, seen = await call(api, "POST", "/api/directory/contacts/import", user_headers, body)
    assert status == 200, seen
    assert seen["columns"] == ["full_name", "company", "number:work", "number:mobile"]
    assert [r["error"] is None for r in seen["rows"]] == [True, False, True]
    assert seen["created"] == 0
    status, own = await call(api, "GET", "/api/directory/contacts", user_headers)
    assert own == []  # a preview saves nothing

    columns = ["full_name", "department", "number:work", "number:mobile"]
    status, done = await call(
        api,
        "POST",
        "/api/directory/contacts/import",
        user_headers,
        {**body, "columns": columns, "apply": True},
    )
    assert status == 200 and done["created"] == 2, done
    status, own = await call(api, "GET", "/api/directory/contacts", user_headers)
    assert sorted((c["name"], c["department"]) for c in own) == [
        ("Jens Jensen", "Bager ApS"),
        ("Lis Lund", ""),
    ]

    status, error = await call(
        api, "POST", "/api/directory/contacts/import", user_headers, {**body, "filename": "contacts.pdf"}
    )
    assert status == 400 and ".pdf" in error["fields"]["filename"]
    status, error = await call(
        api, "POST", "/api/directory/contacts/import", user_headers, {**body, "scope": "org", "apply": True}
    )
    assert status == 403
    status, done = await call(
        api, "POST", "/api/directory/contacts/import", admin_headers, {**body, "scope": "org", "apply": True}
    )
    assert status == 200 and done["created"] == 2
    assert "Jens Jensen" in await _names(api, user_headers, book="company")


async def test_a_deleted_users_contacts_go_and_a_disabled_plugin_answers_404(
    core: Core, api: TestClient, admin_headers: dict[str, str]
) -> None:
    tim = await _user(core, api, "tim", "1007")
    user_id = (await core.identity.get_user_by_username("tim")).id
    await call(api, "POST", "/api/directory/contacts", tim, ACME)
    status, _ = await call(api, "DELETE", f"/api/users/{user_id}", admin_headers)
    assert status == 204
    status, left = await call(api, "GET", "/api/directory/contacts?scope=org", admin_headers)
    assert left == []
    rows = await core.db.call(lambda db: db.execute("SELECT COUNT(*) FROM directory_contacts").fetchone()[0])
    assert rows == 0

    status, _ = await call(api, "POST", "/api/plugins/directory/disable", admin_headers)
    assert status == 200
    status, _ = await call(api, "GET", "/api/directory/entries", admin_headers)
    assert status == 404
