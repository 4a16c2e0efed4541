"""The conference mixer: everyone hears everyone else (by FFT), mute, silence, saturation, tones, cost."""

from __future__ import annotations

import time
from collections.abc import Hashable

import numpy as np
import numpy.typing as npt
import pytest

from cordboard.core.media.mixer import ConferenceMixer, UnknownParticipant
from cordboard.core.media.tones import Tone, ToneGenerator, on

FREQS = {"alice": 400.0, "bob": 1000.0, "carol": 2200.0}


def sine_source(freq: float, rate: int) -> ToneGenerator:
    return ToneGenerator(Tone(f"{freq}", (on(None, freq, level=-12.0),)), rate)


def band_energy(signal: npt.NDArray[np.int16], rate: int, freq: float) -> float:
    """Fraction of the signal's spectral energy within 20 Hz of ``freq``."""
    spec = np.abs(np.fft.rfft(signal.astype(np.float64) * np.hanning(len(signal)))) ** 2
    bins = np.fft.rfftfreq(len(signal), 1 / rate)
    return float(spec[np.abs(bins - freq) <= 20].sum() / spec.sum())


def run_conference(
    mixer: ConferenceMixer, sources: dict[str, ToneGenerator], ticks: int
) -> dict[Hashable, npt.NDArray[np.int16]]:
    heard: dict[Hashable, list[npt.NDArray[np.int16]]] = {pid: [] for pid in mixer.participants}
    for _ in range(ticks):
        for pid, gen in sources.items():
            mixer.push(pid, gen.next_frame())
        for listener, frame in mixer.mix().items():
            heard[listener].append(frame)
    return {pid: np.concatenate(frames) for pid, frames in heard.items()}


@pytest.mark.parametrize("rate", [8000, 16000])
def test_three_parties_hear_the_other_two_not_themselves(rate: int) -> None:
    mixer = ConferenceMixer(rate, join_tone=None, leave_tone=None)
    for pid in FREQS:
        mixer.add(pid)
    sources = {pid: sine_source(f, rate) for pid, f in FREQS.items()}
    heard = run_conference(mixer, sources, 50)  # one second
    for listener, signal in heard.items():
        assert signal.dtype == np.int16 and len(signal) == rate
        for talker, freq in FREQS.items():
            share = band_energy(signal, rate, freq)
            if talker == listener:
                assert share < 1e-6, f"{listener} hears itself"
            else:
                assert share > 0.4, f"{listener} does not hear {talker}"


def test_muted_participant_is_not_heard_but_still_hears() -> None:
    mixer = ConferenceMixer(8000, join_tone=None, leave_tone=None)
    for pid in FREQS:
        mixer.add(pid)
    mixer.set_muted("bob", True)
    assert mixer.is_muted("bob")
    sources = {pid: sine_source(f, 8000) for pid, f in FREQS.items()}
    heard = run_conference(mixer, sources, 25)
    assert band_energy(heard["alice"], 8000, FREQS["bob"]) < 1e-6
    assert band_energy(heard["carol"], 8000, FREQS["bob"]) < 1e-6
    assert band_energy(heard["bob"], 8000, FREQS["alice"]) > 0.4
    assert band_energy(heard["bob"], 8000, FREQS["carol"]) > 0.4
    mixer.set_muted("bob", False)
    heard = run_conference(mixer, sources, 25)
    assert band_energy(heard["alice"], 8000, FREQS["bob"]) > 0.4


def test_missing_frames_are_silence_and_inputs_reset_each_tick() -> None:
    mixer = ConferenceMixer(8000, join_tone=None, leave_tone=None)
    mixer.add("a")
    mixer.add("b")
    mixer.push("a", np.full(160, 1000, dtype=np.int16))
    out = mixer.mix()
    assert np.all(out["b"] == 1000) and np.all(out["a"] == 0)
    out = mixer.mix()  # nobody pushed: silence
    assert not np.any(out["a"]) and not np.any(out["b"])


def test_sum_saturates_instead_of_wrapping() -> None:
    mixer = ConferenceMixer(8000, join_tone=None, leave_tone=None)
    for pid in ("a", "b", "c", "d"):
        mixer.add(pid)
    loud = np.full(160, 30000, dtype=np.int16)
    for pid in ("a", "b", "c"):
        mixer.push(pid, loud)
    mixer.push("d", -loud)
    out = mixer.mix()
    assert np.all(out["d"] == 32767)  # 90000 clipped, not wrapped to a negative value
    assert np.all(out["a"] == 30000)  # 30000 + 30000 - 30000
    mixer.push("a", np.full(160, -32768, dtype=np.int16))
    mixer.push("b", np.full(160, -32768, dtype=np.int16))
    assert np.all(mixer.mix()["c"] == -32768)


def test_join_and_leave_tones_are_heard() -> None:
    mixer = ConferenceMixer(8000)
    mixer.add("a")
    first = mixer.mix()["a"]
    assert np.any(first)  # the join beep, heard by the newcomer too
    tone_frames = [first] + [mixer.mix()["a"] for _ in range(9)]
    assert band_energy(np.concatenate(tone_frames), 8000, 600) > 0.3
    assert not np.any(mixer.mix()["a"])  # the beep is over
    mixer.add("b", announce=False)
    assert not np.any(mixer.mix()["a"])
    mixer.remove("b")
    assert np.any(mixer.mix()["a"])  # the leave beep
    mixer.remove("a")
    assert mixer.mix() == {}


def test_membership_and_errors() -> None:
    mixer = ConferenceMixer(16000, join_tone=None, leave_tone=None)
    for i in range(10):  # beyond the initial capacity
        mixer.add(i)
    assert len(mixer) == 10 and 3 in mixer
    mixer.remove(3)
    assert 3 not in mixer and len(mixer) == 9
    frame = np.full(320, 7, dtype=np.int16)
    mixer.push(9, frame)  # the participant that moved into the freed row
    out = mixer.mix()
    assert set(out) == set(range(10)) - {3}
    assert all(np.all(out[i] == 7) for i in out if i != 9) and not np.any(out[9])
    with pytest.raises(ValueError, match="already"):
        mixer.add(1)
    with pytest.raises(UnknownParticipant):
        mixer.push(3, frame)
    with pytest.raises(UnknownParticipant):
        mixer.set_muted("nobody", True)
    with pytest.raises(ValueError, match="shape"):
        mixer.push(1, np.zeros(160, dtype=np.int16))
    with pytest.raises(ValueError, match="dtype"):
        mixer.push(1, np.zeros(320, dtype=np.int32))
    with pytest.raises(ValueError, match="sample rate"):
        ConferenceMixer(44100)


@pytest.mark.parametrize("rate", [8000, 16000])
def test_twenty_participants_cost_per_frame(rate: int) -> None:
    """Prints the CPU time of one mix() for 20 talkers; no timing assertion (machines differ)."""
    mixer = ConferenceMixer(rate, join_tone=None, leave_tone=None)
    rng = np.random.default_rng(0)
    n = rate // 50
    frames = rng.integers(-8000, 8000, size=(20, n), dtype=np.int16)
    for pid in range(20):
        mixer.add(pid)
    ticks = 2000
    begin = time.process_time()
    for _ in range(ticks):
        for pid in range(20):
            mixer.push(pid, frames[pid])
        out = mixer.mix()
    per_frame = (time.process_time() - begin) / ticks
    print(
        f"\n20-party mix at {rate} Hz: {per_frame * 1e6:.1f} us CPU per 20 ms frame "
        f"(push x20 + mix), {per_frame / 0.020 * 100:.2f}% of one core"
    )
    expected = frames.astype(np.int32).sum(axis=0) - frames[5].astype(np.int32)
    assert np.array_equal(out[5], np.clip(expected, -32768, 32767).astype(np.int16))
