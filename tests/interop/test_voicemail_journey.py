"""The caller's journey of issue 7 ("Done when"), with real baresip phones and a real SMTP server:
ann calls the company's IVR menu (IVR-02), presses 1 for Sales (IVR-03, a hunt group with bo and
cy, HG-03), nobody in Sales answers, the group falls back to bo (HG-04), whose routing rule rings
his phone and then sends the caller to his mailbox (RTE, VM-01); ann leaves a message (her
microphone's 1850 Hz tone), bo gets the e-mail with the recording attached (VM-07, checked with
aiosmtpd) and his baresip phone's message-waiting lamp is told there is a new message (the MWI
subscription of baresip's ``mwi`` module, RFC 3842)."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest
from baresip_phone import (
    SAMPLE_RATE,
    BaresipPhone,
    dominant_frequency,
    voiced_seconds,
    wait_call_closed,
    write_tone,
)
from cordboard_process import SipUser, free_port, require_tool
from loopback_pbx import CY_PASSWORD, PASSWORDS, add_cy, running_pbx, wait_for_sip_account
from mail_server import MailServer

from cordboard.core.calls.history import list_calls
from cordboard.core.core import Core
from cordboard.core.media.audio_file import read_audio
from cordboard.plugins.hunt_groups.const import HUNT_GROUPS_KEY
from cordboard.plugins.ivr.const import IVR_MENUS_KEY
from cordboard.plugins.voicemail.const import MAILBOXES_KEY

RTP_MIN, RTP_MAX = 39800, 39999
VOICE_HZ = 1850.0
BEEP_HZ = 1000.0
SPEAK_S = 2.5


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", RTP_MIN, RTP_MAX) as core:
        await add_cy(core)
        yield core


async def _company(core: Core, smtp_port: int) -> int:
    """The IVR 1600 (1: Sales), Sales 1500 (bo and cy, 2 s, then bo), bo's rule (2 s, then his
    mailbox), the mail relay; bo's user id."""
    await core.plugins.set_config(
        "notify",
        {
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp_port,
            "security": "none",
            "sender_address": "pbx@example.com",
        },
    )
    bo = (await core.identity.get_user_by_username("bo")).id
    cy = (await core.identity.get_user_by_username("cy")).id
    team = await core.identity.create_group("Sales team")
    await core.identity.set_group_members(team.id, [bo, cy])
    await core.data[HUNT_GROUPS_KEY].create(
        {"name": "Sales", "number": "1500", "user_groups": [team.id], "ring_s": 2, "fallback": "1002"}
    )
    await core.data[IVR_MENUS_KEY].create(
        {
            "name": "Main",
            "number": "1600",
            "options": {"1": {"kind": "number", "target": "1500"}},
            "timeout_s": 5,
        }
    )
    await core.routing.create(
        {
            "scope": "user",
            "scope_id": bo,
            "list": "incoming",
            "name": "Voicemail when I do not answer",
            "destinations": [{"kind": "phones"}, {"kind": "voicemail", "after_s": 2}],
        }
    )
    return bo


def _hears(phone: BaresipPhone, frequency: float, seconds: float = 0.12) -> bool:
    audio = phone.live_audio()[-int(seconds * SAMPLE_RATE) :]
    return voiced_seconds(audio) >= seconds - 0.05 and abs(dominant_frequency(audio) - frequency) < 60


def _calls_sales_and_leaves_a_message(ann: BaresipPhone) -> None:
    """ann's part: dial the menu, press 1 once it speaks, speak after the record beep, hang up."""
    dialled = ann.command("dial", ann.uri("1600"))
    assert dialled.get("ok"), dialled
    ann.wait_event("CALL_ESTABLISHED")
    deadline = time.monotonic() + 10
    while voiced_seconds(ann.live_audio()) < 0.5:  # the welcome prompt
        assert time.monotonic() < deadline, f"ann never heard the menu:\n{ann.log_tail()}"
        time.sleep(0.1)
    assert ann.command("sndcode", "1").get("ok")
    deadline = time.monotonic() + 30  # Sales rings, then bo, then his greeting and the beep
    while not _hears(ann, BEEP_HZ):
        assert time.monotonic() < deadline, f"ann never heard the record beep:\n{ann.log_tail()}"
        time.sleep(0.05)
    time.sleep(SPEAK_S)  # her microphone's tone is her message
    assert ann.command("hangup").get("ok")
    wait_call_closed(ann)


async def test_a_caller_goes_through_the_ivr_misses_sales_and_leaves_bo_a_message(
    pbx: Core, tmp_path: Path
) -> None:
    baresip = require_tool("baresip")
    mail = await MailServer(free_port(socket.SOCK_STREAM)).start()
    assert pbx.sip is not None
    sip_port = pbx.sip.transports.addresses["udp"][1]
    bo_id = await _company(pbx, mail.port)
    ann = BaresipPhone(
        "ann",
        tmp_path / "ann",
        SipUser("ann", "1001", PASSWORDS["ann"], "Ann", "Tester"),
        sip_port,
        tone=write_tone(tmp_path / "ann.wav", VOICE_HZ, seconds=90, amplitude=0.3),
    )
    bo = BaresipPhone(
        "bo", tmp_path / "bo", SipUser("bo", "1002", PASSWORDS["bo"], "Bo", "Tester"), sip_port,
        answer="manual", modules=("mwi.so",),
    )  # fmt: skip
    cy = BaresipPhone(
        "cy", tmp_path / "cy", SipUser("cy", "1003", CY_PASSWORD, "Cy", "Tester"), sip_port, answer="manual"
    )
    phones = (ann, bo, cy)
    try:
        for name in ("ann", "bo", "cy"):
            await wait_for_sip_account(pbx, name)
        for phone in phones:
            await asyncio.to_thread(phone.start, baresip)
        for phone in phones:
            await asyncio.to_thread(phone.wait_registered)
        await asyncio.to_thread(_calls_sales_and_leaves_a_message, ann)

        mailboxes = pbx.data[MAILBOXES_KEY]
        for _ in range(100):
            if mailboxes.messages(bo_id):
                break
            await asyncio.sleep(0.1)
        [message] = mailboxes.messages(bo_id)
        assert message.caller == "1001" and SPEAK_S - 1.0 < message.seconds < SPEAK_S + 1.5, message
        kept = read_audio(mailboxes.audio_path(message), 8000)
        assert abs(dominant_frequency(kept.astype(np.float64)) - VOICE_HZ) < 10

        [received] = await mail.inbox.wait_for(1, seconds=30)
        assert received.rcpt_tos == ["bo@example.com"]
        [attachment] = list(received.message.iter_attachments())
        wav = attachment.get_payload(decode=True)
        assert isinstance(wav, bytes)
        (tmp_path / "attached.wav").write_bytes(wav)
        attached = read_audio(tmp_path / "attached.wav", 8000).astype(np.float64)
        assert abs(dominant_frequency(attached) - VOICE_HZ) < 10, "the e-mail carries ann's message"

        deadline = time.monotonic() + 10  # bo's lamp: a NOTIFY saying a message waits
        lamp = None
        while lamp is None:
            lamp = next(
                (
                    e
                    for e in bo.events
                    if e.get("type") == "MWI_NOTIFY" and "yes" in str(e.get("param", "")).lower()
                ),
                None,
            )
            assert lamp is not None or time.monotonic() < deadline, f"no lamp: {bo.events}\n{bo.log_tail()}"
            await asyncio.sleep(0.1)
        assert "1/0" in str(lamp.get("param")), lamp  # Voice-Message: 1/0 (one new, none saved)
        for phone in (bo, cy):  # both Sales phones rang; bo's twice (Sales, then his own rule)
            rang = [e for e in phone.events if e.get("type") == "CALL_INCOMING"]
            assert len(rang) == (2 if phone is bo else 1), (phone.name, phone.events)
    finally:
        for phone in phones:
            await asyncio.to_thread(phone.stop)
        await mail.stop()

    rows = await pbx.db.call(lambda db: list_calls(db, limit=20))
    route = " ".join(str(r.get("route")) + " " + str(r.get("reason")) for r in rows)
    for step in ("IVR Main option 1", "rule Voicemail when I do not answer", "voicemail"):
        assert step in route, (step, rows)
