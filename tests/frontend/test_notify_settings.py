"""The e-mail plugin's (notify) settings in a real browser, with the test mail (BYD-28).

An administrator fills in the SMTP settings generated from the plugin's CONFIG_SCHEMA, saves them and
sends a test mail from the page to a real SMTP server on loopback (aiosmtpd, tests/mail_server.py),
which receives it; with the server stopped the page shows the server's problem in words. Before
the settings are saved the test mail says what is missing, and a bad address gets its error next
to the field.
"""

from __future__ import annotations

import socket
import time
from typing import Any

from aiosmtpd.controller import Controller
from e2e_helpers import ADMIN, ADMIN_PASSWORD, BrowserThread, Cordboard, login, shot
from mail_server import Inbox, Received
from playwright.sync_api import expect

ADMIN_EMAIL = "root@example.com"
SENDER = "pbx@example.com"
RECIPIENT = "someone@example.com"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _config(cordboard: Cordboard, token: str) -> dict[str, Any]:
    status, body = cordboard.api("GET", "/api/plugins/notify/config", token=token)
    assert status == 200, body
    return dict(body["config"])


def _received(inbox: Inbox, to: str, seconds: float = 15.0) -> Received:
    deadline = time.monotonic() + seconds
    while True:
        for mail in inbox.received:
            if to in mail.rcpt_tos:
                return mail
        assert time.monotonic() < deadline, f"the SMTP server got no mail for {to}: {inbox.received}"
        time.sleep(0.05)


class SmtpServer:
    """aiosmtpd's Controller runs the server on a thread and loop of its own: start and stop are
    synchronous, so they work from the browser's thread too."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.inbox = Inbox()
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=port)
        self.running = False

    def start(self) -> None:
        self._controller.start()
        self.running = True

    def stop(self) -> None:
        if self.running:
            self._controller.stop()
            self.running = False


def test_byd_28_test_mail_from_the_notify_settings(cordboard: Cordboard, browser: BrowserThread) -> None:
    token = cordboard.token()
    status, me = cordboard.api("GET", "/api/auth/me", token=token)
    assert status == 200, me
    # The logged-in administrator's own address is offered as the recipient.
    status, body = cordboard.api("PATCH", f"/api/users/{me['id']}", {"email": ADMIN_EMAIL}, token)
    assert status == 200, body
    server = SmtpServer(_free_port())
    server.start()
    try:
        browser.run(_test_mail, cordboard, server)
    finally:
        server.stop()
    assert _config(cordboard, token) == {
        "smtp_host": "127.0.0.1",
        "smtp_port": server.port,
        "security": "none",
        "sender_address": SENDER,
        "sender_name": "Cordboard",
    }


def _test_mail(page: Any, cordboard: Cordboard, server: SmtpServer) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD, "/login?next=/plugins/notify")
    expect(page.get_by_role("heading", name="E-mail notifications: settings")).to_be_visible()
    box = page.get_by_test_id("test-mail")
    expect(box.get_by_role("heading", name="Send a test mail")).to_be_visible()
    to = box.get_by_label("Send to")
    send = box.get_by_role("button", name="Send test mail")
    sent = box.get_by_test_id("test-mail-sent")
    error = box.get_by_test_id("test-mail-error")
    expect(to).to_have_value(ADMIN_EMAIL)
    expect(to).to_have_attribute("type", "email")

    # Nothing set up yet: the server says what is missing, in the page's error style.
    send.click()
    expect(error).to_have_text("No SMTP server is set: enter its host in the settings of the notify plugin")
    expect(error).to_have_class("notice bad")
    expect(sent).to_have_count(0)
    shot(page, "notify-test-mail-not-configured")

    # A bad address: the API's field error next to the field, the focus on it.
    to.fill("not-an-address")
    send.click()
    expect(to).to_have_attribute("aria-invalid", "true")
    expect(box.locator("#test-mail-to-error")).not_to_have_text("")
    expect(to).to_be_focused()
    expect(error).to_have_count(0)

    # The SMTP settings, saved in the generated form.
    page.locator("#plugin-notify-smtp_host").fill("127.0.0.1")
    page.locator("#plugin-notify-smtp_port").fill(str(server.port))
    page.locator("#plugin-notify-security").select_option("none")
    page.locator("#plugin-notify-sender_address").fill(SENDER)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Settings saved.")).to_be_visible()

    # The test mail reaches the server, and the page names the address.
    to.fill(RECIPIENT)
    expect(to).to_have_attribute("aria-invalid", "false")
    send.click()
    expect(sent).to_have_text(
        f"The test mail to {RECIPIENT} was sent (through 127.0.0.1 port {server.port})."
    )
    expect(error).to_have_count(0)
    mail = _received(server.inbox, RECIPIENT)
    assert mail.mail_from == SENDER, mail
    assert RECIPIENT in str(mail.message["To"]), mail.message
    shot(page, "notify-test-mail-sent")

    # With the server gone, the page shows why the mail could not be sent.
    server.stop()
    send.click()
    expect(error).to_have_text(
        f"Cannot connect to 127.0.0.1 port {server.port}: connection refused (is the host and port right?)"
    )
    expect(sent).to_have_count(0)
    shot(page, "notify-test-mail-refused")
