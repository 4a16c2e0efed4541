"""The number registry (core/numbers): ranges (NUM-01), available numbers (NUM-02), the default
local plan (NUM-03), aliases (NUM-05, NUM-08) and one owner per number (NUM-07), through the REST
API of a running Core with the built-in plugins loaded (conference rooms 1800-1809, the diagnostics
codes *43-*45)."""

from __future__ import annotations

import asyncio

from aiohttp.test_utils import TestClient
from api_calls import call

from cordboard.core.core import Core
from cordboard.core.numbers import storage


async def add_user(core: Core, username: str, _password: str, *, extension: str) -> int:
    user = await core.identity.create_user(
        username=username,
        first_name=username.title(),
        last_name="Tester",
        email=f"{username}@example.com",
        extension=extension,
    )
    return user.id


NEW_USER = {"first_name": "Carl", "last_name": "Clausen", "email": "carl@example.com"}


async def test_num_03_a_new_installation_gets_the_default_local_plan(
    core: Core, api: TestClient, admin_headers: dict[str, str]
) -> None:
    status, ranges = await call(api, "GET", "/api/numbers/ranges", admin_headers)
    assert status == 200
    assert [(r["first"], r["last"], r["purpose"]) for r in ranges] == [
        ("1000", "1499", "users"),
        ("1500", "1599", "groups"),
        ("1600", "1699", "ivr"),
        ("1700", "1799", "rules"),
        ("1800", "1999", "users"),
    ]
    assert all(r["kind"] == "local" and r["seeded"] for r in ranges)
    # The UI proposes the next free number of the matching block.
    assert (await call(api, "GET", "/api/numbers/next?for=ivr", admin_headers))[1] == {"number": "1600"}
    assert (await call(api, "GET", "/api/numbers/next?for=groups", admin_headers))[1] == {"number": "1500"}
    assert (await call(api, "GET", "/api/numbers/next", admin_headers))[1] == {"number": "1000"}


async def test_num_03_untouched_ranges_follow_the_wizards_extension_range(core: Core) -> None:
    await core.settings.set_many(
        "org", None, {"core.extension_range_start": "100", "core.extension_range_end": "199"}
    )
    for _ in range(100):
        ranges = await core.numbers.ranges()
        if [(r.first, r.last) for r in ranges] == [("100", "199")]:
            break
        await asyncio.sleep(0.02)
    assert [(r.first, r.last, r.purpose) for r in ranges] == [("100", "199", "users")]
    # Once an admin has edited the ranges they are theirs: the setting no longer moves them.
    await core.db.call(lambda db: storage.update_range(db, ranges[0].id, {"label": "Office"}))
    await core.settings.set_many(
        "org", None, {"core.extension_range_start": "200", "core.extension_range_end": "299"}
    )
    await asyncio.sleep(0.2)
    assert [(r.first, r.last, r.label) for r in await core.numbers.ranges()] == [("100", "199", "Office")]


async def test_num_01_a_users_number_must_lie_in_a_range(
    core: Core, api: TestClient, admin_headers: dict[str, str]
) -> None:
    body = {**NEW_USER, "username": "carl", "extension": "2001"}
    status, error = await call(api, "POST", "/api/users", admin_headers, body)
    assert status == 400
    assert "2001 is outside every number range" in error["fields"]["extension"]
    status, created = await call(
        api,
        "POST",
        "/api/numbers/ranges",
        admin_headers,
        {"kind": "local", "first": "2000", "last": "2099", "label": "Annex"},
    )
    assert status == 201 and created["in_use"] == 0 and not created["seeded"]
    status, carl = await call(api, "POST", "/api/users", admin_headers, body)
    assert status == 201, carl
    # A range with numbers in use cannot go, nor shrink away from them.
    status, error = await call(api, "DELETE", f"/api/numbers/ranges/{created['id']}", admin_headers)
    assert status == 409 and "2001 (Carl Clausen) would be outside every number range" in error["message"]
    status, error = await call(
        api, "PATCH", f"/api/numbers/ranges/{created['id']}", admin_headers, {"first": "2050"}
    )
    assert status == 409
    listed = (await call(api, "GET", "/api/numbers/ranges", admin_headers))[1]
    assert next(r for r in listed if r["id"] == created["id"])["in_use"] == 1


async def test_num_01_bad_ranges_are_refused_naming_the_field(
    api: TestClient, admin_headers: dict[str, str]
) -> None:
    cases = [
        ({"kind": "local", "first": "3000", "last": "399"}, "last", 400),
        ({"kind": "local", "first": "3099", "last": "3000"}, "last", 400),
        ({"kind": "public", "first": "4589401000", "last": "4589401099"}, "first", 400),
        ({"kind": "local", "first": "+4589401000", "last": "+4589401099"}, "first", 400),
        ({"kind": "local", "first": "12a4", "last": "1299"}, "first", 400),
        ({"kind": "local", "first": "3000", "last": "3999", "purpose": "pizza"}, "purpose", 400),
        ({"kind": "local", "first": "10000000", "last": "10999999"}, "last", 400),
    ]
    for body, field, status in cases:
        got, error = await call(api, "POST", "/api/numbers/ranges", admin_headers, body)
        assert (got, field in error.get("fields", {})) == (status, True), (body, error)
    got, error = await call(
        api, "POST", "/api/numbers/ranges", admin_headers, {"kind": "local", "first": "1990", "last": "2010"}
    )
    assert got == 409 and "overlaps the range 1800-1999" in error["message"]
    got, created = await call(
        api,
        "POST",
        "/api/numbers/ranges",
        admin_headers,
        {"kind": "public", "first": "+4589401000", "last": "+4589401099"},
    )
    assert got == 201 and created["size"] == 100


async def test_num_07_one_owner_per_number(
    core: Core, api: TestClient, admin_headers: dict[str, str]
) -> None:
    """The conference plugin's rooms and the diagnostics codes are owned; a user cannot take them,
    and a plugin's claim on a user's number is dropped and reported."""
    _status, listed = await call(api, "GET", "/api/numbers", admin_headers)
    owners = {n["number"]: n for n in listed["numbers"]}
    assert (
        owners["1800"]["kind"] == "plugin"
        and owners["1800"]["owner"] == "the conference plugin (Conference room)"
    )
    assert owners["*43"]["owner"] == "the diagnostics plugin (Echo test)"
    assert listed["conflicts"] == []

    status, error = await call(
        api, "POST", "/api/users", admin_headers, {**NEW_USER, "username": "carl", "extension": "1800"}
    )
    assert (
        status == 409
        and error["message"] == "1800 already belongs to the conference plugin (Conference room)"
    )

    await add_user(core, "dora", "dora-password-1", extension="1900")
    await core.plugins.set_config("conference", {"first_number": "1895", "rooms": 10})
    for _ in range(100):
        if core.numbers.conflicts:
            break
        await asyncio.sleep(0.02)
    assert core.numbers.conflicts == [{"number": "1900", "plugin": "conference", "owner": "Dora Tester"}]
    assert core.numbers.plugin_of("1899") == "conference" and core.numbers.plugin_of("1900") is None


async def test_num_02_available_numbers_leave_out_the_owned_ones(
    core: Core, api: TestClient, admin_headers: dict[str, str]
) -> None:
    await add_user(core, "anna", "anna-password-1", extension="1000")
    await add_user(core, "bert", "bert-password-1", extension="1002")
    ranges = (await call(api, "GET", "/api/numbers/ranges", admin_headers))[1]
    first = ranges[0]["id"]
    status, body = await call(api, "GET", f"/api/numbers/available?range_id={first}&limit=3", admin_headers)
    assert status == 200 and body == {"numbers": ["1001", "1003", "1004"]}
    status, body = await call(api, "GET", "/api/numbers/available?purpose=users&limit=2000", admin_headers)
    assert status == 200 and len(body["numbers"]) == 500  # at most 500 at once
    status, body = await call(
        api, "GET", f"/api/numbers/available?range_id={ranges[4]['id']}&limit=12", admin_headers
    )
    assert body["numbers"][:2] == ["1810", "1811"], "1800-1809 are the conference rooms"
    status, error = await call(api, "GET", "/api/numbers/available?purpose=pizza", admin_headers)
    assert status == 400 and "purpose" in error["fields"]


async def test_num_05_num_08_aliases(core: Core, api: TestClient, admin_headers: dict[str, str]) -> None:
    anna = await add_user(core, "anna", "anna-password-1", extension="1001")
    status, _ = await call(
        api, "POST", "/api/numbers/aliases", admin_headers, {"number": "1555", "user_id": anna}
    )
    assert status == 201
    assert core.numbers.resolve("1555") == "1001" and core.numbers.resolve("1556") == "1556"
    status, error = await call(
        api, "POST", "/api/numbers/aliases", admin_headers, {"number": "1001", "user_id": anna}
    )
    assert status == 409 and "already belongs to Anna Tester" in error["message"]
    status, error = await call(
        api, "POST", "/api/users", admin_headers, {**NEW_USER, "username": "carl", "extension": "1555"}
    )
    assert status == 409 and error["message"] == "1555 already belongs to Anna Tester (alias)"
    status, error = await call(
        api, "POST", "/api/numbers/aliases", admin_headers, {"number": "3555", "user_id": anna}
    )
    assert status == 400 and "number" in error["fields"]
    assert (await call(api, "DELETE", "/api/numbers/aliases/1555", admin_headers))[0] == 204
    assert core.numbers.resolve("1555") == "1555"
    assert (await call(api, "DELETE", "/api/numbers/aliases/1555", admin_headers))[0] == 404


async def test_the_number_plan_is_the_admins(
    core: Core, api: TestClient, user_headers: dict[str, str]
) -> None:
    for method, path in (
        ("GET", "/api/numbers/ranges"),
        ("POST", "/api/numbers/ranges"),
        ("GET", "/api/numbers"),
        ("GET", "/api/numbers/available"),
        ("POST", "/api/numbers/aliases"),
    ):
        status, _ = await call(api, method, path, user_headers, {})
        assert status == 403, (method, path)
