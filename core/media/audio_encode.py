"""Compressed copies of recordings (VM-07's e-mail attachment; call recordings may use the same):
MP3 (LAME) or Ogg Opus, encoded through PyAV from the mono 16-bit PCM the media engine records.

``encode_compressed`` does the encoding (blocking: run it in ``core.run_in_executor``);
``compress_wav`` turns a WAV recording into the file to send in the chosen format, falling back to
the WAV (logged) when the format's encoder is missing from this FFmpeg build, encoding fails, or the
result would not be smaller. ``available_formats`` says which formats this build can write.
"""

from __future__ import annotations

import functools
import io
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np

from cordboard.core.media.audio_file import PCM, AudioFileError, decode_audio

if TYPE_CHECKING:
    from av import AudioFifo, AudioFrame
    from av.audio.stream import AudioStream
    from av.container import OutputContainer

_LOGGER = logging.getLogger(__name__)

WAV: Final = "wav"
MP3: Final = "mp3"
OPUS: Final = "opus"
FORMATS: Final = (WAV, MP3, OPUS)
MIME_TYPES: Final = {WAV: "audio/wav", MP3: "audio/mpeg", OPUS: "audio/ogg"}
EXTENSIONS: Final = {WAV: "wav", MP3: "mp3", OPUS: "opus"}
_ENCODERS: Final = {MP3: "libmp3lame", OPUS: "libopus"}
_CONTAINERS: Final = {MP3: "mp3", OPUS: "ogg"}
BIT_RATES: Final = {MP3: 32000, OPUS: 24000}
"""Speech on a phone line: plenty at these rates (a WAV at 8 kHz is 128 kbit/s)."""
_OPUS_RATES: Final = (8000, 12000, 16000, 24000, 48000)
_MP3_RATES: Final = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)


class EncodeError(ValueError):
    """The audio could not be encoded in that format; the message says why."""


@dataclass(frozen=True, slots=True)
class EncodedAudio:
    """A recording as a file to send: its bytes, format (``wav``, ``mp3``, ``opus``), MIME type."""

    data: bytes
    format: str

    @property
    def mime_type(self) -> str:
        return MIME_TYPES[self.format]

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]

    def file_name(self, stem: str) -> str:
        return f"{stem}.{self.extension}"


@functools.cache
def available_formats() -> tuple[str, ...]:
    """The formats this installation can write: WAV always, MP3 and Opus when PyAV's FFmpeg has
    libmp3lame and libopus."""
    try:
        import av
    except ImportError:  # pragma: no cover - av is a dependency
        return (WAV,)
    found = [WAV]
    for fmt, encoder in _ENCODERS.items():
        try:
            av.Codec(encoder, "w")
        except (ValueError, av.error.FFmpegError):
            _LOGGER.info("This FFmpeg build has no %s encoder: no %s files", encoder, fmt.upper())
            continue
        found.append(fmt)
    return tuple(found)


def encode_compressed(samples: PCM, sample_rate: int, fmt: str, *, bit_rate: int | None = None) -> bytes:
    """Mono int16 ``samples`` at ``sample_rate`` as an MP3 file (``fmt`` ``mp3``) or an Ogg Opus
    file (``opus``) (blocking). Raises EncodeError when it cannot be done."""
    if fmt not in _ENCODERS:
        raise EncodeError(f"{fmt!r} is not a compressed format (mp3 or opus)")
    if fmt not in available_formats():
        raise EncodeError(f"this installation cannot write {fmt.upper()} ({_ENCODERS[fmt]} is missing)")
    import av

    rates = _OPUS_RATES if fmt == OPUS else _MP3_RATES
    rate = sample_rate if sample_rate in rates else 16000
    pcm = np.ascontiguousarray(np.asarray(samples, dtype=np.int16).reshape(-1))
    out = io.BytesIO()
    try:
        with av.open(out, mode="w", format=_CONTAINERS[fmt]) as container:
            stream = container.add_stream(_ENCODERS[fmt], rate=rate)
            if not isinstance(stream, av.audio.stream.AudioStream):
                raise EncodeError(f"{_ENCODERS[fmt]} made no audio stream")
            codec = stream.codec_context
            codec.layout = "mono"
            codec.bit_rate = bit_rate or BIT_RATES[fmt]
            resampler = av.AudioResampler(format=codec.format, layout="mono", rate=rate)
            frame_size = codec.frame_size or 1152
            fifo = av.AudioFifo()
            for start in range(0, max(pcm.size, 1), 4096):
                chunk = pcm[start : start + 4096]
                if chunk.size == 0:
                    break
                frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="s16", layout="mono")
                frame.sample_rate = sample_rate
                for converted in resampler.resample(frame):
                    fifo.write(converted)
                _drain(container, stream, fifo, frame_size, final=False)
            for converted in resampler.resample(None):
                fifo.write(converted)
            _drain(container, stream, fifo, frame_size, final=True)
            for packet in stream.encode(None):
                container.mux(packet)
    except (av.error.FFmpegError, ValueError, TypeError) as err:
        raise EncodeError(f"{fmt.upper()} encoding failed: {err}") from err
    return out.getvalue()


def _drain(
    container: OutputContainer, stream: AudioStream, fifo: AudioFifo, frame_size: int, *, final: bool
) -> None:
    """Encode whole frames of ``frame_size`` from ``fifo`` (the last one padded with silence)."""
    while fifo.samples >= frame_size or (final and fifo.samples > 0):
        frame = fifo.read(frame_size, partial=final)
        if frame is None:
            break
        if frame.samples < frame_size:
            frame = _padded(frame, frame_size)
        frame.pts = None
        for packet in stream.encode(frame):
            container.mux(packet)


def _padded(frame: AudioFrame, frame_size: int) -> AudioFrame:
    """The last frame filled up with silence to the encoder's frame size."""
    import av

    data = frame.to_ndarray()
    padded = np.zeros((data.shape[0], frame_size), dtype=data.dtype)
    padded[:, : data.shape[1]] = data
    out = av.AudioFrame.from_ndarray(padded, format=frame.format.name, layout=frame.layout.name)
    out.sample_rate = frame.sample_rate
    return out


def compress_wav(wav: bytes, fmt: str, *, name: str = "recording") -> EncodedAudio:
    """A WAV recording as the file to send in ``fmt`` (blocking): the MP3 or Opus when it can be
    made and is smaller, else the WAV itself (logged)."""
    if fmt == WAV or not wav:
        return EncodedAudio(wav, WAV)
    try:
        rate = _wav_rate(wav)
        samples = decode_audio(wav, rate, name=name)
        data = encode_compressed(samples, rate, fmt)
    except (AudioFileError, EncodeError) as err:
        _LOGGER.warning("%s stays a WAV: %s", name, err)
        return EncodedAudio(wav, WAV)
    if len(data) >= len(wav):
        _LOGGER.info("%s stays a WAV: as %s it would not be smaller", name, fmt.upper())
        return EncodedAudio(wav, WAV)
    return EncodedAudio(data, fmt)


def _wav_rate(wav: bytes) -> int:
    """The media rate to decode ``wav`` at: its own when it is one, else 16 kHz."""
    import wave

    try:
        with wave.open(io.BytesIO(wav), "rb") as reader:
            rate = reader.getframerate()
    except (wave.Error, EOFError):
        return 16000
    return rate if rate in (8000, 16000, 48000) else 16000
