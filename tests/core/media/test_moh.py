"""Music on hold (MOH-01..03): a class is a folder of files played like a radio on a shared clock,
so callers do not all restart the first track; an empty class plays a built-in melody."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
from rtp_audio import dominant, tone

from cordboard.core.media.audio_file import write_wav
from cordboard.core.media.moh import MusicOnHold, built_in_melody


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_class_plays_its_files_in_name_order_and_loops(tmp_path: Path) -> None:
    clock = FakeClock()
    moh = MusicOnHold(tmp_path, clock)
    write_wav(tmp_path / "moh" / "sales" / "02-second.wav", tone(800, 1.0), 8000)
    write_wav(tmp_path / "moh" / "sales" / "01-first.wav", tone(400, 1.0), 8000)
    assert moh.classes() == ["default", "sales"]
    source = moh.source("sales", 8000)
    frames = np.concatenate([source() for _ in range(150)])  # 3 s: first, second, first again
    assert abs(dominant(frames[:8000]) - 400) < 5
    assert abs(dominant(frames[8000:16000]) - 800) < 5
    assert abs(dominant(frames[16000:24000]) - 400) < 5


def test_callers_hear_the_programme_where_it_is_now(tmp_path: Path) -> None:
    """MOH-02: a caller who joins 1 s later is 1 s further into the programme, not at its start,
    and from then on hears exactly what the first caller hears."""
    clock = FakeClock()
    moh = MusicOnHold(tmp_path, clock)
    noise = np.random.default_rng(7).integers(-4000, 4000, 8000 * 3).astype(np.int16)
    write_wav(tmp_path / "moh" / "default" / "a.wav", noise, 8000)
    first = moh.source("default", 8000)
    early = np.concatenate([first() for _ in range(50)])  # 1 s of the programme
    assert np.array_equal(early, noise[:8000])
    clock.now += 1.0
    second = moh.source("default", 8000)
    for _ in range(10):
        assert np.array_equal(first(), second())  # in step, at 1 s into the programme
    assert np.array_equal(moh.source("default", 8000)(), noise[8000:8160])  # a third joins there too


def test_empty_class_plays_the_built_in_melody_and_bad_files_are_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    moh = MusicOnHold(tmp_path, FakeClock())
    (tmp_path / "moh" / "broken").mkdir(parents=True)
    (tmp_path / "moh" / "broken" / "notes.txt").write_text("not music")
    with caplog.at_level(logging.WARNING):
        programme = moh.programme("broken", 8000)
    assert np.array_equal(programme, built_in_melody(8000))
    assert any("skipping notes.txt" in r.getMessage() for r in caplog.records)
    assert np.abs(programme.astype(np.int32)).max() > 1000  # never silence
    with pytest.raises(ValueError, match="music class"):
        moh.programme("../etc", 8000)
