"""The REST API of virtual switches (AA-04) and announcements (AA-03), CAPA-14: administrators
create, number, lock, unlock, change and delete them and set a switch's state; bad fields are
refused by name (a number another function number or a user has, an unknown prompt, a destination
nothing reaches) and nothing is saved; users get 403, but the members of an element's
``admin_groups`` (ROLE-04) read, change, switch and lock that element."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from api_calls import call, login

from cordboard.core.bus import Event
from cordboard.core.core import Core
from cordboard.plugins.flow_elements.const import EVENT_SWITCH_CHANGED, FLOW_ELEMENTS_KEY
from cordboard.plugins.flow_elements.service import FlowElements

SWITCHES = "/api/flow_elements/switches"
ANNOUNCEMENTS = "/api/flow_elements/announcements"
PASSWORD = "user-password-3"


async def _user(core: Core, username: str, extension: str) -> int:
    user = await core.identity.create_user(
        username=username, first_name=username.title(), last_name="Tester", email=f"{username}@example.com",
        password=PASSWORD, extension=extension,
    )  # fmt: skip
    return user.id


async def test_aa_04_capa_14_admin_creates_lists_toggles_locks_changes_and_deletes_a_switch(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    await _user(core, "bent", "1002")
    operators = await core.identity.create_group("Reception")
    seen: list[dict[str, Any]] = []

    def record(event: Event[Any]) -> None:
        seen.append(dict(event.data))

    core.bus.listen(EVENT_SWITCH_CHANGED, record)
    body = {
        "name": " Day/night ",
        "number": "1650",
        "on_target": "1001",
        "off_target": "1002",
        "operator_groups": [operators.id],
    }
    status, created = await call(api, "POST", SWITCHES, admin_headers, body)
    assert status == 201, created
    assert created == {
        "id": created["id"],
        "name": "Day/night",
        "number": "1650",
        "on": False,
        "on_target": "1001",
        "off_target": "1002",
        "operator_groups": [operators.id],
        "locked": False,
        "admin_groups": [],
        "changed_at": created["changed_at"],
        "changed_by": "root (web)",
    }
    owner = await core.numbers.owner_of("1650")  # NUM-07: the registry knows whose it is
    assert owner is not None and (owner.kind, owner.id, owner.label) == (
        "plugin",
        "flow_elements",
        "Switch Day/night",
    )
    one = f"{SWITCHES}/{created['id']}"

    status, switched = await call(api, "POST", f"{one}/state", admin_headers, {"on": True})
    assert status == 200 and switched["on"] is True and switched["changed_by"] == "root (web)", switched
    assert seen and seen[-1]["on"] is True and seen[-1]["username"] == "root" and seen[-1]["via"] == "web"
    status, error = await call(api, "POST", f"{one}/state", admin_headers, {"on": "yes"})
    assert status == 400 and "on" in error["fields"], error

    status, locked = await call(api, "POST", f"{one}/lock", admin_headers, {"locked": True})
    assert status == 200 and locked["locked"] is True, locked
    status, listed = await call(api, "GET", SWITCHES, admin_headers)
    assert status == 200 and [(s["number"], s["on"], s["locked"]) for s in listed] == [("1650", True, True)]
    status, unlocked = await call(api, "POST", f"{one}/lock", admin_headers, {"locked": False})
    assert status == 200 and unlocked["locked"] is False

    change = {**unlocked, "name": "Front desk", "number": "1651", "on_target": "1002", "on": False}
    status, changed = await call(api, "PUT", one, admin_headers, change)
    assert status == 200, changed
    assert (changed["name"], changed["number"], changed["on_target"], changed["on"]) == (
        "Front desk", "1651", "1002", False,
    )  # fmt: skip
    assert seen[-1]["on"] is False
    assert await core.numbers.owner_of("1650") is None  # the old number is free again

    # The state survives a restart of the plugin's service (it is in the database).
    reloaded = FlowElements(core)
    await reloaded.load()
    assert reloaded.switch(created["id"]).on is False and reloaded.switch(created["id"]).number == "1651"

    status, _ = await call(api, "DELETE", one, admin_headers)
    assert status == 204
    status, error = await call(api, "GET", one, admin_headers)
    assert status == 404, error
    assert await core.numbers.owner_of("1651") is None
    del user_headers


async def test_aa_03_capa_14_admin_creates_locks_changes_and_deletes_an_announcement(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    body = {"name": "Closed", "number": "1660", "prompt": "please_hold", "next_number": "1001"}
    status, created = await call(api, "POST", ANNOUNCEMENTS, admin_headers, body)
    assert status == 201, created
    assert created == {**body, "id": created["id"], "locked": False, "admin_groups": []}
    owner = await core.numbers.owner_of("1660")
    assert owner is not None and owner.label == "Announcement Closed"
    one = f"{ANNOUNCEMENTS}/{created['id']}"
    status, locked = await call(api, "POST", f"{one}/lock", admin_headers, {"locked": True})
    assert status == 200 and locked["locked"] is True
    status, changed = await call(
        api, "PUT", one, admin_headers, {**locked, "next_number": "", "locked": False}
    )
    assert status == 200 and changed["next_number"] is None and changed["locked"] is False, changed
    status, listed = await call(api, "GET", ANNOUNCEMENTS, admin_headers)
    assert [a["number"] for a in listed] == ["1660"]
    status, _ = await call(api, "DELETE", one, admin_headers)
    assert status == 204
    assert await core.numbers.owner_of("1660") is None
    del user_headers


async def test_capa_14_bad_fields_are_named_and_nothing_is_saved(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    status, error = await call(
        api,
        "POST",
        SWITCHES,
        admin_headers,
        {"name": "", "number": "12a", "on_target": "x", "off_target": None, "operator_groups": ["a"]},
    )
    assert status == 400, error
    assert set(error["fields"]) >= {"name", "number", "on_target", "off_target"}, error

    status, error = await call(
        api,
        "POST",
        SWITCHES,
        admin_headers,
        {
            "name": "Switch",
            "number": "1001",  # anna's line
            "on_target": "1099",  # in a range, nobody has it
            "off_target": "+4512345678",  # no trunk
            "operator_groups": [999],
        },
    )
    assert status == 400, error
    fields = error["fields"]
    assert set(fields) == {"number", "on_target", "off_target", "operator_groups"}, error
    assert "already belongs to" in fields["number"]
    assert "nobody has the number 1099" in fields["on_target"]
    assert "no SIP trunk" in fields["off_target"]

    status, error = await call(
        api,
        "POST",
        SWITCHES,
        admin_headers,
        {"name": "S", "number": "1500", "on_target": "1001", "off_target": "1001"},
    )
    assert status == 400 and "not in a number range for IVRs" in error["fields"]["number"], error

    # Another plugin's function number (an IVR menu) and the plugin's own other elements.
    status, menu = await call(
        api, "POST", "/api/ivr/menus", admin_headers, {"name": "Main", "number": "1600"}
    )
    assert status == 201, menu
    status, error = await call(
        api,
        "POST",
        SWITCHES,
        admin_headers,
        {"name": "S", "number": "1600", "on_target": "1001", "off_target": "1001"},
    )
    assert status == 400 and "already belongs to" in error["fields"]["number"], error
    status, first = await call(
        api,
        "POST",
        SWITCHES,
        admin_headers,
        {"name": "S", "number": "1650", "on_target": "1600", "off_target": "1001"},
    )
    assert status == 201, first
    status, error = await call(
        api,
        "POST",
        ANNOUNCEMENTS,
        admin_headers,
        {"name": "A", "number": "1650", "prompt": "org:99", "next_number": "1650"},
    )
    assert status == 400, error
    assert set(error["fields"]) == {"number", "prompt", "next_number"}, error
    assert "the switch S" in error["fields"]["number"]
    status, error = await call(
        api, "POST", ANNOUNCEMENTS, admin_headers, {"name": "A", "number": "1661", "prompt": "no_such_prompt"}
    )
    assert status == 400 and set(error["fields"]) == {"prompt"}, error
    status, listed = await call(api, "GET", ANNOUNCEMENTS, admin_headers)
    assert listed == []
    status, listed = await call(api, "GET", SWITCHES, admin_headers)
    assert [s["number"] for s in listed] == ["1650"]
    del user_headers


async def test_capa_14_users_may_not_use_the_api(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    body = {"name": "S", "number": "1650", "on_target": "1001", "off_target": "1001"}
    status, created = await call(api, "POST", SWITCHES, admin_headers, body)
    assert status == 201, created
    one = f"{SWITCHES}/{created['id']}"
    for method, path, sent in (
        ("GET", SWITCHES, None),
        ("POST", SWITCHES, {**body, "number": "1651"}),
        ("PUT", one, body),
        ("POST", f"{one}/state", {"on": True}),
        ("POST", f"{one}/lock", {"locked": True}),
        ("DELETE", one, None),
        ("GET", ANNOUNCEMENTS, None),
        ("POST", ANNOUNCEMENTS, {"name": "A", "number": "1660", "prompt": "please_hold"}),
    ):
        status, error = await call(api, method, path, user_headers, sent)
        assert status == 403 and error["code"] == "forbidden", (method, path, error)
    status, same = await call(api, "GET", one, admin_headers)
    assert same["on"] is False and same["locked"] is False


async def test_aa_02_the_call_flow_shows_both_kinds(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    status, _ = await call(
        api, "POST", ANNOUNCEMENTS, admin_headers, {"name": "A", "number": "1660", "prompt": "please_hold"}
    )
    assert status == 201
    status, _ = await call(
        api,
        "POST",
        SWITCHES,
        admin_headers,
        {"name": "S", "number": "1650", "on_target": "1660", "off_target": "1001", "on": True},
    )
    assert status == 201, _
    status, node = await call(api, "GET", "/api/numbers/1650/flow", admin_headers)
    assert status == 200, node
    assert node["kind"] == "flow_switch"
    assert [(e["label"], e["target"], e["note"]) for e in node["edges"]] == [
        ("on", "1660", "current"),
        ("off", "1001", ""),
    ]
    status, node = await call(api, "GET", "/api/numbers/1660/flow", admin_headers)
    assert node["kind"] == "announcement"
    assert [(e["label"], e["kind"]) for e in node["edges"]] == [("then", "hangup")]
    del user_headers


async def test_role_04_group_administrators_switch_lock_and_change_their_elements(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    bent_id = await _user(core, "bent", "1002")
    leads = await core.identity.create_group("Team leads")
    await core.identity.set_group_members(leads.id, [bent_id])
    body = {"name": "Day/night", "number": "1650", "on_target": "1001", "off_target": "1002"}
    status, switch = await call(api, "POST", SWITCHES, admin_headers, {**body, "admin_groups": [leads.id]})
    assert status == 201 and switch["admin_groups"] == [leads.id], switch
    status, other = await call(
        api, "POST", SWITCHES, admin_headers, {**body, "name": "Other", "number": "1651"}
    )
    assert status == 201, other
    status, welcome = await call(
        api, "POST", ANNOUNCEMENTS, admin_headers,
        {"name": "Welcome", "number": "1660", "prompt": "please_hold", "admin_groups": [leads.id]},
    )  # fmt: skip
    assert status == 201, welcome
    bent = await login(api, "bent", PASSWORD)
    status, me = await call(api, "GET", "/api/auth/me", bent)
    assert status == 200 and me["administers"] == ["flow-elements"], me

    status, listed = await call(api, "GET", SWITCHES, bent)
    assert status == 200 and [s["name"] for s in listed] == ["Day/night"], listed
    one = f"{SWITCHES}/{switch['id']}"
    status, on = await call(api, "POST", f"{one}/state", bent, {"on": True})
    assert status == 200 and on["on"] and on["changed_by"] == "bent (web)", on
    status, locked = await call(api, "POST", f"{one}/lock", bent, {"locked": True})
    assert status == 200 and locked["locked"], locked
    kept = {k: v for k, v in locked.items() if k != "admin_groups"}
    status, renamed = await call(api, "PUT", one, bent, {**kept, "name": "Evening line"})
    assert status == 200 and (renamed["name"], renamed["admin_groups"]) == ("Evening line", [leads.id]), (
        renamed
    )
    status, error = await call(api, "PUT", one, bent, {**renamed, "admin_groups": []})
    assert status == 403 and "admin_groups" in error["fields"], error

    announcement = f"{ANNOUNCEMENTS}/{welcome['id']}"
    status, found = await call(api, "GET", announcement, bent)
    assert status == 200 and found["name"] == "Welcome", found
    status, locked = await call(api, "POST", f"{announcement}/lock", bent, {"locked": True})
    assert status == 200 and locked["locked"], locked

    for method, path, sent in (
        ("GET", f"{SWITCHES}/{other['id']}", None),
        ("POST", f"{SWITCHES}/{other['id']}/state", {"on": True}),
        ("POST", SWITCHES, {**body, "number": "1652"}),
        ("DELETE", one, None),
        ("DELETE", announcement, None),
    ):
        status, error = await call(api, method, path, bent, sent)
        assert status == 403 and error["code"] == "forbidden", (method, path, error)
    status, _ = await call(api, "GET", one, user_headers)
    assert status == 403
    elements: FlowElements = core.data[FLOW_ELEMENTS_KEY]
    assert elements.switch(other["id"]).on is False


async def test_aa_loops_without_a_caller_action_are_refused_by_field(
    core: Core, api: TestClient, admin_headers: dict[str, str]
) -> None:
    """Issue 7's call flows: a switch or announcement whose target leads back to it by itself
    (switch to announcement to switch, in either of the switch's states) is refused on the field
    that closes the circle, with the way round, and nothing changes."""
    await _user(core, "bent", "1002")
    status, day = await call(
        api, "POST", SWITCHES, admin_headers,
        {"name": "Day/night", "number": "1650", "on_target": "1002", "off_target": "1002"},
    )  # fmt: skip
    assert status == 201, day
    status, intro = await call(
        api, "POST", ANNOUNCEMENTS, admin_headers,
        {"name": "Intro", "number": "1660", "prompt": "please_hold", "next_number": "1650"},
    )  # fmt: skip
    assert status == 201, intro
    status, error = await call(
        api, "PUT", f"{SWITCHES}/{day['id']}", admin_headers, {**day, "off_target": "1660"}
    )
    assert status == 400, error
    assert error["fields"] == {
        "off_target": "callers would go round in circles without pressing a key: 1650 → 1660 → 1650"
    }, error
    assert _elements(core).switch(day["id"]).off_target == "1002"
    status, error = await call(
        api, "POST", SWITCHES, admin_headers,
        {"name": "Back", "number": "1651", "on_target": "1660", "off_target": "1002"},
    )  # fmt: skip
    assert status == 201, error  # 1660 goes to 1650, which does not come back to 1651


def _elements(core: Core) -> FlowElements:
    return core.data[FLOW_ELEMENTS_KEY]
