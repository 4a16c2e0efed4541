"""The one DTMF event type (BYD-05) that RFC 4733, SIP INFO and in-band detection all produce.

Plugins see the same :class:`DtmfEvent` whichever way a digit arrived; ``source`` says which.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

DtmfSource = Literal["rfc4733", "info", "inband"]

DTMF_DIGITS: Final = "0123456789*#ABCD"
"""The sixteen DTMF digits in RFC 4733 event-code order (section 3.2): code ``n`` is ``DTMF_DIGITS[n]``."""


def digit_to_code(digit: str) -> int:
    """The RFC 4733 event code (0-15) of a DTMF digit; lower-case a-d are accepted."""
    code = DTMF_DIGITS.find(digit.upper()) if len(digit) == 1 else -1
    if code < 0:
        raise ValueError(f"not a DTMF digit: {digit!r}")
    return code


@dataclass(frozen=True, slots=True)
class DtmfEvent:
    """One DTMF digit, reported once when it has ended (BYD-05)."""

    digit: str
    """One of ``0-9 * # A-D``."""
    duration_ms: int | None
    """How long the digit lasted, when the source says (SIP INFO may not)."""
    source: DtmfSource
    """``"rfc4733"`` (RTP telephone-event), ``"info"`` (SIP INFO) or ``"inband"`` (tones in the audio)."""
    at: float | None = None
    """When the digit began: the receiver's ``now`` of the first packet (rfc4733) or seconds from the
    start of the audio stream (inband); None for SIP INFO."""
    volume_dbm0: int | None = None
    """The level: RFC 4733's volume field (0 to -63 dBm0) or the weaker tone's measured level (inband)."""
    complete: bool = True
    """False when an RFC 4733 event was ended by a timeout or by the next event instead of its end
    packets (its duration is then the longest one seen)."""

    def __post_init__(self) -> None:
        if len(self.digit) != 1 or self.digit not in DTMF_DIGITS:
            raise ValueError(f"not a DTMF digit: {self.digit!r}")
        if self.duration_ms is not None and self.duration_ms < 0:
            raise ValueError(f"negative DTMF duration: {self.duration_ms}")
