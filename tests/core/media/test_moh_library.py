"""Music-on-hold classes on disk (MOH-01..03): uploads converted once to 16 kHz mono WAV, refusals
with the reason, classes created and deleted, and the scoped core.music_on_hold setting resolved
per organisation, group and user (a deleted class falls back to the default one)."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import av
import numpy as np
import pytest
from rtp_audio import dominant, tone

from cordboard.core.config.settings import SettingsService
from cordboard.core.core import Core
from cordboard.core.exceptions import ConfigValidationError, Conflict, NotFound
from cordboard.core.identity.users import create_group, create_user, set_user_groups
from cordboard.core.media import audio_file, moh_library
from cordboard.core.media.audio_file import AudioFileError, read_audio, wav_bytes
from cordboard.core.media.moh import MusicOnHold, music_class_for
from cordboard.core.media.moh_library import (
    MOH_SETTING,
    MusicLibrary,
    TooLarge,
    TooLong,
    check_class_name,
    stored_name,
)


def mp3(seconds: float, frequency: float = 440.0, rate: int = 44100) -> bytes:
    """A stereo MP3 of a sine tone (what an admin typically uploads)."""
    t = np.arange(int(seconds * rate)) / rate
    mono = (0.5 * np.sin(2 * np.pi * frequency * t)).astype(np.float32)
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp3") as out:
        stream = out.add_stream("libmp3lame", rate=rate, layout="stereo")
        for start in range(0, mono.size, 1152):
            chunk = mono[start : start + 1152]
            frame = av.AudioFrame.from_ndarray(np.stack([chunk, chunk]), format="fltp", layout="stereo")
            frame.sample_rate = rate
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buffer.getvalue()


def test_an_mp3_is_stored_as_16k_mono_wav_and_played(tmp_path: Path) -> None:
    library = MusicLibrary(tmp_path)
    library.create("jazz")
    added = library.add("jazz", "C:\\Music\\Take Five (live).mp3", mp3(2.0))
    assert added.name == "Take-Five-live.wav"
    path = tmp_path / "moh" / "jazz" / added.name
    with wave.open(str(path), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 16000)
        assert abs(wav.getnframes() / 16000 - 2.0) < 0.1
    assert added.seconds is not None and abs(added.seconds - 2.0) < 0.1
    assert added.size == path.stat().st_size
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no temp file left
    assert [f.name for f in library.files("jazz")] == ["Take-Five-live.wav"]
    assert abs(dominant(read_audio(path, 8000)[4000:12000]) - 440) < 10
    # The player picks the new file up: the class plays it rather than the built-in melody.
    heard = MusicOnHold(tmp_path).programme("jazz", 8000)
    assert abs(heard.size / 8000 - 2.0) < 0.1 and abs(dominant(heard[4000:12000]) - 440) < 10
    # The same name again replaces the file.
    library.add("jazz", "Take Five (live).wav", wav_bytes(tone(600, 1.0), 8000))
    assert [(f.name, f.seconds) for f in library.files("jazz")] == [("Take-Five-live.wav", 1.0)]


def test_uploads_into_the_default_class_need_no_folder(tmp_path: Path) -> None:
    library = MusicLibrary(tmp_path)
    assert library.classes() == ["default"] and library.files("default") == []
    library.add("default", "hold.wav", wav_bytes(tone(500, 0.5, 16000), 16000))
    assert [(f.name, f.seconds) for f in library.files("default")] == [("hold.wav", 0.5)]
    library.remove("default", "hold.wav")
    assert library.files("default") == []
    with pytest.raises(NotFound):
        library.remove("default", "hold.wav")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            b"Meeting notes, not music.\n" * 50,
            "The file notes.txt is not an audio file this appliance can read",
        ),
        (b"", "The file notes.txt is empty"),
    ],
)
def test_what_is_not_audio_is_refused_with_the_reason(tmp_path: Path, data: bytes, reason: str) -> None:
    library = MusicLibrary(tmp_path)
    with pytest.raises(AudioFileError, match=reason):
        library.add("default", "notes.txt", data)
    assert library.files("default") == []


def test_too_long_and_too_large_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    library = MusicLibrary(tmp_path)
    monkeypatch.setattr(moh_library, "MAX_SECONDS", 2)
    with pytest.raises(TooLong, match=r"^The file long\.wav is longer than 0 minutes$"):
        library.add("default", "long.wav", wav_bytes(tone(500, 3.0, 16000), 16000))
    # Longer than even the decoder's own limit: still our reason, not the decoder's.
    monkeypatch.setattr(audio_file, "MAX_SECONDS", 1)
    with pytest.raises(TooLong, match="longer than 0 minutes"):
        library.add("default", "longer.mp3", mp3(1.5))
    monkeypatch.setattr(moh_library, "MAX_UPLOAD_BYTES", 1024)
    with pytest.raises(TooLarge, match=r"^The file big\.wav is larger than 0 MB$"):
        library.add("default", "big.wav", wav_bytes(tone(500, 0.5, 16000), 16000))
    assert library.files("default") == []


def test_the_real_limits() -> None:
    assert moh_library.MAX_SECONDS == 30 * 60
    assert moh_library.MAX_UPLOAD_BYTES == 100 * 1024 * 1024


def test_classes_are_created_and_deleted(tmp_path: Path) -> None:
    library = MusicLibrary(tmp_path)
    library.create("sales")
    assert library.classes() == ["default", "sales"]
    with pytest.raises(Conflict):
        library.create("sales")
    with pytest.raises(Conflict):
        library.create("default")
    library.add("sales", "a.wav", wav_bytes(tone(500, 0.5), 8000))
    library.delete("sales")
    assert library.classes() == ["default"] and not (tmp_path / "moh" / "sales").exists()
    with pytest.raises(NotFound):
        library.delete("sales")
    with pytest.raises(NotFound):
        library.add("sales", "a.wav", wav_bytes(tone(500, 0.5), 8000))
    with pytest.raises(ConfigValidationError) as refused:
        library.delete("default")
    assert refused.value.fields == {"name": "the default class cannot be deleted"}


@pytest.mark.parametrize("name", ["", "Sales", "../etc", "a b", "x" * 33, "jazz/blues"])
def test_bad_class_names_are_refused_naming_the_field(tmp_path: Path, name: str) -> None:
    with pytest.raises(ConfigValidationError) as refused:
        MusicLibrary(tmp_path).create(name)
    assert set(refused.value.fields) == {"name"}
    with pytest.raises(ConfigValidationError):
        check_class_name(name)


def test_stored_names_are_safe() -> None:
    assert stored_name("../../etc/passwd") == "passwd.wav"
    assert stored_name("Für Elise.flac") == "F-r-Elise.wav"
    assert stored_name(".hidden.mp3") == "hidden.wav"
    assert stored_name("???.mp3") == "music.wav"
    assert stored_name("01-intro.mp3") == "01-intro.wav"


def test_file_paths_stay_inside_the_class(tmp_path: Path) -> None:
    library = MusicLibrary(tmp_path)
    library.add("default", "a.wav", wav_bytes(tone(500, 0.5), 8000))
    assert library.path("default", "a.wav") == tmp_path / "moh" / "default" / "a.wav"
    for bad in ("..", ".a.wav", "b.wav"):
        with pytest.raises(NotFound):
            library.path("default", bad)


# -- the scoped setting -----------------------------------------------------------------------


async def add_user(core: Core, username: str) -> int:
    user = await core.db.call(
        lambda db: create_user(
            db,
            username=username,
            first_name=username.title(),
            last_name="Tester",
            email=f"{username}@example.com",
            password=f"{username}-password-1",
        )
    )
    return user.id


async def test_the_setting_accepts_existing_classes_only(core: Core) -> None:
    service: SettingsService = core.settings
    spec = service.registry.get(MOH_SETTING)
    assert spec.default == "default" and spec.user_editable and spec.scopes == {"org", "group", "user"}
    with pytest.raises(ConfigValidationError) as refused:
        await service.set("org", None, MOH_SETTING, "jazz")
    assert refused.value.fields == {MOH_SETTING: "no music-on-hold class 'jazz'; the classes are default"}
    await core.run_in_executor(MusicLibrary(core.data_dir).create, "jazz")
    assert await service.set("org", None, MOH_SETTING, "jazz") == "jazz"
    with pytest.raises(ConfigValidationError) as refused:
        await service.set_many("org", None, {MOH_SETTING: 7})
    assert MOH_SETTING in refused.value.fields


async def test_resolution_by_scope_and_fallback_for_a_deleted_class(core: Core) -> None:
    library = MusicLibrary(core.data_dir)
    for name in ("org-music", "group-music", "own-music"):
        library.create(name)
    anna = await add_user(core, "anna")
    bert = await add_user(core, "bert")
    group = await core.db.call(lambda db: create_group(db, "Sales"))
    await core.db.call(lambda db: set_user_groups(db, anna, [group.id]))
    assert await music_class_for(core, anna) == "default"
    assert await music_class_for(core, None) == "default"
    await core.settings.set("org", None, MOH_SETTING, "org-music")
    assert await music_class_for(core, anna) == "org-music"
    await core.settings.set("group", group.id, MOH_SETTING, "group-music")
    assert await music_class_for(core, anna) == "group-music"
    assert await music_class_for(core, bert) == "org-music"  # not in the group
    await core.settings.set("user", anna, MOH_SETTING, "own-music")
    assert await music_class_for(core, anna) == "own-music"
    assert await music_class_for(core, None) == "org-music"
    assert await music_class_for(core, 999) == "org-music"  # no such user: the organisation's choice
    # A class deleted behind the setting's back: the default class, not silence or an error.
    library.delete("own-music")
    assert await music_class_for(core, anna) == "default"
    library.delete("org-music")
    assert await music_class_for(core, bert) == "default"
