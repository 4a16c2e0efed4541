"""The IVR menus' REST API (IVR-01..04, IVR-08): administrators create, list, change and delete
menus; a number someone else has or outside the IVR ranges, an unknown key, a prompt that does not
exist and a destination nothing reaches are refused by field and nothing is saved; users get 403."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from api_calls import add_blocking_group, call, login
from trunk_helpers import api_with_trunk

from cordboard.core.core import Core
from cordboard.plugins.ivr.const import IVR_MENUS_KEY

MENUS = "/api/ivr/menus"
PASSWORD = "user-password-3"


async def _user(core: Core, username: str, extension: str) -> int:
    user = await core.identity.create_user(
        username=username, first_name=username.title(), last_name="Tester", email=f"{username}@example.com",
        password=PASSWORD, extension=extension,
    )  # fmt: skip
    return user.id


async def test_ivr_01_02_03_admin_creates_lists_changes_and_deletes_a_menu(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    await _user(core, "bent", "1002")
    body = {
        "name": " Main ",
        "number": "1600",
        "options": {"2": {"kind": "number", "target": "1002"}, "9": {"kind": "voicemail", "target": "1002"}},
    }
    status, created = await call(api, "POST", MENUS, admin_headers, body)
    assert status == 201, created
    assert created == {
        "id": created["id"],
        "name": "Main",
        "number": "1600",
        "language": None,
        "welcome_prompt": "please_hold",
        "options": {"2": {"kind": "number", "target": "1002"}, "9": {"kind": "voicemail", "target": "1002"}},
        "direct_dial": False,
        "timeout_s": 5,
        "retries": 2,
        "invalid_prompt": "invalid_option",
        "timeout_destination": None,
        "exclude_from_search": False,  # NUM-11
        "display_text": "",  # the menu's name is shown
        "keep_derived_metadata": False,  # IVR-05
        "blocking_groups": [],  # BAR-04
        "admin_groups": [],  # ROLE-04, IVR-06
        "schedule_id": None,  # SCH-07: always open
    }
    owner = await core.numbers.owner_of("1600")  # NUM-07: the registry knows whose it is
    assert owner is not None and (owner.kind, owner.id, owner.label) == ("plugin", "ivr", "IVR Main")
    status, listed = await call(api, "GET", MENUS, admin_headers)
    assert status == 200 and [m["number"] for m in listed] == ["1600"]

    change = {
        **created,
        "name": "Reception",
        "number": "1601",
        "language": "de",
        "welcome_prompt": "goodbye",
        "options": {
            "0": {"kind": "number", "target": "1001"},
            "#": {"kind": "hangup"},
            "*": {"kind": "repeat"},
        },
        "direct_dial": True,
        "timeout_s": 3,
        "retries": 1,
        "timeout_destination": {"kind": "number", "target": "1002"},
        "display_text": "Support line",
        "keep_derived_metadata": True,
    }
    status, changed = await call(api, "PUT", f"{MENUS}/{created['id']}", admin_headers, change)
    assert status == 200, changed
    assert changed == change
    assert await core.numbers.owner_of("1600") is None  # the old number is free again
    status, one = await call(api, "GET", f"{MENUS}/{created['id']}", admin_headers)
    assert status == 200 and one == changed

    status, _ = await call(api, "DELETE", f"{MENUS}/{created['id']}", admin_headers)
    assert status == 204
    status, error = await call(api, "GET", f"{MENUS}/{created['id']}", admin_headers)
    assert status == 404, error
    assert await core.numbers.owner_of("1601") is None
    del user_headers


async def test_ivr_01_03_bad_fields_are_named_and_nothing_is_saved(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    status, error = await call(
        api,
        "POST",
        MENUS,
        admin_headers,
        {"name": "Main", "number": "1600", "options": {"x": {"kind": "hangup"}, "1": {"kind": "dance"}}},
    )
    assert status == 400, error
    assert set(error["fields"]) == {"options.x", "options.1.kind"}, error

    status, error = await call(
        api,
        "POST",
        MENUS,
        admin_headers,
        {
            "name": "Main",
            "number": "1001",  # anna's line, and not in an IVR range
            "welcome_prompt": "org:99",
            "invalid_prompt": "no_such_prompt",
            "options": {
                "1": {"kind": "number", "target": "1099"},  # in a range, nobody has it
                "2": {"kind": "number", "target": "+4512345678"},  # no trunk
                "3": {"kind": "voicemail", "target": "1600"},
            },
        },
    )
    assert status == 400, error
    fields = error["fields"]
    assert set(fields) == {
        "number",
        "welcome_prompt",
        "invalid_prompt",
        "options.1.target",
        "options.2.target",
        "options.3.target",
    }, error
    assert "already belongs to" in fields["number"]
    assert "nobody has the number 1099" in fields["options.1.target"]
    assert "no SIP trunk" in fields["options.2.target"]

    status, error = await call(api, "POST", MENUS, admin_headers, {"name": "Main", "number": "1500"})
    assert status == 400 and "not in a number range for IVRs" in error["fields"]["number"], error

    status, first = await call(api, "POST", MENUS, admin_headers, {"name": "Main", "number": "1600"})
    assert status == 201, first
    status, error = await call(api, "POST", MENUS, admin_headers, {"name": "Other", "number": "1600"})
    assert status == 400 and "IVR menu Main" in error["fields"]["number"], error
    status, listed = await call(api, "GET", MENUS, admin_headers)
    assert [m["name"] for m in listed] == ["Main"]
    del user_headers


async def test_ivr_05_a_too_long_display_text_is_refused_by_field_and_nothing_is_saved(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    """The display text has at most 60 characters (trimmed); "keep metadata from derived calls" is
    true or false."""
    body = {"name": "Main", "number": "1600", "display_text": "x" * 61, "keep_derived_metadata": "yes"}
    status, error = await call(api, "POST", MENUS, admin_headers, body)
    assert status == 400, error
    assert set(error["fields"]) == {"display_text", "keep_derived_metadata"}, error
    assert "at most 60 characters" in error["fields"]["display_text"]
    status, listed = await call(api, "GET", MENUS, admin_headers)
    assert listed == []

    body = {"name": "Main", "number": "1600", "display_text": f" {'x' * 60} ", "keep_derived_metadata": True}
    status, created = await call(api, "POST", MENUS, admin_headers, body)
    assert status == 201, created
    assert (created["display_text"], created["keep_derived_metadata"]) == ("x" * 60, True)
    del user_headers


async def test_ivr_01_users_may_not_use_the_menus_api(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    status, created = await call(api, "POST", MENUS, admin_headers, {"name": "Main", "number": "1600"})
    assert status == 201, created
    one = f"{MENUS}/{created['id']}"
    for method, path, body in (
        ("GET", MENUS, None),
        ("POST", MENUS, {"name": "Mine", "number": "1601"}),
        ("GET", one, None),
        ("PUT", one, {"name": "Mine", "number": "1600"}),
        ("DELETE", one, None),
    ):
        status, error = await call(api, method, path, user_headers, body)
        assert status == 403 and error["code"] == "forbidden", (method, path, error)


@pytest.fixture
async def with_trunk(
    tmp_path: Path, aiohttp_client: Any
) -> AsyncIterator[tuple[Core, TestClient, dict[str, str]]]:
    async with api_with_trunk(tmp_path / "data", aiohttp_client, (37600, 37699)) as found:
        yield found


async def test_bar_04_a_menus_blocking_groups_round_trip_and_unknown_ones_are_refused(
    core: Core, api: TestClient, admin_headers: dict[str, str]
) -> None:
    """BAR-04: a menu is in the blocking groups it names (none by default); an id that names no
    blocking group is refused by field, and nothing is saved."""
    status, created = await call(api, "POST", MENUS, admin_headers, {"name": "Main", "number": "1600"})
    assert status == 201 and created["blocking_groups"] == [], created
    abroad = await add_blocking_group(api, admin_headers, "No international", international=True)
    premium = await add_blocking_group(api, admin_headers, "No premium", prefixes=["+45900"])
    one = f"{MENUS}/{created['id']}"
    status, changed = await call(
        api, "PUT", one, admin_headers, {**created, "blocking_groups": [premium, abroad]}
    )
    assert status == 200 and changed["blocking_groups"] == sorted([premium, abroad]), changed
    status, read = await call(api, "GET", one, admin_headers)
    assert read["blocking_groups"] == sorted([premium, abroad]), read
    menus = core.data[IVR_MENUS_KEY]
    await menus.load()  # as stored
    assert set(menus.get(created["id"]).blocking_groups) == {premium, abroad}

    status, error = await call(api, "PUT", one, admin_headers, {**created, "blocking_groups": [abroad, 999]})
    assert status == 400, error
    assert error["fields"] == {"blocking_groups": "no blocking group with the id 999"}, error
    status, read = await call(api, "GET", one, admin_headers)
    assert read["blocking_groups"] == sorted([premium, abroad]), read


async def test_bar_04_an_option_to_a_blocked_outside_number_is_refused_by_field(
    with_trunk: tuple[Core, TestClient, dict[str, str]],
) -> None:
    """BAR-04: in a blocking group that blocks international numbers, a menu may not send callers
    to +4930123456 (an option's or the timeout's target says so); without the group it may. BAR-06:
    the emergency number 112 is never blocked."""
    _core, api, admin_headers = with_trunk
    abroad = await add_blocking_group(api, admin_headers, "No international", international=True)
    body: dict[str, Any] = {
        "name": "Main",
        "number": "1600",
        "options": {"1": {"kind": "number", "target": "+4930123456"}},
        "timeout_destination": {"kind": "number", "target": "+4930123456"},
        "blocking_groups": [abroad],
    }
    status, error = await call(api, "POST", MENUS, admin_headers, body)
    assert status == 400, error
    assert error["fields"] == {
        "options.1.target": "+4930123456 is blocked by the blocking group No international",
        "timeout_destination.target": "+4930123456 is blocked by the blocking group No international",
    }, error
    status, listed = await call(api, "GET", MENUS, admin_headers)
    assert listed == []

    status, created = await call(api, "POST", MENUS, admin_headers, {**body, "blocking_groups": []})
    assert status == 201, created
    emergency = {
        **created,
        "options": {"1": {"kind": "number", "target": "112"}},
        "timeout_destination": None,
        "blocking_groups": [abroad],
    }
    status, changed = await call(api, "PUT", f"{MENUS}/{created['id']}", admin_headers, emergency)
    assert status == 200, changed
    assert changed["options"] == {"1": {"kind": "number", "target": "112"}}


async def test_role_04_ivr_06_group_administrators_change_only_their_menus(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    """ROLE-04, IVR-06: the members of a menu's ``admin_groups`` list, read and change that menu
    (not its group administrators, blocking groups nor schedule), and nothing else; others get 403."""
    bent_id = await _user(core, "bent", "1002")
    leads = await core.identity.create_group("Team leads")
    await core.identity.set_group_members(leads.id, [bent_id])
    abroad = await add_blocking_group(api, admin_headers, "No international", international=True)
    hours = await core.schedules.create_schedule(
        {"name": "Hours", "owner": "number:1600", "default": {"action": "open"}}
    )
    body = {
        "name": "Main",
        "number": "1600",
        "admin_groups": [leads.id],
        "blocking_groups": [abroad],
        "schedule_id": hours.id,
    }
    status, menu = await call(api, "POST", MENUS, admin_headers, body)
    assert status == 201 and menu["admin_groups"] == [leads.id], menu
    status, other = await call(api, "POST", MENUS, admin_headers, {"name": "Other", "number": "1601"})
    assert status == 201 and other["admin_groups"] == [], other
    status, error = await call(
        api, "PUT", f"{MENUS}/{other['id']}", admin_headers, {**other, "admin_groups": [999]}
    )
    assert status == 400 and error["fields"] == {"admin_groups": "no user group with the id 999"}, error

    bent = await login(api, "bent", PASSWORD)
    status, me = await call(api, "GET", "/api/auth/me", bent)
    assert status == 200 and me["administers"] == ["ivr"], me
    status, listed = await call(api, "GET", MENUS, bent)
    assert status == 200 and [m["name"] for m in listed] == ["Main"], listed
    one = f"{MENUS}/{menu['id']}"
    status, found = await call(api, "GET", one, bent)
    assert status == 200 and found == menu, found

    # Leaving out the administrators' fields keeps them.
    mine = {k: v for k, v in menu.items() if k not in ("admin_groups", "blocking_groups", "schedule_id")}
    status, renamed = await call(api, "PUT", one, bent, {**mine, "name": "Reception"})
    assert status == 200, renamed
    assert (renamed["name"], renamed["admin_groups"], renamed["blocking_groups"], renamed["schedule_id"]) == (
        "Reception",
        [leads.id],
        [abroad],
        hours.id,
    )
    status, same = await call(api, "PUT", one, bent, renamed)
    assert status == 200 and same == renamed, same
    for field, value in (("admin_groups", []), ("blocking_groups", []), ("schedule_id", None)):
        status, error = await call(api, "PUT", one, bent, {**renamed, "name": "Mine", field: value})
        assert status == 403 and list(error["fields"]) == [field], (field, error)
    assert core.data[IVR_MENUS_KEY].get(menu["id"]).name == "Reception"

    for method, path, sent in (
        ("GET", f"{MENUS}/{other['id']}", None),
        ("PUT", f"{MENUS}/{other['id']}", {**other, "name": "Mine"}),
        ("POST", MENUS, {"name": "New", "number": "1602"}),
        ("DELETE", one, None),
    ):
        status, error = await call(api, method, path, bent, sent)
        assert status == 403 and error["code"] == "forbidden", (method, path, error)
    for method, path in (("GET", MENUS), ("GET", one)):
        status, _ = await call(api, method, path, user_headers)
        assert status == 403, (method, path)
    status, me = await call(api, "GET", "/api/auth/me", user_headers)
    assert status == 200 and me["administers"] == [], me


async def test_sch_07_a_menus_schedule_round_trips_and_an_unknown_one_is_refused_by_field(
    core: Core, api: TestClient, admin_headers: dict[str, str]
) -> None:
    """IVR-01 with SCH-07: a menu's opening hours name a schedule; one that does not exist is refused
    on its field and nothing is saved; null makes the menu always open again."""
    hours = await core.schedules.create_schedule(
        {"name": "Hours", "owner": "number:1600", "default": {"action": "closed"}}
    )
    body = {"name": "Main", "number": "1600", "schedule_id": hours.id + 1}
    status, error = await call(api, "POST", MENUS, admin_headers, body)
    assert status == 400 and error["fields"] == {"schedule_id": f"no schedule with the id {hours.id + 1}"}, (
        error
    )
    assert core.data[IVR_MENUS_KEY].all() == []
    status, error = await call(api, "POST", MENUS, admin_headers, {**body, "schedule_id": "soon"})
    assert status == 400 and list(error["fields"]) == ["schedule_id"], error

    status, menu = await call(api, "POST", MENUS, admin_headers, {**body, "schedule_id": hours.id})
    assert status == 201 and menu["schedule_id"] == hours.id, menu
    status, found = await call(api, "GET", f"{MENUS}/{menu['id']}", admin_headers)
    assert status == 200 and found["schedule_id"] == hours.id, found
    status, changed = await call(
        api, "PUT", f"{MENUS}/{menu['id']}", admin_headers, {**menu, "schedule_id": None}
    )
    assert status == 200 and changed["schedule_id"] is None, changed


async def test_ivr_08_a_timeout_destination_that_leads_back_by_itself_is_refused(
    core: Core, api: TestClient, admin_headers: dict[str, str]
) -> None:
    """Issue 7's call flows: no loop without a caller action. Two menus whose no-key destinations
    point at each other would play for ever to a silent caller: the second is refused on its
    field with the way round. A key leading back is the caller's choice and stays allowed."""
    back = {"kind": "number", "target": "1600"}
    to_sub = {"kind": "number", "target": "1601"}
    status, main = await call(api, "POST", MENUS, admin_headers, {"name": "Main", "number": "1600"})
    assert status == 201, main
    sub = {"name": "Sub", "number": "1601", "timeout_destination": back, "options": {"0": back}}
    status, created = await call(api, "POST", MENUS, admin_headers, sub)
    assert status == 201, created
    one = f"{MENUS}/{main['id']}"
    status, error = await call(api, "PUT", one, admin_headers, {**main, "timeout_destination": to_sub})
    assert status == 400, error
    way = "1600 → 1601 → 1600"
    assert error["fields"] == {
        "timeout_destination.target": f"callers would go round in circles without pressing a key: {way}"
    }, error
    status, changed = await call(api, "PUT", one, admin_headers, {**main, "options": {"1": to_sub}})
    assert status == 200 and changed["timeout_destination"] is None, changed
