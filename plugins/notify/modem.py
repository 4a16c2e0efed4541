"""A GSM modem on a serial port, driven by ModemSession on the event loop.

pyserial opens and sets up the device (speed, 8N1, raw, non-blocking); after that its file
descriptor is read with ``loop.add_reader`` and written with ``os.write`` (``add_writer`` when the
port cannot take everything at once): no threads, and nothing blocks the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from types import TracebackType

import serial

from cordboard.plugins.notify.delivery import DeliveryError
from cordboard.plugins.notify.modem_session import Event, Failed, ModemSession, Ready, Sent

_LOGGER = logging.getLogger(__name__)


class SmsError(DeliveryError):
    """An SMS (or the modem setup before it) failed; ``reason`` in words."""

    def __init__(
        self, reason: str, *, permanent: bool = False, pin_refused: bool = False, timed_out: bool = False
    ) -> None:
        super().__init__(reason, permanent=permanent)
        self.pin_refused = pin_refused
        self.timed_out = timed_out


class Modem:
    """``async with Modem(device, baud, session) as modem: await modem.send(to, text)``: opening sets
    the modem up (``session.start()``), closing releases the port."""

    def __init__(self, device: str, baud_rate: int, session: ModemSession) -> None:
        self.device = device
        self.baud_rate = baud_rate
        self.session = session
        self._port: serial.Serial | None = None
        self._fd = -1
        self._pending = bytearray()
        self._writer_armed = False
        self._timer: asyncio.TimerHandle | None = None
        self._timer_serial = -1
        self._result: asyncio.Future[Event] | None = None

    async def __aenter__(self) -> Modem:
        await self.open()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    async def open(self) -> None:
        """Open the port and set the modem up; raises SmsError with the reason."""
        try:
            self._port = serial.Serial(
                self.device, self.baud_rate, timeout=0, write_timeout=0, exclusive=True
            )
        except (serial.SerialException, OSError, ValueError) as err:
            raise SmsError(f"Cannot open the modem's serial port {self.device}: {_why(err)}") from None
        self._fd = self._port.fileno()
        with contextlib.suppress(serial.SerialException, OSError):
            self._port.reset_input_buffer()
        asyncio.get_running_loop().add_reader(self._fd, self._readable)
        try:
            event = await self._run(self.session.start)
        except BaseException:
            self.close()
            raise
        if not isinstance(event, Ready):
            self.close()
            raise _error(event)

    async def send(self, to: str, text: str, *, reference: int = 0) -> tuple[int, ...]:
        """Send one SMS; the modem's message reference of each part. Raises SmsError."""
        event = await self._run(lambda: self.session.send(to, text, reference=reference))
        if isinstance(event, Sent):
            return event.references
        raise _error(event)

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        port, self._port = self._port, None
        if port is None:
            return
        loop = asyncio.get_running_loop()
        loop.remove_reader(self._fd)
        if self._writer_armed:
            loop.remove_writer(self._fd)
            self._writer_armed = False
        with contextlib.suppress(serial.SerialException, OSError):
            port.close()
        if self._result is not None and not self._result.done():
            self._result.set_exception(SmsError(f"The modem's serial port {self.device} was closed"))

    # -- plumbing -----------------------------------------------------------------------------
    async def _run(self, begin: Callable[[], None]) -> Event:
        if self._port is None:
            raise SmsError(f"The modem's serial port {self.device} is not open")
        self._result = asyncio.get_running_loop().create_future()
        begin()
        self._pump()
        return await self._result

    def _pump(self) -> None:
        """Write what the session wants written, keep its timer, hand over its result."""
        session = self.session
        data = session.data_to_send()
        if data:
            self._pending += data
            self._flush()
        if session.wait_serial != self._timer_serial:
            self._timer_serial = session.wait_serial
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if session.wait is not None:
                self._timer = asyncio.get_running_loop().call_later(
                    session.wait, self._expired, session.wait_serial
                )
        for event in session.events():
            if self._result is not None and not self._result.done():
                self._result.set_result(event)

    def _expired(self, serial_number: int) -> None:
        self._timer = None
        if serial_number == self.session.wait_serial:
            self.session.timeout()
            self._pump()

    def _readable(self) -> None:
        try:
            data = os.read(self._fd, 4096)
        except BlockingIOError:
            return
        except OSError as err:
            self._lost(err)
            return
        if not data:
            self._lost(None)
            return
        self.session.receive(data)
        self._pump()

    def _flush(self) -> None:
        while self._pending:
            try:
                written = os.write(self._fd, self._pending)
            except BlockingIOError:
                written = 0
            except OSError as err:
                self._lost(err)
                return
            if written == 0:
                break
            del self._pending[:written]
        loop = asyncio.get_running_loop()
        if self._pending and not self._writer_armed:
            loop.add_writer(self._fd, self._flush)
            self._writer_armed = True
        elif not self._pending and self._writer_armed:
            loop.remove_writer(self._fd)
            self._writer_armed = False

    def _lost(self, err: OSError | None) -> None:
        reason = f"The modem on {self.device} went away" + (f": {_why(err)}" if err is not None else "")
        _LOGGER.warning("%s", reason)
        result = self._result
        self.close()
        if result is not None and not result.done():
            result.set_exception(SmsError(reason))


def _why(err: BaseException) -> str:
    if isinstance(err, OSError) and err.strerror:
        return err.strerror.lower()
    text = str(err)
    # pyserial wraps the OS error: "[Errno 2] could not open port /dev/x: [Errno 2] No such file ..."
    return text.rsplit("] ", 1)[-1].lower() if "] " in text else text


def _error(event: Event) -> SmsError:
    if isinstance(event, Failed):
        return SmsError(
            event.reason, permanent=event.permanent, pin_refused=event.pin_refused, timed_out=event.timed_out
        )
    return SmsError(f"The modem answered out of turn: {event}")
