"""The compressed copies of recordings (VM-07's attachments; core/media/audio_encode.py) and the
free-space check before a recording (VM-14; core/media/disk_space.py), without a call: PyAV decodes
the MP3 and Ogg Opus files back to the recorded tone; a failed encoding leaves the WAV (logged);
the disk check counts the recording's bytes plus the margin."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import av
import pytest
from rtp_audio import dominant, tone

from cordboard.core.media import audio_encode, disk_space
from cordboard.core.media.audio_encode import (
    EncodeError,
    available_formats,
    compress_wav,
    encode_compressed,
)
from cordboard.core.media.audio_file import decode_audio, wav_bytes


def test_this_build_writes_mp3_and_opus() -> None:
    assert available_formats() == ("wav", "mp3", "opus")


@pytest.mark.parametrize(("fmt", "container"), [("mp3", "mp3"), ("opus", "ogg")])
@pytest.mark.parametrize("rate", [8000, 16000])
def test_vm_07_encoded_files_decode_to_the_tone(fmt: str, container: str, rate: int) -> None:
    samples = tone(600.0, 3.0, rate)
    data = encode_compressed(samples, rate, fmt)
    with av.open(io.BytesIO(data)) as opened:
        assert container in opened.format.name.split(",")
    back = decode_audio(data, 8000, name="attachment")
    assert abs(back.size - 3 * 8000) < 0.1 * 8000  # the encoder's delay and padding, no more
    assert abs(dominant(back[4000:20000]) - 600) < 15
    encoded = compress_wav(wav_bytes(samples, rate), fmt)
    assert encoded.format == fmt and len(encoded.data) < len(wav_bytes(samples, rate)) / 3
    assert (encoded.mime_type, encoded.file_name("vm")) == (
        {"mp3": "audio/mpeg", "opus": "audio/ogg"}[fmt],
        f"vm.{fmt}",
    )


def test_vm_07_a_failed_encoding_leaves_the_wav(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    wav = wav_bytes(tone(600.0, 1.0), 8000)
    assert compress_wav(wav, "wav").data == wav
    with pytest.raises(EncodeError, match="not a compressed format"):
        encode_compressed(tone(600.0, 1.0), 8000, "flac")

    def broken(*_args: object, **_kwargs: object) -> bytes:
        raise EncodeError("MP3 encoding failed: out of memory")

    monkeypatch.setattr(audio_encode, "encode_compressed", broken)
    with caplog.at_level(logging.WARNING):
        encoded = compress_wav(wav, "mp3", name="Voice message 1")
    assert (encoded.format, encoded.data, encoded.mime_type) == ("wav", wav, "audio/wav")
    assert "Voice message 1 stays a WAV: MP3 encoding failed: out of memory" in caplog.text
    assert compress_wav(b"not a wav", "opus").format == "wav"


def test_vm_14_room_for_the_recording_and_the_margin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    assert disk_space.free_bytes(tmp_path / "not" / "made" / "yet") > 0  # the nearest existing parent
    assert disk_space.has_room(tmp_path, 180)  # the test machine has room
    needed = disk_space.bytes_needed(180)
    assert needed == 180 * disk_space.BYTES_PER_SECOND + disk_space.MARGIN_BYTES
    monkeypatch.setattr(disk_space, "free_bytes", lambda _folder: needed)
    assert disk_space.has_room(tmp_path, 180)
    monkeypatch.setattr(disk_space, "free_bytes", lambda _folder: needed - 1)
    with caplog.at_level(logging.ERROR):
        assert not disk_space.has_room(tmp_path, 180)
    assert "is (almost) full" in caplog.text

    def unreadable(_folder: Path) -> int:
        raise PermissionError("statvfs refused")

    monkeypatch.setattr(disk_space, "free_bytes", unreadable)
    assert not disk_space.has_room(tmp_path, 1)
