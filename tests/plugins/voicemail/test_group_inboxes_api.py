"""Group inboxes and voicemail numbers in the API (GIB-01, GIB-03, GIB-06, GIB-07): administrators
create, change and delete them, every bad field named (a number someone has or outside the
function ranges, a code another inbox has, an unknown user group, anonymous callers without a PIN,
a voicemail number for an inbox that does not exist); members of the member groups list the
inbox's messages, play and delete them; other users get 403 on the admin routes and 404 on the
messages. GIB-06 / ROLE-04: the members of an inbox's ``admin_groups`` read and change that inbox
(not who administers it), and cannot create or delete inboxes or touch others."""

from __future__ import annotations

import numpy as np
from aiohttp.test_utils import TestClient
from api_calls import add_user, call, login

from cordboard.core.context import ulid_now
from cordboard.core.core import Core
from cordboard.core.identity.passwords import verify_secret
from cordboard.core.media.audio_file import write_wav
from cordboard.plugins.voicemail.const import INBOXES_KEY, MAILBOXES_KEY
from cordboard.plugins.voicemail.mailboxes import Mailboxes
from cordboard.plugins.voicemail.storage import Box, Message

INBOXES = "/api/voicemail/group-inboxes"
NUMBERS = "/api/voicemail/numbers"
MESSAGES = "/api/voicemail/messages"
BENT_PASSWORD = "bent-password-1"


async def _message(core: Core, inbox_id: int) -> Message:
    mailboxes: Mailboxes = core.data[MAILBOXES_KEY]
    box = Box(inbox_id=inbox_id)
    message_id = ulid_now()
    t = np.arange(8000) / 8000
    write_wav(
        mailboxes.folder / box.folder_name / f"{message_id}.wav",
        (8000 * np.sin(2 * np.pi * 600 * t)).astype(np.int16),
        8000,
    )
    return await mailboxes.keep(box, "+4512345678", "", message_id, 1.0)


async def _group(core: Core, name: str, *usernames: str) -> int:
    group = await core.identity.create_group(name)
    ids = [(await core.identity.get_user_by_username(u)).id for u in usernames]
    await core.identity.set_group_members(group.id, ids)
    return group.id


def _inbox(group_id: int, **changes: object) -> dict[str, object]:
    return {
        "name": "After hours",
        "number": "1590",
        "code": "42",
        "pin": "2468",
        "allow_anonymous_after_pin": True,
        "exclude_from_search": True,
        "greeting_prompt": "leave_message",
        "member_groups": [group_id],
        "sms_groups": [group_id],
        "email_groups": [],
        **changes,
    }


async def test_gib_01_gib_07_administrators_keep_inboxes_and_voicemail_numbers(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    support = await _group(core, "Support", "anna")
    status, inbox = await call(api, "POST", INBOXES, admin_headers, _inbox(support))
    assert status == 201, inbox
    assert inbox == {
        "id": inbox["id"], "name": "After hours", "number": "1590", "code": "42", "has_pin": True,
        "allow_anonymous_after_pin": True, "exclude_from_search": True, "greeting_prompt": "leave_message",
        "member_groups": [support], "sms_groups": [support], "email_groups": [], "admin_groups": [],
        "new": 0, "old": 0,
    }  # fmt: skip
    stored = core.data[INBOXES_KEY].get(inbox["id"])
    assert stored.pin_hash is not None and verify_secret("2468", stored.pin_hash)  # hashed like users' PINs
    owner = await core.numbers.owner_of("1590")
    assert owner is not None and owner.id == "voicemail" and "After hours" in owner.label

    # The form sends back what it got, with the PIN left out: the PIN stays.
    status, changed = await call(
        api, "PUT", f"{INBOXES}/{inbox['id']}", admin_headers, {**inbox, "name": "Nights"}
    )
    assert status == 200 and changed["name"] == "Nights" and changed["has_pin"] is True, changed

    status, number = await call(
        api,
        "POST",
        NUMBERS,
        admin_headers,
        {"number": "1598", "kind": "group_inbox", "inbox_id": inbox["id"]},
    )
    assert status == 201 and number == {"number": "1598", "kind": "group_inbox", "inbox_id": inbox["id"]}, (
        number
    )
    status, own = await call(
        api, "POST", NUMBERS, admin_headers, {"number": "1599", "kind": "user_inbox", "inbox_id": inbox["id"]}
    )
    assert status == 201 and own == {"number": "1599", "kind": "user_inbox", "inbox_id": None}, own
    status, listed = await call(api, "GET", NUMBERS, admin_headers)
    assert [n["number"] for n in listed] == ["1598", "1599"]
    status, moved = await call(
        api, "PUT", f"{NUMBERS}/1599", admin_headers, {"number": "1597", "kind": "user_inbox"}
    )
    assert status == 200 and moved["number"] == "1597", moved
    assert await core.numbers.owner_of("1599") is None and await core.numbers.owner_of("1597") is not None

    status, error = await call(api, "DELETE", f"{INBOXES}/{inbox['id']}", admin_headers)
    assert status == 409 and "1598" in error["message"], error  # a voicemail number leads to it
    for path in (f"{NUMBERS}/1598", f"{NUMBERS}/1597", f"{INBOXES}/{inbox['id']}"):
        status, _ = await call(api, "DELETE", path, admin_headers)
        assert status == 204, path
    assert await core.numbers.owner_of("1590") is None
    status, listed = await call(api, "GET", INBOXES, admin_headers)
    assert listed == []

    status, error = await call(api, "GET", INBOXES, user_headers)
    assert status == 403, error  # GIB-06: no group administrators yet, only administrators
    status, error = await call(api, "POST", NUMBERS, user_headers, {"number": "1599", "kind": "user_inbox"})
    assert status == 403, error


async def test_gib_01_gib_07_bad_fields_are_named(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    support = await _group(core, "Support", "anna")
    status, first = await call(api, "POST", INBOXES, admin_headers, _inbox(support))
    assert status == 201, first
    status, error = await call(
        api, "POST", INBOXES, admin_headers,
        _inbox(support, number="1001", code="42", pin=None, member_groups=[], sms_groups=[999],
               greeting_prompt="no_such_prompt"),
    )  # fmt: skip
    assert status == 400, error
    fields = error["fields"]
    assert "anna" in fields["number"].lower() or "1001" in fields["number"], fields
    assert "After hours" in fields["code"]
    assert "PIN" in fields["pin"]
    assert "at least one" in fields["member_groups"]
    assert "999" in fields["sms_groups"]
    assert "no_such_prompt" in fields["greeting_prompt"]
    status, error = await call(api, "POST", INBOXES, admin_headers, _inbox(support, number="1234", code="7"))
    assert status == 400 and "function numbers" in error["fields"]["number"], error  # a user-line range
    status, error = await call(api, "POST", INBOXES, admin_headers, _inbox(support, number="15x", code="x"))
    assert status == 400 and set(error["fields"]) >= {"number", "code"}, error

    status, error = await call(
        api, "POST", NUMBERS, admin_headers, {"number": "1598", "kind": "group_inbox", "inbox_id": 999}
    )
    assert status == 400 and "999" in error["fields"]["inbox_id"], error  # GIB-07: the inbox must exist
    status, error = await call(api, "POST", NUMBERS, admin_headers, {"number": "1598", "kind": "group_inbox"})
    assert status == 400 and "inbox_id" in error["fields"], error
    status, error = await call(api, "POST", NUMBERS, admin_headers, {"number": "1590", "kind": "user_inbox"})
    assert status == 400 and "After hours" in error["fields"]["number"], error
    status, error = await call(
        api, "POST", NUMBERS, admin_headers, {"number": "+4589401599", "kind": "user_inbox"}
    )
    assert status == 400 and "internal" in error["fields"]["number"], error
    status, error = await call(api, "POST", NUMBERS, admin_headers, {"number": "1598", "kind": "mailbox"})
    assert status == 400 and "kind" in error["fields"], error


async def test_gib_03_members_reach_the_inbox_messages_and_nobody_else(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    await add_user(core, "bent", BENT_PASSWORD, extension="1002")
    bent_headers = await login(api, "bent", BENT_PASSWORD)
    support = await _group(core, "Support", "anna")
    await _group(core, "Sales", "bent")
    status, inbox = await call(api, "POST", INBOXES, admin_headers, _inbox(support))
    assert status == 201, inbox
    message = await _message(core, inbox["id"])

    status, mine = await call(api, "GET", f"{INBOXES}/mine", user_headers)
    assert status == 200, mine
    assert [(i["name"], i["new"], [m["id"] for m in i["messages"]]) for i in mine] == [
        ("After hours", 1, [message.id])
    ]
    audio = await api.get(f"{MESSAGES}/{message.id}/audio", headers=user_headers)
    assert audio.status == 200 and (await audio.read())[:4] == b"RIFF"
    status, heard = await call(api, "PATCH", f"{MESSAGES}/{message.id}", user_headers, {"heard": True})
    assert status == 200 and heard["heard"] is True
    status, anna_own = await call(api, "GET", MESSAGES, user_headers)
    assert anna_own["messages"] == []  # the inbox's messages are not in her own mailbox

    status, mine = await call(api, "GET", f"{INBOXES}/mine", bent_headers)
    assert status == 200 and mine == []
    for method, path in (("GET", f"{MESSAGES}/{message.id}/audio"), ("DELETE", f"{MESSAGES}/{message.id}")):
        status, error = await call(api, method, path, bent_headers)
        assert status == 404, (method, error)
    status, error = await call(api, "GET", INBOXES, bent_headers)
    assert status == 403, error

    status, _ = await call(api, "DELETE", f"{MESSAGES}/{message.id}", user_headers)
    assert status == 204
    assert core.data[MAILBOXES_KEY].messages(Box(inbox_id=inbox["id"])) == []
    assert not core.data[MAILBOXES_KEY].audio_path(message).exists()


async def test_gib_06_role_04_group_administrators_change_their_inbox_and_nothing_else(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    await add_user(core, "bent", BENT_PASSWORD, extension="1002")
    support = await _group(core, "Support", "anna")
    leads = await _group(core, "Team leads", "bent")
    status, theirs = await call(api, "POST", INBOXES, admin_headers, _inbox(support, admin_groups=[leads]))
    assert status == 201 and theirs["admin_groups"] == [leads], theirs
    status, other = await call(
        api, "POST", INBOXES, admin_headers, _inbox(support, name="Sales", number="1591", code="43")
    )
    assert status == 201, other
    bent = await login(api, "bent", BENT_PASSWORD)

    status, me = await call(api, "GET", "/api/auth/me", bent)
    assert status == 200 and me["administers"] == ["group-inboxes"], me
    status, me = await call(api, "GET", "/api/auth/me", user_headers)
    assert status == 200 and me["administers"] == [], me
    status, listed = await call(api, "GET", INBOXES, bent)
    assert status == 200 and [i["name"] for i in listed] == ["After hours"], listed

    one = f"{INBOXES}/{theirs['id']}"
    status, got = await call(api, "GET", one, bent)
    assert status == 200 and got["name"] == "After hours", got
    changed = {key: value for key, value in got.items() if key != "admin_groups"}
    status, saved = await call(api, "PUT", one, bent, {**changed, "name": "Evenings", "pin": "1357"})
    assert status == 200, saved
    assert (saved["name"], saved["admin_groups"]) == ("Evenings", [leads]), "left out, they stay"
    assert verify_secret("1357", core.data[INBOXES_KEY].get(theirs["id"]).pin_hash or "")

    status, error = await call(api, "PUT", one, bent, {**got, "admin_groups": [leads, support]})
    assert status == 403 and "admin_groups" in error["fields"], error
    for method, path, body in (
        ("GET", f"{INBOXES}/{other['id']}", None),
        ("PUT", f"{INBOXES}/{other['id']}", {**other, "name": "Mine now"}),
        ("POST", INBOXES, _inbox(leads, number="1592", code="44")),
        ("DELETE", one, None),
    ):
        status, error = await call(api, method, path, bent, body)
        assert status == 403 and error["code"] == "forbidden", (method, path, error)
    for method, path in (("GET", INBOXES), ("GET", one)):
        status, _ = await call(api, method, path, user_headers)
        assert status == 403, (method, path)
    names = sorted(i.name for i in core.data[INBOXES_KEY].all())
    assert names == ["Evenings", "Sales"], names
