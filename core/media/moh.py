"""Music on hold (MOH-01..03): classes of music, each a folder of files, played like a radio.

A class is ``<data>/moh/<class>/`` holding audio files in any format PyAV reads; they are decoded
once (to the media rate asked for, in file-name order) and kept in memory. A class plays on a
shared clock, like a radio station: every caller on hold in the same class hears the same point of
the programme, so callers do not all restart the first track, and a caller put on hold again
hears the programme where it is now. A class without files plays a soft built-in melody, so hold
is never silence (a caller in silence thinks the call dropped). ``moh_library.py`` manages the
classes (uploads, the ``core.music_on_hold`` setting and ``music_class_for``, re-exported here).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Final

import numpy as np

from cordboard.core.media.audio_file import PCM, AudioFileError, read_audio
from cordboard.core.media.moh_library import CLASS_NAME, DEFAULT_CLASS, music_class_for

_LOGGER = logging.getLogger(__name__)

FRAME_MS: Final = 20
MELODY: Final = ((523.25, 0.45), (659.25, 0.45), (783.99, 0.45), (659.25, 0.45), (587.33, 0.9), (0.0, 1.3))
"""The built-in melody (note Hz, seconds; 0 is a rest): C5 E5 G5 E5 D5, then a pause."""


def built_in_melody(sample_rate: int) -> PCM:
    """A quiet, gentle phrase (-18 dBFS, soft attack and release per note)."""
    parts = []
    for freq, seconds in MELODY:
        n = int(seconds * sample_rate)
        t = np.arange(n) / sample_rate
        envelope = np.minimum(1.0, np.minimum(t / 0.03, (seconds - t) / 0.12)).clip(0.0, 1.0)
        note = np.sin(2 * np.pi * freq * t) + 0.3 * np.sin(4 * np.pi * freq * t) if freq else np.zeros(n)
        parts.append(3000 * envelope * note / 1.3)
    return np.concatenate(parts).astype(np.int16)


class MusicOnHold:
    """The classes of one appliance; ``source(class, rate)`` gives what a held channel plays."""

    def __init__(self, data_dir: Path, clock: Callable[[], float] = time.monotonic) -> None:
        self.folder = data_dir / "moh"
        self._clock = clock
        self._start = clock()
        self._programmes: dict[tuple[str, int], tuple[PCM, float]] = {}

    def classes(self) -> list[str]:
        """The classes with a folder (the default class always exists)."""
        found = {p.name for p in self.folder.iterdir() if p.is_dir()} if self.folder.is_dir() else set()
        return sorted(found | {DEFAULT_CLASS})

    def programme(self, music_class: str, sample_rate: int) -> PCM:
        """All tracks of a class, back to back (decoded once; reloaded when the folder changes)."""
        if not CLASS_NAME.fullmatch(music_class):
            raise ValueError(f"not a music class name: {music_class!r}")
        folder = self.folder / music_class
        stamp = folder.stat().st_mtime if folder.is_dir() else 0.0
        cached = self._programmes.get((music_class, sample_rate))
        if cached is not None and cached[1] == stamp:
            return cached[0]
        tracks = []
        for path in sorted(folder.iterdir()) if folder.is_dir() else []:
            if not path.is_file() or path.name.startswith("."):
                continue
            try:
                tracks.append(read_audio(path, sample_rate))
            except AudioFileError as err:
                _LOGGER.warning("Music on hold %s: skipping %s: %s", music_class, path.name, err)
        programme = np.concatenate(tracks) if tracks else built_in_melody(sample_rate)
        self._programmes[(music_class, sample_rate)] = (programme, stamp)
        return programme

    def source(self, music_class: str, sample_rate: int) -> Callable[[], PCM]:
        """A frame source for a held channel: the class's programme at the shared clock's position."""
        programme = self.programme(music_class, sample_rate)
        frame = sample_rate * FRAME_MS // 1000
        length = programme.size
        looped = np.concatenate([programme, programme[:frame]])
        position = int((self._clock() - self._start) * sample_rate) % length
        # Each frame moves one frame on: pacing keeps listeners on the shared clock within a frame.
        state = {"at": position - position % frame}

        def next_frame() -> PCM:
            at = state["at"]
            state["at"] = (at + frame) % length
            return looped[at : at + frame]

        return next_frame


__all__ = ["CLASS_NAME", "DEFAULT_CLASS", "MusicOnHold", "built_in_melody", "music_class_for"]
