"""Calls over SIP trunks with SIPp as the provider's far end (BYD-02, BYD-03, CLI).

The Core runs in this process (SIP on loopback); the users' phones are SIP test phones; SIPp plays
the provider: delivering a call to a DID, or answering our outbound INVITE after a 407 challenge
and checking the credentials and the caller ID it receives.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from cordboard_process import free_port
from kamailio_provider import running_kamailio
from loopback_pbx import pbx_with_numbers, registered_phone, running_pbx
from phone_calls import call_between
from rtp_audio import send_digits
from sip_phone import TestPhone, media_address, sdp_offer
from sipp_runner import sipp_command
from trunk_helpers import add_trunk, wait_state

from cordboard.core.calls.channel import Channel
from cordboard.core.calls.history import list_calls
from cordboard.core.core import Core
from cordboard.core.numbers import storage as number_storage
from cordboard.core.sip.message import SipRequest, SipResponse
from cordboard.plugins.hunt_groups.const import HUNT_GROUPS_KEY

PROVIDER = Path(__file__).parent / "trunk_provider"
Provider = asyncio.Task[subprocess.CompletedProcess[str]]
"""A SIPp provider scenario running (its result once it ends)."""
ACCOUNT, PASSWORD = "acct1", "s3cret"
ANN_DID, BO_DID = "+4589000011", "+4589000010"
SIPP_TIMEOUT = 30


@pytest.fixture
async def core(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", 43200, 43299) as found:
        await found.db.call(
            lambda db: number_storage.create_range(
                db, {"kind": "public", "first": "+4589000000", "last": "+4589000099", "purpose": "users"}
            )
        )
        users = {u.username: u.id for u in await found.identity.list_users()}
        await found.numbers.add_alias(ANN_DID, users["ann"])
        await found.numbers.add_alias(BO_DID, users["bo"])
        yield found


async def add_ip_trunk(core: Core, name: str, port: int, **fields: Any) -> None:
    """An IP trunk to a provider at 127.0.0.1:``port`` (that is also where it calls from)."""
    defaults = {
        "name": name,
        "kind": "ip",
        "port": port,
        "addresses": [f"127.0.0.1:{port}"],
        "username": ACCOUNT,
        "password": PASSWORD,
        "options_interval": 0,
        "caller_ids": ["+4589000000", BO_DID],
        "default_caller_id": "+4589000000",
        "country_code": "45",
    }
    await add_trunk(core, **(defaults | fields))


async def sipp(work: Path, scenario: str, *args: str) -> subprocess.CompletedProcess[str]:
    command = sipp_command("-sf", str(PROVIDER / scenario), *args, "-trace_msg", timeout=SIPP_TIMEOUT)
    process = await asyncio.create_subprocess_exec(
        *command, cwd=work, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return subprocess.CompletedProcess(command, process.returncode, out.decode(), err.decode())


async def provider_answering(work: Path, port: int, presented: str) -> Provider:
    """The provider's far end (SIPp in ``work`` on ``port``) for one outbound call: it challenges
    the INVITE, requires the caller ID to start with ``presented`` and answers; started and given
    half a second to listen."""
    accounts = work / "provider.csv"
    accounts.write_text(f"SEQUENTIAL\n{ACCOUNT};{PASSWORD};sip:\\{presented}\n")
    answering = asyncio.create_task(sipp(work, "uas_auth_answer.xml", "-p", str(port), "-inf", str(accounts)))
    await asyncio.sleep(0.5)
    return answering


async def hang_up(phone: TestPhone, invite: SipRequest, ok: SipResponse, provider: Provider) -> None:
    """``phone`` hangs up its answered call; the provider's SIPp then ends without an error."""
    bye = phone.in_dialog("BYE", invite, ok, invite.cseq.seq + 1)
    phone.send(bye)
    assert (await phone.final_response(bye)).status == 200
    await ended_well(provider)


async def ended_well(provider: Provider) -> None:
    """The provider's SIPp scenario ran to its end (its output when it did not)."""
    done = await provider
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr


async def call_history(core: Core) -> list[dict[str, Any]]:
    """The call history's rows, newest first, once what is pending is written."""
    assert core.calls is not None
    await core.calls.history.flush()
    return await core.db.call(list_calls)


def sip_port(core: Core) -> int:
    assert core.sip is not None
    return int(core.sip.transports.addresses["udp"][1])


async def test_byd_02_inbound_did_rings_the_users_phone(core: Core, tmp_path: Path) -> None:
    port = free_port()
    await add_ip_trunk(core, "carrier", port)
    ann = await registered_phone(core, "ann")
    try:
        # The provider sends the DID in national form (89000011); NUM-09 makes it +4589000011.
        provider = asyncio.create_task(
            sipp(tmp_path, "uac_did.xml", f"127.0.0.1:{sip_port(core)}", "-p", str(port), "-s", "89000011")
        )
        invite = await ann.wait_request("INVITE", wait=15)
        assert "+4570000001" in (invite.headers.get("From") or ""), invite
        ann.answer(invite, 486)
        await ended_well(provider)
    finally:
        ann.close()
    rows = await call_history(core)
    assert any(r["callee"] == ANN_DID and r["caller"] == "+4570000001" for r in rows), rows
    assert rows[0]["route"] == f"trunk carrier, DID {ANN_DID}", rows[0]


async def test_byd_02_unknown_did_goes_to_the_default_destination(core: Core, tmp_path: Path) -> None:
    port = free_port()
    await add_ip_trunk(core, "carrier", port, default_destination="1001", called_from="to")
    ann = await registered_phone(core, "ann")
    try:
        provider = asyncio.create_task(
            sipp(tmp_path, "uac_did.xml", f"127.0.0.1:{sip_port(core)}", "-p", str(port), "-s", "+4589000077")
        )
        invite = await ann.wait_request("INVITE", wait=15)
        ann.answer(invite, 486)
        await ended_well(provider)
    finally:
        ann.close()


async def test_byd_03_outbound_call_authenticates_and_presents_the_users_did(
    core: Core, tmp_path: Path
) -> None:
    port = free_port()
    await add_ip_trunk(core, "carrier", port)
    provider = await provider_answering(tmp_path, port, f"{BO_DID}@")
    bo = await registered_phone(core, "bo")
    try:
        invite, ok = await bo.invite("004533123456")
        assert ok.status == 200, ok
        bo.ack(invite, ok)
        await asyncio.sleep(0.3)
        await hang_up(bo, invite, ok, provider)
    finally:
        bo.close()
        if not provider.done():
            provider.cancel()
    messages = sipp_trace(tmp_path)
    assert "INVITE sip:004533123456@127.0.0.1" in messages
    assert_credentials(messages)


def provider_saw(work: Path, text: str) -> bool:
    """Whether SIPp's message trace in ``work`` holds ``text`` yet."""
    found = next(iter(work.glob("*_messages.log")), None)
    return found is not None and text in found.read_text()


def sipp_trace(work: Path) -> str:
    """The messages SIPp exchanged (-trace_msg) in ``work``."""
    return next(work.glob("*_messages.log")).read_text()


def assert_credentials(messages: str) -> None:
    """The INVITE after the 407 carries a right digest response (RFC 2617 3.2.2, qop=auth)."""
    line = next(x for x in messages.splitlines() if x.startswith("Proxy-Authorization: Digest "))
    params = dict(re.findall(r'(\w+)="?([^",]*)"?', line.split("Digest ", 1)[1]))
    assert params["username"] == ACCOUNT and params["qop"] == "auth"

    def md5(text: str) -> str:
        return hashlib.md5(text.encode()).hexdigest()

    ha1 = md5(f"{ACCOUNT}:{params['realm']}:{PASSWORD}")
    ha2 = md5(f"INVITE:{params['uri']}")
    expected = md5(f"{ha1}:{params['nonce']}:{params['nc']}:{params['cnonce']}:auth:{ha2}")
    assert params["response"] == expected, line


async def test_byd_03_failover_when_the_first_trunk_answers_503(core: Core, tmp_path: Path) -> None:
    first, second = free_port(), free_port()
    await add_ip_trunk(core, "first", first, priority=1)
    await add_ip_trunk(core, "second", second, priority=2, caller_ids=[], default_caller_id="+4589000000")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    failing = asyncio.create_task(sipp(tmp_path / "a", "uas_unavailable.xml", "-p", str(first)))
    answering = await provider_answering(tmp_path / "b", second, f"{BO_DID}@")
    bo = await registered_phone(core, "bo")
    try:
        invite, ok = await bo.invite("004533123456")
        assert ok.status == 200, ok
        bo.ack(invite, ok)
        bye = bo.in_dialog("BYE", invite, ok, invite.cseq.seq + 1)
        bo.send(bye)
        assert (await bo.final_response(bye)).status == 200
        for task in (failing, answering):
            await ended_well(task)
    finally:
        bo.close()
    rows = await call_history(core)
    assert rows[0]["route"] == "trunk first; trunk second", rows[0]


async def test_byd_03_failover_when_the_first_trunk_is_not_registered(core: Core, tmp_path: Path) -> None:
    """The first trunk's registration at its provider (Kamailio) fails: it is down, and the call
    goes over the second trunk at once."""
    second = free_port()
    with running_kamailio(tmp_path) as (registrar, _log):
        await add_trunk(
            core, name="first", port=registrar, username="4589000000", auth_username=ACCOUNT,
            password="wrong", priority=1,
        )  # fmt: skip
        await wait_state(core, "failed", "first")
        await add_ip_trunk(core, "second", second, priority=2)
        await outbound_call_over(core, tmp_path, second)


async def test_byd_03_failover_when_the_first_trunk_is_silent(core: Core, tmp_path: Path) -> None:
    """Nothing answers on the first trunk (not even 100 Trying): after a few seconds the call
    goes over the second."""
    dead, second = free_port(), free_port()
    await add_ip_trunk(core, "first", dead, priority=1)
    await add_ip_trunk(core, "second", second, priority=2)
    await outbound_call_over(core, tmp_path, second)


async def outbound_call_over(core: Core, work: Path, port: int, dialled: str = "004533123456") -> None:
    """bo dials ``dialled`` (for 004533123456); the provider SIPp on ``port`` challenges, checks and
    answers."""
    answering = await provider_answering(work, port, f"{BO_DID}@")
    bo = await registered_phone(core, "bo")
    try:
        invite, ok = await patient_invite(bo, dialled)
        assert ok.status == 200, ok
        bo.ack(invite, ok)
        await hang_up(bo, invite, ok, answering)
    finally:
        bo.close()
    assert_credentials(sipp_trace(work))


async def patient_invite(phone: TestPhone, number: str) -> tuple[SipRequest, SipResponse]:
    """``phone.invite`` that waits 15 s for the answer (a silent first trunk takes a few seconds)."""
    invite = phone.new_request(
        "INVITE", f"sip:{number}@{phone.server[0]}:{phone.server[1]}", body=sdp_offer(phone.rtp_port)
    )
    phone.send(invite)
    response = await phone.final_response(invite)
    assert response.status == 407, response
    phone.send(phone._ack_for_error(invite, response))
    invite = phone.authorize(invite, response)
    phone.send(invite)
    return invite, await phone.final_response(invite, wait=15)


async def test_byd_03_a_plugins_dial_to_an_outside_number_goes_over_the_trunk(
    tmp_path: Path,
) -> None:
    """``Channel.dial`` (forwards, a user's mobile as a terminal) reaches a number nobody here has
    over the trunk; the caller's internal number is not the trunk's, so the trunk's default
    number is presented."""
    async with pbx_with_numbers(tmp_path / "data", 43300, 43399) as (core, plugin):
        port = free_port()
        await add_ip_trunk(core, "carrier", port)
        reached: list[object] = []

        async def forward(channel: Channel) -> None:
            await channel.answer()
            other = await channel.dial(["004533123456"], ring_s=10)
            reached.append(other)
            if isinstance(other, Channel):
                await other.hangup()
            await channel.hangup()

        plugin.numbers["1650"] = forward
        answering = await provider_answering(tmp_path, port, "+4589000000@")
        bo = await registered_phone(core, "bo")
        try:
            invite, ok = await bo.invite("1650")
            assert ok.status == 200, ok
            bo.ack(invite, ok)
            bye = await bo.wait_request("BYE", wait=15)
            bo.answer(bye, 200)
            await ended_well(answering)
        finally:
            bo.close()
        assert len(reached) == 1 and isinstance(reached[0], Channel), reached
        assert_credentials(sipp_trace(tmp_path))


async def bo_calls_ann_who_is_answered_outside(core: Core, tmp_path: Path, port: int) -> None:
    """bo calls 1001; the call reaches the provider (SIPp on ``port``) as 004533123456 and is
    answered there; bo hangs up."""
    answering = await provider_answering(tmp_path, port, "+45")
    bo = await registered_phone(core, "bo")
    try:
        invite, ok = await patient_invite(bo, "1001")
        assert ok.status == 200, ok
        bo.ack(invite, ok)
        await asyncio.sleep(0.3)
        await hang_up(bo, invite, ok, answering)
    finally:
        bo.close()
    assert "INVITE sip:004533123456@127.0.0.1" in sipp_trace(tmp_path)


async def test_byd_03_a_forward_to_an_outside_number_goes_over_the_trunk(core: Core, tmp_path: Path) -> None:
    """RTE-08 with the trunks: ann forwards every call to an outside number; bo's call to her goes
    out over the trunk and is answered there."""
    port = free_port()
    await add_ip_trunk(core, "carrier", port)
    ann_id = next(u.id for u in await core.identity.list_users() if u.username == "ann")
    await core.routing.create(
        {
            "scope": "user",
            "scope_id": ann_id,
            "list": "incoming",
            "name": "To my mobile",
            "destinations": [{"kind": "number", "target": "004533123456"}],
        }
    )
    await bo_calls_ann_who_is_answered_outside(core, tmp_path, port)


async def test_byd_02_a_call_to_a_registered_trunks_contact_is_taken(core: Core, tmp_path: Path) -> None:
    """A registering trunk: the provider calls the contact we registered (its user is the trunk's
    account, here no one's number), which goes to the trunk's default destination, unchallenged."""
    with running_kamailio(tmp_path) as (registrar, _log):
        await add_trunk(
            core, port=registrar, username="4589000090", auth_username=ACCOUNT, password=PASSWORD,
            country_code="45", default_destination="1001",
        )  # fmt: skip
        await wait_state(core, "registered")
        ann = await registered_phone(core, "ann")
        try:
            provider = asyncio.create_task(
                sipp(tmp_path, "uac_did.xml", f"127.0.0.1:{sip_port(core)}", "-s", "4589000090")
            )
            invite = await ann.wait_request("INVITE", wait=15)
            assert "+4570000001" in (invite.headers.get("From") or ""), invite
            ann.answer(invite, 486)
            await ended_well(provider)
        finally:
            ann.close()


async def test_byd_02_unknown_did_without_default_destination_is_404(core: Core, tmp_path: Path) -> None:
    """A DID nobody owns, on a trunk without a default destination: 404, and the trunk's caller is
    never sent back out over the trunks (no toll fraud through the appliance)."""
    assert core.sip is not None
    provider = await TestPhone("provider", "", core.sip.transports.addresses["udp"]).open()
    try:
        await add_ip_trunk(core, "carrier", provider.port)
        for number in ("+4589000077", "004933123456"):
            invite = provider.new_request(
                "INVITE", f"sip:{number}@127.0.0.1:{sip_port(core)}", body=sdp_offer(provider.rtp_port)
            )
            provider.send(invite)
            response = await provider.final_response(invite)
            assert response.status == 404, response
    finally:
        provider.close()


async def test_prs_05_a_presence_diversion_to_a_mobile_goes_over_the_trunk(
    core: Core, tmp_path: Path
) -> None:
    """PRS-05 with the trunks: ann's presence diverts her calls to her mobile; bo's call to her goes
    out over the trunk, is answered there, and the history names the diversion and the trunk."""
    port = free_port()
    await add_ip_trunk(core, "carrier", port)
    ann_id = next(u.id for u in await core.identity.list_users() if u.username == "ann")
    assert core.presence is not None
    await core.presence.set_presence(ann_id, {"diversion": "004533123456"})
    await bo_calls_ann_who_is_answered_outside(core, tmp_path, port)
    assert core.calls is not None
    await core.calls.history.flush()
    rows = await core.db.call(list_calls)
    to_ann = next(r for r in rows if r["callee"] == "1001")
    assert to_ann["route"].startswith("presence: diverted to 004533123456"), to_ann


async def test_bar_05_an_international_call_goes_out_after_the_release_pin(
    core: Core, tmp_path: Path
) -> None:
    """BAR-05: with international calls on "pin" the call is answered, asks for the caller's PIN
    (a wrong one is refused and asked again) and then goes out over the trunk as the caller."""
    await core.settings.set("org", None, "core.country", "DK")
    await core.settings.set("org", None, "core.international_calls", "pin")
    users = {u.username: u.id for u in await core.identity.list_users()}
    await core.identity.set_pin(users["bo"], "4711")
    port = free_port()
    await add_ip_trunk(core, "carrier", port)
    answering = await provider_answering(tmp_path, port, f"{BO_DID}@")
    bo = await registered_phone(core, "bo")
    try:
        invite, ok = await patient_invite(bo, "004930123456")
        assert ok.status == 200, "answered by the PIN prompt"
        bo.ack(invite, ok)
        media = media_address(ok.body)
        seq = await send_digits(bo, media, "1234#", 1)
        await asyncio.sleep(1.5)
        assert not provider_saw(tmp_path, "INVITE sip:"), "a wrong PIN sends nothing out"
        await send_digits(bo, media, "4711#", seq)
        for _ in range(300):
            if provider_saw(tmp_path, "SIP/2.0 200 OK"):
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the right PIN never put the call out over the trunk")
        await asyncio.sleep(0.3)
        await hang_up(bo, invite, ok, answering)
    finally:
        bo.close()
    messages = sipp_trace(tmp_path)
    assert "INVITE sip:+4930123456@127.0.0.1" in messages, messages[:2000]
    assert f'From: "Bo Tester" <sip:{BO_DID}@' in messages, "presented as the caller"
    assert_credentials(messages)
    rows = await call_history(core)
    assert any("release PIN" in (r["route"] or "") for r in rows), rows


async def add_contact(core: Core, username: str, **fields: Any) -> None:
    """A contact on ``username``'s own list, made as their own API request would make it."""
    from cordboard.core.http.access import AuthUser
    from cordboard.plugins.directory.const import DIRECTORY_KEY

    user = await core.identity.get_user_by_username(username)
    directory = core.data[DIRECTORY_KEY]
    await directory.reload_users()
    await directory.create(AuthUser(user.id, username, False), "user", user.id, fields)


async def test_dir_an_outside_caller_in_the_users_contacts_is_shown_by_name(
    core: Core, tmp_path: Path
) -> None:
    """The provider sends +4570000001 with the network's name "Carrier Caller"; Ann has the number
    (typed nationally) in her contacts, so her phone and her call history show her contact's name."""
    await add_contact(
        core, "ann", first_name="Carla", last_name="Berg", company="Acme", numbers=[{"number": "70 00 00 01"}]
    )
    port = free_port()
    await add_ip_trunk(core, "carrier", port)
    ann = await registered_phone(core, "ann")
    try:
        provider = asyncio.create_task(
            sipp(tmp_path, "uac_did.xml", f"127.0.0.1:{sip_port(core)}", "-p", str(port), "-s", "89000011")
        )
        invite = await ann.wait_request("INVITE", wait=15)
        assert invite.from_.display_name == "Carla Berg (Acme)", invite
        assert invite.from_.uri.user == "+4570000001"
        ann.answer(invite, 486)
        await ended_well(provider)
    finally:
        ann.close()
    rows = await call_history(core)
    assert rows[0]["caller_name"] == "Carla Berg (Acme)", rows[0]


async def test_bar_07_a_blocked_contact_cannot_call_the_user(core: Core, tmp_path: Path) -> None:
    """Ann blocked +4570000002: the provider's call gets 603 Decline, none of her phones rings, and
    her call history says why; Bo, who has not blocked the number, is still called."""
    await add_contact(
        core, "ann", company="Pushy Sales", type="blocked", numbers=[{"number": "+45 70 00 00 02"}]
    )
    assert core.sip is not None
    provider = await TestPhone("provider", "", core.sip.transports.addresses["udp"]).open()
    ann = await registered_phone(core, "ann")
    bo = await registered_phone(core, "bo")
    try:
        await add_ip_trunk(core, "carrier", provider.port)
        asserted = {"P-Asserted-Identity": "<sip:+4570000002@127.0.0.1>"}
        invite = provider.new_request(
            "INVITE",
            f"sip:{ANN_DID}@127.0.0.1:{sip_port(core)}",
            body=sdp_offer(provider.rtp_port),
            extra=asserted,
        )
        provider.send(invite)
        response = await provider.final_response(invite)
        assert (response.status, response.reason) == (603, "Decline - Blocked by Address Book"), response
        with pytest.raises(TimeoutError):
            await ann.wait_request("INVITE", wait=1)

        to_bo = provider.new_request(
            "INVITE",
            f"sip:{BO_DID}@127.0.0.1:{sip_port(core)}",
            body=sdp_offer(provider.rtp_port),
            extra=asserted,
        )
        provider.send(to_bo)
        ringing = await bo.wait_request("INVITE", wait=10)
        bo.answer(ringing, 486)
        assert (await provider.final_response(to_bo)).status == 486
    finally:
        provider.close()
        ann.close()
        bo.close()
    rows = await call_history(core)
    refused = next(r for r in rows if r["callee"] == ANN_DID)
    assert (refused["result"], refused["sip_code"]) == ("rejected", 603), refused
    assert "blocked by address book" in refused["route"], refused


async def test_dir_16_a_contacts_speed_dial_calls_its_number_over_the_trunk(
    core: Core, tmp_path: Path
) -> None:
    """Bo's contact has speed dial 77: dialling 77 calls the contact's number out over the trunk
    (as if dialled, so with Bo's caller ID and the trunk's credentials); his call history names it."""
    await add_contact(
        core, "bo", company="Harbour Taxi", speed_dial="77", numbers=[{"number": "0045 33 12 34 56"}]
    )
    port = free_port()
    await add_ip_trunk(core, "carrier", port)
    await outbound_call_over(core, tmp_path, port, dialled="77")
    assert "INVITE sip:004533123456@127.0.0.1" in sipp_trace(tmp_path)
    rows = await call_history(core)
    assert (rows[0]["callee"], rows[0]["callee_name"]) == ("004533123456", "Harbour Taxi"), rows[0]
    assert "speed dial 77 to 004533123456" in rows[0]["route"], rows[0]


async def test_pkp_10_a_transfer_to_an_outside_number_goes_over_the_trunk_unless_barred(
    core: Core, tmp_path: Path
) -> None:
    """bo transfers ann's call to a national number: it goes out over the trunk and is answered
    there; a transfer to an international number bo may not call (BAR: barred until the admin
    allows them) is refused with 403 and the call stays as it was."""
    await core.settings.set("org", None, "core.country", "DK")
    port = free_port()
    await add_ip_trunk(core, "carrier", port)
    ann, bo = await registered_phone(core, "ann"), await registered_phone(core, "bo")
    try:
        invite, ok, incoming = await call_between(ann, bo, "1002")
        barred = bo.request_as_callee(incoming, "REFER", cseq=2)
        barred.headers.add("Refer-To", f"<sip:004930123456@{bo.server[0]}>")
        bo.send(barred)
        assert (await bo.final_response(barred)).status == 403
        answering = await provider_answering(tmp_path, port, "+45")
        refer = bo.request_as_callee(incoming, "REFER", cseq=3)
        refer.headers.add("Refer-To", f"<sip:33123456@{bo.server[0]}>")
        bo.send(refer)
        reinvite = await ann.wait_request("INVITE", wait=5)
        ann.answer(reinvite, 200, to_tag="")
        assert (await bo.final_response(refer)).status == 202
        await asyncio.sleep(0.5)
        await hang_up(ann, invite, ok, answering)
    finally:
        ann.close()
        bo.close()
    assert re.search(r"INVITE sip:(\+45|0045)?33123456@127\.0\.0\.1", sipp_trace(tmp_path))


async def test_hg_06_a_hunt_group_rings_a_members_mobile_over_the_trunk(core: Core, tmp_path: Path) -> None:
    """HG-06: a hunt group set to ring mobiles reaches its member ann on her mobile over the trunk
    while her registered desk phone stays silent; bo's call to the group is answered there."""
    port = free_port()
    await add_ip_trunk(core, "carrier", port)
    await core.settings.set("org", None, "core.country", "DK")  # a Danish mobile is no foreign call
    ann_id = next(u.id for u in await core.identity.list_users() if u.username == "ann")
    await core.identity.update_user(ann_id, {"mobile": "+4533123456"})
    team = await core.identity.create_group("Sales team")
    await core.identity.set_group_members(team.id, [ann_id])
    await core.data[HUNT_GROUPS_KEY].create(
        {"name": "Sales", "number": "1500", "user_groups": [team.id], "phone_types": ["mobile"]}
    )
    answering = await provider_answering(tmp_path, port, "+45")
    ann, bo = await registered_phone(core, "ann"), await registered_phone(core, "bo")
    try:
        invite, ok = await patient_invite(bo, "1500")
        assert ok.status == 200, ok
        bo.ack(invite, ok)
        await asyncio.sleep(0.3)
        await hang_up(bo, invite, ok, answering)
        with pytest.raises(TimeoutError):
            await ann.wait_request("INVITE", wait=0.2)
    finally:
        ann.close()
        bo.close()
    assert re.search(r"INVITE sip:[0-9+]*33123456@127\.0\.0\.1", sipp_trace(tmp_path))
