"""The notify plugin's e-mail (BYD-28, the relay NTF-02 and voicemail send through) against a real
SMTP server on loopback (aiosmtpd): a queued message arrives with its attachments; STARTTLS with a
login; a server that is down gets the message once it is up; a message still queued when Cordboard
stops goes out after the next start; a message nobody takes in time is marked failed with the
reason; the admin's test mail answers with what went wrong in words."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from api_calls import call
from cordboard_process import free_port
from mail_server import PASSWORD, USERNAME, MailServer, self_signed_certificate

from cordboard.core.config.bootstrap import BootstrapConfig
from cordboard.core.core import Core
from cordboard.plugins.notify import const
from cordboard.plugins.notify.const import MAIL_KEY
from cordboard.plugins.notify.service import Mailer
from cordboard.plugins.notify.smtp import Attachment
from cordboard.plugins.notify.storage import MailRecord

SENDER = "pbx@example.com"
TEST_MAIL = "/api/notify/test-mail"
QUEUE = "/api/notify/queue"
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(256)) * 4


def _port() -> int:
    return free_port(socket.SOCK_STREAM)


def _settings(port: int, **extra: Any) -> dict[str, Any]:
    return {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "security": "none",
        "sender_address": SENDER,
        "sender_name": "Office PBX",
        **extra,
    }


async def _configure(core: Core, settings: dict[str, Any]) -> Mailer:
    await core.plugins.set_config("notify", settings)
    mailer = core.data.get(MAIL_KEY)
    assert mailer is not None, core.plugins.get("notify").as_dict()
    return mailer


async def _wait_status(mailer: Mailer, message_id: int, status: str, seconds: float = 15.0) -> MailRecord:
    deadline = time.monotonic() + seconds
    while True:
        record = await mailer.status(message_id)
        assert record is not None
        if record.status == status:
            return record
        if time.monotonic() > deadline:
            raise AssertionError(f"message {message_id} stayed {record}")
        await asyncio.sleep(0.05)


@pytest.fixture
async def server() -> AsyncIterator[MailServer]:
    instance = await MailServer(_port()).start()
    yield instance
    await instance.stop()


async def test_byd_28_a_queued_mail_arrives_with_its_attachments(
    core: Core, server: MailServer, tmp_path: Path
) -> None:
    mailer = await _configure(core, _settings(server.port))
    pdf = tmp_path / "call-list.pdf"
    pdf.write_bytes(b"%PDF-1.4 " + bytes(range(256)))
    message_id = await mailer.send(
        to=["anna@example.com", "bent@example.com"],
        subject="Ny talebesked fra 1002",
        text="Du har en ny talebesked.",
        html="<p>Du har en ny <b>talebesked</b>.</p>",
        attachments=[Attachment("message.wav", WAV, "audio/wav"), pdf],
        language="da",
    )
    pdf.unlink()  # the queue has its own copy: the caller may delete its file at once
    record = await _wait_status(mailer, message_id, "sent")
    assert (record.attempts, record.last_error) == (1, None)

    (received,) = await server.inbox.wait_for(1)
    assert received.mail_from == SENDER
    assert received.rcpt_tos == ["anna@example.com", "bent@example.com"]
    message = received.message
    assert message["From"] == "Office PBX <pbx@example.com>"
    assert message["Subject"] == "Ny talebesked fra 1002"
    assert message["Content-Language"] == "da"
    body = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert body is not None and body.get_content().strip() == "Du har en ny talebesked."
    assert html is not None and "<b>talebesked</b>" in html.get_content()
    attachments = {part.get_filename(): part for part in message.iter_attachments()}
    assert set(attachments) == {"message.wav", "call-list.pdf"}
    assert attachments["message.wav"].get_content_type() == "audio/wav"
    assert attachments["message.wav"].get_payload(decode=True) == WAV
    assert attachments["call-list.pdf"].get_content_type() == "application/pdf"
    assert attachments["call-list.pdf"].get_payload(decode=True) == b"%PDF-1.4 " + bytes(range(256))
    # Once sent, the queue's copies of the attachments go (just after the row says "sent", so
    # that a crash in between keeps them for the retry).
    folder = core.data_dir / const.ATTACHMENTS_DIR
    for _ in range(100):  # up to 5 s
        if not folder.exists() or not any(folder.iterdir()):
            break
        await asyncio.sleep(0.05)
    assert not folder.exists() or not any(folder.iterdir())

    with pytest.raises(ValueError, match="Not an e-mail address"):
        await mailer.send(to="nobody", subject="x", text="x")


@pytest.fixture
def trusted_cert(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A self-signed certificate for the test server that the client trusts (SSL_CERT_FILE)."""
    cert = self_signed_certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert[0]))
    return cert


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
async def test_byd_28_starttls_with_a_login(
    core: Core,
    api: TestClient,
    admin_headers: dict[str, str],
    trusted_cert: tuple[Path, Path],
    mechanism: str,
) -> None:
    cert = trusted_cert
    other = "LOGIN" if mechanism == "PLAIN" else "PLAIN"
    server = await MailServer(
        _port(), security="starttls", cert=cert, login=True, exclude_mechanisms=(other,)
    ).start()
    try:
        settings = _settings(server.port, security="starttls", username=USERNAME, password=PASSWORD)
        mailer = await _configure(core, settings)
        status, answer = await call(api, "POST", TEST_MAIL, admin_headers, {"to": "admin@example.com"})
        assert status == 200, answer
        assert answer == {"sent": True, "to": "admin@example.com", "server": f"127.0.0.1 port {server.port}"}
        message_id = await mailer.send(to="anna@example.com", subject="Queued", text="Over TLS.")
        await _wait_status(mailer, message_id, "sent")
        test_mail, queued = await server.inbox.wait_for(2)
        assert test_mail.message["Subject"] == "Cordboard test mail"
        assert test_mail.rcpt_tos == ["admin@example.com"]
        assert queued.message["Subject"] == "Queued"
        assert server.inbox.logins == [(mechanism, USERNAME), (mechanism, USERNAME)]
        assert test_mail.login == USERNAME
    finally:
        await server.stop()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
async def test_byd_28_implicit_tls(core: Core, trusted_cert: tuple[Path, Path]) -> None:
    cert = trusted_cert
    server = await MailServer(_port(), security="tls", cert=cert, login=True).start()
    try:
        settings = _settings(server.port, security="tls", username=USERNAME, password=PASSWORD)
        mailer = await _configure(core, settings)
        await mailer.send_test("admin@example.com")
        (received,) = await server.inbox.wait_for(1)
        assert received.login == USERNAME
    finally:
        await server.stop()


async def test_byd_28_the_test_mail_says_what_went_wrong(
    core: Core,
    api: TestClient,
    admin_headers: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    status, error = await call(api, "POST", TEST_MAIL, admin_headers, {"to": "admin@example.com"})
    assert status == 400 and error["code"] == "mail_not_configured", error
    assert "No SMTP server is set" in error["message"]

    cert = self_signed_certificate(tmp_path)
    server = await MailServer(_port(), security="starttls", cert=cert, login=True).start()
    try:
        where = f"127.0.0.1 port {server.port}"
        # The server's certificate is not trusted (no SSL_CERT_FILE): a TLS failure.
        await _configure(
            core, _settings(server.port, security="starttls", username=USERNAME, password=PASSWORD)
        )
        status, error = await call(api, "POST", TEST_MAIL, admin_headers, {"to": "admin@example.com"})
        assert status == 502 and error["code"] == "mail_failed", error
        assert error["message"].startswith(
            f"TLS failed with {where}: the server's certificate is not trusted"
        )

        monkeypatch.setenv("SSL_CERT_FILE", str(cert[0]))
        await _configure(
            core, _settings(server.port, security="starttls", username=USERNAME, password="wrong-password")
        )
        status, error = await call(api, "POST", TEST_MAIL, admin_headers, {"to": "admin@example.com"})
        assert status == 502, error
        assert error["message"].startswith(f"{where} refused the user name or password: 535"), error

        # TLS on a port that speaks plain SMTP first.
        await _configure(core, _settings(server.port, security="tls", username=USERNAME, password=PASSWORD))
        status, error = await call(api, "POST", TEST_MAIL, admin_headers, {"to": "admin@example.com"})
        assert status == 502 and error["message"].startswith(f"TLS failed with {where}"), error

        # No login on a server that demands one.
        await _configure(core, _settings(server.port, security="starttls"))
        status, error = await call(api, "POST", TEST_MAIL, admin_headers, {"to": "admin@example.com"})
        assert status == 502 and "530" in error["message"], error
    finally:
        await server.stop()
    assert server.inbox.received == []

    down = _port()
    await _configure(core, _settings(down))
    status, error = await call(api, "POST", TEST_MAIL, admin_headers, {"to": "admin@example.com"})
    assert status == 502, error
    assert error["message"] == (
        f"Cannot connect to 127.0.0.1 port {down}: connection refused (is the host and port right?)"
    )
    status, error = await call(api, "POST", TEST_MAIL, admin_headers, {"to": "not an address"})
    assert status == 400 and "to" in error["fields"], error


async def test_byd_28_a_mail_queued_while_the_server_is_down_goes_out_later(
    core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(const, "RETRY_DELAYS", (0.3, 0.5))
    port = _port()
    mailer = await _configure(core, _settings(port))
    message_id = await mailer.send(
        to="anna@example.com",
        subject="Missed call",
        text="1002 called.",
        attachments=[Attachment("a.txt", b"x")],
    )
    deadline = time.monotonic() + 10
    while (record := await mailer.status(message_id)) is not None and record.attempts < 2:
        assert time.monotonic() < deadline, record
        await asyncio.sleep(0.05)
    assert record is not None and record.status == "queued"
    assert record.last_error is not None and "connection refused" in record.last_error

    server = await MailServer(port).start()
    try:
        record = await _wait_status(mailer, message_id, "sent")
        assert record.attempts >= 3
        (received,) = await server.inbox.wait_for(1)
        assert received.message["Subject"] == "Missed call"
        (part,) = received.message.iter_attachments()
        assert part.get_payload(decode=True) == b"x"
    finally:
        await server.stop()


async def test_byd_28_a_queued_mail_survives_a_restart(tmp_path: Path) -> None:
    """Queued while the server is down (the next attempt 30 s away), then Cordboard stops; after
    the next start on the same data folder the message goes out at once, attachment and all."""
    data = tmp_path / "data"
    port = _port()
    config = BootstrapConfig(http_bind="127.0.0.1", http_port=0, sip_port=0)
    first = Core(data, config)
    await first.start(serve_http=False, serve_sip=False)
    try:
        mailer = await _configure(first, _settings(port))
        message_id = await mailer.send(
            to="anna@example.com", subject="Voicemail", text="Listen.", attachments=[Attachment("m.wav", WAV)]
        )
        deadline = time.monotonic() + 10
        while (record := await mailer.status(message_id)) is not None and record.attempts < 1:
            assert time.monotonic() < deadline, record
            await asyncio.sleep(0.05)
        assert record is not None and record.status == "queued" and record.next_attempt > time.time() + 10
    finally:
        await first.stop()

    server = await MailServer(port).start()
    second = Core(data, config)
    await second.start(serve_http=False, serve_sip=False)
    try:
        mailer = second.data[MAIL_KEY]
        record = await _wait_status(mailer, message_id, "sent")
        assert record.attempts == 2
        (received,) = await server.inbox.wait_for(1)
        (part,) = received.message.iter_attachments()
        assert part.get_filename() == "m.wav" and part.get_payload(decode=True) == WAV
    finally:
        await second.stop()
        await server.stop()


async def test_byd_28_a_mail_nobody_takes_is_marked_failed_with_the_reason(
    core: Core, server: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A recipient the server refuses for good (550): failed after one attempt, no retries.
    server.inbox.refuse.add("gone@example.com")
    mailer = await _configure(core, _settings(server.port))
    refused = await mailer.send(to="gone@example.com", subject="Hello", text="Hi")
    record = await _wait_status(mailer, refused, "failed")
    assert record.attempts == 1
    assert record.last_error == (
        f"127.0.0.1 port {server.port} refused the recipient: gone@example.com: 550 5.1.1 No such user here"
    )
    # One of two refused: the other gets it, the refusal is noted.
    partly = await mailer.send(to=["gone@example.com", "anna@example.com"], subject="Both", text="Hi")
    record = await _wait_status(mailer, partly, "sent")
    assert record.last_error is not None and "gone@example.com refused: 550" in record.last_error

    # A server that stays down: failed once the give-up time has passed.
    monkeypatch.setattr(const, "RETRY_DELAYS", (0.1,))
    monkeypatch.setattr(const, "GIVE_UP_AFTER_S", 0.6)
    down = _port()
    mailer = await _configure(core, _settings(down))
    message_id = await mailer.send(to="anna@example.com", subject="Never", text="Hi")
    record = await _wait_status(mailer, message_id, "failed")
    assert record.attempts >= 2
    assert record.last_error is not None and f"Cannot connect to 127.0.0.1 port {down}" in record.last_error


async def test_byd_28_the_queue_stops_when_a_new_mail_wakes_it_at_the_same_moment(
    core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stopping cancels the queue's task while it waits for the next attempt. A wake-up in the same
    loop pass (a mail queued just then) must not swallow the cancel: on Python 3.11,
    ``asyncio.wait_for`` returned the finished wait and the queue ran on, so Cordboard's stop hung."""
    monkeypatch.setattr(const, "RETRY_DELAYS", (30.0,))
    mailer = await _configure(core, _settings(_port()))  # nobody listens: the first attempt fails
    message_id = await mailer.send(to="anna@example.com", subject="Later", text="Hi")
    deadline = time.monotonic() + 10
    while (record := await mailer.status(message_id)) is not None and record.attempts < 1:
        assert time.monotonic() < deadline, record
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.1)  # the queue now waits 30 s for the next attempt
    task = mailer._task
    assert task is not None and not task.done()
    mailer._queued()
    stopping = asyncio.ensure_future(mailer.stop())
    done, _ = await asyncio.wait({stopping}, timeout=5)
    if not done:  # the queue ran on: end it, so that the test fails rather than hangs
        task.cancel()
        await asyncio.wait({stopping})
    assert done and task.cancelled()
