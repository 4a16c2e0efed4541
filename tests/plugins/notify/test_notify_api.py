"""The notify plugin's settings and REST API (BYD-28): bad settings are named by field and nothing
is saved; the settings form shows the password as a password; the queue lists each message with
its status for administrators only, as does the test mail."""

from __future__ import annotations

import asyncio
import socket
import time

from aiohttp.test_utils import TestClient
from api_calls import call
from cordboard_process import free_port

from cordboard.core.core import Core
from cordboard.plugins.notify.const import MAIL_KEY

CONFIG = "/api/plugins/notify/config"
QUEUE = "/api/notify/queue"
NTF_DEFAULTS = {
    "on_missed_call": False,
    "on_call_data": False,
    "on_account_change": True,
    "on_mailbox_full": True,
}
"""NTF-02: the organisation's defaults of the events users are e-mailed about."""


async def test_byd_28_bad_settings_are_named_by_field(
    core: Core, api: TestClient, admin_headers: dict[str, str]
) -> None:
    status, error = await call(
        api,
        "PUT",
        CONFIG,
        admin_headers,
        {
            "smtp_host": "smtp.example.com",
            "smtp_port": 70000,
            "security": "ssl",
            "password": "short",
            "sender_address": "pbx at example.com",
            "colour": "red",
        },
    )
    assert status == 400, error
    assert error["fields"] == {
        "smtp_port": "port must be between 1 and 65535, got 70000",
        "security": "one of starttls, tls, none",
        "password": "a password has at least 8 characters",
        "sender_address": "expected an e-mail address such as anna@example.com",
        "colour": "unknown field",
    }
    status, saved = await call(api, "GET", CONFIG, admin_headers)
    assert status == 200
    assert saved["config"] == {
        "smtp_port": 587,
        "security": "starttls",
        "sender_name": "Cordboard",
        "sms_baud_rate": 115200,
        "sms_mode": "pdu",
        **NTF_DEFAULTS,
    }
    fields = {f["name"]: f for f in saved["schema"]}
    assert fields["password"]["format"] == "password"
    assert fields["sender_address"]["format"] == "email"
    assert fields["security"]["options"] == [["starttls", "starttls"], ["tls", "tls"], ["none", "none"]]

    good = {
        "smtp_host": "smtp.example.com",
        "smtp_port": 465,
        "security": "tls",
        "username": "pbx",
        "password": "relay-password-1",
        "sender_address": "pbx@example.com",
        "sender_name": "Office",
    }
    status, saved = await call(api, "PUT", CONFIG, admin_headers, good)
    assert status == 200, saved
    defaults = {"sms_baud_rate": 115200, "sms_mode": "pdu", **NTF_DEFAULTS}
    assert saved == {"config": {**good, **defaults}, "status": "loaded"}
    mailer = core.data.get(MAIL_KEY)
    assert mailer is not None and mailer.settings.where == "smtp.example.com port 465"


async def test_byd_28_the_queue_lists_each_message_with_its_status(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    down = free_port(socket.SOCK_STREAM)
    settings = {"smtp_host": "127.0.0.1", "smtp_port": down, "security": "none", "sender_address": "a@b.dk"}
    status, _ = await call(api, "PUT", CONFIG, admin_headers, settings)
    assert status == 200
    mailer = core.data[MAIL_KEY]
    first = await mailer.send(to="anna@example.com", subject="First", text="1")
    deadline = time.monotonic() + 10
    while (record := await mailer.status(first)) is not None and record.attempts < 1:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)

    status, listed = await call(api, "GET", QUEUE, admin_headers)
    assert status == 200, listed
    (entry,) = listed
    assert entry["id"] == first and entry["to"] == ["anna@example.com"] and entry["subject"] == "First"
    assert entry["status"] == "queued" and entry["attempts"] == 1
    assert entry["error"] == (
        f"Cannot connect to 127.0.0.1 port {down}: connection refused (is the host and port right?)"
    )
    assert entry["next_attempt"] > time.time() + 10  # 30 s after the first failure
    assert entry["finished"] is None and entry["attachments"] == []

    second = await mailer.send(to="bent@example.com", subject="Second", text="2")
    status, listed = await call(api, "GET", f"{QUEUE}?limit=1", admin_headers)
    assert status == 200 and [e["id"] for e in listed] == [second]
    status, error = await call(api, "GET", f"{QUEUE}?limit=0", admin_headers)
    assert status == 400 and "limit" in error["fields"], error

    assert await mailer.status(9999) is None
    status, _ = await call(api, "GET", QUEUE, user_headers)
    assert status == 403
    status, _ = await call(api, "POST", "/api/notify/test-mail", user_headers, {"to": "anna@example.com"})
    assert status == 403
