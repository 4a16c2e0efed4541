"""The IVR menus' REST API (IVR-01..04, IVR-08): administrators create, list, change and delete
menus; a number someone else has or outside the IVR ranges, an unknown key, a prompt that does not
exist and a destination nothing reaches are refused by field and nothing is saved; users get 403."""

from __future__ import annotations

from aiohttp.test_utils import TestClient
from api_calls import call

from cordboard.core.core import Core

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
