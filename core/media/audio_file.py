"""Audio files for prompts and recordings: mono 16-bit PCM WAV at 8 or 16 kHz, read and written.

Anything else a user uploads (MP3, other rates, stereo, 8-bit, float) is converted once through
PyAV; what PyAV cannot decode is refused with the reason. Writes are atomic (temp file, fsync,
rename), so a power cut leaves the old file or the new one, never half of one.
"""

from __future__ import annotations

import io
import logging
import wave
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

from cordboard.core.storage.atomic import atomic_write

_LOGGER = logging.getLogger(__name__)

PCM = npt.NDArray[np.int16]
SAMPLE_RATES: Final = (8000, 16000, 48000)
"""The rates the media engine works at (narrowband, wideband, and Opus's fullband)."""
MAX_SECONDS: Final = 3600
"""Longest audio accepted from an upload (an hour of music on hold)."""


class AudioFileError(ValueError):
    """The audio cannot be used; the message says why (shown to the admin who uploaded it)."""


def wav_bytes(samples: PCM, sample_rate: int) -> bytes:
    """A mono 16-bit PCM WAV file holding ``samples``."""
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(np.asarray(samples, dtype="<i2").tobytes())
    return out.getvalue()


def write_wav(path: Path, samples: PCM, sample_rate: int) -> None:
    """Write ``samples`` as a WAV file atomically (the folder is created if missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, wav_bytes(samples, sample_rate))


def _plain_wav(data: bytes) -> tuple[PCM, int] | None:
    """Samples and rate of a mono 16-bit PCM WAV at a media rate; None for any other audio."""
    try:
        with wave.open(io.BytesIO(data), "rb") as wav:
            if wav.getnchannels() != 1 or wav.getsampwidth() != 2 or wav.getframerate() not in SAMPLE_RATES:
                return None
            frames = wav.readframes(wav.getnframes())
            rate = wav.getframerate()
    except (wave.Error, EOFError):
        return None
    return np.frombuffer(frames, dtype="<i2").astype(np.int16), rate


def decode_audio(data: bytes, sample_rate: int, *, name: str = "audio") -> PCM:
    """Any audio file's bytes as mono int16 samples at ``sample_rate`` (one of ``SAMPLE_RATES``).

    Raises AudioFileError naming what is wrong: not audio, no audio stream, empty, too long.
    """
    if sample_rate not in SAMPLE_RATES:
        raise ValueError(f"sample rate must be one of {SAMPLE_RATES}, not {sample_rate}")
    if not data:
        raise AudioFileError(f"{_sentence(name)} is empty")
    plain = _plain_wav(data)
    samples = plain[0] if plain is not None and plain[1] == sample_rate else _convert(data, sample_rate, name)
    if samples.size == 0:
        raise AudioFileError(f"{_sentence(name)} holds no sound")
    if samples.size > MAX_SECONDS * sample_rate:
        raise AudioFileError(f"{_sentence(name)} is longer than {MAX_SECONDS // 60} minutes")
    return samples


def _convert(data: bytes, sample_rate: int, name: str) -> PCM:
    import av  # imported late: only uploads in other formats need it

    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            if not container.streams.audio:
                raise AudioFileError(f"{_sentence(name)} has no audio stream")
            stream = container.streams.audio[0]
            resampler = av.AudioResampler(format="s16", layout="mono", rate=sample_rate)
            chunks: list[PCM] = []
            total = 0
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunk = out.to_ndarray().reshape(-1).astype(np.int16)
                    total += chunk.size
                    if total > MAX_SECONDS * sample_rate:
                        raise AudioFileError(f"{_sentence(name)} is longer than {MAX_SECONDS // 60} minutes")
                    chunks.append(chunk)
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1).astype(np.int16))
    except AudioFileError:
        raise
    except (av.error.FFmpegError, ValueError, IndexError) as err:
        _LOGGER.debug("FFmpeg could not read %s: %s", name, err)
        raise AudioFileError(f"{_sentence(name)} is not an audio file this appliance can read") from None
    return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)


def _sentence(name: str) -> str:
    """``name`` as the start of a sentence shown to an admin."""
    return name[:1].upper() + name[1:]


def read_audio(path: Path, sample_rate: int) -> PCM:
    """A prompt or recording from disk as int16 samples at ``sample_rate``."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise AudioFileError(f"{path.name} does not exist") from None
    return decode_audio(data, sample_rate, name=path.name)
