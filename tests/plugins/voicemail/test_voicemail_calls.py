"""Leaving voice messages with real SIP phones on loopback (VM-01, VM-14, FC-14): bo's routing
rule sends unanswered calls to his mailbox, ann leaves a message there (a 600 Hz tone), the message
is kept with its audio, bo's message-waiting lamp count goes up; a full mailbox tells the caller;
a caller who hangs up at the tone leaves nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from loopback_pbx import registered_phone, running_pbx
from rtp_audio import dominant, heard, send_audio, tone, until_beep
from sip_phone import TestPhone, media_address

from cordboard.core.calls.history import list_calls
from cordboard.core.calls.subscriptions import EVENT_MAILBOX_FULL, EVENT_MESSAGE_COUNTS, MessageCounts
from cordboard.core.core import Core
from cordboard.core.exceptions import TooManyAttempts
from cordboard.core.media.audio_file import read_audio
from cordboard.plugins.voicemail.const import EVENT_VOICEMAIL_NEW, MAILBOXES_KEY
from cordboard.plugins.voicemail.mailboxes import Mailboxes

RTP_MIN, RTP_MAX = 38800, 38999
# From the key pressed in a message's menu to the goodbye's BYE: the rest of the menu prompt, the
# goodbye prompts and, on a loaded machine whose key came a moment late, the menu's 8 s key wait.
LISTEN_END_S = 40.0


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", RTP_MIN, RTP_MAX) as core:
        yield core


def _mailboxes(core: Core) -> Mailboxes:
    return core.data[MAILBOXES_KEY]


async def _bo(core: Core) -> int:
    return (await core.identity.get_user_by_username("bo")).id


async def _to_voicemail_after(core: Core, user_id: int, seconds: int) -> None:
    """The user's rule: their phones ring, after ``seconds`` the mailbox takes the call."""
    await core.routing.create(
        {
            "scope": "user",
            "scope_id": user_id,
            "list": "incoming",
            "name": "Voicemail when I do not answer",
            "destinations": [{"kind": "phones"}, {"kind": "voicemail", "after_s": seconds}],
        }
    )


def _events(core: Core, event_type: Any) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    core.bus.listen(event_type, lambda event: seen.append(dict(event.data)))
    return seen


async def _leave_message(ann: TestPhone, number: str, seconds: float = 2.0) -> None:
    """ann calls ``number``, waits for the greeting and the tone, speaks 600 Hz and hangs up."""
    invite, ok = await ann.call(number)
    assert ok.status == 200, ok
    to = media_address(ok.body)
    greeting = await until_beep(ann)  # "not available", "leave a message after the tone", the tone
    assert int(np.abs(greeting.astype(np.int32)).max()) > 1000
    await send_audio(ann, to, tone(600.0, seconds), 1)
    bye = ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 1)
    ann.send(bye)
    assert (await ann.final_response(bye)).status == 200


async def _kept(core: Core, user_id: int, count: int) -> None:
    for _ in range(50):
        if len(_mailboxes(core).messages(user_id)) >= count:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the mailbox has {_mailboxes(core).messages(user_id)}")


async def test_vm_01_an_unanswered_call_leaves_a_message_and_the_lamp_follows(pbx: Core) -> None:
    """VM-01 (the rule's voicemail step), VM-18 (the history says so), and the MWI counts."""
    bo_id = await _bo(pbx)
    await _to_voicemail_after(pbx, bo_id, 2)
    new_messages = _events(pbx, EVENT_VOICEMAIL_NEW)
    counts_changed = _events(pbx, EVENT_MESSAGE_COUNTS)
    ann, bo = await registered_phone(pbx, "ann"), await registered_phone(pbx, "bo")
    try:
        calling = asyncio.create_task(ann.call("1002"))
        ringing = await bo.wait_request("INVITE")
        bo.answer(ringing, 180)
        cancel = await bo.wait_request("CANCEL", wait=5)  # after 2 s the mailbox takes the call
        bo.answer(cancel, 200)
        bo.answer(ringing, 487)
        invite, ok = await calling
        assert ok.status == 200, ok
        to = media_address(ok.body)
        greeting = await until_beep(ann)
        assert int(np.abs(greeting.astype(np.int32)).max()) > 1000
        await send_audio(ann, to, tone(600.0, 2.0), 1)
        bye = ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 1)
        ann.send(bye)
        assert (await ann.final_response(bye)).status == 200
        await _kept(pbx, bo_id, 1)
    finally:
        ann.close()
        bo.close()
    [message] = _mailboxes(pbx).messages(bo_id)
    assert (message.caller, message.caller_name, message.heard) == ("1001", "Ann Tester", False)
    assert 1.0 < message.seconds < 3.0
    samples = read_audio(_mailboxes(pbx).audio_path(message), 8000)
    assert abs(dominant(samples[len(samples) // 4 :]) - 600) < 15
    assert new_messages == [
        {"user_id": bo_id, "message_id": message.id, "caller": "1001", "caller_name": "Ann Tester",
         "seconds": round(message.seconds, 1)},
    ]  # fmt: skip
    assert {"user_id": bo_id} in counts_changed
    counts = pbx.plugins.pm.hook.cordboard_message_counts(core=pbx, user_id=bo_id)
    assert counts == MessageCounts(1, 0)
    for _ in range(50):  # VM-18: the call history shows the message with ann's call to bo
        rows = await pbx.db.call(list_calls)
        if len(rows) == 2 and all(r["result"] for r in rows):
            break
        await asyncio.sleep(0.1)
    ann_call = next(r for r in rows if r["caller_user_id"] is not None)
    assert ann_call["callee"] == "1002" and ann_call["route"].endswith("; voicemail"), rows


async def test_fc_14_the_voicemail_code_reaches_the_mailbox(pbx: Core) -> None:
    bo_id = await _bo(pbx)
    ann = await registered_phone(pbx, "ann")
    try:
        await _leave_message(ann, "*1*1002*")
        await _kept(pbx, bo_id, 1)
    finally:
        ann.close()
    assert _mailboxes(pbx).counts(bo_id) == MessageCounts(1, 0)


async def test_vm_14_a_full_mailbox_tells_the_caller_and_keeps_nothing_new(pbx: Core) -> None:
    bo_id = await _bo(pbx)
    mailboxes = _mailboxes(pbx)
    full = _events(pbx, EVENT_MAILBOX_FULL)
    ann = await registered_phone(pbx, "ann")
    try:
        await _leave_message(ann, "*1*1002*")
        await _kept(pbx, bo_id, 1)
        assert full == []
        mailboxes.max_bytes = mailboxes.used_bytes(bo_id)  # that one message fills it
        _invite, ok = await ann.call("*1*1002*")
        assert ok.status == 200
        said = await heard(ann, 2.0)  # "the mailbox is full ..."
        assert int(np.abs(said.astype(np.int32)).max()) > 1000
        ann.answer(await ann.wait_request("BYE", wait=10), 200, to_tag="")
    finally:
        ann.close()
    assert len(mailboxes.messages(bo_id)) == 1
    assert full == [{"user_id": bo_id, "caller": "1001", "caller_name": "Ann Tester"}]  # NTF-02's e-mail


async def test_vm_01_a_caller_who_hangs_up_at_the_tone_leaves_nothing(pbx: Core) -> None:
    bo_id = await _bo(pbx)
    ann = await registered_phone(pbx, "ann")
    try:
        invite, ok = await ann.call("*1*1002*")
        assert ok.status == 200
        await heard(ann, 4.6)
        bye = ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 1)
        ann.send(bye)
        assert (await ann.final_response(bye)).status == 200
        await asyncio.sleep(0.5)
    finally:
        ann.close()
    assert _mailboxes(pbx).messages(bo_id) == []
    assert not list((pbx.data_dir / "voicemail").glob("*/*.wav"))


async def test_vm_07_the_user_gets_an_e_mail_with_the_message_attached(pbx: Core, tmp_path: Path) -> None:
    """VM-07 with a real SMTP server (aiosmtpd): bo gets an e-mail about ann's message, with the
    recording attached (its audio is ann's 600 Hz) and the link to his mailbox; once he chooses
    "yes" the next one comes without the recording, and with "no" none comes."""
    import socket

    from cordboard_process import free_port
    from mail_server import MailServer

    server = await MailServer(free_port(socket.SOCK_STREAM)).start()
    try:
        await pbx.plugins.set_config(
            "notify",
            {"smtp_host": "127.0.0.1", "smtp_port": server.port, "security": "none",
             "sender_address": "pbx@example.com"},
        )  # fmt: skip
        bo_id = await _bo(pbx)
        ann = await registered_phone(pbx, "ann")
        try:
            await _leave_message(ann, "*1*1002*")
            [mail] = await server.inbox.wait_for(1, seconds=30)
            assert mail.rcpt_tos == ["bo@example.com"]
            assert mail.message["Subject"] == "New voice message from Ann Tester (1001)"
            body = mail.message.get_body(("plain",))
            assert body is not None
            assert "/voicemail" in body.get_content() and "The recording is attached." in body.get_content()
            [attachment] = list(mail.message.iter_attachments())
            assert attachment.get_content_type() == "audio/wav"
            wav = attachment.get_payload(decode=True)
            assert isinstance(wav, bytes)
            (tmp_path / "attached.wav").write_bytes(wav)
            samples = read_audio(tmp_path / "attached.wav", 8000)
            assert abs(dominant(samples[len(samples) // 4 :]) - 600) < 15

            await pbx.settings.set("user", bo_id, "voicemail.email", "yes")
            await _leave_message(ann, "*1*1002*")
            received = await server.inbox.wait_for(2, seconds=30)
            assert list(received[1].message.iter_attachments()) == []
            await pbx.settings.set("user", bo_id, "voicemail.email", "no")
            await _leave_message(ann, "*1*1002*")
            await _kept(pbx, bo_id, 3)
            await asyncio.sleep(1.0)
            assert len(server.inbox.received) == 2
        finally:
            ann.close()
    finally:
        await server.stop()


def _has_tone(samples: np.ndarray, frequency: float) -> bool:
    """Whether some half second of ``samples`` is mostly ``frequency``."""
    window = 4000
    for start in range(0, max(0, samples.size - window), window // 2):
        chunk = samples[start : start + window]
        if int(np.abs(chunk.astype(np.int32)).max()) > 1000 and abs(dominant(chunk) - frequency) < 15:
            return True
    return False


async def test_vm_15_the_owner_listens_by_phone_and_keeps_the_message(pbx: Core) -> None:
    """``*50*`` from bo's own phone: the counts, the message (ann's 600 Hz), the menu; 9 keeps it
    (now heard: the lamp goes out), then "no more messages" and goodbye."""
    from rtp_audio import send_digits

    bo_id = await _bo(pbx)
    ann, bo = await registered_phone(pbx, "ann"), await registered_phone(pbx, "bo")
    try:
        await _leave_message(ann, "*1*1002*")
        await _kept(pbx, bo_id, 1)
        _invite, ok = await bo.call("*50*")
        assert ok.status == 200, ok
        played = await heard(bo, 12.0)  # counts, "message from 1 0 0 1", the message, the menu
        assert _has_tone(played, 600.0), "the message was not played"
        await send_digits(bo, media_address(ok.body), "9", 1)
        bye = await bo.wait_request("BYE", wait=20)
        bo.answer(bye, 200, to_tag="")
    finally:
        ann.close()
        bo.close()
    assert _mailboxes(pbx).counts(bo_id) == MessageCounts(0, 1)


async def test_vm_15_byd_32_another_phone_needs_the_pin_and_wrong_ones_lock_it(pbx: Core) -> None:
    """``*51*1002*`` from ann's phone: a wrong PIN is refused three times and the call ends; after
    five wrong PINs the mailbox's PIN is locked even for the right one (BYD-32). Before that, the
    right PIN opens the mailbox and 7 deletes the message."""
    from rtp_audio import send_digits

    bo_id = await _bo(pbx)
    await pbx.identity.set_pin(bo_id, "4711")
    ann = await registered_phone(pbx, "ann")

    async def key_pins(pins: list[str]) -> tuple[str, int]:
        """ann dials the code and keys ``pins`` one after the other; where her audio goes."""
        _invite, ok = await ann.call("*51*1002*")
        assert ok.status == 200, ok
        to = media_address(ok.body)
        seq = 1
        for pin in pins:
            await heard(ann, 2.5)  # "enter your PIN" (and "wrong PIN" before it)
            seq = await send_digits(ann, to, pin + "#", seq)
        return to

    try:
        await _leave_message(ann, "*1*1002*")
        await _kept(pbx, bo_id, 1)
        to = await key_pins(["4711"])
        played = await heard(ann, 11.0)
        assert _has_tone(played, 600.0)
        await send_digits(ann, to, "7", 100)
        ann.answer(await ann.wait_request("BYE", wait=LISTEN_END_S), 200, to_tag="")
        assert _mailboxes(pbx).messages(bo_id) == []

        await key_pins(["1111", "2222", "3333"])
        ann.answer(await ann.wait_request("BYE", wait=15), 200, to_tag="")
        await key_pins(["4444", "5555", "4711"])  # the fifth wrong one locks: the right one is refused
        ann.answer(await ann.wait_request("BYE", wait=15), 200, to_tag="")
    finally:
        ann.close()
    with pytest.raises(TooManyAttempts):
        await pbx.identity.check_pin(bo_id, "4711")
