"""NUM-11 "exclude from contact searches": hunt groups, IVR menus and group inboxes are found in the
directory search (name and number, kind "function") and in the phones' phone book, unless their
setting "exclude from contact searches" is on; an excluded number is still routed to its plugin."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from api_calls import call

from cordboard.core.calls.channel import InboundCall
from cordboard.core.core import Core
from cordboard.plugins.directory.book import FUNCTION_NUMBERS_GROUP, Directory
from cordboard.plugins.directory.const import DIRECTORY_KEY

GROUPS = "/api/hunt_groups/groups"
MENUS = "/api/ivr/menus"
INBOXES = "/api/voicemail/group-inboxes"


async def _entries(api: TestClient, headers: dict[str, str], query: str) -> list[dict[str, Any]]:
    status, found = await call(api, "GET", f"/api/directory/entries?q={query}", headers)
    assert status == 200, found
    return list(found["entries"])


async def _support(core: Core) -> int:
    """A user group "Support" with anna (the logged-in user of ``user_headers``)."""
    group = await core.identity.create_group("Support")
    anna = (await core.identity.get_user_by_username("anna")).id
    await core.identity.set_group_members(group.id, [anna])
    return group.id


def _routed_to(core: Core, number: str) -> bool:
    """Whether a call to ``number`` is taken by a plugin (it can be called)."""
    call_info = InboundCall(id="test", dialled=number, caller="1001", caller_name="Anna", caller_user_id=None)
    return core.plugins.pm.hook.cordboard_route_call(core=core, call=call_info) is not None


async def test_num_11_function_numbers_are_found_unless_excluded_and_can_still_be_called(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    support = await _support(core)
    status, group = await call(
        api, "POST", GROUPS, admin_headers, {"name": "Sales Team", "number": "1500", "user_groups": [support]}
    )
    assert status == 201, group
    assert group["exclude_from_search"] is False
    status, menu = await call(
        api,
        "POST",
        MENUS,
        admin_headers,
        {"name": "Main menu", "number": "1600", "exclude_from_search": True},
    )
    assert status == 201, menu
    assert menu["exclude_from_search"] is True
    inbox_body = {
        "name": "Night inbox",
        "number": "1590",
        "code": "42",
        "pin": "2468",
        "member_groups": [support],
        "exclude_from_search": False,
    }
    status, inbox = await call(api, "POST", INBOXES, admin_headers, inbox_body)
    assert status == 201, inbox

    found = await _entries(api, user_headers, "sales")
    assert [(e["kind"], e["name"], e["extension"], e["function"]) for e in found] == [
        ("function", "Sales Team", "1500", "hunt_group")
    ]
    assert [e["name"] for e in await _entries(api, user_headers, "1590")] == ["Night inbox"]
    assert "Night inbox" in [e["name"] for e in await _entries(api, user_headers, "group inbox")]
    assert await _entries(api, user_headers, "main menu") == []  # excluded: not found...
    assert await _entries(api, user_headers, "1600") == []
    assert _routed_to(core, "1600")  # ...but it can still be called

    directory: Directory = core.data[DIRECTORY_KEY]
    book = [(e.name, e.number, e.group) for e in directory.phone_book(None)]
    assert ("Sales Team", "1500", FUNCTION_NUMBERS_GROUP) in book
    assert ("Night inbox", "1590", FUNCTION_NUMBERS_GROUP) in book
    assert all(number != "1600" for _name, number, _group in book)

    # Excluding the hunt group later takes it out of searches at once; it still takes calls.
    status, changed = await call(
        api, "PUT", f"{GROUPS}/{group['id']}", admin_headers, {**group, "exclude_from_search": True}
    )
    assert status == 200, changed
    assert changed["exclude_from_search"] is True
    assert await _entries(api, user_headers, "sales") == []
    assert all(e.number != "1500" for e in directory.phone_book(None))
    assert _routed_to(core, "1500")
    # ...and including the menu again brings it back.
    status, changed = await call(
        api, "PUT", f"{MENUS}/{menu['id']}", admin_headers, {**menu, "exclude_from_search": False}
    )
    assert status == 200, changed
    assert [e["name"] for e in await _entries(api, user_headers, "main")] == ["Main menu"]


async def test_num_11_the_flag_must_be_true_or_false(
    core: Core, api: TestClient, admin_headers: dict[str, str]
) -> None:
    support = await _support_group(core)
    for path, body in (
        (GROUPS, {"name": "Sales", "number": "1500", "user_groups": [support]}),
        (MENUS, {"name": "Main", "number": "1600"}),
    ):
        status, error = await call(api, "POST", path, admin_headers, {**body, "exclude_from_search": "yes"})
        assert status == 400, error
        assert "exclude_from_search" in error["fields"], error


async def _support_group(core: Core) -> int:
    group = await core.identity.create_group("Support")
    return group.id
