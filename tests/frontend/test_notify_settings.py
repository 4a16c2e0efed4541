"""The e-mail plugin's (notify) settings in a real browser, with the test mail (BYD-28), the test
SMS through a GSM modem (the simulator on a pseudo-terminal, tests/gsm_modem.py) and the delivery
queue.

An administrator fills in the SMTP settings generated from the plugin's CONFIG_SCHEMA, saves them and
sends a test mail from the page to a real SMTP server on loopback (aiosmtpd, tests/mail_server.py),
which receives it; with the server stopped the page shows the server's problem in words. Before
the settings are saved the test mail says what is missing, and a bad address gets its error next
to the field.
"""

from __future__ import annotations

import socket
import sqlite3
import time
from typing import Any

from aiosmtpd.controller import Controller
from e2e_helpers import ADMIN, ADMIN_PASSWORD, BrowserThread, Cordboard, login, shot
from gsm_modem import GsmModem
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
        "sms_baud_rate": 115200,
        "sms_mode": "pdu",
        "on_missed_call": False,
        "on_call_data": False,
        "on_account_change": True,
        "on_mailbox_full": True,
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


SIM_PIN = "2468"
MOBILE = "+4520123456"
QUEUED_TEXT = "Queued before the modem was set up"


def _queue_sms(cordboard: Cordboard, to: str, text: str) -> None:
    """An SMS in the queue as another plugin would have left it (no modem set up yet)."""
    now = time.time()
    with sqlite3.connect(cordboard.data / "cordboard.db") as db:
        db.execute(
            "INSERT INTO notify_sms (created, recipient, text, status, attempts, next_attempt, updated)"
            " VALUES (?, ?, ?, 'queued', 0, ?, ?)",
            [now, to, text, now, now],
        )


def _wait_for_text(modem: GsmModem, text: str, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while text not in modem.texts:
        assert time.monotonic() < deadline, f"the modem got no SMS {text!r}: {modem.texts}"
        time.sleep(0.05)


def test_test_sms_and_the_delivery_queue(cordboard: Cordboard, browser: BrowserThread) -> None:
    _queue_sms(cordboard, MOBILE, QUEUED_TEXT)
    with GsmModem(pin=SIM_PIN) as modem:
        browser.run(_test_sms, cordboard, modem)
        assert [(r.to, r.text) for r in modem.received] == [
            (MOBILE, QUEUED_TEXT),
            (MOBILE, "Cordboard test SMS: text messages from Cordboard reach their recipients this way."),
        ]
    config = _config(cordboard, cordboard.token())
    assert (config["sms_device"], config["sms_pin"], config["sms_baud_rate"]) == (
        modem.device,
        SIM_PIN,
        115200,
    )


def _test_sms(page: Any, cordboard: Cordboard, modem: GsmModem) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD, "/login?next=/plugins/notify")
    box = page.get_by_test_id("test-sms")
    expect(box.get_by_role("heading", name="Send a test SMS")).to_be_visible()
    to = box.get_by_label("Mobile number")
    send = box.get_by_role("button", name="Send test SMS")
    sent = box.get_by_test_id("test-sms-sent")
    error = box.get_by_test_id("test-sms-error")
    queue = page.get_by_test_id("notify-queue")
    expect(queue.get_by_role("heading", name="Delivery queue")).to_be_visible()

    # The SMS queued before there was a modem waits.
    row = queue.locator("[data-testid=notify-queue-row][data-kind=sms]")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("notify-queue-status")).to_have_text("Queued")
    expect(row).to_contain_text(QUEUED_TEXT)
    expect(row).to_contain_text(MOBILE)

    # A number that is none, then no modem set up: the reason in words.
    to.fill("call me")
    send.click()
    expect(to).to_have_attribute("aria-invalid", "true")
    expect(to).to_be_focused()
    to.fill(MOBILE)
    send.click()
    expect(error).to_have_text(
        "No GSM modem is set: enter its serial device (such as /dev/ttyUSB0) "
        "in the settings of the notify plugin"
    )
    shot(page, "notify-test-sms-not-configured")

    # The modem's device and the SIM PIN, saved in the generated form.
    page.locator("#plugin-notify-sms_device").fill(modem.device)
    page.locator("#plugin-notify-sms_pin").fill(SIM_PIN)
    expect(page.locator("#plugin-notify-sms_mode")).to_have_value("pdu")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Settings saved.")).to_be_visible()

    # With the modem there, the queued SMS goes out; the list shows it sent.
    _wait_for_text(modem, QUEUED_TEXT)
    queue.get_by_role("button", name="Refresh").click()
    expect(row.get_by_test_id("notify-queue-status")).to_have_text("Sent")
    expect(row.get_by_test_id("notify-queue-error")).to_have_text("—")

    send.click()
    expect(sent).to_have_text(f"The test SMS to {MOBILE} was sent (message reference 2).")
    expect(error).to_have_count(0)
    shot(page, "notify-test-sms-sent")

    # The network refuses: the modem's reason on the page.
    modem.cms_error = 38
    send.click()
    expect(error).to_have_text("The modem could not send the SMS: network out of order (+CMS ERROR: 38)")
    expect(sent).to_have_count(0)
    modem.cms_error = None
