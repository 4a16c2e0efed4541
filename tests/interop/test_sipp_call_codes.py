"""The codes that act on calls, dialled by a SIPp phone (issue 6: "SIPp scenarios for each code"):
FC-01 group login, FC-02 intrusion, FC-03 group pickup, FC-04 directed pickup, FC-05 diversion
bypass, FC-06 fetch my call and FC-14 straight to voicemail. The other parties are the suite's
loopback test phones; what the SIPp phone gets is checked on the wire: the appliance's audio
reaches the port its SDP named, decoded to the tone the other party sends.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from feature_doubles import GroupLogins, Mailboxes
from loopback_pbx import CY_PASSWORD, PASSWORDS, add_cy, registered_phone, running_pbx
from phone_calls import call_between, taken_over, talk
from rtp_audio import dominant, send_audio, tone
from sip_phone import TestPhone, media_address
from sipp_runner import sipp_dials

from cordboard.core.core import Core
from cordboard.core.media.codecs import get_codec
from cordboard.core.rtp.packet import RtpHeader, payload_of

RTP_MIN, RTP_MAX = 49600, 49799
PASSWORD_OF = {**PASSWORDS, "cy": CY_PASSWORD}
TALK_MS = 4000
"""How long the SIPp phone stays on a call it hangs up itself (uac_call.xml)."""


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", RTP_MIN, RTP_MAX) as core:
        await add_cy(core)
        yield core


@pytest.fixture
def sipp_media() -> Iterator[socket.socket]:
    """Where the SIPp phone's SDP says its audio goes: read by the test."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as media:
        media.bind(("127.0.0.1", 0))
        media.setblocking(False)
        yield media


def sipp_phone(
    core: Core, tmp_path: Path, media: socket.socket, user: str, number: str, **options: Any
) -> asyncio.Task[None]:
    """``user``'s SIPp phone dials ``number``, in the background."""
    assert core.sip is not None
    work = tmp_path / "sipp"
    work.mkdir(exist_ok=True)
    return asyncio.create_task(
        sipp_dials(
            core.sip.transports.addresses["udp"][1],
            work,
            user,
            PASSWORD_OF[user],
            number,
            audio_port=media.getsockname()[1],
            **options,
        )
    )


async def sipp_hears(media: socket.socket, seconds: float = 1.2) -> float:
    """The dominant frequency of the G.711 audio the SIPp phone's port gets in ``seconds``."""
    loop = asyncio.get_running_loop()
    decoders = {0: get_codec("PCMU", 8000).decoder(), 8: get_codec("PCMA", 8000).decoder()}
    frames: list[np.ndarray] = []
    end = loop.time() + seconds
    while (left := end - loop.time()) > 0:
        try:
            async with asyncio.timeout(left):
                data = await loop.sock_recv(media, 2048)
        except TimeoutError:
            break
        header = RtpHeader.parse(data)
        if header.payload_type in decoders:
            frames.append(decoders[header.payload_type].decode(payload_of(data, header)))
    assert frames, "no audio reached the SIPp phone"
    return dominant(np.concatenate(frames)[-4000:])


async def said_to_sipp(phone: TestPhone, to: tuple[str, int], media: socket.socket, hz: float) -> float:
    """``phone`` sends a tone of ``hz`` to ``to`` while the SIPp phone listens: what it heard."""
    sending = asyncio.create_task(send_audio(phone, to, tone(hz, 1.6), 1))  # 80 packets
    try:
        return await sipp_hears(media)
    finally:
        await sending


async def hung_up_by_sipp(phone: TestPhone, dialling: asyncio.Task[None]) -> None:
    bye = await phone.wait_request("BYE", wait=TALK_MS / 1000 + 5)
    phone.answer(bye, 200, to_tag="")
    await dialling


@pytest.mark.parametrize("code", ["*8*", "*9*1002*"], ids=["FC-03", "FC-04"])
async def test_fc_03_fc_04_sipp_picks_up_a_ringing_call(
    pbx: Core, tmp_path: Path, sipp_media: socket.socket, code: str
) -> None:
    """FC-03 group pickup (bo and cy share a group) and FC-04 directed pickup: ann's call rings at
    bo; cy's SIPp phone dials the code, bo's phone stops ringing and cy hears ann."""
    group = await pbx.identity.create_group("Sales")
    members = [(await pbx.identity.get_user_by_username(n)).id for n in ("bo", "cy")]
    await pbx.identity.set_group_members(group.id, members)
    for _ in range(50):
        if set(members) <= set(pbx.rights.group_mates(members[1])) | {members[1]}:
            break
        await asyncio.sleep(0.05)
    ann, bo = await registered_phone(pbx, "ann"), await registered_phone(pbx, "bo")
    try:
        calling = asyncio.create_task(ann.invite("1002"))
        ringing = await bo.wait_request("INVITE", wait=5)
        bo.answer(ringing, 180)
        dialling = sipp_phone(
            pbx, tmp_path, sipp_media, "cy", code, scenario="uac_call.xml", pause_ms=TALK_MS
        )
        cancel = await bo.wait_request("CANCEL", wait=10)
        bo.answer(cancel, 200)
        bo.answer(ringing, 487)
        invite, ok = await calling
        assert ok.status == 200, ok
        ann.ack(invite, ok)
        assert await said_to_sipp(ann, media_address(ok.body), sipp_media, 440.0) == pytest.approx(
            440, abs=15
        )
        await hung_up_by_sipp(ann, dialling)
    finally:
        ann.close()
        bo.close()


async def test_fc_05_sipp_bypasses_a_diversion(pbx: Core, tmp_path: Path, sipp_media: socket.socket) -> None:
    """FC-05: bo forwards to cy; ann (with the bypass right) dials *60*1002* from SIPp and bo's
    own phone rings."""
    assert pbx.presence is not None
    bo_id = (await pbx.identity.get_user_by_username("bo")).id
    await pbx.presence.set_presence(bo_id, {"diversion": "1003"})
    await pbx.rights.set_grants("bypass_diversion", [{"group_id": None, "scope": "org", "scope_id": None}])
    bo, cy = await registered_phone(pbx, "bo"), await registered_phone(pbx, "cy")
    try:
        dialling = sipp_phone(
            pbx, tmp_path, sipp_media, "ann", "*60*1002*", scenario="uac_call.xml", pause_ms=TALK_MS
        )
        ringing = await bo.wait_request("INVITE", wait=10)
        bo.answer(ringing, 200)
        await bo.wait_request("ACK", wait=5)
        heard = await said_to_sipp(bo, media_address(ringing.body), sipp_media, 800.0)
        assert heard == pytest.approx(800, abs=15)
        await hung_up_by_sipp(bo, dialling)
        with pytest.raises(TimeoutError):
            await cy.wait_request("INVITE", wait=0.2)
    finally:
        bo.close()
        cy.close()


async def test_fc_06_sipp_fetches_my_call(pbx: Core, tmp_path: Path, sipp_media: socket.socket) -> None:
    """FC-06: bo talks with ann on his desk phone and dials *7* on his SIPp phone: the desk phone is
    hung up and ann goes on with the SIPp phone."""
    ann, desk = await registered_phone(pbx, "ann"), await registered_phone(pbx, "bo")
    try:
        await call_between(ann, desk, "1002")
        dialling = sipp_phone(
            pbx, tmp_path, sipp_media, "bo", "*7*", scenario="uac_call.xml", pause_ms=TALK_MS
        )
        ann_to = await taken_over(ann)
        bye = await desk.wait_request("BYE", wait=5)
        desk.answer(bye, 200, to_tag="")
        assert await said_to_sipp(ann, ann_to, sipp_media, 440.0) == pytest.approx(440, abs=15)
        await hung_up_by_sipp(ann, dialling)
    finally:
        ann.close()
        desk.close()


async def test_fc_02_sipp_intrudes_and_the_call_goes_on_after(
    pbx: Core, tmp_path: Path, sipp_media: socket.socket
) -> None:
    """FC-02: ann talks with bo; cy (with the intrusion right) dials *65*1002* from SIPp and hears
    bo; when cy hangs up, ann and bo talk again."""
    await pbx.rights.set_grants("intrude", [{"group_id": None, "scope": "org", "scope_id": None}])
    ann, bo = await registered_phone(pbx, "ann"), await registered_phone(pbx, "bo")
    try:
        invite, ok, _incoming = await call_between(ann, bo, "1002")
        dialling = sipp_phone(
            pbx, tmp_path, sipp_media, "cy", "*65*1002*", scenario="uac_call.xml", pause_ms=TALK_MS
        )
        ann_to, bo_to = await asyncio.gather(taken_over(ann), taken_over(bo))
        assert await said_to_sipp(bo, bo_to, sipp_media, 800.0) == pytest.approx(800, abs=15)
        await dialling
        await asyncio.sleep(0.3)
        await talk(ann, ann_to, bo, bo_to, first_seq=100)  # bo's stream goes on
        ann.send(ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 2))
        bye = await bo.wait_request("BYE", wait=5)
        bo.answer(bye, 200, to_tag="")
    finally:
        ann.close()
        bo.close()


async def test_fc_01_fc_14_sipp_logs_in_and_leaves_a_message(
    pbx: Core, tmp_path: Path, sipp_media: socket.socket
) -> None:
    """FC-01: ``*11*1500*`` and ``**11*1500*`` reach the groups plugin's hook for the SIPp phone's
    user; FC-14: ``*1*1002*`` goes to bo's mailbox; the appliance hangs up after each."""
    logins, mailbox = GroupLogins(), Mailboxes()
    pbx.plugins.pm.register(logins, name="test_group_logins")
    pbx.plugins.pm.register(mailbox, name="test_mailbox")
    ann_id = (await pbx.identity.get_user_by_username("ann")).id
    bo_id = (await pbx.identity.get_user_by_username("bo")).id
    for code in ("*11*1500*", "**11*1500*", "*1*1002*"):
        await sipp_phone(pbx, tmp_path, sipp_media, "ann", code)
    assert logins.seen == [(ann_id, "1500", True), (ann_id, "1500", False)]
    assert mailbox.owners == [bo_id]
