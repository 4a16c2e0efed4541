"""The music-on-hold classes on disk (MOH-01..03) and the setting that chooses one.

A class is a folder ``<data>/moh/<class>/`` (``moh.py`` plays it). Administrators create and
delete classes and upload files into them: any format PyAV reads is converted once to 16 kHz mono
WAV and written atomically. The scoped setting ``core.music_on_hold`` (organisation, group, user)
names the class a user's held callers hear; ``music_class_for`` resolves it, falling back to the
default class when the class named was deleted.

This module does not import numpy until a file is converted: the settings registry uses it at
start-up.
"""

from __future__ import annotations

import re
import shutil
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import voluptuous as vol

from cordboard.core.exceptions import ConfigValidationError, Conflict, NotFound

if TYPE_CHECKING:
    from cordboard.core.config.settings import SettingSpec
    from cordboard.core.core import Core

DEFAULT_CLASS: Final = "default"
CLASS_NAME: Final = re.compile(r"[a-z0-9_-]{1,32}")
CLASS_NAME_RULE: Final = "1 to 32 lowercase letters, digits, '-' and '_'"
FILE_NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
MOH_SETTING: Final = "core.music_on_hold"
MOH_RATE: Final = 16000
"""Uploads are stored wideband; narrowband calls take every other sample after a low-pass."""
MAX_UPLOAD_BYTES: Final = 100 * 1024 * 1024
"""The largest upload accepted (30 minutes of a 320 kbit/s MP3 is about 70 MB)."""
MAX_SECONDS: Final = 30 * 60
"""The longest piece of music accepted."""


class TooLong(ValueError):
    """The music is longer than MAX_SECONDS (the message says so, for the admin who uploaded it)."""


class TooLarge(ValueError):
    """The upload is larger than MAX_UPLOAD_BYTES."""


@dataclass(frozen=True, slots=True)
class MusicFile:
    """One file of a class: its name, length in seconds (None if it cannot be read) and size in bytes."""

    name: str
    seconds: float | None
    size: int


def check_class_name(name: str) -> str:
    """``name`` if it may name a class; ConfigValidationError naming the field ``name`` otherwise."""
    if not isinstance(name, str) or not CLASS_NAME.fullmatch(name):
        raise ConfigValidationError(
            "Not a name for a music-on-hold class", {"name": f"expected {CLASS_NAME_RULE}"}
        )
    return name


def stored_name(upload_name: str) -> str:
    """The WAV file name an upload is stored under: its name without the extension, made safe."""
    stem = upload_name.replace("\\", "/").rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem.lstrip(".") else stem
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip(".-_")[:60]
    return f"{stem or 'music'}.wav"


def _wav_seconds(path: Path) -> float | None:
    """The length of a WAV file; None for other formats (placed in the folder by hand)."""
    if path.suffix.lower() != ".wav":
        return None
    try:
        with wave.open(str(path), "rb") as wav:
            return round(wav.getnframes() / wav.getframerate(), 2)
    except (wave.Error, EOFError, OSError, ZeroDivisionError):
        return None


class MusicLibrary:
    """The classes in ``<data>/moh/`` and their files (blocking file I/O: run it in the executor)."""

    def __init__(self, data_dir: Path) -> None:
        self.folder = data_dir / "moh"

    def classes(self) -> list[str]:
        """Every class name, the default class included (it exists even without a folder)."""
        found = set()
        if self.folder.is_dir():
            found = {p.name for p in self.folder.iterdir() if p.is_dir() and CLASS_NAME.fullmatch(p.name)}
        return sorted(found | {DEFAULT_CLASS})

    def exists(self, name: object) -> bool:
        if not isinstance(name, str) or not CLASS_NAME.fullmatch(name):
            return False
        return name == DEFAULT_CLASS or (self.folder / name).is_dir()

    def _existing(self, name: str) -> Path:
        if not self.exists(name):
            raise NotFound(f"No music-on-hold class {name!r}")
        return self.folder / name

    def files(self, name: str) -> list[MusicFile]:
        """The files of a class in playing order (file-name order)."""
        folder = self._existing(name)
        if not folder.is_dir():
            return []
        paths = [p for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(".")]
        return [MusicFile(p.name, _wav_seconds(p), p.stat().st_size) for p in paths]

    def create(self, name: str) -> None:
        check_class_name(name)
        if self.exists(name):
            raise Conflict(f"The music-on-hold class {name!r} exists already")
        (self.folder / name).mkdir(parents=True)

    def delete(self, name: str) -> None:
        """Delete a class with its files; the default class cannot be deleted (only emptied)."""
        if name == DEFAULT_CLASS:
            raise ConfigValidationError(
                "The default class cannot be deleted", {"name": "the default class cannot be deleted"}
            )
        shutil.rmtree(self._existing(name))

    def path(self, name: str, file_name: str) -> Path:
        """An existing file of a class."""
        folder = self._existing(name)
        path = folder / file_name
        if not FILE_NAME.fullmatch(file_name) or not path.is_file():
            raise NotFound(f"No file {file_name!r} in the music-on-hold class {name!r}")
        return path

    def add(self, name: str, upload_name: str, data: bytes) -> MusicFile:
        """Convert an upload to 16 kHz mono WAV and store it in a class (replacing one of that name).

        Raises AudioFileError with the reason for a file that is not usable audio, TooLong for
        music longer than MAX_SECONDS, NotFound for a class that does not exist.
        """
        from cordboard.core.media.audio_file import AudioFileError, decode_audio, write_wav

        folder = self._existing(name)
        target = folder / stored_name(upload_name)
        base = upload_name.replace("\\", "/").rsplit("/", 1)[-1]
        label = f"the file {base}" if base else "the file"
        sentence = label[:1].upper() + label[1:]
        if len(data) > MAX_UPLOAD_BYTES:
            raise TooLarge(f"{sentence} is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
        try:
            samples = decode_audio(data, MOH_RATE, name=label)
        except AudioFileError as err:
            if "is longer than" in str(err):  # decode_audio's own limit is longer than ours
                raise TooLong(f"{sentence} is longer than {MAX_SECONDS // 60} minutes") from None
            raise
        if samples.size > MAX_SECONDS * MOH_RATE:
            raise TooLong(f"{sentence} is longer than {MAX_SECONDS // 60} minutes")
        write_wav(target, samples, MOH_RATE)
        return MusicFile(target.name, round(samples.size / MOH_RATE, 2), target.stat().st_size)

    def remove(self, name: str, file_name: str) -> None:
        self.path(name, file_name).unlink()


class _LiveClasses:
    """The class names as a container that reads the folder each time it is asked."""

    def __init__(self, library: MusicLibrary) -> None:
        self._library = library

    def __contains__(self, value: object) -> bool:
        return self._library.exists(value)

    def __iter__(self) -> Iterator[str]:
        return iter(self._library.classes())

    def __repr__(self) -> str:
        return repr(self._library.classes())


class MusicClassChoice(vol.In):
    """A validator that accepts an existing class only; serialized as a select of the current classes."""

    def __init__(self, library: MusicLibrary) -> None:
        super().__init__(_LiveClasses(library))
        self._library = library

    def __call__(self, value: Any) -> str:
        if not isinstance(value, str) or not self._library.exists(value):
            classes = ", ".join(self._library.classes())
            raise vol.Invalid(f"no music-on-hold class {value!r}; the classes are {classes}")
        return value


def music_on_hold_setting(data_dir: Path) -> SettingSpec:
    """The scoped setting naming the class held callers hear, checked against the classes on disk."""
    from cordboard.core.config.scopes import ALL_SCOPES
    from cordboard.core.config.settings import SettingSpec

    return SettingSpec(
        key=MOH_SETTING,
        scopes=frozenset(ALL_SCOPES),
        validator=MusicClassChoice(MusicLibrary(data_dir)),
        default=DEFAULT_CLASS,
        user_editable=True,
        description="Music that callers on hold hear (a music-on-hold class).",
    )


async def music_class_for(core: Core, user_id: int | None) -> str:
    """The class the held callers of ``user_id`` hear (None: the organisation's choice).

    The user's own choice, else their highest-ranked group's, else the organisation's, else
    "default"; a class that no longer exists (or a user that no longer exists) falls back.
    """
    value: Any = None
    if user_id is not None:
        try:
            value = await core.settings.resolve(user_id, MOH_SETTING)
        except NotFound:
            value = None
    if value is None:
        value = await core.settings.org_value(MOH_SETTING)
    if not isinstance(value, str) or value == DEFAULT_CLASS:
        return DEFAULT_CLASS
    if await core.run_in_executor(MusicLibrary(core.data_dir).exists, value):
        return value
    return DEFAULT_CLASS
