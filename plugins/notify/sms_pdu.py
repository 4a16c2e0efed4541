"""SMS-SUBMIT PDUs (3GPP TS 23.040) with the GSM 7-bit default alphabet or UCS-2 (TS 23.038), sans IO.

``encode_submit`` turns a destination number and a text into the hex strings a modem in PDU mode
takes after ``AT+CMGS=<length>``: one part for a short text, several with a concatenation header
(8-bit reference) for a long one. The text goes in the GSM default alphabet (with its extension
table for € [ ] { } and the like) when every character has a place there, else in UCS-2; a
character beyond the Basic Multilingual Plane (an emoji) is sent as its UTF-16 surrogate pair, which
phones show as the character, and a part never ends between the two halves of a pair. Text mode
(``text_mode_parts``) needs the same split without the header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

GSM_DEFAULT: Final = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
"""The GSM 7-bit default alphabet: the character at index n has the code n (0x1B is the escape)."""
GSM_EXTENSION: Final = {
    "\f": 0x0A,
    "^": 0x14,
    "{": 0x28,
    "}": 0x29,
    "\\": 0x2F,
    "[": 0x3C,
    "~": 0x3D,
    "]": 0x3E,
    "|": 0x40,
    "€": 0x65,
}
"""Characters of the default extension table: sent as ESC (0x1B) and this code, two septets."""
ESCAPE: Final = 0x1B
_DEFAULT_CODES: Final = {char: code for code, char in enumerate(GSM_DEFAULT) if code != ESCAPE}

SINGLE_GSM7: Final = 160
PART_GSM7: Final = 153
"""Septets in one part of a concatenated message (7 septets go to the header)."""
SINGLE_UCS2: Final = 70
PART_UCS2: Final = 67
MAX_PARTS: Final = 255

DCS_GSM7: Final = 0x00
DCS_UCS2: Final = 0x08
VALIDITY_4_DAYS: Final = 0xAA
"""TP-VP in the relative format: 0xAA = 4 days, as most phones send."""
TOA_INTERNATIONAL: Final = 0x91
TOA_UNKNOWN: Final = 0x81
"""Type of address: international number, or unknown (a national number, dialled as given), ISDN plan."""

_NUMBER_SEPARATORS: Final = re.compile(r"[\s\-()./]")
_INTERNATIONAL: Final = re.compile(r"^\+[1-9][0-9]{1,14}$")
_NATIONAL: Final = re.compile(r"^[0-9]{3,20}$")

Encoding = Literal["gsm7", "ucs2"]


def normalize_number(value: str) -> str:
    """``+`` and 2-15 digits (E.164), or 3-20 digits dialled as given (a national number); spaces,
    dashes, dots, slashes and brackets are dropped. Raises ValueError otherwise."""
    text = _NUMBER_SEPARATORS.sub("", value) if isinstance(value, str) else ""
    if _INTERNATIONAL.match(text) or _NATIONAL.match(text):
        return text
    raise ValueError(
        f"Not a phone number for an SMS: {value!r} (expected +4512345678 or a national number of digits)"
    )


def gsm7_septets(text: str) -> list[int] | None:
    """The text's septets in the default alphabet (extension characters as two), or None when a
    character has no place in it."""
    septets: list[int] = []
    for char in text:
        code = _DEFAULT_CODES.get(char)
        if code is not None:
            septets.append(code)
            continue
        extended = GSM_EXTENSION.get(char)
        if extended is None:
            return None
        septets += (ESCAPE, extended)
    return septets


def pack_septets(septets: list[int], fill_bits: int = 0) -> bytes:
    """Pack 7-bit values into octets, least significant bit first, after ``fill_bits`` zero bits
    (which align the text behind a user data header to a septet boundary)."""
    out = bytearray()
    accumulator = 0
    bits = fill_bits
    for septet in septets:
        accumulator |= (septet & 0x7F) << bits
        bits += 7
        while bits >= 8:
            out.append(accumulator & 0xFF)
            accumulator >>= 8
            bits -= 8
    if bits > 0:
        out.append(accumulator & 0xFF)
    return bytes(out)


def ucs2_units(text: str) -> bytes:
    """The text in UCS-2 as phones read it: UTF-16 big-endian, surrogate pairs for the characters
    beyond the Basic Multilingual Plane."""
    return text.encode("utf-16-be")


def _bcd(digits: str) -> bytes:
    if len(digits) % 2:
        digits += "F"
    return bytes.fromhex("".join(digits[i + 1] + digits[i] for i in range(0, len(digits), 2)))


def encode_address(number: str) -> bytes:
    """TP-DA: the number of digits, the type of address and the digits in semi-octets."""
    number = normalize_number(number)
    international = number.startswith("+")
    digits = number.lstrip("+")
    return bytes([len(digits), TOA_INTERNATIONAL if international else TOA_UNKNOWN]) + _bcd(digits)


def encode_smsc(number: str | None) -> bytes:
    """The SMSC field in front of the TPDU: ``00`` (the SIM's own SMSC) when no number is given,
    else its length in octets, the type of address and the digits."""
    if not number:
        return b"\x00"
    number = normalize_number(number)
    international = number.startswith("+")
    digits = number.lstrip("+")
    body = bytes([TOA_INTERNATIONAL if international else TOA_UNKNOWN]) + _bcd(digits)
    return bytes([len(body)]) + body


def _split_septets(septets: list[int], size: int) -> list[list[int]]:
    """Parts of at most ``size`` septets, never one ending with an escape."""
    parts: list[list[int]] = []
    start = 0
    while start < len(septets):
        end = min(start + size, len(septets))
        if end < len(septets) and septets[end - 1] == ESCAPE:
            end -= 1
        parts.append(septets[start:end])
        start = end
    return parts


def _split_ucs2(data: bytes, units: int) -> list[bytes]:
    """Parts of at most ``units`` UTF-16 code units, never one ending with a high surrogate."""
    parts: list[bytes] = []
    start = 0
    while start < len(data):
        end = min(start + 2 * units, len(data))
        if end < len(data) and 0xD8 <= data[end - 2] <= 0xDB:
            end -= 2
        parts.append(data[start:end])
        start = end
    return parts


def text_encoding(text: str) -> Encoding:
    return "gsm7" if gsm7_septets(text) is not None else "ucs2"


@dataclass(frozen=True, slots=True)
class SubmitPdu:
    hex: str
    """The whole PDU (SMSC field and TPDU) as upper-case hex, as written after the ``> `` prompt."""
    tpdu_length: int
    """Octets without the SMSC field: the length ``AT+CMGS=`` announces."""


def _tpdu(
    number: str, dcs: int, user_data_length: int, user_data: bytes, *, header: bool, reference: int
) -> bytes:
    first = 0x01 | 0x10 | (0x40 if header else 0)  # SMS-SUBMIT, relative validity, UDHI
    return (
        bytes([first, reference & 0xFF])
        + encode_address(number)
        + bytes([0x00, dcs, VALIDITY_4_DAYS, user_data_length])
        + user_data
    )


def encode_submit(
    number: str, text: str, *, smsc: str | None = None, reference: int = 0, message_reference: int = 0
) -> list[SubmitPdu]:
    """The PDU(s) of one SMS: a single one for up to 160 septets (70 UCS-2 units), else parts of 153
    (67) with a concatenation header naming ``reference`` (8 bits), the part count and number.
    ``message_reference`` is TP-MR (0: the modem picks one). Raises ValueError for a bad number, an
    empty text or one that needs more than 255 parts."""
    if not text:
        raise ValueError("An SMS needs a text")
    smsc_field = encode_smsc(smsc)
    septets = gsm7_septets(text)
    chunks: list[tuple[int, bytes]]  # (user data length, packed text) without a header
    if septets is not None:
        dcs = DCS_GSM7
        groups = [septets] if len(septets) <= SINGLE_GSM7 else _split_septets(septets, PART_GSM7)
        header_fill = 1  # 6 header octets = 48 bits, padded to 49 = 7 septets
        chunks = [(len(g), pack_septets(g, header_fill if len(groups) > 1 else 0)) for g in groups]
    else:
        dcs = DCS_UCS2
        data = ucs2_units(text)
        pieces = [data] if len(data) <= 2 * SINGLE_UCS2 else _split_ucs2(data, PART_UCS2)
        chunks = [(len(p), p) for p in pieces]
    if len(chunks) > MAX_PARTS:
        raise ValueError(f"The text is too long for one SMS ({len(chunks)} parts, at most {MAX_PARTS})")
    pdus: list[SubmitPdu] = []
    for index, (length, body) in enumerate(chunks, start=1):
        if len(chunks) == 1:
            tpdu = _tpdu(number, dcs, length, body, header=False, reference=message_reference)
        else:
            udh = bytes([0x05, 0x00, 0x03, reference & 0xFF, len(chunks), index])
            udl = length + 7 if dcs == DCS_GSM7 else length + len(udh)
            tpdu = _tpdu(number, dcs, udl, udh + body, header=True, reference=message_reference)
        pdus.append(SubmitPdu(hex=(smsc_field + tpdu).hex().upper(), tpdu_length=len(tpdu)))
    return pdus


TEXT_MODE_SAFE: Final = frozenset(
    char for code, char in enumerate(GSM_DEFAULT) if code < 0x80 and char == chr(code) and char.isprintable()
) | frozenset("\n\r")
"""Characters a modem in text mode takes as they are in ASCII (``AT+CSCS="GSM"``): those whose GSM
code is their ASCII code; any other text goes as UCS-2 (``AT+CSCS="UCS2"``)."""


def text_mode_parts(text: str) -> tuple[Encoding, list[str]]:
    """Text mode has no user data header: a long text goes as separate messages of up to 160
    characters (70 UCS-2 units), never splitting a surrogate pair."""
    if not text:
        raise ValueError("An SMS needs a text")
    if all(char in TEXT_MODE_SAFE for char in text):
        return "gsm7", [text[i : i + SINGLE_GSM7] for i in range(0, len(text), SINGLE_GSM7)]
    pieces = _split_ucs2(ucs2_units(text), SINGLE_UCS2)
    return "ucs2", [piece.decode("utf-16-be") for piece in pieces]
