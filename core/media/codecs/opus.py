"""Opus (RFC 6716, RTP payload RFC 7587) through FFmpeg's libopus wrapper, mono at 48 kHz.

SDP always says ``opus/48000/2`` with a dynamic payload type (RFC 7587 7); the PCM here is mono
at 48 kHz, the rate libopus decodes at in FFmpeg, so the media engine resamples to 8 or 16 kHz
(``resample.py``). The encoder is set up for speech: VoIP mode, 20 ms frames, ``BIT_RATE``.

Loss concealment is libopus's own: a packet of just a TOC byte (a zero-length frame, the way
Opus signals DTX) makes the decoder extrapolate from its state (RFC 6716 4.4), which PyAV can
pass through where it has no call for "decode a missing packet". Before the first good packet,
or if that fails, the G.711-style fade is used.
"""

from __future__ import annotations

from typing import Final

from cordboard.core.media.codecs.base import CodecError, CodecSpec, FadeConcealer, Pcm, register_codec
from cordboard.core.media.codecs.pyav import PyAvDecoder, PyAvEncoder, available

FFMPEG_NAME: Final = "libopus"
BIT_RATE: Final = 32000
"""Bits per second: wideband speech is transparent well below this, and it stays under G.711's 64k."""
MAX_PAYLOAD: Final = 1275 * 3
"""RFC 6716 3.2.1: a frame is at most 1275 bytes; three 40 ms frames are the longest sane packet."""
OPUS: Final = CodecSpec(name="opus", clock_rate=48000, sample_rate=48000, channels=2)


def plc_toc(toc: int) -> int:
    """A TOC byte for one 20 ms frame in the same mode and bandwidth as ``toc`` (RFC 6716 3.1, table 2).

    Configurations 0-11 are SILK (groups of 10/20/40/60 ms), 12-15 hybrid (10/20 ms), 16-31 CELT
    (2.5/5/10/20 ms); the stereo bit is kept and the frame-count code is 0 (one frame).
    """
    config = toc >> 3
    if config < 12:
        config = (config // 4) * 4 + 1
    elif config < 16:
        config = (config // 2) * 2 + 1
    else:
        config = (config // 4) * 4 + 3
    return (config << 3) | (toc & 0x04)


class OpusEncoder(PyAvEncoder):
    """One stream's Opus encoder: 960 samples (20 ms at 48 kHz) in, one packet out."""

    __slots__ = ()

    def __init__(self, spec: CodecSpec) -> None:
        super().__init__(
            spec, FFMPEG_NAME, bit_rate=BIT_RATE, options={"application": "voip", "frame_duration": "20"}
        )


class OpusDecoder(PyAvDecoder):
    """One stream's Opus decoder; conceals with libopus's PLC once it has seen a packet."""

    __slots__ = ("_concealer", "_toc")

    def __init__(self, spec: CodecSpec) -> None:
        super().__init__(spec, FFMPEG_NAME, max_bytes=MAX_PAYLOAD)
        self._concealer = FadeConcealer(spec.frame_samples)
        self._toc: int | None = None

    def decode(self, payload: bytes) -> Pcm:
        pcm = self.decode_raw(payload)
        if pcm.shape[0] == 0:
            raise CodecError(f"{self.spec.name} payload of {len(payload)} bytes decoded to nothing")
        self._toc = payload[0]
        return self._concealer.good(pcm)

    def conceal(self) -> Pcm:
        if self._toc is not None:
            try:
                pcm = self.decode_raw(bytes((plc_toc(self._toc),)))
            except CodecError:
                return self._concealer.conceal()
            if pcm.shape[0] == self.spec.frame_samples:
                return pcm
        return self._concealer.conceal()


def register() -> None:
    """Register opus/48000/2 when this FFmpeg build has libopus."""
    if available(FFMPEG_NAME):
        register_codec(OPUS, encoder=OpusEncoder, decoder=OpusDecoder, replace=True)
