"""Group inboxes and voicemail numbers with real SIP phones on loopback (GIB-02..05, GIB-07): bo
calls the group inbox's number, hears its greeting and leaves a message (a 600 Hz tone), which is
kept with its audio and e-mailed with the recording to the users of the e-mail groups (a real SMTP
server); the users of the SMS groups with a mobile number get an SMS. ann, a member, listens at the
inbox's voicemail number after keying its code; bo, no member, is refused unless the inbox lets
anonymous callers in after its PIN, and then listens after the PIN. A ``user_inbox`` voicemail
number opens the caller's own mailbox."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from loopback_pbx import registered_phone, running_pbx
from rtp_audio import dominant, heard, send_audio, send_digits, tone, until_beep
from sip_phone import TestPhone, media_address

from cordboard.core.calls.subscriptions import MessageCounts
from cordboard.core.context import ulid_now
from cordboard.core.core import Core
from cordboard.core.media.audio_file import read_audio, write_wav
from cordboard.plugins.voicemail.const import INBOXES_KEY, MAILBOXES_KEY
from cordboard.plugins.voicemail.group_notice import send_group_notices
from cordboard.plugins.voicemail.inboxes import GroupInboxes
from cordboard.plugins.voicemail.mailboxes import Mailboxes
from cordboard.plugins.voicemail.storage import Box, GroupInbox, Message

RTP_MIN, RTP_MAX = 41200, 41399
# From the key pressed in a message's menu to the goodbye's BYE: the rest of the menu prompt, the
# goodbye prompts and, on a loaded machine whose key came a moment late, the menu's 8 s key wait.
LISTEN_END_S = 40.0


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", RTP_MIN, RTP_MAX) as core:
        yield core


def _mailboxes(core: Core) -> Mailboxes:
    return core.data[MAILBOXES_KEY]


def _inboxes(core: Core) -> GroupInboxes:
    return core.data[INBOXES_KEY]


async def _support_inbox(core: Core, **changes: Any) -> GroupInbox:
    """ann's group Support owns the inbox 1590 (code 42, PIN 2468); 1598 is its voicemail number."""
    ann = await core.identity.get_user_by_username("ann")
    group = await core.identity.create_group("Support")
    await core.identity.set_group_members(group.id, [ann.id])
    fields = {
        "name": "After hours", "number": "1590", "code": "42", "pin": "2468",
        "allow_anonymous_after_pin": False, "member_groups": [group.id], "email_groups": [group.id],
        "sms_groups": [group.id], **changes,
    }  # fmt: skip
    inbox = await _inboxes(core).create(fields)
    await _inboxes(core).put_number(None, {"number": "1598", "kind": "group_inbox", "inbox_id": inbox.id})
    return inbox


async def _tone_message(core: Core, target: int | Box) -> Message:
    """A message of a 600 Hz tone from 1002, filed as after a call."""
    mailboxes = _mailboxes(core)
    box = target if isinstance(target, Box) else Box(user_id=target)
    message_id = ulid_now()
    write_wav(mailboxes.folder / box.folder_name / f"{message_id}.wav", tone(600.0, 1.0), 8000)
    return await mailboxes.keep(box, "1002", "Bo Tester", message_id, 1.0)


def _has_tone(samples: np.ndarray, frequency: float) -> bool:
    """Whether ``frequency`` holds for 0.75 s (two overlapping half-second windows): a spoken
    prompt may peak near it for a moment, the message's steady tone holds."""
    window = 4000
    held = 0
    for start in range(0, max(0, samples.size - window), window // 2):
        chunk = samples[start : start + window]
        if int(np.abs(chunk.astype(np.int32)).max()) > 1000 and abs(dominant(chunk) - frequency) < 15:
            held += 1
            if held >= 2:
                return True
        else:
            held = 0
    return False


async def _until_tone(phone: TestPhone, frequency: float = 600.0, wait: float = 25.0) -> bool:
    """Listen until the message's tone is heard (the prompts are spoken on first use: no fixed time)."""
    played = np.zeros(0, dtype=np.int16)
    loop = asyncio.get_running_loop()
    end = loop.time() + wait
    while loop.time() < end:
        played = np.concatenate([played, await heard(phone, 1.0)])
        if _has_tone(played[-16000:], frequency):
            return True
    return False


async def _key_code(phone: TestPhone, number: str, keys: list[str]) -> tuple[str, int]:
    """Call ``number``, key each of ``keys`` (each after a prompt); where the audio goes."""
    _invite, ok = await phone.call(number)
    assert ok.status == 200, ok
    to = media_address(ok.body)
    seq = 1
    for keyed in keys:
        await heard(phone, 2.0)
        seq = await send_digits(phone, to, keyed + "#", seq)
    return to, seq


async def test_gib_02_gib_05_a_caller_leaves_a_message_and_the_groups_are_told(
    pbx: Core, tmp_path: Path
) -> None:
    """GIB-02: the greeting, the tone, the message kept; GIB-05: ann (e-mail group) gets the
    recording by e-mail."""
    from cordboard_process import free_port
    from mail_server import MailServer

    server = await MailServer(free_port(socket.SOCK_STREAM)).start()
    try:
        await pbx.plugins.set_config(
            "notify",
            {"smtp_host": "127.0.0.1", "smtp_port": server.port, "security": "none",
             "sender_address": "pbx@example.com"},
        )  # fmt: skip
        inbox = await _support_inbox(pbx, greeting_prompt="leave_message")
        bo = await registered_phone(pbx, "bo")
        try:
            invite, ok = await bo.call("1590")
            assert ok.status == 200, ok
            greeting = await until_beep(bo)
            assert int(np.abs(greeting.astype(np.int32)).max()) > 1000
            await send_audio(bo, media_address(ok.body), tone(600.0, 2.0), 1)
            bye = bo.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 1)
            bo.send(bye)
            assert (await bo.final_response(bye)).status == 200
            [mail] = await server.inbox.wait_for(1, seconds=30)
        finally:
            bo.close()
    finally:
        await server.stop()
    [message] = _mailboxes(pbx).messages(inbox.box)
    assert (message.inbox_id, message.caller, message.heard) == (inbox.id, "1002", False)
    samples = read_audio(_mailboxes(pbx).audio_path(message), 8000)
    assert abs(dominant(samples[len(samples) // 4 :]) - 600) < 15
    assert _mailboxes(pbx).messages((await pbx.identity.get_user_by_username("ann")).id) == []
    assert mail.rcpt_tos == ["ann@example.com"]
    assert mail.message["Subject"] == "New voice message in After hours from Bo Tester (1002)"
    [attachment] = list(mail.message.iter_attachments())
    assert attachment.get_content_type() == "audio/wav"


async def test_gib_05_sms_to_the_sms_groups_users_with_a_mobile(pbx: Core) -> None:
    """GIB-05: only users with a mobile number get the SMS (the modem's queue is a stand-in)."""
    from cordboard.plugins.notify.const import SMS_KEY

    sent: list[tuple[str, str]] = []

    class Settings:
        def missing(self) -> None:
            return None

    class Sms:
        settings = Settings()

        async def send(self, to: str, text: str) -> int:
            sent.append((to, text))
            return len(sent)

    pbx.data[SMS_KEY] = Sms()  # type: ignore[assignment]
    inbox = await _support_inbox(pbx, email_groups=[])
    message = await _tone_message(pbx, inbox.box)
    assert await send_group_notices(pbx, message, b"RIFF") == (0, 0)  # ann has no mobile
    ann = await pbx.identity.get_user_by_username("ann")
    await pbx.identity.update_user(ann.id, {"mobile": "+4520304050"})
    assert await send_group_notices(pbx, message, b"RIFF") == (1, 0)
    assert sent == [("+4520304050", "New voice message in After hours (1590) from Bo Tester (1002), 0:01.")]


async def test_gib_04_a_member_listens_after_the_code(pbx: Core) -> None:
    inbox = await _support_inbox(pbx)
    await _tone_message(pbx, inbox.box)
    ann = await registered_phone(pbx, "ann")
    try:
        to, seq = await _key_code(ann, "1598", ["42"])
        assert await _until_tone(ann), "the message was not played"  # after the counts, "message from"
        await heard(ann, 2.0)  # the menu after the message
        await send_digits(ann, to, "9", seq)
        ann.answer(await ann.wait_request("BYE", wait=LISTEN_END_S), 200, to_tag="")
    finally:
        ann.close()
    assert _mailboxes(pbx).counts(inbox.box) == MessageCounts(0, 1)


async def test_gib_04_others_need_the_pin_when_the_inbox_allows_it(pbx: Core) -> None:
    """bo is no member: refused while the inbox lets nobody else in; once it allows anonymous
    callers after the PIN, a wrong PIN is told and the right one opens the inbox."""
    inbox = await _support_inbox(pbx)
    await _tone_message(pbx, inbox.box)
    bo = await registered_phone(pbx, "bo")
    try:
        await _key_code(bo, "1598", ["42"])
        bo.answer(await bo.wait_request("BYE", wait=10), 200, to_tag="")  # "you may not use this code"
        assert _mailboxes(pbx).counts(inbox.box) == MessageCounts(1, 0)

        fields = {**inbox.as_dict(), "allow_anonymous_after_pin": True}
        await _inboxes(pbx).update(inbox.id, fields)
        to, seq = await _key_code(bo, "1598", ["42", "1111", "2468"])
        assert await _until_tone(bo), "the message was not played"
        await heard(bo, 2.0)  # the menu after the message
        await send_digits(bo, to, "7", seq)
        bo.answer(await bo.wait_request("BYE", wait=LISTEN_END_S), 200, to_tag="")
    finally:
        bo.close()
    assert _mailboxes(pbx).messages(inbox.box) == []


async def test_gib_07_a_user_inbox_number_opens_the_own_mailbox(pbx: Core) -> None:
    bo_id = (await pbx.identity.get_user_by_username("bo")).id
    await _inboxes(pbx).put_number(None, {"number": "1599", "kind": "user_inbox"})
    await _tone_message(pbx, bo_id)
    bo = await registered_phone(pbx, "bo")
    try:
        _invite, ok = await bo.call("1599")
        assert ok.status == 200, ok
        assert await _until_tone(bo), "the message was not played"
        await heard(bo, 2.0)  # the menu after the message
        await send_digits(bo, media_address(ok.body), "9", 1)
        bo.answer(await bo.wait_request("BYE", wait=LISTEN_END_S), 200, to_tag="")
    finally:
        bo.close()
    assert _mailboxes(pbx).counts(bo_id) == MessageCounts(0, 1)
    await asyncio.sleep(0)
