"""A GSM modem on a pseudo-terminal for the SMS tests: the product opens ``modem.device`` (the
slave side) as its serial port; the simulator answers on the master side like a real modem.

It speaks the AT command set the product needs, with the usual modem manners: echo on until
``ATE0``, verbose ``OK``/``ERROR`` between CR LFs, ``+CME ERROR: <n>`` after ``AT+CMEE=1``, the SIM
PIN (``AT+CPIN?`` → ``+CPIN: SIM PIN`` until ``AT+CPIN=<pin>``; three wrong ones lock the SIM),
``AT+CMGF``, ``AT+CSCS``, ``AT+CSMP``, ``AT+CSCA`` and ``AT+CMGS`` with the ``> `` prompt, ended by
Ctrl-Z (send) or ESC (cancel), answered ``+CMGS: <n>``. It can be told to answer a ``+CMS ERROR``
or to go silent, and it records every command and every SMS.

The PDU decoder here is written apart from the product's encoder (bit by bit, its own copy of the
GSM 03.38 tables), so that a bug in one cannot hide behind the same bug in the other.
"""

from __future__ import annotations

import os
import select
import threading
import tty
from dataclasses import dataclass, field

# GSM 03.38 default alphabet, code by code.
_DEFAULT = [
    "@", "£", "$", "¥", "è", "é", "ù", "ì", "ò", "Ç", "\n", "Ø", "ø", "\r", "Å", "å",
    "Δ", "_", "Φ", "Γ", "Λ", "Ω", "Π", "Ψ", "Σ", "Θ", "Ξ", "<ESC>", "Æ", "æ", "ß", "É",
    " ", "!", '"', "#", "¤", "%", "&", "'", "(", ")", "*", "+", ",", "-", ".", "/",
    "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", ":", ";", "<", "=", ">", "?",
    "¡", "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O",
    "P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z", "Ä", "Ö", "Ñ", "Ü", "§",
    "¿", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o",
    "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z", "ä", "ö", "ñ", "ü", "à",
]  # fmt: skip
_EXTENSION = {10: "\f", 20: "^", 40: "{", 41: "}", 47: "\\", 60: "[", 61: "~", 62: "]", 64: "|", 101: "€"}


@dataclass
class ReceivedSms:
    """One SMS (one part of a long one) as the modem got it."""

    mode: str
    to: str
    text: str
    type_of_address: int
    smsc: str | None = None
    dcs: int = 0
    concat: tuple[int, int, int] | None = None
    """(reference, parts, this part's number) from the user data header."""
    user_data_length: int = 0
    first_octet: int = 0
    pdu: str = ""
    reference: int = 0
    """The +CMGS reference the modem answered."""


def _digits(semi_octets: bytes, count: int) -> str:
    text = "".join(f"{b & 0x0F:X}{b >> 4:X}" for b in semi_octets)
    return text[:count]


def _unpack(data: bytes, septets: int, fill_bits: int) -> list[int]:
    values = []
    for index in range(septets):
        value = 0
        for bit in range(7):
            position = fill_bits + index * 7 + bit
            if data[position // 8] >> (position % 8) & 1:
                value |= 1 << bit
        values.append(value)
    return values


def _gsm_text(values: list[int]) -> str:
    out = []
    escaped = False
    for value in values:
        if escaped:
            out.append(_EXTENSION.get(value, "?"))
            escaped = False
        elif value == 27:
            escaped = True
        else:
            out.append(_DEFAULT[value])
    return "".join(out)


def decode_submit(hex_pdu: str) -> tuple[ReceivedSms, int]:
    """An SMS-SUBMIT PDU with its SMSC field; also the TPDU's length in octets."""
    pdu = bytes.fromhex(hex_pdu)
    smsc_length = pdu[0]
    smsc = None
    if smsc_length:
        smsc_type = pdu[1]
        smsc = ("+" if smsc_type == 0x91 else "") + _digits(pdu[2 : 1 + smsc_length], 2 * (smsc_length - 1))
        smsc = smsc.rstrip("F")
    tpdu = pdu[1 + smsc_length :]
    first = tpdu[0]
    assert first & 0x03 == 0x01, f"not an SMS-SUBMIT: {first:02X}"
    digits = tpdu[2]
    toa = tpdu[3]
    address_octets = (digits + 1) // 2
    number = _digits(tpdu[4 : 4 + address_octets], digits)
    if toa & 0x70 == 0x10:
        number = "+" + number
    position = 4 + address_octets
    dcs = tpdu[position + 1]
    position += 2
    vpf = (first >> 3) & 0x03
    position += {0: 0, 2: 1, 1: 7, 3: 7}[vpf]
    udl = tpdu[position]
    user_data = tpdu[position + 1 :]
    concat = None
    header_octets = 0
    if first & 0x40:
        header_octets = user_data[0] + 1
        index = 1
        while index < header_octets:
            iei, length = user_data[index], user_data[index + 1]
            value = user_data[index + 2 : index + 2 + length]
            if iei == 0x00:
                concat = (value[0], value[1], value[2])
            elif iei == 0x08:
                concat = (value[0] << 8 | value[1], value[2], value[3])
            index += 2 + length
    if dcs & 0x0C == 0x08:
        text = user_data[header_octets:udl].decode("utf-16-be")
    elif dcs & 0x0C == 0x00:
        header_septets = (header_octets * 8 + 6) // 7
        fill = header_septets * 7 - header_octets * 8
        septets = _unpack(user_data[header_octets:], udl - header_septets, fill)
        text = _gsm_text(septets)
    else:
        raise AssertionError(f"unexpected data coding scheme {dcs:02X}")
    received = ReceivedSms(
        mode="pdu",
        to=number,
        text=text,
        type_of_address=toa,
        smsc=smsc,
        dcs=dcs,
        concat=concat,
        user_data_length=udl,
        first_octet=first,
        pdu=hex_pdu,
    )
    return received, len(tpdu)


@dataclass
class _State:
    echo: bool = True
    cmee: int = 0
    pdu_mode: bool = True
    charset: str = "GSM"
    pin_ok: bool = False
    pin_tries: int = 0
    smsc: str | None = None
    prompt: str | None = None
    """The AT+CMGS argument while the modem waits for the message after ``> ``."""
    buffer: bytearray = field(default_factory=bytearray)


class GsmModem:
    def __init__(self, *, pin: str | None = None, smsc: str | None = "+4540390999") -> None:
        self.pin = pin
        self.sim_smsc = smsc
        self.cms_error: int | None = None
        """Answer every AT+CMGS with this +CMS ERROR (or ERROR when CMEE is 0)."""
        self.silent = False
        """Read everything, answer nothing."""
        self.commands: list[str] = []
        self.received: list[ReceivedSms] = []
        self.cancelled = 0
        self._next_reference = 1
        self._lock = threading.Lock()
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self.device = os.ttyname(self._slave)
        self._state = _State(pin_ok=pin is None)
        self._stop_r, self._stop_w = os.pipe()
        self._thread = threading.Thread(target=self._serve, name="gsm-modem", daemon=True)

    # -- control ------------------------------------------------------------------------------
    def start(self) -> GsmModem:
        self._thread.start()
        return self

    def stop(self) -> None:
        os.write(self._stop_w, b"x")
        self._thread.join(5)
        for fd in (self._master, self._slave, self._stop_r, self._stop_w):
            os.close(fd)

    def __enter__(self) -> GsmModem:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def power_cycle(self) -> None:
        """As after a restart: echo on, the SIM locked again."""
        with self._lock:
            self._state = _State(pin_ok=self.pin is None)

    @property
    def texts(self) -> list[str]:
        """Each SMS's whole text, parts joined, in the order of their first part."""
        with self._lock:
            received = list(self.received)
        whole: dict[object, list[ReceivedSms]] = {}
        for sms in received:
            key: object = (sms.to, sms.concat[0], sms.concat[1]) if sms.concat else id(sms)
            whole.setdefault(key, []).append(sms)
        return [
            "".join(p.text for p in sorted(parts, key=lambda p: p.concat[2] if p.concat else 0))
            for parts in whole.values()
        ]

    # -- the serial line ----------------------------------------------------------------------
    def _serve(self) -> None:
        while True:
            ready, _, _ = select.select([self._master, self._stop_r], [], [])
            if self._stop_r in ready:
                return
            try:
                data = os.read(self._master, 4096)
            except OSError:
                continue
            with self._lock:
                for byte in data:
                    self._byte(byte)

    def _write(self, data: bytes) -> None:
        if not self.silent:
            os.write(self._master, data)

    def _answer(self, *lines: str) -> None:
        self._write(b"".join(b"\r\n" + line.encode("latin-1") + b"\r\n" for line in lines))

    def _byte(self, byte: int) -> None:
        state = self._state
        if state.prompt is not None:
            if byte == 0x1A:
                argument, body = state.prompt, bytes(state.buffer)
                state.prompt = None
                state.buffer.clear()
                self._message(argument, body)
            elif byte == 0x1B:
                state.prompt = None
                state.buffer.clear()
                self.cancelled += 1
                self._answer("OK")
            else:
                state.buffer.append(byte)
            return
        if state.echo and not self.silent:
            self._write(bytes([byte]))
        if byte == 0x0D:
            line = state.buffer.decode("latin-1").strip()
            state.buffer.clear()
            if line:
                self.commands.append(line)
                self._command(line)
        elif byte not in (0x0A, 0x1B):
            state.buffer.append(byte)

    def _error(self, cme: int | None = None, cms: int | None = None) -> None:
        if self._state.cmee == 0 or (cme is None and cms is None):
            self._answer("ERROR")
        elif cms is not None:
            self._answer(f"+CMS ERROR: {cms}")
        else:
            self._answer(f"+CME ERROR: {cme}")

    def _command(self, line: str) -> None:
        state = self._state
        upper = line.upper()
        if not upper.startswith("AT"):
            self._error()
            return
        command = line[2:]
        name = command.upper()
        if name in ("", "Z"):
            self._answer("OK")
        elif name in ("E0", "E1"):
            state.echo = name == "E1"
            self._answer("OK")
        elif name.startswith("+CMEE="):
            state.cmee = int(name[6:] or 0)
            self._answer("OK")
        elif name == "+CPIN?":
            if self.pin is not None and state.pin_tries >= 3:
                self._answer("+CPIN: SIM PUK", "OK")
            else:
                self._answer(f"+CPIN: {'READY' if state.pin_ok else 'SIM PIN'}", "OK")
        elif name.startswith("+CPIN="):
            given = command[6:].strip().strip('"')
            if state.pin_ok:
                self._error(cme=3)
            elif state.pin_tries >= 3:
                self._error(cme=12)
            elif given == self.pin:
                state.pin_ok = True
                state.pin_tries = 0
                self._answer("OK")
            else:
                state.pin_tries += 1
                self._error(cme=16)
        elif name in ("+CMGF=0", "+CMGF=1"):
            state.pdu_mode = name.endswith("0")
            self._answer("OK")
        elif name == "+CMGF?":
            self._answer(f"+CMGF: {0 if state.pdu_mode else 1}", "OK")
        elif name.startswith("+CSCS="):
            charset = command[6:].strip('"').upper()
            if charset not in ("GSM", "UCS2", "IRA"):
                self._error(cme=4)
                return
            state.charset = charset
            self._answer("OK")
        elif name.startswith("+CSMP="):
            self._answer("OK")
        elif name.startswith("+CSCA="):
            state.smsc = command[6:].split(",")[0].strip('"')
            self._answer("OK")
        elif name.startswith("+CMGS="):
            if not state.pin_ok:
                self._error(cms=311)
                return
            argument = command[6:]
            if state.pdu_mode and not argument.isdigit():
                self._error(cms=304)
                return
            if not state.pdu_mode and not argument.startswith('"'):
                self._error(cms=305)
                return
            state.prompt = argument
            self._write(b"\r\n> ")
        else:
            self._error(cme=4)

    def _message(self, argument: str, body: bytes) -> None:
        state = self._state
        if state.pdu_mode:
            try:
                sms, length = decode_submit(body.decode("ascii").strip())
            except Exception:
                self._error(cms=304)
                return
            if length != int(argument):
                self._error(cms=304)
                return
            if sms.smsc is None and self.sim_smsc is None:
                self._error(cms=330)
                return
        else:
            address, _, kind = argument.partition(",")
            address = address.strip('"')
            if state.charset == "UCS2":
                address = bytes.fromhex(address).decode("utf-16-be")
                text = bytes.fromhex(body.decode("ascii")).decode("utf-16-be")
            else:
                text = body.decode("latin-1")
            sms = ReceivedSms(
                mode="text", to=address, text=text, type_of_address=int(kind or 129), smsc=state.smsc
            )
        if self.cms_error is not None:
            self._error(cms=self.cms_error)
            return
        sms.reference = self._next_reference
        self._next_reference = (self._next_reference + 1) % 256
        self.received.append(sms)
        self._answer(f"+CMGS: {sms.reference}", "OK")
