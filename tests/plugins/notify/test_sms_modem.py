"""The AT conversation (modem_session.py through modem.py) with the GSM modem simulator on a
pseudo-terminal: set-up with the SIM PIN, PDU and text mode sends, a modem error reported with its
reason, a wrong PIN not tried twice, a silent modem reported as a timeout."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
from gsm_modem import GsmModem

from cordboard.plugins.notify.modem import Modem, SmsError
from cordboard.plugins.notify.modem_session import ModemSession, error_reason

PIN = "4711"


@pytest.fixture
def modem() -> Iterator[GsmModem]:
    with GsmModem(pin=PIN) as instance:
        yield instance


def _session(**kwargs: object) -> ModemSession:
    options: dict[str, object] = {"pin": PIN, "command_timeout": 2.0, "send_timeout": 2.0, **kwargs}
    return ModemSession(**options)  # type: ignore[arg-type]


async def test_pdu_mode_with_the_sim_pin(modem: GsmModem) -> None:
    async with Modem(modem.device, 115200, _session()) as connected:
        assert await connected.send("+4520123456", "Ny talebesked fra 1002 \u2013 ring tilbage") == (1,)
        long_text = "Møde kl. 10 i [lokale 3] à 20 € " * 10
        assert await connected.send("004520123456", long_text, reference=77) == (2, 3, 4)
    assert modem.commands[:6] == [
        "ATE0",
        "AT+CMEE=1",
        "AT+CPIN?",
        f'AT+CPIN="{PIN}"',
        "AT+CPIN?",
        "AT+CMGF=0",
    ]
    assert modem.commands[6].startswith("AT+CMGS=")
    first, *parts = modem.received
    assert (first.mode, first.to, first.type_of_address, first.dcs) == ("pdu", "+4520123456", 0x91, 0x08)
    assert first.text == "Ny talebesked fra 1002 \u2013 ring tilbage"  # the en dash needs UCS-2
    assert [(p.to, p.type_of_address, p.dcs, p.concat) for p in parts] == [
        ("004520123456", 0x81, 0x00, (77, 3, n)) for n in (1, 2, 3)
    ]
    assert modem.texts[1] == long_text


async def test_text_mode_gsm_and_ucs2(modem: GsmModem) -> None:
    async with Modem(modem.device, 9600, _session(mode="text", smsc="+4540390999")) as connected:
        assert await connected.send("+4520123456", "Missed call from 1002") == (1,)
        assert await connected.send("20123456", "Grüße 😀") == (2,)
    assert "AT+CMGF=1" in modem.commands and 'AT+CSCA="+4540390999"' in modem.commands
    assert [(r.mode, r.to, r.type_of_address, r.text, r.smsc) for r in modem.received] == [
        ("text", "+4520123456", 145, "Missed call from 1002", "+4540390999"),
        ("text", "20123456", 129, "Grüße 😀", "+4540390999"),
    ]
    sends = [c for c in modem.commands if c.startswith(("AT+CSCS", "AT+CSMP", "AT+CMGS"))]
    assert sends == [
        'AT+CSCS="GSM"',
        "AT+CSMP=17,167,0,0",
        'AT+CMGS="+4520123456",145',
        'AT+CSCS="UCS2"',
        "AT+CSMP=17,167,0,8",
        'AT+CMGS="00320030003100320033003400350036",129',
    ]


async def test_a_modem_error_is_reported_with_its_reason(modem: GsmModem) -> None:
    async with Modem(modem.device, 115200, _session()) as connected:
        modem.cms_error = 38
        with pytest.raises(SmsError) as caught:
            await connected.send("+4520123456", "Hello")
        assert (
            caught.value.reason == "The modem could not send the SMS: network out of order (+CMS ERROR: 38)"
        )
        assert not caught.value.permanent and not caught.value.timed_out
        modem.cms_error = 1
        with pytest.raises(SmsError, match=r"unassigned \(unallocated\) number \(\+CMS ERROR: 1\)") as caught:
            await connected.send("+4520123456", "Hello")
        assert caught.value.permanent
        modem.cms_error = None
        assert await connected.send("+4520123456", "Hello") == (1,)
    assert error_reason("+CMS ERROR: 330") == ("SMSC address unknown (+CMS ERROR: 330)", 330, "CMS")
    assert error_reason("+CMS ERROR: 500")[0] == "unknown error (+CMS ERROR: 500)"
    assert error_reason("+CME ERROR: 10")[0] == "SIM not inserted (+CME ERROR: 10)"
    assert error_reason("ERROR")[0] == "the modem answered ERROR"


async def test_the_sim_pin_missing_or_wrong(modem: GsmModem) -> None:
    with pytest.raises(SmsError, match="The SIM card needs its PIN: enter the SIM PIN in the settings"):
        await Modem(modem.device, 115200, _session(pin=None)).open()
    with pytest.raises(SmsError) as caught:
        await Modem(modem.device, 115200, _session(pin="0000")).open()
    assert caught.value.reason == "The SIM card refused the PIN: incorrect password (+CME ERROR: 16)"
    assert caught.value.pin_refused
    assert modem.commands.count('AT+CPIN="0000"') == 1  # once, never again in the same set-up


async def test_a_silent_modem_times_out(modem: GsmModem) -> None:
    modem.silent = True
    with pytest.raises(SmsError) as caught:
        await Modem(modem.device, 115200, _session(command_timeout=0.2)).open()
    assert caught.value.timed_out
    assert caught.value.reason == "The modem does not answer: no answer to ATE0 within 0.2 s"

    modem.silent = False
    async with Modem(modem.device, 115200, _session(command_timeout=0.3)) as connected:
        modem.silent = True  # it stops answering between the command and the prompt
        with pytest.raises(SmsError, match=r"no > prompt after AT\+CMGS=\d+ within 0.3 s"):
            await connected.send("+4520123456", "Hello")
    deadline = time.monotonic() + 2
    while modem.cancelled < 1:  # ESC left the prompt (the simulator reads it on its own thread)
        assert time.monotonic() < deadline
        await asyncio.sleep(0.01)


async def test_a_device_that_is_not_there() -> None:
    with pytest.raises(SmsError, match="Cannot open the modem's serial port /dev/nonexistent-modem: "):
        await Modem("/dev/nonexistent-modem", 115200, _session()).open()
