"""Calls between test phones that tests of transfers, pickups and parking share: set one up, answer
the appliance's take-over re-INVITE, check that two phones hear each other."""

from __future__ import annotations

import asyncio

from rtp_audio import dominant, heard, send_audio, tone
from sip_phone import TestPhone, media_address

from cordboard.core.sip.message import SipRequest, SipResponse


async def call_between(
    caller: TestPhone, callee: TestPhone, number: str
) -> tuple[SipRequest, SipResponse, SipRequest]:
    """``caller`` calls ``number``, ``callee`` answers: the INVITE, its 200 and the callee's INVITE."""
    calling = asyncio.create_task(caller.invite(number))
    incoming = await callee.wait_request("INVITE", wait=5)
    callee.answer(incoming, 200)
    invite, ok = await calling
    assert ok.status == 200, ok
    caller.ack(invite, ok)
    await callee.wait_request("ACK", wait=5)
    return invite, ok, incoming


async def taken_over(phone: TestPhone) -> tuple[str, int]:
    """The appliance's re-INVITE that moves the phone's media to its own endpoint, answered; the
    address the phone sends to from now on."""
    reinvite = await phone.wait_request("INVITE", wait=5)
    assert reinvite.to_tag is not None, "an in-dialog re-INVITE"
    phone.answer(reinvite, 200, to_tag="")
    return media_address(reinvite.body)


async def talk(
    one: TestPhone,
    one_to: tuple[str, int],
    other: TestPhone,
    other_to: tuple[str, int],
    *,
    first_seq: int = 1,
) -> None:
    """Each hears the other: 440 Hz from ``one``, 800 Hz from ``other``. A phone that talked before
    on the same call goes on from where its RTP sequence numbers were (``first_seq``), as phones
    do: one going back to 1 would be a late stream that the appliance drops (RFC 3550 A.1)."""
    one.drain_rtp()
    other.drain_rtp()
    results = await asyncio.gather(
        send_audio(one, one_to, tone(440.0, 1.4), first_seq),
        send_audio(other, other_to, tone(800.0, 1.4), first_seq),
        heard(one, 1.4),
        heard(other, 1.4),
    )
    assert abs(dominant(results[2][-4000:]) - 800) < 15
    assert abs(dominant(results[3][-4000:]) - 440) < 15


async def blind_transfer(
    transferor: TestPhone, incoming: SipRequest, party: TestPhone, number: str
) -> tuple[str, int]:
    """``transferor`` (the callee of ``incoming``) transfers ``party`` to ``number``: the party is
    taken over, the REFER gets 202 and its two NOTIFYs, the transferor BYE. Where the party's
    audio goes now."""
    refer = transferor.request_as_callee(incoming, "REFER", cseq=2)
    refer.headers.add("Refer-To", f"<sip:{number}@{transferor.server[0]}>")
    transferor.send(refer)
    party_to = await taken_over(party)
    assert (await transferor.final_response(refer)).status == 202
    for _ in range(2):
        transferor.answer(await transferor.wait_request("NOTIFY", wait=5), 200, to_tag="")
    transferor.answer(await transferor.wait_request("BYE", wait=5), 200, to_tag="")
    return party_to
