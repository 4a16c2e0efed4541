"""DTMF in SIP INFO bodies (BYD-05): ``application/dtmf-relay`` and ``application/dtmf``.

Neither format has an RFC; these are the forms phones send:

* ``application/dtmf-relay``: lines ``Signal=5`` and ``Duration=160`` (milliseconds), separated by
  CRLF or LF, names case-insensitive, spaces around ``=`` allowed, Duration optional;
* ``application/dtmf``: the digit alone (``5``), optionally followed by a line break.

The digit may be ``0-9 * # A-D`` (``a-d`` too) or, as some devices send, the RFC 4733 event code
``10``-``15`` for ``* # A B C D``. Anything else raises :class:`DtmfInfoError`, a ValueError whose
message says what was wrong; the SIP layer answers such an INFO with 400 or 415.
"""

from __future__ import annotations

from typing import Final

from cordboard.core.media.dtmf_event import DTMF_DIGITS, DtmfEvent

DTMF_RELAY: Final = "application/dtmf-relay"
DTMF: Final = "application/dtmf"
CONTENT_TYPES: Final = (DTMF_RELAY, DTMF)
MAX_BODY: Final = 1024
MAX_DURATION_MS: Final = 3_600_000


class DtmfInfoError(ValueError):
    """The INFO body is not a DTMF body Cordboard understands; the message says why."""


def parse_dtmf_info(content_type: str, body: bytes | str) -> DtmfEvent:
    """The digit (and duration, when given) of a SIP INFO body; ``content_type`` may carry parameters."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type not in CONTENT_TYPES:
        raise DtmfInfoError(f"not a DTMF content type: {content_type!r}")
    if len(body) > MAX_BODY:
        raise DtmfInfoError(f"DTMF INFO body is too long ({len(body)} bytes)")
    if isinstance(body, bytes):
        try:
            text = body.decode("ascii")
        except UnicodeDecodeError:
            raise DtmfInfoError("DTMF INFO body is not ASCII text") from None
    else:
        text = body
    if media_type == DTMF:
        return DtmfEvent(digit=_digit(text.strip()), duration_ms=None, source="info")
    return _parse_relay(text)


def _parse_relay(text: str) -> DtmfEvent:
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, sep, value = line.partition("=")
        if not sep:
            raise DtmfInfoError(f"dtmf-relay line without '=': {line.strip()!r}")
        key = name.strip().lower()
        if key in fields:
            raise DtmfInfoError(f"dtmf-relay field {name.strip()!r} is given twice")
        fields[key] = value.strip()
    if "signal" not in fields:
        raise DtmfInfoError("dtmf-relay body has no Signal")
    duration: int | None = None
    if "duration" in fields:
        raw = fields["duration"]
        if not raw.isascii() or not raw.isdigit() or int(raw) > MAX_DURATION_MS:
            raise DtmfInfoError(f"dtmf-relay Duration is not a number of milliseconds: {raw!r}")
        duration = int(raw)
    return DtmfEvent(digit=_digit(fields["signal"]), duration_ms=duration, source="info")


def _digit(value: str) -> str:
    """A digit from ``5``, ``*``, ``a`` or an event code ``10``-``15``."""
    if len(value) == 1 and value.upper() in DTMF_DIGITS:
        return value.upper()
    if value.isascii() and value.isdigit() and 10 <= int(value) <= 15:
        return DTMF_DIGITS[int(value)]
    raise DtmfInfoError(f"not a DTMF digit: {value!r}")
