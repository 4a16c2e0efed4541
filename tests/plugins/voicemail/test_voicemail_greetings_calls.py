"""Greetings and the owner's switches with real SIP phones on loopback: bo records his greeting by
phone from his mailbox menu (VM-10: ``*50*``, 0, 1, speak, #, 1 to keep), callers then hear it;
while bo is on the phone they hear his busy greeting instead; with voicemail off the rules' voicemail
step is skipped (VM-11); with message recording off callers hear the greeting and are told no
message can be left (VM-12)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest
from loopback_pbx import add_cy, connected_call, registered_phone, running_pbx
from rtp_audio import dominant, heard, send_audio, send_digits, tone
from sip_phone import TestPhone, media_address

from cordboard.core.core import Core
from cordboard.core.media.audio_file import read_audio
from cordboard.core.media.prompts import PROMPT_RATE
from cordboard.plugins.voicemail.const import (
    ACTIVE_SETTING,
    ASSISTANCE_SETTING,
    MAILBOXES_KEY,
    TAKE_MESSAGES_SETTING,
)
from cordboard.plugins.voicemail.mailboxes import Mailboxes

RTP_MIN, RTP_MAX = 39600, 39799


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", RTP_MIN, RTP_MAX) as core:
        yield core


def _mailboxes(core: Core) -> Mailboxes:
    return core.data[MAILBOXES_KEY]


async def _bo(core: Core) -> int:
    return (await core.identity.get_user_by_username("bo")).id


def _tone_16k(freq: float, seconds: float) -> np.ndarray:
    t = np.arange(int(PROMPT_RATE * seconds)) / PROMPT_RATE
    return (7000 * np.sin(2 * np.pi * freq * t)).astype(np.int16)


async def _greeting_heard(ann: TestPhone, number: str, seconds: float) -> np.ndarray:
    """ann calls ``number`` and hears ``seconds`` of what the mailbox plays; she hangs up."""
    invite, ok = await ann.call(number)
    assert ok.status == 200, ok
    try:
        return await heard(ann, seconds)
    finally:
        bye = ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 1)
        ann.send(bye)
        await ann.final_response(bye)


async def test_vm_10_bo_records_his_greeting_by_phone_and_callers_hear_it(pbx: Core) -> None:
    bo_id = await _bo(pbx)
    bo = await registered_phone(pbx, "bo")
    ann = await registered_phone(pbx, "ann")
    try:
        invite, ok = await bo.call("*50*")
        assert ok.status == 200, ok
        to = media_address(ok.body)
        await asyncio.sleep(0.5)  # "You have no new messages ... to change your greeting, press 0"
        seq = await send_digits(bo, to, "0", 1)
        await asyncio.sleep(0.5)  # "... when you do not answer, press 1"
        seq = await send_digits(bo, to, "1", seq)
        await asyncio.sleep(0.5)  # "Record after the tone" (a key skips it)
        seq = await send_digits(bo, to, "5", seq)
        await asyncio.sleep(0.6)  # the beep
        seq = await send_audio(bo, to, tone(700.0, 1.5), seq)
        seq = await send_digits(bo, to, "#", seq)  # done
        await asyncio.sleep(1.0)  # "You said:" and the take
        await send_digits(bo, to, "1", seq)  # keep it
        bye = await bo.wait_request("BYE", wait=10)  # "Your greeting is saved. Goodbye."
        bo.answer(bye, 200, to_tag="")
        path = _mailboxes(pbx).greetings.path(bo_id, "unavailable")
        assert path.is_file()
        kept = read_audio(path, PROMPT_RATE)
        assert 1.0 < kept.size / PROMPT_RATE < 2.5  # the silence around the tone trimmed off
        assert abs(dominant(kept, rate=PROMPT_RATE) - 700) < 15
        assert _mailboxes(pbx).greetings.for_caller(bo_id) == [path]

        greeting = await _greeting_heard(ann, "*1*1002*", 1.2)
        assert abs(dominant(greeting[1600:]) - 700) < 15, "the caller hears bo's own greeting"
    finally:
        bo.close()
        ann.close()
    del invite


async def test_vm_10_callers_hear_the_busy_greeting_while_the_owner_is_on_the_phone(pbx: Core) -> None:
    bo_id = await _bo(pbx)
    greetings = _mailboxes(pbx).greetings
    greetings.store(bo_id, "unavailable", _tone_16k(500.0, 2.0))
    greetings.store(bo_id, "busy", _tone_16k(1300.0, 2.0))
    await add_cy(pbx)
    ann, bo, cy = [await registered_phone(pbx, name) for name in ("ann", "bo", "cy")]
    try:
        assert abs(dominant((await _greeting_heard(ann, "*1*1002*", 1.0))[1600:]) - 500) < 15
        await connected_call(cy, bo)
        for _ in range(50):
            if pbx.presence is not None and pbx.presence.get(bo_id).call_state == "in_call":
                break
            await asyncio.sleep(0.05)
        assert abs(dominant((await _greeting_heard(ann, "*1*1002*", 1.0))[1600:]) - 1300) < 15
    finally:
        for phone in (ann, bo, cy):
            phone.close()


async def test_vm_11_with_voicemail_off_the_rules_voicemail_step_is_skipped(pbx: Core) -> None:
    bo_id = await _bo(pbx)
    await pbx.routing.create(
        {
            "scope": "user",
            "scope_id": bo_id,
            "list": "incoming",
            "name": "Straight to voicemail",
            "destinations": [{"kind": "voicemail", "after_s": 0}],
        }
    )
    ann = await registered_phone(pbx, "ann")
    try:
        await pbx.settings.set("user", bo_id, ACTIVE_SETTING, False)
        for _ in range(50):
            if not _mailboxes(pbx).is_on(bo_id):
                break
            await asyncio.sleep(0.05)
        _invite, response = await ann.call("1002")
        assert response.status == 480, response  # nothing else in the rule: nobody takes the call
        await pbx.settings.clear("user", bo_id, ACTIVE_SETTING)
        for _ in range(50):
            if _mailboxes(pbx).is_on(bo_id):
                break
            await asyncio.sleep(0.05)
        invite, ok = await ann.call("1002")
        assert ok.status == 200, ok  # the mailbox answers again
        bye = ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 1)
        ann.send(bye)
        await ann.final_response(bye)
    finally:
        ann.close()


async def test_vm_12_with_recording_off_callers_hear_the_greeting_and_leave_nothing(pbx: Core) -> None:
    bo_id = await _bo(pbx)
    _mailboxes(pbx).greetings.store(bo_id, "unavailable", _tone_16k(500.0, 1.0))
    await pbx.settings.set("user", bo_id, TAKE_MESSAGES_SETTING, False)
    ann = await registered_phone(pbx, "ann")
    try:
        invite, ok = await ann.call("*1*1002*")
        assert ok.status == 200, ok
        to = media_address(ok.body)
        greeting = await heard(ann, 0.8)
        assert abs(dominant(greeting[800:]) - 500) < 15
        await send_audio(ann, to, tone(600.0, 1.0), 1)
        bye = await ann.wait_request("BYE", wait=10)  # "messages cannot be left", goodbye
        ann.answer(bye, 200, to_tag="")
    finally:
        ann.close()
    assert _mailboxes(pbx).messages(bo_id) == []
    del invite


async def test_vm_04_press_1_puts_the_caller_through_to_personal_assistance(pbx: Core) -> None:
    """bo's assistance number is cy's: ann, at bo's mailbox, hears "for personal assistance press 1",
    presses it, cy's phone rings and she talks with cy; nothing is left in bo's mailbox."""
    bo_id = await _bo(pbx)
    await add_cy(pbx)
    await pbx.settings.set("user", bo_id, ASSISTANCE_SETTING, "1003")
    ann, cy = [await registered_phone(pbx, name) for name in ("ann", "cy")]
    try:
        invite, ok = await ann.call("*1*1002*")
        assert ok.status == 200, ok
        to = media_address(ok.body)
        await asyncio.sleep(0.5)
        await send_digits(ann, to, "1", 1)
        at_cy = await cy.wait_request("INVITE", wait=10)
        cy.answer(at_cy, 200)
        await cy.wait_request("ACK")
        bye = ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 1)
        ann.send(bye)
        assert (await ann.final_response(bye)).status == 200
        cy.answer(await cy.wait_request("BYE", wait=10), 200)
    finally:
        ann.close()
        cy.close()
    assert _mailboxes(pbx).messages(bo_id) == []
