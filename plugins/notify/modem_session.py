"""The AT-command conversation with a GSM modem, as a state machine without IO.

The adapter (modem.py) feeds it the bytes the modem sends (``receive``) and a ``timeout()`` when
the wait it asked for (``wait``) has run out, writes what ``data_to_send()`` returns, and collects
the results from ``events()``. ``start()`` sets the modem up (echo off, numeric errors, the SIM
PIN if the SIM asks for it, PDU or text mode); ``send()`` then sends one SMS, in parts if it is
long: ``AT+CMGS=...``, the ``> `` prompt, the PDU or text and Ctrl-Z, and ``+CMGS: <reference>``.
A ``+CMS ERROR``, ``+CME ERROR`` or plain ``ERROR`` ends the operation with the reason in words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from cordboard.plugins.notify.sms_pdu import encode_submit, normalize_number, text_mode_parts, ucs2_units

CTRL_Z: Final = b"\x1a"
ESC: Final = b"\x1b"

CMS_ERRORS: Final[dict[int, str]] = {
    1: "unassigned (unallocated) number",
    8: "operator determined barring",
    10: "call barred",
    21: "short message transfer rejected",
    27: "destination out of service",
    28: "unidentified subscriber",
    29: "facility rejected",
    30: "unknown subscriber",
    38: "network out of order",
    41: "temporary failure",
    42: "congestion",
    47: "resources unavailable",
    50: "requested facility not subscribed",
    69: "requested facility not implemented",
    81: "invalid short message transfer reference value",
    95: "invalid message",
    96: "invalid mandatory information",
    97: "message type non-existent or not implemented",
    98: "message not compatible with the short message protocol state",
    99: "information element non-existent or not implemented",
    111: "protocol error",
    127: "interworking error",
    128: "telematic interworking not supported",
    129: "short message type 0 not supported",
    130: "cannot replace short message",
    143: "unspecified TP-PID error",
    144: "data coding scheme (alphabet) not supported",
    145: "message class not supported",
    159: "unspecified TP-DCS error",
    160: "command cannot be acted on",
    161: "command unsupported",
    175: "unspecified TP-command error",
    176: "TPDU not supported",
    192: "SC busy",
    193: "no SC subscription",
    194: "SC system failure",
    195: "invalid SME address",
    196: "destination SME barred",
    197: "SM rejected: duplicate SM",
    198: "TP-VPF not supported",
    199: "TP-VP not supported",
    208: "SIM SMS storage full",
    209: "no SMS storage capability in SIM",
    210: "error in MS",
    211: "memory capacity exceeded",
    212: "SIM application toolkit busy",
    213: "SIM data download error",
    255: "unspecified error cause",
    300: "ME failure",
    301: "SMS service of ME reserved",
    302: "operation not allowed",
    303: "operation not supported",
    304: "invalid PDU mode parameter",
    305: "invalid text mode parameter",
    310: "SIM not inserted",
    311: "SIM PIN required",
    312: "PH-SIM PIN required",
    313: "SIM failure",
    314: "SIM busy",
    315: "SIM wrong",
    316: "SIM PUK required",
    317: "SIM PIN2 required",
    318: "SIM PUK2 required",
    320: "memory failure",
    321: "invalid memory index",
    322: "memory full",
    330: "SMSC address unknown",
    331: "no network service",
    332: "network timeout",
    340: "no +CNMA acknowledgement expected",
    500: "unknown error",
}
"""``+CMS ERROR: <n>`` (3GPP TS 27.005 3.2.5; 0-127 are the network's RP causes of TS 24.011)."""

CME_ERRORS: Final[dict[int, str]] = {
    0: "phone failure",
    1: "no connection to phone",
    3: "operation not allowed",
    4: "operation not supported",
    5: "PH-SIM PIN required",
    10: "SIM not inserted",
    11: "SIM PIN required",
    12: "SIM PUK required",
    13: "SIM failure",
    14: "SIM busy",
    15: "SIM wrong",
    16: "incorrect password",
    17: "SIM PIN2 required",
    18: "SIM PUK2 required",
    20: "memory full",
    21: "invalid index",
    22: "not found",
    23: "memory failure",
    24: "text string too long",
    25: "invalid characters in text string",
    26: "dial string too long",
    27: "invalid characters in dial string",
    30: "no network service",
    31: "network timeout",
    32: "network not allowed - emergency calls only",
    100: "unknown",
}
"""``+CME ERROR: <n>`` (3GPP TS 27.007 9.2)."""

PERMANENT_CMS: Final = frozenset({1, 21, 28, 29, 30, 50, 95, 96, 97, 144, 195, 196, 304, 305})
"""Errors that another attempt with the same message and number will not get past."""

_FINAL_ERROR: Final = re.compile(r"^\+(CMS|CME) ERROR:\s*(.+)$")


@dataclass(frozen=True, slots=True)
class Ready:
    """``start()`` is done: the modem takes SMS."""


@dataclass(frozen=True, slots=True)
class Sent:
    """``send()`` is done: the modem's message reference of each part."""

    references: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Failed:
    """The operation failed; ``reason`` in words. ``permanent``: retrying the message will not
    help. ``pin_refused``: the SIM refused the configured PIN (entering it again would use up the
    SIM's tries)."""

    reason: str
    permanent: bool = False
    pin_refused: bool = False
    timed_out: bool = False


Event = Ready | Sent | Failed


def error_reason(line: str) -> tuple[str, int | None, str | None]:
    """``+CMS ERROR: 38`` → ("network out of order (+CMS ERROR: 38)", 38, "CMS")."""
    if line == "ERROR":
        return "the modem answered ERROR", None, None
    found = _FINAL_ERROR.match(line)
    assert found is not None
    kind, value = found.group(1), found.group(2).strip()
    if value.isdigit():
        code = int(value)
        table = CMS_ERRORS if kind == "CMS" else CME_ERRORS
        text = table.get(code, "unknown error code")
        return f"{text} (+{kind} ERROR: {code})", code, kind
    return f"{value} (+{kind} ERROR)", None, kind


@dataclass(slots=True)
class _Step:
    command: str
    timeout: float
    payload: bytes | None = None
    """Written after the ``> `` prompt (it ends with Ctrl-Z)."""
    payload_timeout: float = 0.0
    on_ok: Callable[[list[str]], None] | None = None
    on_error: Callable[[str, int | None, str | None], Failed | None] | None = None
    """Given the error, returns the failure to report, or None to go on."""
    secret: bool = False
    info: list[str] = field(default_factory=list)


class ModemSession:
    """One conversation; one operation (``start`` or ``send``) at a time."""

    def __init__(
        self,
        *,
        mode: str = "pdu",
        pin: str | None = None,
        smsc: str | None = None,
        command_timeout: float = 5.0,
        send_timeout: float = 60.0,
    ) -> None:
        if mode not in ("pdu", "text"):
            raise ValueError(f"mode is pdu or text, not {mode!r}")
        self.mode = mode
        self._pin = pin
        self._smsc = smsc
        self._command_timeout = command_timeout
        self._send_timeout = send_timeout
        self._out = bytearray()
        self._in = bytearray()
        self._events: list[Event] = []
        self._steps: list[_Step] = []
        self._step: _Step | None = None
        self._awaiting_prompt = False
        self._done: Callable[[], Event] | None = None
        self._references: list[int] = []
        self._pin_entered = False
        self._charset: str | None = None
        self.ready = False
        self.wait_serial = 0
        """Changes whenever a new wait begins: a timer armed for an older one is stale."""
        self.wait: float | None = None
        """Seconds the current wait may take, None when nothing is awaited."""

    # -- outputs ------------------------------------------------------------------------------
    def data_to_send(self) -> bytes:
        data = bytes(self._out)
        self._out.clear()
        return data

    def events(self) -> list[Event]:
        found, self._events = self._events, []
        return found

    @property
    def busy(self) -> bool:
        return self._step is not None or bool(self._steps)

    # -- operations ---------------------------------------------------------------------------
    def start(self) -> None:
        """Set the modem up; ends with Ready or Failed."""
        self._begin(self._init_steps(), Ready)

    def send(self, to: str, text: str, *, reference: int = 0) -> None:
        """Send one SMS (after Ready); ends with Sent or Failed. ``reference`` is the 8-bit
        concatenation reference of a long text in PDU mode."""
        if not self.ready:
            raise RuntimeError("the modem is not set up: start() first")
        number = normalize_number(to)
        self._references = []
        steps = (
            self._pdu_steps(number, text, reference) if self.mode == "pdu" else self._text_steps(number, text)
        )
        self._begin(steps, lambda: Sent(tuple(self._references)))

    def _begin(self, steps: list[_Step], done: Callable[[], Event]) -> None:
        if self.busy:
            raise RuntimeError("the modem is busy with another operation")
        self._steps = steps
        self._done = done
        self._next()

    # -- the steps ----------------------------------------------------------------------------
    def _init_steps(self) -> list[_Step]:
        t = self._command_timeout
        mode = "0" if self.mode == "pdu" else "1"
        steps = [
            _Step("ATE0", t),
            _Step("AT+CMEE=1", t, on_error=lambda *_: None),  # an old modem without it says ERROR
            _Step("AT+CPIN?", t, on_ok=self._pin_state, on_error=self._pin_query_failed),
            _Step(
                f"AT+CMGF={mode}",
                t,
                on_ok=self._set_up,
                on_error=lambda reason, *_: Failed(
                    f"The modem does not support {self.mode.upper()} mode: {reason}", permanent=True
                ),
            ),
        ]
        if self.mode == "text" and self._smsc:
            steps.append(_Step(f'AT+CSCA="{normalize_number(self._smsc)}"', t))
        return steps

    def _set_up(self, _info: list[str]) -> None:
        self.ready = True

    def _pin_state(self, info: list[str]) -> None:
        state = next((line.split(":", 1)[1].strip() for line in info if line.startswith("+CPIN:")), "")
        if state == "READY":
            return
        if state == "SIM PIN":
            if not self._pin:
                self._fail(Failed("The SIM card needs its PIN: enter the SIM PIN in the settings"))
            elif self._pin_entered:
                self._fail(Failed("The SIM card still asks for its PIN after it was entered"))
            else:
                self._pin_entered = True
                t = self._command_timeout
                self._steps[:0] = [
                    _Step(f'AT+CPIN="{self._pin}"', t, on_error=self._pin_refused, secret=True),
                    _Step("AT+CPIN?", t, on_ok=self._pin_state, on_error=self._pin_query_failed),
                ]
            return
        if "PUK" in state:
            self._fail(Failed(f"The SIM card is locked ({state}): unlock it with its PUK in a phone"))
            return
        self._fail(Failed(f"The SIM card is not ready: {state or 'no answer to AT+CPIN?'}"))

    def _pin_refused(self, reason: str, _code: int | None, _kind: str | None) -> Failed:
        return Failed(f"The SIM card refused the PIN: {reason}", pin_refused=True)

    def _pin_query_failed(self, reason: str, _code: int | None, _kind: str | None) -> Failed:
        return Failed(f"The SIM card is not ready: {reason}")

    def _send_error(self, reason: str, code: int | None, kind: str | None) -> Failed:
        permanent = kind == "CMS" and code in PERMANENT_CMS
        return Failed(f"The modem could not send the SMS: {reason}", permanent=permanent)

    def _reference(self, info: list[str]) -> None:
        for line in info:
            if line.startswith("+CMGS:"):
                value = line.split(":", 1)[1].split(",", 1)[0].strip()
                if value.isdigit():
                    self._references.append(int(value))
                    return
        self._fail(Failed("The modem said OK but gave no message reference (+CMGS)"))

    def _pdu_steps(self, number: str, text: str, reference: int) -> list[_Step]:
        return [
            _Step(
                f"AT+CMGS={pdu.tpdu_length}",
                self._command_timeout,
                payload=pdu.hex.encode("ascii") + CTRL_Z,
                payload_timeout=self._send_timeout,
                on_ok=self._reference,
                on_error=self._send_error,
            )
            for pdu in encode_submit(number, text, smsc=self._smsc, reference=reference)
        ]

    def _text_steps(self, number: str, text: str) -> list[_Step]:
        encoding, parts = text_mode_parts(text)
        t = self._command_timeout
        steps: list[_Step] = []
        if encoding != self._charset:
            charset, dcs = ("GSM", 0) if encoding == "gsm7" else ("UCS2", 8)

            def charset_set(_info: list[str]) -> None:
                self._charset = encoding

            steps += [
                _Step(f'AT+CSCS="{charset}"', t, on_ok=charset_set),
                _Step(f"AT+CSMP=17,167,0,{dcs}", t),
            ]
        address = number if encoding == "gsm7" else ucs2_units(number).hex().upper()
        for part in parts:
            body = (
                part.encode("ascii") if encoding == "gsm7" else ucs2_units(part).hex().upper().encode("ascii")
            )
            steps.append(
                _Step(
                    f'AT+CMGS="{address}",{145 if number.startswith("+") else 129}',
                    t,
                    payload=body + CTRL_Z,
                    payload_timeout=self._send_timeout,
                    on_ok=self._reference,
                    on_error=self._send_error,
                )
            )
        return steps

    # -- running them -------------------------------------------------------------------------
    def _arm(self, seconds: float | None) -> None:
        self.wait_serial += 1
        self.wait = seconds

    def _next(self) -> None:
        if not self._steps:
            self._step = None
            self._arm(None)
            done, self._done = self._done, None
            if done is not None:
                self._events.append(done())
            return
        step = self._step = self._steps.pop(0)
        self._awaiting_prompt = step.payload is not None
        self._out += step.command.encode("ascii") + b"\r"
        self._arm(step.timeout)

    def _fail(self, failure: Failed) -> None:
        self._steps = []
        self._step = None
        self._done = None
        self._awaiting_prompt = False
        self._arm(None)
        self._events.append(failure)

    def timeout(self) -> None:
        """The wait announced by ``wait`` ran out."""
        step = self._step
        if step is None:
            return
        command = "AT+CPIN=..." if step.secret else step.command
        if self._awaiting_prompt:
            self._out += ESC  # leave the prompt, should it come late
            what = f"no > prompt after {command} within {step.timeout:g} s"
        elif step.payload is not None:
            what = f"no answer to the message within {step.payload_timeout:g} s"
        else:
            what = f"no answer to {command} within {step.timeout:g} s"
        self._fail(Failed(f"The modem does not answer: {what}", timed_out=True))

    def receive(self, data: bytes) -> None:
        """Bytes from the modem."""
        self._in += data
        while True:
            while self._in[:1] in (b"\r", b"\n"):
                del self._in[0]
            if not self._in:
                return
            if self._awaiting_prompt and self._in.startswith(b">"):
                del self._in[: 2 if self._in.startswith(b"> ") else 1]
                self._prompt()
                continue
            ends = [i for i in (self._in.find(b"\r"), self._in.find(b"\n")) if i >= 0]
            if not ends:
                return
            end = min(ends)
            line = self._in[:end].decode("latin-1").strip()
            del self._in[: end + 1]
            if line:
                self._line(line)

    def _prompt(self) -> None:
        step = self._step
        if step is None or step.payload is None:
            return
        self._awaiting_prompt = False
        self._out += step.payload
        self._arm(step.payload_timeout)

    def _line(self, line: str) -> None:
        step = self._step
        if step is None:
            return  # an unsolicited result code between operations
        if line.upper().startswith("AT"):
            return  # the echo of a command (before ATE0 took effect)
        if line == "OK":
            if step.on_ok is not None:
                step.on_ok(step.info)
            if self._step is step:  # not failed by on_ok
                self._next()
            return
        if line == "ERROR" or _FINAL_ERROR.match(line):
            reason, code, kind = error_reason(line)
            failure = (
                step.on_error(reason, code, kind)
                if step.on_error is not None
                else Failed(f"The modem refused {'AT+CPIN=...' if step.secret else step.command}: {reason}")
            )
            if failure is None:
                self._next()
            else:
                self._fail(failure)
            return
        step.info.append(line)
