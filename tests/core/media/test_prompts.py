"""System prompts (PRM-01..03): numbers read per language, espeak-ng generation, English fallback,
admin replacements; and the audio-file conversion every upload goes through."""

from __future__ import annotations

import io
import logging
import shutil
from pathlib import Path

import av
import numpy as np
import pytest

from cordboard.core.media.audio_file import AudioFileError, decode_audio, read_audio, write_wav
from cordboard.core.media.prompts import (
    PROMPT_TEXTS,
    SHARED_CACHE_ENV,
    PromptLibrary,
    PromptNotFound,
    say_digits,
    say_number,
)


@pytest.mark.parametrize(
    ("number", "language", "ids"),
    [
        (7, "en", ["n7"]),
        (99, "da", ["n99"]),
        (100, "en", ["one_before_unit", "hundred"]),
        (101, "da", ["one_before_unit", "hundred", "and", "n1"]),
        (101, "de", ["one_before_unit", "hundred", "n1"]),
        (2045, "en", ["n2", "thousand", "and", "n45"]),
        (2345, "de", ["n2", "thousand", "n3", "hundred", "n45"]),
        (2345, "da", ["n2", "thousand", "n3", "hundred", "and", "n45"]),
        (1000, "de", ["one_before_unit", "thousand"]),
        (100_000, "en", ["one_before_unit", "hundred", "thousand"]),
        (999_999, "de", ["n9", "hundred", "n99", "thousand", "n9", "hundred", "n99"]),
    ],
)
def test_say_number_per_language(number: int, language: str, ids: list[str]) -> None:
    assert say_number(number, language) == ids
    assert all(prompt_id in PROMPT_TEXTS for prompt_id in ids)


def test_say_number_refuses_what_it_cannot_read() -> None:
    with pytest.raises(ValueError, match="0 to 999999"):
        say_number(1_000_000, "en")


def test_say_digits_names_star_and_hash() -> None:
    assert say_digits("0*9#x") == ["n0", "star", "n9", "hash"]


def tone(seconds: float, rate: int, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (8000 * np.sin(2 * np.pi * freq * t)).astype(np.int16)


def test_espeak_speaks_prompts_in_each_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert shutil.which("espeak-ng"), "espeak-ng is required (make test installs it)"
    monkeypatch.delenv(SHARED_CACHE_ENV, raising=False)  # spoken here, not copied
    library = PromptLibrary(tmp_path)
    count = library.generate(prompt_ids=["leave_message", "n21"])
    assert count == 6
    for language in ("en", "de", "da"):
        samples = read_audio(library.path("leave_message", language), 16000)
        assert 1.0 < samples.size / 16000 < 6.0  # a spoken sentence, not silence or a crash
        assert np.abs(samples.astype(np.int32)).max() > 1000
    assert library.generate(prompt_ids=["leave_message", "n21"]) == 0  # kept, not spoken again
    german = read_audio(library.path("n21", "de"), 16000)
    danish = read_audio(library.path("n21", "da"), 16000)
    assert german.size != danish.size  # "einundzwanzig" and "enogtyve" are different words


def test_spoken_prompts_are_shared_between_data_folders_through_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With CORDBOARD_PROMPT_CACHE, a second appliance copies what the first one spoke: the same
    audio, and no espeak-ng needed for it."""
    monkeypatch.setenv(SHARED_CACHE_ENV, str(tmp_path / "shared"))
    first = PromptLibrary(tmp_path / "one")
    assert first.generate(["de"], prompt_ids=["goodbye"]) == 1
    assert len(list((tmp_path / "shared").glob("*.wav"))) == 1
    monkeypatch.setattr(shutil, "which", lambda _name: None)  # no espeak-ng from here on
    second = PromptLibrary(tmp_path / "two")
    assert second.generate(["de"], prompt_ids=["goodbye"]) == 1
    spoken = first.path("goodbye", "de").read_bytes()
    assert second.path("goodbye", "de").read_bytes() == spoken
    with pytest.raises(RuntimeError, match="espeak-ng is not installed"):
        second.generate(["da"], prompt_ids=["goodbye"])  # not in the cache: it must be spoken


def test_missing_language_falls_back_to_english_and_logs_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    library = PromptLibrary(tmp_path)
    write_wav(library.system_dir / "en" / "goodbye.wav", tone(0.5, 16000), 16000)
    with caplog.at_level(logging.WARNING):
        first = library.path("goodbye", "da")
        second = library.path("goodbye", "da")
    assert first == second == library.system_dir / "en" / "goodbye.wav"
    assert sum("no da recording" in r.getMessage() for r in caplog.records) == 1
    with pytest.raises(PromptNotFound):
        library.path("hash", "da")


def test_admin_recording_wins_and_can_be_removed(tmp_path: Path) -> None:
    library = PromptLibrary(tmp_path)
    write_wav(library.system_dir / "de" / "goodbye.wav", tone(0.5, 16000), 16000)
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="wav") as out:  # 44.1 kHz stereo: converted on upload
        stream = out.add_stream("pcm_s16le", rate=44100, layout="stereo")
        samples = np.tile(tone(1.0, 44100, 1000.0), (2, 1))
        frame = av.AudioFrame.from_ndarray(samples.T.reshape(1, -1), format="s16", layout="stereo")
        frame.sample_rate = 44100
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    seconds = library.replace("goodbye", "de", buffer.getvalue())
    assert abs(seconds - 1.0) < 0.05
    path = library.path("goodbye", "de")
    assert path == library.custom_dir / "de" / "goodbye.wav"
    converted = read_audio(path, 16000)
    spectrum = np.abs(np.fft.rfft(converted))
    assert abs(np.argmax(spectrum) * 16000 / converted.size - 1000) < 5
    assert library.custom("de") == ["goodbye"]
    assert library.restore("goodbye", "de") is True
    assert library.path("goodbye", "de") == library.system_dir / "de" / "goodbye.wav"
    assert library.restore("goodbye", "de") is False


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "is empty"),
        (b"this is not audio at all" * 10, "not an audio file"),
        (b"RIFF\x00\x00", "not an audio"),
    ],
)
def test_bad_uploads_are_refused_with_the_reason(tmp_path: Path, data: bytes, reason: str) -> None:
    library = PromptLibrary(tmp_path)
    with pytest.raises(AudioFileError, match=reason):
        library.replace("goodbye", "en", data)
    assert library.custom("en") == []


def test_unknown_language_or_bad_id_is_refused(tmp_path: Path) -> None:
    library = PromptLibrary(tmp_path)
    with pytest.raises(ValueError, match="language"):
        library.replace("goodbye", "fr", b"x")
    with pytest.raises(ValueError, match="prompt id"):
        library.replace("../etc/passwd", "en", b"x")


def test_plain_wav_at_the_media_rate_is_read_as_is() -> None:
    samples = tone(0.2, 8000)
    from cordboard.core.media.audio_file import wav_bytes

    assert np.array_equal(decode_audio(wav_bytes(samples, 8000), 8000), samples)
    upsampled = decode_audio(wav_bytes(samples, 8000), 16000)
    assert abs(upsampled.size - 2 * samples.size) <= 32


def test_decoded_recordings_are_kept_until_the_file_changes(tmp_path: Path) -> None:
    """A busy IVR plays the same prompt to every caller: it is decoded once, not per call."""
    library = PromptLibrary(tmp_path)
    path = library.system_dir / "en" / "goodbye.wav"
    write_wav(path, tone(0.5, 16000), 16000)
    first = library.samples("goodbye", "en", 8000)
    assert library.samples("goodbye", "en", 8000) is first
    assert not first.flags.writeable  # shared between channels: nobody may change it
    import os

    write_wav(path, tone(1.0, 16000), 16000)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    again = library.samples("goodbye", "en", 8000)
    assert again is not first and again.size == 2 * first.size
