"""What a new voice message sets off, and a disk without room, with real SIP phones on loopback.

VM-06: ann (1001) leaves bo (1002) a message (a 600 Hz tone) by real call; bo, who switched on
``voicemail.sms_notice`` and has a mobile number, gets an SMS: the GSM modem simulator on a
pseudo-terminal (tests/gsm_modem.py) receives the PDU, and its own decoder's text names ann, the
length and the time, in bo's language. Without a mobile number, or with the setting off, nothing
is queued.

VM-07: with the organisation's attachment format ``mp3`` or ``opus`` the e-mail (a real SMTP server,
aiosmtpd) carries an MP3 (audio/mpeg) or an Ogg Opus file (audio/ogg) instead of the WAV: PyAV
decodes it back to ann's 600 Hz, and it is smaller than the WAV kept in the mailbox.

VM-14: with the disk's free bytes faked low (only ``disk_space.free_bytes``; the call, the mailbox
and the prompts are real), ann's call hears "messages cannot be recorded at the moment", nothing is
recorded, bo's mailbox is not called full, and the call history says "disk full".
"""

from __future__ import annotations

import asyncio
import datetime
import io
import re
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import av
import numpy as np
import pytest
from gsm_modem import GsmModem
from loopback_pbx import registered_phone, running_pbx
from rtp_audio import dominant, heard, send_audio, tone, until_beep
from sip_phone import TestPhone, media_address

from cordboard.core.calls.history import list_calls
from cordboard.core.calls.subscriptions import EVENT_MAILBOX_FULL
from cordboard.core.core import Core
from cordboard.core.media import disk_space
from cordboard.plugins.notify.const import SMS_KEY
from cordboard.plugins.voicemail.const import DISK_FULL_NOTE, EVENT_VOICEMAIL_NEW, MAILBOXES_KEY
from cordboard.plugins.voicemail.mailboxes import Mailboxes
from cordboard.plugins.voicemail.storage import Message

RTP_MIN, RTP_MAX = 50400, 50599
# From the key pressed in a message's menu to the goodbye's BYE: the rest of the menu prompt, the
# goodbye prompts and, on a loaded machine whose key came a moment late, the menu's 8 s key wait.
LISTEN_END_S = 40.0
PIN = "4711"
BO_MOBILE = "+4520304050"


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", RTP_MIN, RTP_MAX) as core:
        yield core


@pytest.fixture
def modem() -> Iterator[GsmModem]:
    with GsmModem(pin=PIN) as instance:
        yield instance


def _mailboxes(core: Core) -> Mailboxes:
    return core.data[MAILBOXES_KEY]


async def _bo(core: Core) -> int:
    return (await core.identity.get_user_by_username("bo")).id


def _events(core: Core, event_type: Any) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    core.bus.listen(event_type, lambda event: seen.append(dict(event.data)))
    return seen


async def _leave_message(ann: TestPhone, number: str = "*1*1002*", seconds: float = 2.0) -> None:
    """ann calls ``number``, waits for the greeting and the tone, speaks 600 Hz and hangs up."""
    invite, ok = await ann.call(number)
    assert ok.status == 200, ok
    greeting = await until_beep(ann)
    assert int(np.abs(greeting.astype(np.int32)).max()) > 1000
    await send_audio(ann, media_address(ok.body), tone(600.0, seconds), 1)
    bye = ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 1)
    ann.send(bye)
    assert (await ann.final_response(bye)).status == 200


async def _kept(core: Core, user_id: int, count: int) -> list[Message]:
    for _ in range(100):
        if len(found := _mailboxes(core).messages(user_id)) >= count:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"the mailbox has {_mailboxes(core).messages(user_id)}")


async def _texts(modem: GsmModem, count: int, seconds: float = 15.0) -> list[str]:
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while len(modem.texts) < count:
        assert loop.time() < end, f"the modem got {modem.texts}"
        await asyncio.sleep(0.05)
    return modem.texts


def _local_time(message: Message, timezone: str) -> str:
    return datetime.datetime.fromtimestamp(message.received, ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


async def test_vm_06_an_sms_about_a_new_message_reaches_the_mobile(pbx: Core, modem: GsmModem) -> None:
    """VM-06 end to end: a real call leaves the message, the modem gets the SMS PDU (decoded by the
    simulator's own decoder) naming the caller, the length and the time; in German for a German
    user; nothing without a mobile number or with the setting off."""
    await pbx.plugins.set_config("notify", {"sms_device": modem.device, "sms_pin": PIN})
    assert pbx.data[SMS_KEY].settings.missing() is None
    bo_id = await _bo(pbx)
    await pbx.identity.update_user(bo_id, {"mobile": BO_MOBILE})
    timezone = str(await pbx.settings.resolve(bo_id, "core.timezone"))
    ann = await registered_phone(pbx, "ann")
    try:
        await _leave_message(ann)  # the setting is off by default: no SMS
        await _kept(pbx, bo_id, 1)

        await pbx.settings.set("user", bo_id, "voicemail.sms_notice", True)
        await _leave_message(ann)
        newest = (await _kept(pbx, bo_id, 2))[0]
        [text] = await _texts(modem, 1)
        length = f"0:{int(newest.seconds):02d}"
        assert (
            text == f"New voice message from Ann Tester (1001), {length}, on {_local_time(newest, timezone)}."
        )
        [sms] = modem.received
        assert (sms.mode, sms.to, sms.type_of_address) == ("pdu", BO_MOBILE, 0x91)
        assert sms.pdu and sms.dcs == 0x00  # GSM 7-bit: the text needs no UCS-2

        await pbx.identity.update_user(bo_id, {"language": "de"})
        await _leave_message(ann)
        newest = (await _kept(pbx, bo_id, 3))[0]
        texts = await _texts(modem, 2)
        assert re.fullmatch(
            r"Neue Sprachnachricht von Ann Tester \(1001\), 0:0\d, am [-0-9]+ [0-9:]+\.", texts[1]
        )
        assert texts[1].endswith(f"am {_local_time(newest, timezone)}.")

        await pbx.identity.update_user(bo_id, {"mobile": None})  # no mobile number: logged, nothing queued
        await _leave_message(ann)
        await _kept(pbx, bo_id, 4)
        await asyncio.sleep(1.0)
    finally:
        ann.close()
    assert len(modem.texts) == 2
    queued = await pbx.data[SMS_KEY].recent(10)
    assert [(r.recipient, r.status) for r in queued] == [(BO_MOBILE, "sent")] * 2, queued


def _decoded(data: bytes) -> tuple[np.ndarray, str, str]:
    """An attachment decoded by PyAV: 8 kHz mono samples, the container's and the codec's names."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.audio[0]
        codec = stream.codec_context.name
        resampler = av.AudioResampler(format="s16", layout="mono", rate=8000)
        chunks = [
            out.to_ndarray().reshape(-1)
            for frame in container.decode(stream)
            for out in resampler.resample(frame)
        ]
        name = container.format.name
    return np.concatenate(chunks).astype(np.int16), name, codec


FORMATS: dict[str, tuple[str, str, str, str]] = {
    "mp3": ("audio/mpeg", "mp3", "mp3", "mp3"),
    "opus": ("audio/ogg", "opus", "ogg", "opus"),
}
"""The format's MIME type, file name extension, container and codec (as PyAV names them)."""


@pytest.mark.parametrize("attachment_format", sorted(FORMATS))
async def test_vm_07_the_recording_is_attached_compressed(pbx: Core, attachment_format: str) -> None:
    """VM-07 with a real SMTP server: the organisation's attachment format makes the attachment an
    MP3 or Ogg Opus file that decodes to the caller's 600 Hz and is smaller than the WAV."""
    from cordboard_process import free_port
    from mail_server import MailServer

    server = await MailServer(free_port(socket.SOCK_STREAM)).start()
    try:
        await pbx.plugins.set_config(
            "notify",
            {"smtp_host": "127.0.0.1", "smtp_port": server.port, "security": "none",
             "sender_address": "pbx@example.com"},
        )  # fmt: skip
        await pbx.plugins.set_config("voicemail", {"attachment_format": attachment_format})
        assert _mailboxes(pbx).attachment_format == attachment_format
        bo_id = await _bo(pbx)
        ann = await registered_phone(pbx, "ann")
        try:
            await _leave_message(ann, seconds=3.0)
            [mail] = await server.inbox.wait_for(1, seconds=30)
        finally:
            ann.close()
    finally:
        await server.stop()
    [message] = _mailboxes(pbx).messages(bo_id)
    assert mail.rcpt_tos == ["bo@example.com"]
    mime, extension, container, codec = FORMATS[attachment_format]
    [attachment] = list(mail.message.iter_attachments())
    assert attachment.get_content_type() == mime
    assert attachment.get_filename() == f"voicemail-{message.id}.{extension}"
    data = attachment.get_payload(decode=True)
    assert isinstance(data, bytes)
    wav_size = _mailboxes(pbx).audio_path(message).stat().st_size
    assert len(data) < wav_size / 3, (len(data), wav_size)
    samples, container_name, codec_name = _decoded(data)
    assert container in container_name.split(",") and codec_name.startswith(codec)  # mp3float
    assert samples.size > 8000 * 2
    middle = samples[samples.size // 4 : samples.size * 3 // 4]
    assert abs(dominant(middle) - 600) < 15


async def test_vm_14_a_full_disk_is_told_before_the_recording(
    pbx: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    """VM-14: the disk (faked: 10 MB free, below the margin) has no room: the caller hears the
    new prompt and the call ends, nothing is recorded, no "mailbox full" goes to the owner, the call
    history says "disk full"; once there is room again the next caller leaves a message."""
    asked: list[Path] = []

    def ten_mb_free(folder: Path) -> int:
        asked.append(folder)
        return 10 * 1024 * 1024

    monkeypatch.setattr(disk_space, "free_bytes", ten_mb_free)
    bo_id = await _bo(pbx)
    full = _events(pbx, EVENT_MAILBOX_FULL)
    new = _events(pbx, EVENT_VOICEMAIL_NEW)
    ann = await registered_phone(pbx, "ann")
    try:
        _invite, ok = await ann.call("*1*1002*")
        assert ok.status == 200, ok
        said = await heard(ann, 3.0)  # "Sorry, messages cannot be recorded at the moment ..."
        assert int(np.abs(said.astype(np.int32)).max()) > 1000
        assert abs(dominant(said) - 1000) > 50  # no beep: nothing is recorded
        ann.answer(await ann.wait_request("BYE", wait=LISTEN_END_S), 200, to_tag="")
    finally:
        ann.close()
    assert asked and asked[0] == _mailboxes(pbx).folder / str(bo_id)
    assert _mailboxes(pbx).messages(bo_id) == []
    assert not list((pbx.data_dir / "voicemail").glob("*/*.wav"))
    assert full == [] and new == []
    for _ in range(50):
        rows = await pbx.db.call(list_calls)
        if rows and all(r["result"] for r in rows):
            break
        await asyncio.sleep(0.1)
    [row] = rows
    assert row["route"].endswith(f"voicemail: {DISK_FULL_NOTE}"), row

    monkeypatch.setattr(disk_space, "free_bytes", lambda _folder: 10 * 1024**3)
    ann = await registered_phone(pbx, "ann")
    try:
        await _leave_message(ann)
        await _kept(pbx, bo_id, 1)
    finally:
        ann.close()
