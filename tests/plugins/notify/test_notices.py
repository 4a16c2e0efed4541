"""Per-user e-mail notifications (NTF-01, NTF-02) against a real SMTP server on loopback (aiosmtpd)
and real SIP phones: a missed call, the call data after an answered call, a change to the account
(never with the secret), a full voice mailbox; each only when the user has that event on, and to
the address the user chose (NTF-01), else to their own e-mail address."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cordboard_process import free_port
from loopback_pbx import connected_call, registered_phone, running_pbx
from mail_server import MailServer, Received

from cordboard.core.calls.model import EVENT_CALL_ENDED
from cordboard.core.calls.subscriptions import EVENT_MAILBOX_FULL
from cordboard.core.core import Core
from cordboard.core.exceptions import ConfigValidationError
from cordboard.plugins.notify.const import MAIL_KEY, NOTICES_KEY
from cordboard.plugins.notify.notices import notification_address

RTP_MIN, RTP_MAX = 37400, 37599


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", RTP_MIN, RTP_MAX) as core:
        yield core


@pytest.fixture
async def server(pbx: Core) -> AsyncIterator[MailServer]:
    """The SMTP server, set up as the notify plugin's relay."""
    mail_server = await MailServer(free_port(socket.SOCK_STREAM)).start()
    try:
        await _relay_through(pbx, mail_server)
        yield mail_server
    finally:
        await mail_server.stop()


async def _relay_through(core: Core, mail_server: MailServer) -> None:
    """Make ``mail_server`` the notify plugin's mail relay."""
    await core.plugins.set_config(
        "notify",
        {"smtp_host": "127.0.0.1", "smtp_port": mail_server.port, "security": "none",
         "sender_address": "pbx@example.com"},
    )  # fmt: skip


async def _id(core: Core, name: str) -> int:
    return (await core.identity.get_user_by_username(name)).id


async def _queued(core: Core) -> int:
    """Every notice for the events so far is queued: how many e-mails the mailer has."""
    await core.data[NOTICES_KEY].idle()
    return len(await core.data[MAIL_KEY].recent())


def _text(mail: Received) -> str:
    body = mail.message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


async def test_ntf_02_a_missed_call_is_e_mailed_to_the_callee(pbx: Core, server: MailServer) -> None:
    """NTF-02: ann calls bo, whose phone says 480 (nobody answers): with ``on_missed_call`` on, bo
    gets one e-mail naming ann; off (the default), none."""
    bo_id = await _id(pbx, "bo")
    await pbx.settings.set("user", bo_id, "notify.on_missed_call", True)
    ann, bo = await registered_phone(pbx, "ann"), await registered_phone(pbx, "bo")
    try:
        for _round in range(2):
            task = asyncio.create_task(ann.invite("1002"))
            bo.answer(await bo.wait_request("INVITE"), 480)
            _invite, final = await task
            assert final.status == 480
            await bo.wait_request("ACK")
            if _round == 0:
                [mail] = await server.inbox.wait_for(1, seconds=20)
                assert mail.rcpt_tos == ["bo@example.com"]
                assert mail.message["Subject"] == "Missed call from Ann Tester (1001)"
                assert "Ann Tester (1001) called you on" in _text(mail)
                await pbx.settings.clear("user", bo_id, "notify.on_missed_call")
        assert await _queued(pbx) == 1
    finally:
        ann.close()
        bo.close()


async def test_ntf_02_the_call_data_after_an_answered_call(pbx: Core, server: MailServer) -> None:
    """NTF-02: ann has ``on_call_data`` on: after her answered call to bo she gets one e-mail with
    who, when, how long and the result; bo (off) gets none, nor a missed call."""
    await pbx.settings.set("user", await _id(pbx, "ann"), "notify.on_call_data", True)
    ann, bo = await registered_phone(pbx, "ann"), await registered_phone(pbx, "bo")
    try:
        invite, ok = await connected_call(ann, bo)
        await bo.wait_request("ACK")
        await asyncio.sleep(1.1)
        bye = ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 1)
        ann.send(bye)
        bo.answer(await bo.wait_request("BYE"), 200)
        assert (await ann.final_response(bye)).status == 200
        [mail] = await server.inbox.wait_for(1, seconds=20)
        assert mail.rcpt_tos == ["ann@example.com"]
        assert mail.message["Subject"] == "Call with Bo Tester (1002): answered"
        text = _text(mail)
        assert "From: Ann Tester (1001)" in text and "To: Bo Tester (1002)" in text
        assert "Duration: 0:01" in text and "Result: answered" in text
        assert await _queued(pbx) == 1
    finally:
        ann.close()
        bo.close()


async def test_ntf_02_an_account_change_never_carries_the_secret(pbx: Core, server: MailServer) -> None:
    """NTF-02: ``on_account_change`` is on by default: a new PIN is e-mailed as "your PIN" without
    the PIN; locking too; a change of time zone is not worth an e-mail; off, nothing."""
    bo_id = await _id(pbx, "bo")
    await pbx.identity.set_pin(bo_id, "471147")
    [mail] = await server.inbox.wait_for(1, seconds=20)
    assert mail.rcpt_tos == ["bo@example.com"]
    assert mail.message["Subject"] == "Your account was changed"
    assert "- your PIN" in _text(mail) and "471147" not in mail.message.as_string()
    await pbx.identity.update_user(bo_id, {"timezone": "Europe/Berlin"})
    await pbx.identity.lock_user(bo_id)
    received = await server.inbox.wait_for(2, seconds=20)
    assert "- your account is now locked" in _text(received[1])
    await pbx.settings.set("user", bo_id, "notify.on_account_change", False)
    await pbx.identity.unlock_user(bo_id)
    assert await _queued(pbx) == 2


async def test_ntf_02_a_full_mailbox_in_the_users_language(pbx: Core, server: MailServer) -> None:
    """NTF-02: the mailbox plugin's ``mailbox.full`` event: bo (German) gets one e-mail in German;
    with ``on_mailbox_full`` off, none."""
    bo_id = await _id(pbx, "bo")
    await pbx.identity.update_user(bo_id, {"language": "de"})
    pbx.bus.fire(EVENT_MAILBOX_FULL, {"user_id": bo_id, "caller": "1001", "caller_name": "Ann Tester"})
    [mail] = await server.inbox.wait_for(1, seconds=20)
    assert mail.message["Subject"] == "Ihre Mailbox ist voll"
    assert "Ann Tester (1001) wollte Ihnen am" in _text(mail)
    await pbx.settings.set("user", bo_id, "notify.on_mailbox_full", False)
    pbx.bus.fire(EVENT_MAILBOX_FULL, {"user_id": bo_id, "caller": "1001", "caller_name": ""})
    assert await _queued(pbx) == 1


async def test_ntf_01_the_address_the_user_chose_else_their_own(pbx: Core, server: MailServer) -> None:
    """NTF-01: bo sets his notification address: the e-mail goes there (the voice-message notice
    asks the same function); cleared, to his own e-mail again; a bad address is refused."""
    bo_id = await _id(pbx, "bo")
    await pbx.settings.set_many("user", bo_id, {"notify.email_address": "bo.private@example.org"})
    assert await notification_address(pbx, await pbx.identity.get_user(bo_id)) == "bo.private@example.org"
    pbx.bus.fire(EVENT_MAILBOX_FULL, {"user_id": bo_id, "caller": "1001", "caller_name": ""})
    [mail] = await server.inbox.wait_for(1, seconds=20)
    assert mail.rcpt_tos == ["bo.private@example.org"]
    await pbx.settings.set_many("user", bo_id, {"notify.email_address": None})
    pbx.bus.fire(EVENT_MAILBOX_FULL, {"user_id": bo_id, "caller": "1001", "caller_name": ""})
    received = await server.inbox.wait_for(2, seconds=20)
    assert received[1].rcpt_tos == ["bo@example.com"]
    with pytest.raises(ConfigValidationError) as err:
        await pbx.settings.set_many("user", bo_id, {"notify.email_address": "not an address"})
    assert "notify.email_address" in err.value.fields


async def test_ntf_02_nothing_is_queued_without_a_mail_relay(pbx: Core) -> None:
    """No relay set up: an event sends nothing (and nothing waits to go out by surprise later)."""
    bo_id = await _id(pbx, "bo")
    await pbx.identity.set_pin(bo_id, "471147")
    pbx.bus.fire(EVENT_MAILBOX_FULL, {"user_id": bo_id, "caller": "1001", "caller_name": ""})
    assert await _queued(pbx) == 0


async def test_ntf_02_call_ends_cost_nothing_without_a_mail_relay(pbx: Core) -> None:
    """Every call's end reaches the notices; with no relay they start no work for it (no task, no
    settings look-ups), and with one they do."""
    ann_id = await _id(pbx, "ann")
    await pbx.settings.set("user", ann_id, "notify.on_call_data", True)
    ended = {"caller_user_id": ann_id, "callee_user_id": None, "result": "answered"}
    notices = pbx.data[NOTICES_KEY]
    pbx.bus.fire(EVENT_CALL_ENDED, ended)
    assert not notices._tasks
    mail_server = await MailServer(free_port(socket.SOCK_STREAM)).start()
    try:
        await _relay_through(pbx, mail_server)
        notices = pbx.data[NOTICES_KEY]
        pbx.bus.fire(EVENT_CALL_ENDED, ended)
        assert notices._tasks
        await notices.idle()
    finally:
        await mail_server.stop()
