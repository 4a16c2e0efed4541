"""G.711 A-law (PCMA) and u-law (PCMU) through numpy lookup tables built from the ITU-T G.711 rules.

G.711 quantises 13-bit (A-law) or 14-bit (u-law) linear PCM; 16-bit input is first shifted down
(arithmetic shift, so negative values round towards minus infinity), and the magnitude of a
negative value is its one's complement, so that -1 and 0 land on the two smallest codes of
opposite sign. Encoding is one table look-up per sample: 65536 entries indexed by the int16
sample read as uint16. Decoding looks up 256 entries, giving the interval mid-points of G.711
tables 1a and 2a scaled to 16 bits.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

from cordboard.core.media.codecs.base import (
    CodecSpec,
    FadeConcealer,
    Pcm,
    check_frame,
    check_payload,
    max_payload_bytes,
    register_codec,
)

_ALL_INT16: Final = np.arange(65536, dtype=np.uint32).astype(np.uint16).view(np.int16).astype(np.int32)
"""Every int16 value, at the index of its bit pattern read as uint16."""
_ALL_CODES: Final = np.arange(256, dtype=np.int32)


def _segment(magnitude: npt.NDArray[np.int32], first_bit: int) -> npt.NDArray[np.int32]:
    """Segment number 0-7 of each magnitude: how far its top bit is above ``first_bit`` (0 below it)."""
    top = np.floor(np.log2(np.maximum(magnitude, 1))).astype(np.int32)
    return np.clip(top - first_bit + 1, 0, 7)


def _alaw_encode_table() -> npt.NDArray[np.uint8]:
    """A-law: 12-bit magnitude, 8 segments (the first two with the same step), even bits inverted."""
    value = _ALL_INT16 >> 3  # 13-bit two's complement
    negative = value < 0
    magnitude = np.where(negative, ~value, value)  # 0..4095
    segment = _segment(magnitude, 5)  # 0..31 -> 0, 32..63 -> 1, ..., 2048..4095 -> 7
    mantissa = (magnitude >> np.maximum(segment, 1)) & 0x0F
    code = (segment << 4) | mantissa | np.where(negative, 0, 0x80)
    return (code ^ 0x55).astype(np.uint8)


def _alaw_decode_table() -> npt.NDArray[np.int16]:
    code = _ALL_CODES ^ 0x55
    segment = (code >> 4) & 0x07
    mantissa = code & 0x0F
    # Mid-point of the quantisation interval: segment 0 starts at 0 with step 2, segment s >= 1 at
    # 2**(s + 4) with step 2**s.
    magnitude = np.where(
        segment == 0, (mantissa << 1) + 1, ((mantissa | 0x10) << segment) + (1 << np.maximum(segment - 1, 0))
    )
    value = magnitude << 3
    return np.where(code & 0x80, value, -value).astype(np.int16)


_ULAW_BIAS: Final = 33
"""u-law adds 33 to the 13-bit magnitude so that the segments become powers of two (G.711 table 2a)."""


def _ulaw_encode_table() -> npt.NDArray[np.uint8]:
    """u-law: 13-bit magnitude plus bias, 8 segments of 16 steps, all bits inverted."""
    value = _ALL_INT16 >> 2  # 14-bit two's complement
    negative = value < 0
    magnitude = np.minimum(np.where(negative, ~value, value) + _ULAW_BIAS, 0x1FFF)  # 33..8191
    segment = _segment(magnitude, 6)  # 33..63 -> 0, 64..127 -> 1, ..., 4096..8191 -> 7
    mantissa = (magnitude >> (segment + 1)) & 0x0F
    code = (segment << 4) | mantissa | np.where(negative, 0x80, 0)
    return (code ^ 0xFF).astype(np.uint8)


def _ulaw_decode_table() -> npt.NDArray[np.int16]:
    code = _ALL_CODES ^ 0xFF
    segment = (code >> 4) & 0x07
    mantissa = code & 0x0F
    magnitude = (((mantissa << 1) + _ULAW_BIAS) << segment) - _ULAW_BIAS
    value = magnitude << 2
    return np.where(code & 0x80, -value, value).astype(np.int16)


ALAW_ENCODE: Final = _alaw_encode_table()
ALAW_DECODE: Final = _alaw_decode_table()
ULAW_ENCODE: Final = _ulaw_encode_table()
ULAW_DECODE: Final = _ulaw_decode_table()
for _table in (ALAW_ENCODE, ALAW_DECODE, ULAW_ENCODE, ULAW_DECODE):
    _table.flags.writeable = False


def alaw_encode(pcm: Pcm) -> bytes:
    """Any number of int16 samples to A-law bytes (no frame check)."""
    return ALAW_ENCODE[pcm.view(np.uint16)].tobytes()


def alaw_decode(payload: bytes) -> Pcm:
    """A-law bytes to int16 samples, one per byte."""
    return ALAW_DECODE[np.frombuffer(payload, dtype=np.uint8)]


def ulaw_encode(pcm: Pcm) -> bytes:
    """Any number of int16 samples to u-law bytes (no frame check)."""
    return ULAW_ENCODE[pcm.view(np.uint16)].tobytes()


def ulaw_decode(payload: bytes) -> Pcm:
    """u-law bytes to int16 samples, one per byte."""
    return ULAW_DECODE[np.frombuffer(payload, dtype=np.uint8)]


class G711Encoder:
    """Encoder of one stream: stateless apart from its tables, but per stream like every encoder."""

    __slots__ = ("_table", "spec")

    def __init__(self, spec: CodecSpec, table: npt.NDArray[np.uint8]) -> None:
        self.spec = spec
        self._table = table

    def encode(self, pcm: Pcm) -> bytes:
        return self._table[check_frame(self.spec, pcm).view(np.uint16)].tobytes()


class G711Decoder:
    """Decoder of one stream; any payload length up to ``MAX_PACKET_MS`` (one byte per sample)."""

    __slots__ = ("_concealer", "_max_bytes", "_table", "spec")

    def __init__(self, spec: CodecSpec, table: npt.NDArray[np.int16]) -> None:
        self.spec = spec
        self._table = table
        self._concealer = FadeConcealer(spec.frame_samples)
        self._max_bytes = max_payload_bytes(spec.sample_rate)

    def decode(self, payload: bytes) -> Pcm:
        check_payload(self.spec, payload, self._max_bytes)
        return self._concealer.good(self._table[np.frombuffer(payload, dtype=np.uint8)])

    def conceal(self) -> Pcm:
        return self._concealer.conceal()


PCMU: Final = CodecSpec(name="PCMU", clock_rate=8000, sample_rate=8000, payload_type=0)
PCMA: Final = CodecSpec(name="PCMA", clock_rate=8000, sample_rate=8000, payload_type=8)


def register() -> None:
    """Register PCMU and PCMA (replacing earlier registrations of the same keys)."""
    register_codec(
        PCMU,
        encoder=lambda spec: G711Encoder(spec, ULAW_ENCODE),
        decoder=lambda spec: G711Decoder(spec, ULAW_DECODE),
        replace=True,
    )
    register_codec(
        PCMA,
        encoder=lambda spec: G711Encoder(spec, ALAW_ENCODE),
        decoder=lambda spec: G711Decoder(spec, ALAW_DECODE),
        replace=True,
    )
