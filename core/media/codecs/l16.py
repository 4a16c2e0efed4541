"""L16: uncompressed 16-bit linear PCM in network byte order (RFC 3551 4.5.11), at 8 and 16 kHz mono.

Only the static payload types 10 and 11 (44.1 kHz) are defined for L16; the rates here are
negotiated with dynamic payload types. Useful towards gateways and recorders that want no codec
at all, and as the loss-free reference in tests.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from cordboard.core.media.codecs.base import (
    CodecError,
    CodecSpec,
    FadeConcealer,
    Pcm,
    check_frame,
    check_payload,
    max_payload_bytes,
    register_codec,
)

_BIG_ENDIAN: Final = np.dtype(">i2")
L16_8K: Final = CodecSpec(name="L16", clock_rate=8000, sample_rate=8000)
L16_16K: Final = CodecSpec(name="L16", clock_rate=16000, sample_rate=16000)


class L16Encoder:
    """Byte-swaps one frame to network order."""

    __slots__ = ("spec",)

    def __init__(self, spec: CodecSpec) -> None:
        self.spec = spec

    def encode(self, pcm: Pcm) -> bytes:
        return check_frame(self.spec, pcm).astype(_BIG_ENDIAN).tobytes()


class L16Decoder:
    """Reads network-order samples; an odd byte count cannot be PCM and is refused."""

    __slots__ = ("_concealer", "_max_bytes", "spec")

    def __init__(self, spec: CodecSpec) -> None:
        self.spec = spec
        self._concealer = FadeConcealer(spec.frame_samples)
        self._max_bytes = max_payload_bytes(2 * spec.sample_rate)

    def decode(self, payload: bytes) -> Pcm:
        check_payload(self.spec, payload, self._max_bytes)
        if len(payload) % 2:
            raise CodecError(f"L16 payload of {len(payload)} bytes: an odd count cannot be 16-bit samples")
        return self._concealer.good(np.frombuffer(payload, dtype=_BIG_ENDIAN).astype(np.int16))

    def conceal(self) -> Pcm:
        return self._concealer.conceal()


def register() -> None:
    """Register L16/8000 and L16/16000."""
    for spec in (L16_8K, L16_16K):
        register_codec(spec, encoder=L16Encoder, decoder=L16Decoder, replace=True)
