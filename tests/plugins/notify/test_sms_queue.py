"""The SMS service and its queue (NTF, VM-06, GIB-05) with the GSM modem simulator: ``send`` never
waits for the modem; an SMS waits while no modem is set up or the modem is silent and goes out
later; one still queued when Cordboard stops goes out after the next start; a modem error is noted
and a permanent one fails the SMS; the admin's test SMS answers with the modem's reference or its
reason, and ordinary users get 403."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from api_calls import call
from gsm_modem import GsmModem

from cordboard.core.config.bootstrap import BootstrapConfig
from cordboard.core.core import Core
from cordboard.plugins.notify import const
from cordboard.plugins.notify.const import SMS_KEY
from cordboard.plugins.notify.sms import SmsService
from cordboard.plugins.notify.storage import SmsRecord

PIN = "1234"
CONFIG = "/api/plugins/notify/config"
TEST_SMS = "/api/notify/test-sms"
QUEUE = "/api/notify/sms-queue"


@pytest.fixture
def modem() -> Iterator[GsmModem]:
    with GsmModem(pin=PIN) as instance:
        yield instance


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(const, "MODEM_COMMAND_TIMEOUT_S", 0.3)
    monkeypatch.setattr(const, "MODEM_SEND_TIMEOUT_S", 1.0)


def _settings(modem: GsmModem, **extra: Any) -> dict[str, Any]:
    return {"sms_device": modem.device, "sms_pin": PIN, **extra}


async def _configure(core: Core, settings: dict[str, Any]) -> SmsService:
    await core.plugins.set_config("notify", settings)
    service = core.data.get(SMS_KEY)
    assert service is not None, core.plugins.get("notify").as_dict()
    return service


async def _wait(service: SmsService, sms_id: int, done: str | int, seconds: float = 10.0) -> SmsRecord:
    """Until the SMS has the status ``done`` (a string) or that many attempts (an int)."""
    deadline = time.monotonic() + seconds
    while True:
        record = await service.status(sms_id)
        assert record is not None
        if record.status == done or (isinstance(done, int) and record.attempts >= done):
            return record
        assert time.monotonic() < deadline, f"SMS {sms_id} stayed {record}"
        await asyncio.sleep(0.02)


async def test_queued_sms_go_out_in_order(core: Core, modem: GsmModem) -> None:
    service = await _configure(core, _settings(modem))
    started = time.monotonic()
    first = await service.send("+45 20 12 34 56", "Ny talebesked fra 1002")
    second = await service.send("20123456", "Missed call: 1003 - " + "x" * 160)
    assert time.monotonic() - started < 0.5  # stored and back, the modem is not waited for
    one = await _wait(service, first, "sent")
    two = await _wait(service, second, "sent")
    assert (one.recipient, one.attempts, one.last_error, one.reference) == ("+4520123456", 1, None, "1")
    assert two.reference == "2,3" and two.as_dict()["references"] == [2, 3]
    assert modem.texts == ["Ny talebesked fra 1002", "Missed call: 1003 - " + "x" * 160]
    assert modem.received[1].concat == (second & 0xFF, 2, 1)
    for bad in ("anna@example.com", "+0123", ""):
        with pytest.raises(ValueError, match="Not a phone number"):
            await service.send(bad, "Hi")
    with pytest.raises(ValueError, match="An SMS needs a text"):
        await service.send("+4520123456", " ")


async def test_an_sms_waits_while_no_modem_is_set_up(core: Core, modem: GsmModem) -> None:
    service = core.data[SMS_KEY]
    sms_id = await service.send("+4520123456", "Waiting")
    record = await _wait(service, sms_id, 1)
    assert record.status == "queued" and record.last_error is not None
    assert record.last_error.startswith("No GSM modem is set: enter its serial device")
    service = await _configure(core, _settings(modem))  # the settings change: tried again at once
    record = await _wait(service, sms_id, "sent")
    assert record.attempts == 2 and modem.texts == ["Waiting"]


async def test_a_silent_modem_is_retried_and_an_error_noted(
    core: Core, modem: GsmModem, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(const, "RETRY_DELAYS", (0.2,))
    modem.silent = True
    service = await _configure(core, _settings(modem))
    sms_id = await service.send("+4520123456", "Are you there?")
    record = await _wait(service, sms_id, 1)
    assert record.status == "queued"
    assert record.last_error == "The modem does not answer: no answer to ATE0 within 0.3 s"
    modem.silent = False
    modem.power_cycle()
    modem.cms_error = 38
    record = await _wait(service, sms_id, 3)
    assert record.status == "queued"
    assert record.last_error == "The modem could not send the SMS: network out of order (+CMS ERROR: 38)"
    modem.cms_error = None
    record = await _wait(service, sms_id, "sent")
    assert modem.texts == ["Are you there?"]

    # A number the network does not know: failed at once, no retries.
    modem.cms_error = 1
    gone = await service.send("+4599999999", "Hello")
    record = await _wait(service, gone, "failed")
    assert record.attempts == 1 and record.last_error is not None and "(+CMS ERROR: 1)" in record.last_error


async def test_a_wrong_pin_is_not_entered_again(
    core: Core, modem: GsmModem, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(const, "RETRY_DELAYS", (0.05,))
    service = await _configure(core, _settings(modem, sms_pin="0000"))
    sms_id = await service.send("+4520123456", "Hi")
    record = await _wait(service, sms_id, 3)
    assert record.last_error is not None and record.last_error.startswith(
        "The SIM card refused the PIN in the settings"
    )
    assert modem.commands.count('AT+CPIN="0000"') == 1  # the SIM has two tries left
    service = await _configure(core, _settings(modem))
    await _wait(service, sms_id, "sent")


async def test_a_queued_sms_survives_a_restart(tmp_path: Path, modem: GsmModem) -> None:
    data = tmp_path / "data"
    config = BootstrapConfig(http_bind="127.0.0.1", http_port=0, sip_port=0)
    first = Core(data, config)
    await first.start(serve_http=False, serve_sip=False)
    try:
        modem.silent = True
        service = await _configure(first, _settings(modem))
        sms_id = await service.send("+4520123456", "Voicemail from 1002")
        record = await _wait(service, sms_id, 1)
        assert record.status == "queued" and record.next_attempt > time.time() + 10  # 30 s later
    finally:
        await first.stop()

    modem.silent = False
    modem.power_cycle()
    second = Core(data, config)
    await second.start(serve_http=False, serve_sip=False)
    try:
        record = await _wait(second.data[SMS_KEY], sms_id, "sent")
        assert record.attempts == 2 and modem.texts == ["Voicemail from 1002"]
    finally:
        await second.stop()


async def test_the_test_sms_and_the_queue_over_rest(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str], modem: GsmModem
) -> None:
    status, error = await call(api, "POST", TEST_SMS, admin_headers, {"to": "+4520123456"})
    assert status == 400 and error["code"] == "sms_not_configured", error
    assert error["message"].startswith("No GSM modem is set")

    bad = {
        "sms_device": modem.device,
        "sms_baud_rate": 1234,
        "sms_pin": "12",
        "sms_mode": "at",
        "sms_smsc": "x",
    }
    status, error = await call(api, "PUT", CONFIG, admin_headers, bad)
    assert status == 400 and set(error["fields"]) == {"sms_baud_rate", "sms_pin", "sms_mode", "sms_smsc"}, (
        error
    )
    status, saved = await call(
        api, "PUT", CONFIG, admin_headers, {**_settings(modem), "sms_baud_rate": "9600"}
    )
    assert status == 200, saved
    assert saved["config"]["sms_baud_rate"] == 9600 and saved["config"]["sms_mode"] == "pdu"

    status, answer = await call(api, "POST", TEST_SMS, admin_headers, {"to": "+45 20 12 34 56"})
    assert status == 200, answer
    assert answer == {"sent": True, "to": "+4520123456", "references": [1], "device": modem.device}
    assert modem.texts[0].startswith("Cordboard test SMS")

    modem.cms_error = 330
    status, error = await call(api, "POST", TEST_SMS, admin_headers, {"to": "+4520123456"})
    assert status == 502 and error["code"] == "sms_failed", error
    assert error["message"] == "The modem could not send the SMS: SMSC address unknown (+CMS ERROR: 330)"
    modem.silent = True
    status, error = await call(api, "POST", TEST_SMS, admin_headers, {"to": "+4520123456"})
    assert status == 504 and error["code"] == "sms_timeout", error
    status, error = await call(api, "POST", TEST_SMS, admin_headers, {"to": "call me"})
    assert status == 400 and "to" in error["fields"], error

    sms_id = await core.data[SMS_KEY].send("+4520123456", "Queued")
    await _wait(core.data[SMS_KEY], sms_id, 1)
    status, listed = await call(api, "GET", QUEUE, admin_headers)
    assert status == 200, listed
    (entry,) = listed
    assert entry["id"] == sms_id and entry["to"] == "+4520123456" and entry["text"] == "Queued"
    assert entry["status"] == "queued" and entry["attempts"] == 1 and entry["references"] == []
    assert entry["error"] == "The modem does not answer: no answer to ATE0 within 0.3 s"
    status, error = await call(api, "GET", f"{QUEUE}?limit=0", admin_headers)
    assert status == 400 and "limit" in error["fields"]

    status, _ = await call(api, "GET", QUEUE, user_headers)
    assert status == 403
    status, _ = await call(api, "POST", TEST_SMS, user_headers, {"to": "+4520123456"})
    assert status == 403
