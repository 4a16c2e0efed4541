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
import contextlib
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cordboard.core.core import Core
from cordboard.plugins.notify import const, storage
from cordboard.plugins.notify.modem import Modem, SmsError
from cordboard.plugins.notify.modem_session import ModemSession
from cordboard.plugins.notify.sms_pdu import normalize_number
from cordboard.plugins.notify.storage import SmsRecord

_LOGGER = logging.getLogger(__name__)
_LOOP_ERROR_PAUSE_S = 5.0
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


class SmsService:
    """The GSM modem with its delivery queue; ``retry_delays`` and ``give_up_after`` default to the
    mail queue's constants (tests shorten them), as do the modem's timeouts."""

    def __init__(
        self,
        core: Core,
        settings: ModemSettings,
        *,
        retry_delays: Sequence[float] | None = None,
        give_up_after: float | None = None,
    ) -> None:
        self._core = core
        self.settings = settings
        self._retry_delays = tuple(retry_delays if retry_delays is not None else const.RETRY_DELAYS)
        self._give_up_after = give_up_after if give_up_after is not None else const.GIVE_UP_AFTER_S
        self._command_timeout = const.MODEM_COMMAND_TIMEOUT_S
        self._send_timeout = const.MODEM_SEND_TIMEOUT_S
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._pin_refused: str | None = None
        """Set when the SIM refused the configured PIN: it is not entered again (a SIM locks after
        three wrong PINs) until the settings change."""

    # -- lifecycle ----------------------------------------------------------------------------
    async def start(self) -> None:
        now = time.time()
        await self._core.db.call(
            lambda db: storage.delete_finished_sms_before(db, now - const.KEEP_FINISHED_S)
        )
        waiting = await self._core.db.call(lambda db: storage.all_sms_due_now(db, now))
        if waiting:
            _LOGGER.info("%d queued SMS are tried again", waiting)
        self._task = self._core.create_task(self._run(), "notify SMS queue")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # -- the public API -----------------------------------------------------------------------
    async def send(self, to: str, text: str) -> int:
        """Queue an SMS and return its id; it is stored when this returns and goes out as soon as
        the modem takes it (``status``). Never waits for the modem. Raises ValueError for a number
        that is neither +E.164 nor national digits, or an empty or too long text."""
        number = normalize_number(to)
        body = _check_text(text)
        sms_id = await self._core.db.call(lambda db: storage.insert_sms(db, number, body, time.time()))
        _LOGGER.info("SMS %d to %s queued", sms_id, number)
        self._wake.set()
        return sms_id

    async def status(self, sms_id: int) -> SmsRecord | None:
        return await self._core.db.call(lambda db: storage.get_sms(db, sms_id))

    async def recent(self, limit: int = const.QUEUE_LIST_LIMIT) -> list[SmsRecord]:
        """The newest SMS first."""
        return await self._core.db.call(lambda db: storage.recent_sms(db, limit))

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
    async def _run(self) -> None:
        while True:
            try:
                self._wake.clear()
                record = await self._core.db.call(storage.next_sms_due)
                if record is None:
                    await self._wake.wait()
                    continue
                delay = record.next_attempt - time.time()
                if delay > 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), delay)
                    continue
                await self._attempt(record)
            except asyncio.CancelledError:
                raise
            except Exception:
                _LOGGER.exception("The SMS queue failed; it goes on in %s s", _LOOP_ERROR_PAUSE_S)
                await asyncio.sleep(_LOOP_ERROR_PAUSE_S)

    async def _attempt(self, record: SmsRecord) -> None:
        attempts = record.attempts + 1
        try:
            references = await self._deliver(record.recipient, record.text, reference=record.id & 0xFF)
        except SmsError as err:
            await self._failed(record, attempts, err)
            return
        except Exception as err:  # a bug must not stop the queue: the SMS waits like any failure
            _LOGGER.exception("SMS %d could not be sent", record.id)
            await self._failed(record, attempts, SmsError(f"{type(err).__name__}: {err}"))
            return
        now = time.time()
        await self._core.db.call(lambda db: storage.mark_sms_sent(db, record.id, attempts, references, now))
        _LOGGER.info(
            "SMS %d to %s sent (attempt %d, reference %s)", record.id, record.recipient, attempts, references
        )

    async def _failed(self, record: SmsRecord, attempts: int, err: SmsError) -> None:
        now = time.time()
        deadline = record.created + self._give_up_after
        if err.permanent or now >= deadline:
            await self._core.db.call(
                lambda db: storage.mark_sms_failed(db, record.id, attempts, err.reason, now)
            )
            _LOGGER.error("SMS %d failed after %d attempt(s): %s", record.id, attempts, err.reason)
            return
        delay = self._retry_delays[min(attempts, len(self._retry_delays)) - 1] if self._retry_delays else 0.0
        next_attempt = min(now + delay, deadline)
        await self._core.db.call(
            lambda db: storage.mark_sms_retry(
                db, record.id, attempts=attempts, error=err.reason, next_attempt=next_attempt, now=now
            )
        )
        _LOGGER.warning(
            "SMS %d not sent (attempt %d), next try in %.0f s: %s",
            record.id,
            attempts,
            next_attempt - now,
            err.reason,
        )
