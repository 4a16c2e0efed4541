"""FC-14 / PKP-09: ``*1*EXT*`` takes a caller straight to EXT's voicemail, and a call transferred to
``*1*EXT*`` lands there too; the mailbox is the voicemail plugin's (issue 7), here a test double
that records what the caller says through the hook ``cordboard_voicemail``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from loopback_pbx import add_cy, registered_phone, running_pbx
from phone_calls import call_between, taken_over
from rtp_audio import dominant, send_audio, tone
from sip_phone import media_address

from cordboard.core.calls.channel import Channel
from cordboard.core.core import Core
from cordboard.core.media.audio_file import read_audio
from cordboard.core.plugin_api import hookimpl

RTP_MIN, RTP_MAX = 49200, 49399


class MailboxDouble:
    """The voicemail plugin's side, as a test double: records two seconds for the mailbox owner."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.messages: list[tuple[int, Path]] = []

    @hookimpl
    def cordboard_voicemail(self, core: Core, user_id: int) -> Any:
        async def leave_message(channel: Channel) -> None:
            await channel.answer()
            path = self.folder / f"{user_id}-{len(self.messages)}.wav"
            await channel.record(path, max_s=2.0, silence_s=None, beep=False)
            self.messages.append((user_id, path))

        return leave_message


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", RTP_MIN, RTP_MAX) as core:
        await add_cy(core)
        yield core


def recorded_tone(path: Path) -> float:
    samples = read_audio(path, 8000)
    return dominant(samples[len(samples) // 4 :])


async def test_fc_14_straight_to_a_colleagues_voicemail(pbx: Core, tmp_path: Path) -> None:
    mailbox = MailboxDouble(tmp_path)
    pbx.plugins.pm.register(mailbox, name="mailbox_double")
    bo_id = (await pbx.identity.get_user_by_username("bo")).id
    ann = await registered_phone(pbx, "ann")
    try:
        _invite, ok = await ann.call("*1*1002*")
        assert ok.status == 200
        await send_audio(ann, media_address(ok.body), tone(600.0, 2.4), 1)
        ann.answer(await ann.wait_request("BYE", wait=5), 200, to_tag="")
    finally:
        ann.close()
    assert [user for user, _path in mailbox.messages] == [bo_id]
    assert abs(recorded_tone(mailbox.messages[0][1]) - 600) < 20


async def test_pkp_09_a_call_transferred_to_the_voicemail_code_lands_in_the_mailbox(
    pbx: Core, tmp_path: Path
) -> None:
    """ann calls bo; bo transfers her to *1*1003*: she talks into cy's mailbox."""
    mailbox = MailboxDouble(tmp_path)
    pbx.plugins.pm.register(mailbox, name="mailbox_double")
    cy_id = (await pbx.identity.get_user_by_username("cy")).id
    ann, bo = await registered_phone(pbx, "ann"), await registered_phone(pbx, "bo")
    try:
        _invite, _ok, incoming = await call_between(ann, bo, "1002")
        refer = bo.request_as_callee(incoming, "REFER", cseq=2)
        refer.headers.add("Refer-To", f"<sip:*1*1003*@{bo.server[0]}>")
        bo.send(refer)
        ann_to = await taken_over(ann)
        assert (await bo.final_response(refer)).status == 202
        await send_audio(ann, ann_to, tone(700.0, 2.4), 1)
        for _ in range(50):
            if mailbox.messages:
                break
            await asyncio.sleep(0.1)
    finally:
        ann.close()
        bo.close()
    assert [user for user, _path in mailbox.messages] == [cy_id]
    assert abs(recorded_tone(mailbox.messages[0][1]) - 700) < 20


async def test_fc_14_without_a_mailbox_the_caller_is_told(pbx: Core) -> None:
    """With the voicemail plugin switched off nobody keeps mailboxes: the caller is told."""
    await pbx.plugins.disable("voicemail")
    ann = await registered_phone(pbx, "ann")
    try:
        _invite, ok = await ann.call("*1*1002*")
        assert ok.status == 200  # "not available", then goodbye
        ann.answer(await ann.wait_request("BYE", wait=10), 200, to_tag="")
    finally:
        ann.close()
