"""G.722 (wideband ADPCM, 64 kbit/s) through FFmpeg's g722 codec.

G.722 samples at 16 kHz but is signalled as ``G722/8000`` with static payload type 9, and its RTP
timestamps advance at 8000 Hz (RFC 3551 4.5.2, an error in RFC 1890 kept for compatibility): a
20 ms packet is 320 samples, 160 bytes and 160 timestamp ticks. FFmpeg has no G.722 loss
concealment (ITU-T G.722 Appendix III/IV), so lost packets fade out like G.711's.
"""

from __future__ import annotations

from typing import Final

from cordboard.core.media.codecs.base import (
    CodecSpec,
    FadeConcealer,
    Pcm,
    max_payload_bytes,
    register_codec,
)
from cordboard.core.media.codecs.pyav import PyAvDecoder, PyAvEncoder, available

FFMPEG_NAME: Final = "g722"
G722: Final = CodecSpec(name="G722", clock_rate=8000, sample_rate=16000, payload_type=9)


class G722Encoder(PyAvEncoder):
    """One stream's G.722 encoder (ADPCM state carries over from frame to frame)."""

    __slots__ = ()

    def __init__(self, spec: CodecSpec) -> None:
        super().__init__(spec, FFMPEG_NAME, options={})


class G722Decoder(PyAvDecoder):
    """One stream's G.722 decoder: 2 samples per payload byte, fade concealment."""

    __slots__ = ("_concealer",)

    def __init__(self, spec: CodecSpec) -> None:
        super().__init__(spec, FFMPEG_NAME, max_bytes=max_payload_bytes(8000))
        self._concealer = FadeConcealer(spec.frame_samples)

    def decode(self, payload: bytes) -> Pcm:
        return self._concealer.good(self.decode_raw(payload))

    def conceal(self) -> Pcm:
        return self._concealer.conceal()


def register() -> None:
    """Register G722/8000 when this FFmpeg build has the codec."""
    if available(FFMPEG_NAME):
        register_codec(G722, encoder=G722Encoder, decoder=G722Decoder, replace=True)
