"""The mailbox in the web UI's API (VM-13, VM-15, VM-17): a user lists their messages, plays one
(range requests, so the browser's player can seek), marks it heard, deletes it; nobody else sees
it but an administrator; listened-to messages older than the retention days go by themselves."""

from __future__ import annotations

from typing import Any

import numpy as np
from aiohttp.test_utils import TestClient
from api_calls import call

from cordboard.core.calls.subscriptions import EVENT_MESSAGE_COUNTS, MessageCounts
from cordboard.core.context import ulid_now
from cordboard.core.core import Core
from cordboard.core.media.audio_file import write_wav
from cordboard.plugins.voicemail.const import MAILBOXES_KEY
from cordboard.plugins.voicemail.mailboxes import DAY_S, Mailboxes
from cordboard.plugins.voicemail.storage import Message

MESSAGES = "/api/voicemail/messages"
BENT_PASSWORD = "bent-password-1"


async def _message(core: Core, user_id: int, caller: str = "1002", seconds: float = 1.5) -> Message:
    """A message as the mailbox files one after a call: its WAV (a 600 Hz tone), then its row."""
    mailboxes: Mailboxes = core.data[MAILBOXES_KEY]
    message_id = ulid_now()
    t = np.arange(int(8000 * seconds)) / 8000
    samples = (8000 * np.sin(2 * np.pi * 600 * t)).astype(np.int16)
    write_wav(mailboxes.folder / str(user_id) / f"{message_id}.wav", samples, 8000)
    return await mailboxes.keep(user_id, caller, "Bent Tester", message_id, seconds)


async def _anna(core: Core) -> int:
    return (await core.identity.get_user_by_username("anna")).id


async def test_vm_15_a_user_lists_plays_marks_and_deletes_their_messages(
    core: Core, api: TestClient, user_headers: dict[str, str]
) -> None:
    anna = await _anna(core)
    message = await _message(core, anna)
    lamp: list[dict[str, Any]] = []
    core.bus.listen(EVENT_MESSAGE_COUNTS, lambda event: lamp.append(dict(event.data)))

    status, mailbox = await call(api, "GET", MESSAGES, user_headers)
    assert status == 200, mailbox
    assert mailbox["new"] == 1 and mailbox["old"] == 0 and mailbox["user_id"] == anna
    assert mailbox["messages"] == [
        {"id": message.id, "caller": "1002", "caller_name": "Bent Tester", "received": message.received,
         "seconds": 1.5, "heard": False},
    ]  # fmt: skip
    assert 0 < mailbox["used_bytes"] < mailbox["max_bytes"]

    audio = await api.get(f"{MESSAGES}/{message.id}/audio", headers=user_headers)
    assert audio.status == 200 and audio.headers["Content-Type"] == "audio/wav"
    whole = await audio.read()
    assert whole[:4] == b"RIFF" and len(whole) == message.size
    part = await api.get(f"{MESSAGES}/{message.id}/audio", headers={**user_headers, "Range": "bytes=100-199"})
    assert part.status == 206 and await part.read() == whole[100:200]

    status, heard = await call(api, "PATCH", f"{MESSAGES}/{message.id}", user_headers, {"heard": True})
    assert status == 200 and heard["heard"] is True
    assert core.data[MAILBOXES_KEY].counts(anna) == MessageCounts(0, 1)
    assert {"user_id": anna} in lamp  # the phones' lamp goes out
    status, error = await call(api, "PATCH", f"{MESSAGES}/{message.id}", user_headers, {"heard": "yes"})
    assert status == 400 and "heard" in error["fields"], error

    status, _ = await call(api, "DELETE", f"{MESSAGES}/{message.id}", user_headers)
    assert status == 204
    assert not core.data[MAILBOXES_KEY].audio_path(message).exists()
    status, mailbox = await call(api, "GET", MESSAGES, user_headers)
    assert mailbox["messages"] == [] and mailbox["used_bytes"] == 0
    status, error = await call(api, "DELETE", f"{MESSAGES}/{message.id}", user_headers)
    assert status == 404, error


async def test_vm_17_only_the_owner_and_administrators_reach_a_mailbox(
    core: Core, api: TestClient, user_headers: dict[str, str], admin_headers: dict[str, str]
) -> None:
    anna = await _anna(core)
    message = await _message(core, anna)
    await core.identity.create_user(
        username="bent",
        first_name="Bent",
        last_name="Tester",
        email="bent@example.com",
        password=BENT_PASSWORD,
    )
    resp = await api.post("/api/auth/login", json={"username": "bent", "password": BENT_PASSWORD})
    assert resp.status == 200, await resp.text()
    api.session.cookie_jar.clear()
    bent_headers = {"Authorization": f"Bearer {(await resp.json())['token']}"}

    status, error = await call(api, "GET", f"{MESSAGES}?user_id={anna}", bent_headers)
    assert status == 403, error
    status, mailbox = await call(api, "GET", MESSAGES, bent_headers)
    assert mailbox["messages"] == []
    for method, path in (("GET", f"{MESSAGES}/{message.id}/audio"), ("DELETE", f"{MESSAGES}/{message.id}")):
        status, error = await call(api, method, path, bent_headers)
        assert status == 404, (method, error)
    assert core.data[MAILBOXES_KEY].messages(anna) == [message]

    status, mailbox = await call(api, "GET", f"{MESSAGES}?user_id={anna}", admin_headers)
    assert status == 200 and [m["id"] for m in mailbox["messages"]] == [message.id]
    resp = await api.get(f"{MESSAGES}/{message.id}/audio", headers=admin_headers)
    assert resp.status == 200
    status, error = await call(api, "GET", MESSAGES, {})
    assert status == 401, error


async def test_vm_13_listened_to_messages_go_after_the_retention_days(
    core: Core, user_headers: dict[str, str]
) -> None:
    anna = await _anna(core)
    mailboxes: Mailboxes = core.data[MAILBOXES_KEY]
    now = [1_800_000_000.0]
    mailboxes.clock = lambda: now[0]
    heard = await _message(core, anna, caller="1002")
    new = await _message(core, anna, caller="1003")
    await mailboxes.mark_heard(heard.id)
    now[0] += (mailboxes.retention_days - 1) * DAY_S
    assert await mailboxes.clean() == 0
    now[0] += 2 * DAY_S
    assert await mailboxes.clean() == 1  # the heard one; a new message stays however old
    assert [m.id for m in mailboxes.messages(anna)] == [new.id]
    assert not mailboxes.audio_path(heard).exists() and mailboxes.audio_path(new).exists()

    # The mailbox is read again from the database after a restart: the same, nothing lost.
    again = Mailboxes(
        core, {"retention_days": 30, "max_mailbox_mb": 50, "max_message_s": 180, "min_message_s": 1}
    )
    await again.load()
    assert [m.id for m in again.messages(anna)] == [new.id]
