"""Encoders and decoders backed by FFmpeg through PyAV: one open codec context per stream.

G.722 and Opus (``g722.py``, ``opus.py``) are thin specs over these classes. PCM crosses into
FFmpeg as packed signed 16-bit mono (``s16``) at the spec's sample rate; whatever FFmpeg errors on
becomes a ``CodecError``, so a malformed payload from the network never escapes as an FFmpeg error.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Literal

import av
import av.error
import numpy as np

from cordboard.core.media.codecs.base import CodecError, CodecSpec, Pcm, check_frame, check_payload


def available(ffmpeg_name: str) -> bool:
    """Whether this PyAV's FFmpeg build has the codec (e.g. "g722", "libopus")."""
    return ffmpeg_name in av.codecs_available


def _audio_context(ffmpeg_name: str, mode: Literal["r", "w"]) -> av.AudioCodecContext:
    """A new, not yet opened FFmpeg audio codec context."""
    try:
        context = av.CodecContext.create(ffmpeg_name, mode)
    except (av.error.FFmpegError, ValueError) as err:
        raise CodecError(f"FFmpeg has no codec {ffmpeg_name}: {err}") from None
    if not isinstance(context, av.AudioCodecContext):
        raise CodecError(f"FFmpeg codec {ffmpeg_name} is not an audio codec")
    return context


def _to_pcm(frames: list[av.AudioFrame]) -> Pcm:
    """Decoded frames as one mono int16 array (the first channel), whatever the decoder's sample format."""
    parts: list[Pcm] = []
    for frame in frames:
        data = frame.to_ndarray()
        first = data[0] if frame.format.is_planar else data.reshape(-1)[:: len(frame.layout.channels)]
        if first.dtype == np.int16:
            parts.append(first.astype(np.int16, copy=False))
        else:  # float formats run from -1 to 1
            parts.append(np.clip(np.rint(first * 32768.0), -32768, 32767).astype(np.int16))
    if not parts:
        return np.zeros(0, dtype=np.int16)
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


class PyAvEncoder:
    """One stream's encoder: one FFmpeg encoder context, fed one frame per call, one packet back."""

    __slots__ = ("_context", "_pts", "spec")

    def __init__(
        self, spec: CodecSpec, ffmpeg_name: str, *, bit_rate: int = 0, options: dict[str, str]
    ) -> None:
        self.spec = spec
        context = _audio_context(ffmpeg_name, "w")
        context.sample_rate = spec.sample_rate
        context.format = "s16"
        context.layout = "mono"
        context.time_base = Fraction(1, spec.sample_rate)
        if bit_rate:
            context.bit_rate = bit_rate
        context.options = dict(options)
        try:
            context.open()
        except av.error.FFmpegError as err:
            raise CodecError(f"cannot open FFmpeg encoder {ffmpeg_name}: {err}") from None
        self._context = context
        self._pts = 0

    def encode(self, pcm: Pcm) -> bytes:
        pcm = check_frame(self.spec, pcm)
        frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = self.spec.sample_rate
        frame.pts = self._pts
        self._pts += pcm.shape[0]
        try:
            packets = self._context.encode(frame)
        except av.error.FFmpegError as err:
            raise CodecError(f"{self.spec.name} encoder failed: {err}") from None
        return b"".join(bytes(packet) for packet in packets)


class PyAvDecoder:
    """One stream's decoder: one FFmpeg decoder context; a payload in, its PCM out."""

    __slots__ = ("_context", "_max_bytes", "spec")

    def __init__(self, spec: CodecSpec, ffmpeg_name: str, *, max_bytes: int) -> None:
        self.spec = spec
        context = _audio_context(ffmpeg_name, "r")
        context.sample_rate = spec.sample_rate
        context.layout = "mono"
        try:
            context.open()
        except av.error.FFmpegError as err:
            raise CodecError(f"cannot open FFmpeg decoder {ffmpeg_name}: {err}") from None
        self._context = context
        self._max_bytes = max_bytes

    def decode_raw(self, payload: bytes) -> Pcm:
        """Decode without remembering anything for concealment (subclasses add that)."""
        check_payload(self.spec, payload, self._max_bytes)
        try:
            frames = self._context.decode(av.Packet(payload))
        except av.error.FFmpegError as err:
            raise CodecError(f"undecodable {self.spec.name} payload of {len(payload)} bytes: {err}") from None
        return _to_pcm(frames)
