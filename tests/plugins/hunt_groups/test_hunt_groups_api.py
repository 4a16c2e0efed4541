"""The hunt groups' REST API (HG-01..05, HG-08, FC-16): administrators create, list, change and
delete hunt groups; a number someone else has, an unknown user group, activity, role or schedule
and a fallback nothing can reach are refused by field and nothing is saved; users get 403."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from api_calls import add_blocking_group, call, login
from trunk_helpers import api_with_trunk

from cordboard.core.core import Core
from cordboard.core.numbers.storage import create_range
from cordboard.plugins.hunt_groups.const import HUNT_GROUPS_KEY

GROUPS = "/api/hunt_groups/groups"
PASSWORD = "user-password-3"


async def _user(core: Core, username: str, extension: str) -> int:
    user = await core.identity.create_user(
        username=username, first_name=username.title(), last_name="Tester", email=f"{username}@example.com",
        password=PASSWORD, extension=extension,
    )  # fmt: skip
    return user.id


async def _user_group(core: Core, name: str, members: list[int]) -> int:
    group = await core.identity.create_group(name)
    await core.identity.set_group_members(group.id, members)
    return group.id


async def _sales(core: Core) -> int:
    """A user group "Sales" with anna (1001) and bent (1002)."""
    anna = (await core.identity.get_user_by_username("anna")).id
    bent = await _user(core, "bent", "1002")
    return await _user_group(core, "Sales", [anna, bent])


async def test_hg_01_02_03_admin_creates_lists_changes_and_deletes_a_hunt_group(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    sales = await _sales(core)
    status, created = await call(
        api, "POST", GROUPS, admin_headers, {"name": " Sales ", "number": "1500", "user_groups": [sales]}
    )
    assert status == 201, created
    assert created == {
        "id": created["id"],
        "name": "Sales",
        "number": "1500",
        "identifier": "1500",  # FC-16: a local number is its own identifier
        "user_groups": [sales],
        "distribution": "parallel",
        "ring_s": 20,
        "fallback": None,
        "excluded_activities": [],
        "excluded_roles": [],
        "schedule_id": None,
        "phone_types": ["desk", "softphone"],  # HG-06: phones ring, mobiles only when asked
        "exclude_from_search": False,  # NUM-11: listed in contact searches unless set
        "display_text": "",  # the group's name is shown
        "keep_derived_metadata": False,
        "blocking_groups": [],  # BAR-04
        "admin_groups": [],  # ROLE-04
        "members": [
            {"user_id": created["members"][0]["user_id"], "name": "Anna Tester", "number": "1001"},
            {"user_id": created["members"][1]["user_id"], "name": "Bent Tester", "number": "1002"},
        ],
    }
    owner = await core.numbers.owner_of("1500")  # NUM-07: the registry knows whose it is
    assert owner is not None and (owner.kind, owner.id, owner.label) == (
        "plugin",
        "hunt_groups",
        "Hunt group Sales",
    )

    status, listed = await call(api, "GET", GROUPS, admin_headers)
    assert status == 200 and [g["number"] for g in listed] == ["1500"]

    assert core.presence is not None
    lunch = await core.presence.save_activity({"name": "Lunch", "show_as": "busy"})
    private = await core.presence.save_role({"name": "Private"})
    schedule = await core.schedules.create_schedule({"name": "Shop hours", "owner": "number:1501"})
    change = {
        **created,
        "name": "Sales desk",
        "number": "1501",
        "identifier": "51",
        "distribution": "sequential",
        "ring_s": 15,
        "fallback": "1001",
        "excluded_activities": [lunch.id],
        "excluded_roles": [private.id],
        "schedule_id": schedule.id,
    }
    status, changed = await call(api, "PUT", f"{GROUPS}/{created['id']}", admin_headers, change)
    assert status == 200, changed
    assert {**changed, "members": None} == {**change, "members": None}
    assert await core.numbers.owner_of("1500") is None  # the old number is free again
    status, one = await call(api, "GET", f"{GROUPS}/{created['id']}", admin_headers)
    assert status == 200 and one == changed

    status, _ = await call(api, "DELETE", f"{GROUPS}/{created['id']}", admin_headers)
    assert status == 204
    status, error = await call(api, "GET", f"{GROUPS}/{created['id']}", admin_headers)
    assert status == 404, error
    assert await core.numbers.owner_of("1501") is None
    del user_headers


async def test_ivr_05_a_groups_display_text_and_keeping_an_earlier_one_round_trip(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    """The display text (at most 60 characters, trimmed) and "keep display text from earlier in the
    call" are saved and given back; a longer text is refused by field and nothing is saved."""
    sales = await _sales(core)
    body: dict[str, Any] = {
        "name": "Sales",
        "number": "1500",
        "user_groups": [sales],
        "display_text": " Sales line ",
        "keep_derived_metadata": True,
    }
    status, created = await call(api, "POST", GROUPS, admin_headers, body)
    assert status == 201, created
    assert (created["display_text"], created["keep_derived_metadata"]) == ("Sales line", True)
    status, one = await call(api, "GET", f"{GROUPS}/{created['id']}", admin_headers)
    assert status == 200 and (one["display_text"], one["keep_derived_metadata"]) == ("Sales line", True)

    change = {**created, "display_text": "", "keep_derived_metadata": False}
    status, changed = await call(api, "PUT", f"{GROUPS}/{created['id']}", admin_headers, change)
    assert status == 200 and (changed["display_text"], changed["keep_derived_metadata"]) == ("", False)

    too_long = {**created, "display_text": "x" * 61, "keep_derived_metadata": "yes"}
    status, error = await call(api, "PUT", f"{GROUPS}/{created['id']}", admin_headers, too_long)
    assert status == 400, error
    assert set(error["fields"]) == {"display_text", "keep_derived_metadata"}, error
    assert "at most 60 characters" in error["fields"]["display_text"]
    status, one = await call(api, "GET", f"{GROUPS}/{created['id']}", admin_headers)
    assert (one["display_text"], one["keep_derived_metadata"]) == ("", False)
    del user_headers


async def test_hg_02_members_follow_the_user_groups_priority_then_the_extension(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    anna = (await core.identity.get_user_by_username("anna")).id  # 1001
    bo = await _user(core, "bo", "1020")
    cy = await _user(core, "cy", "1003")
    await core.db.call(lambda db: create_range(db, {"kind": "local", "first": "900", "last": "999"}))
    dee = await _user(core, "dee", "999")
    first = await _user_group(core, "Front desk", [bo, dee])
    second = await _user_group(core, "Support", [cy, anna, bo])
    status, created = await call(
        api, "POST", GROUPS, admin_headers, {"name": "Help", "number": "1510", "user_groups": [second, first]}
    )
    assert status == 201, created
    # Front desk ranks first (created first): dee 999 before bo 1020; then Support without bo again.
    assert [m["number"] for m in created["members"]] == ["999", "1020", "1001", "1003"]
    await core.identity.reorder_groups([second, first])
    status, again = await call(api, "GET", f"{GROUPS}/{created['id']}", admin_headers)
    assert [m["number"] for m in again["members"]] == ["1001", "1003", "1020", "999"]
    del user_headers


async def test_hg_01_a_number_someone_has_is_refused_by_field_and_vice_versa(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    sales = await _sales(core)
    status, created = await call(
        api, "POST", GROUPS, admin_headers, {"name": "Sales", "number": "1500", "user_groups": [sales]}
    )
    assert status == 201, created
    for number, field, message in (
        ("1001", "number", "1001 already belongs to Anna Tester"),
        ("1500", "number", "1500 is already the number of the hunt group Sales"),
        ("1400", "number", "1400 is not in a number range for groups (1500-1599)"),
        ("+4589401500", "identifier", "required for a public number"),
        ("1800", "number", "1800 already belongs to the conference plugin (Conference room)"),
    ):
        status, error = await call(
            api, "POST", GROUPS, admin_headers, {"name": "Other", "number": number, "user_groups": [sales]}
        )
        assert status == 400, (number, error)
        assert message in error["fields"][field], (number, error)
    status, error = await call(
        api,
        "POST",
        GROUPS,
        admin_headers,
        {"name": "Other", "number": "1502", "identifier": "1500", "user_groups": [sales]},
    )
    assert status == 400 and "identifier of the hunt group Sales" in error["fields"]["identifier"], error
    status, listed = await call(api, "GET", GROUPS, admin_headers)
    assert [g["number"] for g in listed] == ["1500"]  # nothing else was saved

    # NUM-07 the other way: a user cannot take the hunt group's number.
    anna = (await core.identity.get_user_by_username("anna")).id
    status, error = await call(api, "PATCH", f"/api/users/{anna}", admin_headers, {"extension": "1500"})
    assert status == 409 and "Hunt group Sales" in error["message"], error
    del user_headers


async def test_hg_04_05_08_bad_references_are_named_by_field(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    status, error = await call(
        api,
        "POST",
        GROUPS,
        admin_headers,
        {
            "name": " ",
            "number": "15x",
            "user_groups": [404],
            "distribution": "random",
            "ring_s": 0,
            "fallback": "12 34",
            "excluded_activities": ["lunch"],
            "colour": "red",
        },
    )
    assert status == 400, error
    assert error["fields"] == {
        "name": "required",
        "number": "a local number of 2 to 8 digits (such as 1500), or a public number such as +4589401500",
        "distribution": "one of parallel, sequential",
        "ring_s": "whole seconds between 1 and 300",
        "excluded_activities.0": "the id of an activity",
        "colour": "unknown field",
    }
    sales = await _sales(core)
    body: dict[str, Any] = {
        "name": "Sales",
        "number": "1500",
        "user_groups": [sales, 404],
        "fallback": "1234",  # in the users' range, but nobody's
        "excluded_activities": [77],
        "excluded_roles": [78],
        "schedule_id": 79,
    }
    status, error = await call(api, "POST", GROUPS, admin_headers, body)
    assert status == 400, error
    assert error["fields"] == {
        "user_groups": "no user group with the id 404",
        "fallback": "nobody has the number 1234",
        "excluded_activities": "no activity with the id 77",
        "excluded_roles": "no presence role with the id 78",
        "schedule_id": "no schedule with the id 79",
    }
    for fallback, message in (
        ("1500", "a hunt group cannot fall back to its own number"),
        ("+4520304050", "no SIP trunk can reach +4520304050"),  # no trunk here (BYD-03)
    ):
        status, error = await call(
            api, "POST", GROUPS, admin_headers, {**body, "user_groups": [sales], "fallback": fallback,
                                                "excluded_activities": [], "excluded_roles": [],
                                                "schedule_id": None},
        )  # fmt: skip
        assert status == 400 and message in error["fields"]["fallback"], error
    status, error = await call(
        api, "POST", GROUPS, admin_headers, {"name": "Sales", "number": "1500", "user_groups": []}
    )
    assert status == 400 and "at least one user group" in error["fields"]["user_groups"], error
    # HG-04: a user's line and another function number (a conference room) are fallbacks.
    for number, fallback in (("1500", "1001"), ("1501", "1800")):
        status, created = await call(
            api,
            "POST",
            GROUPS,
            admin_headers,
            {"name": f"Group {number}", "number": number, "user_groups": [sales], "fallback": fallback},
        )
        assert status == 201 and created["fallback"] == fallback, created
    status, listed = await call(api, "GET", GROUPS, admin_headers)
    assert [g["number"] for g in listed] == ["1500", "1501"]
    del user_headers


async def test_hunt_groups_are_for_administrators_only(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    sales = await _sales(core)
    body = {"name": "Sales", "number": "1500", "user_groups": [sales]}
    status, created = await call(api, "POST", GROUPS, admin_headers, body)
    assert status == 201, created
    one = f"{GROUPS}/{created['id']}"
    for method, path, payload in (
        ("GET", GROUPS, None),
        ("POST", GROUPS, {**body, "number": "1501"}),
        ("GET", one, None),
        ("PUT", one, {**body, "name": "Mine"}),
        ("DELETE", one, None),
    ):
        status, error = await call(api, method, path, user_headers, payload)
        assert status == 403 and error["code"] == "forbidden", (method, path, error)
    status, listed = await call(api, "GET", GROUPS, admin_headers)
    assert [(g["name"], g["number"]) for g in listed] == [("Sales", "1500")]


@pytest.fixture
async def with_trunk(
    tmp_path: Path, aiohttp_client: Any
) -> AsyncIterator[tuple[Core, TestClient, dict[str, str]]]:
    async with api_with_trunk(tmp_path / "data", aiohttp_client, (37700, 37799)) as found:
        yield found


async def test_bar_04_a_hunt_groups_blocking_groups_round_trip_and_unknown_ones_are_refused(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    """BAR-04: a hunt group is in the blocking groups it names (none by default); an id that
    names no blocking group is refused by field, and nothing is saved."""
    sales = await _sales(core)
    body = {"name": "Sales", "number": "1500", "user_groups": [sales]}
    status, created = await call(api, "POST", GROUPS, admin_headers, body)
    assert status == 201 and created["blocking_groups"] == [], created
    abroad = await add_blocking_group(api, admin_headers, "No international", international=True)
    premium = await add_blocking_group(api, admin_headers, "No premium", prefixes=["+45900"])
    one = f"{GROUPS}/{created['id']}"
    status, changed = await call(
        api, "PUT", one, admin_headers, {**created, "blocking_groups": [premium, abroad]}
    )
    assert status == 200 and changed["blocking_groups"] == sorted([premium, abroad]), changed
    groups = core.data[HUNT_GROUPS_KEY]
    await groups.load()  # as stored
    assert set(groups.get(created["id"]).blocking_groups) == {premium, abroad}

    status, error = await call(api, "PUT", one, admin_headers, {**created, "blocking_groups": [999, abroad]})
    assert status == 400, error
    assert error["fields"] == {"blocking_groups": "no blocking group with the id 999"}, error
    status, read = await call(api, "GET", one, admin_headers)
    assert read["blocking_groups"] == sorted([premium, abroad]), read
    del user_headers


async def test_bar_04_a_fallback_to_a_blocked_outside_number_is_refused_by_field(
    with_trunk: tuple[Core, TestClient, dict[str, str]],
) -> None:
    """BAR-04: in a blocking group that blocks international numbers, a hunt group may not fall
    back to +4930123456; without the group it may. BAR-06: the emergency number 112 is never
    blocked."""
    core, api, admin_headers = with_trunk
    team = await _user_group(core, "Sales", [(await core.identity.get_user_by_username("ann")).id])
    abroad = await add_blocking_group(api, admin_headers, "No international", international=True)
    body = {
        "name": "Sales",
        "number": "1500",
        "user_groups": [team],
        "fallback": "+4930123456",
        "blocking_groups": [abroad],
    }
    status, error = await call(api, "POST", GROUPS, admin_headers, body)
    assert status == 400, error
    assert error["fields"] == {"fallback": "+4930123456 is blocked by the blocking group No international"}, (
        error
    )
    status, listed = await call(api, "GET", GROUPS, admin_headers)
    assert listed == []

    status, created = await call(api, "POST", GROUPS, admin_headers, {**body, "blocking_groups": []})
    assert status == 201 and created["fallback"] == "+4930123456", created
    emergency = {**created, "fallback": "112", "blocking_groups": [abroad]}
    status, changed = await call(api, "PUT", f"{GROUPS}/{created['id']}", admin_headers, emergency)
    assert status == 200 and (changed["fallback"], changed["blocking_groups"]) == ("112", [abroad]), changed


async def test_role_04_group_administrators_change_only_their_hunt_groups(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    """ROLE-04: the members of a hunt group's ``admin_groups`` list, read and change that group
    (not its group administrators nor its blocking groups), and nothing else; a member of the hunt
    group who administers none gets 403."""
    sales = await _sales(core)
    bent_id = (await core.identity.get_user_by_username("bent")).id
    leads = await _user_group(core, "Team leads", [bent_id])
    abroad = await add_blocking_group(api, admin_headers, "No international", international=True)
    body = {"name": "Sales", "number": "1500", "user_groups": [sales]}
    status, group = await call(
        api, "POST", GROUPS, admin_headers, {**body, "admin_groups": [leads], "blocking_groups": [abroad]}
    )
    assert status == 201 and group["admin_groups"] == [leads], group
    status, other = await call(
        api, "POST", GROUPS, admin_headers, {**body, "name": "Other", "number": "1501"}
    )
    assert status == 201 and other["admin_groups"] == [], other
    status, error = await call(
        api, "PUT", f"{GROUPS}/{other['id']}", admin_headers, {**other, "admin_groups": [999]}
    )
    assert status == 400 and error["fields"] == {"admin_groups": "no user group with the id 999"}, error

    bent = await login(api, "bent", PASSWORD)
    status, me = await call(api, "GET", "/api/auth/me", bent)
    assert status == 200 and me["administers"] == ["hunt-groups"], me
    status, listed = await call(api, "GET", GROUPS, bent)
    assert status == 200 and [g["name"] for g in listed] == ["Sales"], listed
    one = f"{GROUPS}/{group['id']}"
    status, found = await call(api, "GET", one, bent)
    assert status == 200 and found == group, found

    # Leaving out the administrators' fields keeps them.
    mine = {k: v for k, v in group.items() if k not in ("admin_groups", "blocking_groups")}
    status, renamed = await call(api, "PUT", one, bent, {**mine, "name": "Sales desk", "ring_s": 30})
    assert status == 200, renamed
    assert (renamed["name"], renamed["ring_s"], renamed["admin_groups"], renamed["blocking_groups"]) == (
        "Sales desk",
        30,
        [leads],
        [abroad],
    )
    for field, value in (("admin_groups", [leads, sales]), ("blocking_groups", []), ("schedule_id", 1)):
        status, error = await call(api, "PUT", one, bent, {**renamed, "name": "Mine", field: value})
        assert status == 403 and list(error["fields"]) == [field], (field, error)
    assert core.data[HUNT_GROUPS_KEY].get(group["id"]).name == "Sales desk"

    for method, path, sent in (
        ("GET", f"{GROUPS}/{other['id']}", None),
        ("PUT", f"{GROUPS}/{other['id']}", {**body, "name": "Mine", "number": "1501"}),
        ("POST", GROUPS, {**body, "number": "1502"}),
        ("DELETE", one, None),
    ):
        status, error = await call(api, method, path, bent, sent)
        assert status == 403 and error["code"] == "forbidden", (method, path, error)
    for method, path in (("GET", GROUPS), ("GET", one)):
        status, _ = await call(api, method, path, user_headers)  # anna: a member, no administrator
        assert status == 403, (method, path)
