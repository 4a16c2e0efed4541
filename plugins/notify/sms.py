"""The SMS service (``core.data[SMS_KEY]``): ``send`` stores an SMS and returns its id at once; one
background task hands queued SMS to the GSM modem in the order they came, retrying a failure (a
modem error, a modem that does not answer or is not there) with the mail queue's backoff for up to
the same give-up time. SMS still queued when Cordboard stops are sent after the next start.

Each attempt opens the serial port, sets the modem up and sends; the port is closed in between, so
a modem plugged in later (or back) is found. One lock keeps the queue and the admin's test SMS from
talking to the modem at the same time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from cordboard.core.core import Core
from cordboard.plugins.notify import const, storage
from cordboard.plugins.notify.delivery import DeliveryQueue
from cordboard.plugins.notify.modem import Modem, SmsError
from cordboard.plugins.notify.modem_session import ModemSession
from cordboard.plugins.notify.sms_pdu import normalize_number
from cordboard.plugins.notify.storage import SmsRecord

_LOGGER = logging.getLogger(__name__)
TEST_TEXT = "Cordboard test SMS: text messages from Cordboard reach their recipients this way."


@dataclass(frozen=True, slots=True)
class ModemSettings:
    device: str | None
    baud_rate: int
    pin: str | None
    mode: str
    smsc: str | None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ModemSettings:
        return cls(
            device=config.get(const.CONF_SMS_DEVICE) or None,
            baud_rate=int(config.get(const.CONF_SMS_BAUD_RATE, const.DEFAULT_BAUD_RATE)),
            pin=config.get(const.CONF_SMS_PIN) or None,
            mode=config.get(const.CONF_SMS_MODE, const.DEFAULT_SMS_MODE),
            smsc=config.get(const.CONF_SMS_SMSC) or None,
        )

    def missing(self) -> str | None:
        """What keeps an SMS from going out, in words, or None when the settings are complete."""
        if not self.device:
            return (
                "No GSM modem is set: enter its serial device (such as /dev/ttyUSB0) "
                "in the settings of the notify plugin"
            )
        return None


@dataclass(frozen=True, slots=True)
class SmsCheck:
    to: str
    references: tuple[int, ...]
    device: str


def _check_text(text: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise ValueError("An SMS needs a text")
    if len(text) > const.SMS_MAX_TEXT:
        raise ValueError(f"An SMS text has at most {const.SMS_MAX_TEXT} characters, not {len(text)}")
    return text


class SmsService(DeliveryQueue[SmsRecord, tuple[int, ...]]):
    """The GSM modem with its delivery queue; ``retry_delays`` and ``give_up_after`` default to the
    mail queue's constants (tests shorten them), as do the modem's timeouts."""

    _logger = _LOGGER
    _task_name = "notify SMS queue"
    _item = "SMS"
    _items = "SMS"

    def __init__(
        self,
        core: Core,
        settings: ModemSettings,
        *,
        retry_delays: Sequence[float] | None = None,
        give_up_after: float | None = None,
    ) -> None:
        super().__init__(core, storage.SMS_QUEUE, retry_delays=retry_delays, give_up_after=give_up_after)
        self.settings = settings
        self._command_timeout = const.MODEM_COMMAND_TIMEOUT_S
        self._send_timeout = const.MODEM_SEND_TIMEOUT_S
        self._lock = asyncio.Lock()
        self._pin_refused: str | None = None
        """Set when the SIM refused the configured PIN: it is not entered again (a SIM locks after
        three wrong PINs) until the settings change."""

    # -- the public API -----------------------------------------------------------------------
    async def send(self, to: str, text: str) -> int:
        """Queue an SMS and return its id; it is stored when this returns and goes out as soon as
        the modem takes it (``status``). Never waits for the modem. Raises ValueError for a number
        that is neither +E.164 nor national digits, or an empty or too long text."""
        number = normalize_number(to)
        body = _check_text(text)
        sms_id = await self._core.db.call(lambda db: storage.insert_sms(db, number, body, time.time()))
        _LOGGER.info("SMS %d to %s queued", sms_id, number)
        self._queued()
        return sms_id

    async def send_test(self, to: str) -> SmsCheck:
        """Send a test SMS now, past the queue; raises SmsError with the modem's reason (ValueError
        for a bad number)."""
        number = normalize_number(to)
        references = await self._deliver(number, TEST_TEXT, reference=0)
        _LOGGER.info("Test SMS to %s sent (reference %s)", number, references)
        assert self.settings.device is not None
        return SmsCheck(to=number, references=references, device=self.settings.device)

    # -- talking to the modem -----------------------------------------------------------------
    async def _deliver(self, number: str, text: str, *, reference: int) -> tuple[int, ...]:
        missing = self.settings.missing()
        if missing is not None:
            raise SmsError(missing)
        settings = self.settings
        assert settings.device is not None
        pin = settings.pin
        if pin is not None and self._pin_refused == pin:
            raise SmsError(
                "The SIM card refused the PIN in the settings before; correct it "
                "(the SIM locks after three wrong PINs)"
            )
        session = ModemSession(
            mode=settings.mode,
            pin=pin,
            smsc=settings.smsc,
            command_timeout=self._command_timeout,
            send_timeout=self._send_timeout,
        )
        async with self._lock:
            try:
                async with Modem(settings.device, settings.baud_rate, session) as modem:
                    return await modem.send(number, text, reference=reference)
            except SmsError as err:
                if err.pin_refused:
                    self._pin_refused = pin
                raise

    # -- the queue ----------------------------------------------------------------------------
    async def _hand_over(self, record: SmsRecord) -> tuple[int, ...]:
        return await self._deliver(record.recipient, record.text, reference=record.id & 0xFF)

    def _mark_sent(
        self,
        db: sqlite_utils.Database,
        record: SmsRecord,
        attempts: int,
        receipt: tuple[int, ...],
        now: float,
    ) -> None:
        storage.mark_sms_sent(db, record.id, attempts, receipt, now)

    def _log_sent(self, record: SmsRecord, attempts: int, receipt: tuple[int, ...]) -> None:
        _LOGGER.info(
            "SMS %d to %s sent (attempt %d, reference %s)", record.id, record.recipient, attempts, receipt
        )
