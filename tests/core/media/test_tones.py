"""Country tone plans and the tone generator: frequencies (FFT), cadences, levels, click-free frames."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from cordboard.core.media.tones import (
    DEFAULT_COUNTRY,
    JOIN_TONE,
    TONE_NAMES,
    Tone,
    ToneGenerator,
    TonePlan,
    UnknownCountryError,
    dbm0_to_amplitude,
    get_tone_plan,
    off,
    on,
    register_tone_plan,
    tone_plans,
)

# (country, tone, frequencies, [(on_s, off_s), ...] for one cycle)
EXPECTED = [
    ("US", "ringback", (440, 480), [(2.0, 4.0)]),
    ("US", "busy", (480, 620), [(0.5, 0.5)]),
    ("US", "congestion", (480, 620), [(0.25, 0.25)]),
    ("GB", "ringback", (400, 450), [(0.4, 0.2), (0.4, 2.0)]),
    ("GB", "busy", (400,), [(0.375, 0.375)]),
    ("GB", "congestion", (400,), [(0.4, 0.35), (0.225, 0.525)]),
    ("DE", "ringback", (425,), [(1.0, 4.0)]),
    ("DE", "busy", (425,), [(0.48, 0.48)]),
    ("DE", "congestion", (425,), [(0.24, 0.24)]),
    ("DK", "ringback", (425,), [(1.0, 4.0)]),
    ("DK", "busy", (425,), [(0.25, 0.25)]),
    ("DK", "congestion", (425,), [(0.25, 0.25)]),
]


def render(gen: ToneGenerator, seconds: float) -> npt.NDArray[np.int16]:
    frames = round(seconds * 1000 / 20)
    return np.concatenate([gen.next_frame() for _ in range(frames)])


def spectrum_peaks(signal: npt.NDArray[np.int16], rate: int, count: int) -> list[float]:
    """The ``count`` strongest frequencies (Hz) of ``signal``, via a windowed FFT."""
    data = signal.astype(np.float64) * np.hanning(len(signal))
    mags = np.abs(np.fft.rfft(data))
    freqs = np.fft.rfftfreq(len(signal), 1 / rate)
    peaks: list[float] = []
    for _ in range(count):
        i = int(np.argmax(mags))
        peaks.append(float(freqs[i]))
        mags[max(0, i - 10) : i + 10] = 0  # suppress the peak's neighbourhood
    return sorted(peaks)


def on_off_runs(signal: npt.NDArray[np.int16], rate: int) -> list[tuple[bool, float]]:
    """(sounding, seconds) runs in 1 ms blocks: a block is silent when all its samples are zero.

    Judging by exact silence rather than by a level threshold keeps dual tones, whose envelope beats
    (440+480 Hz dips to zero 40 times a second), from looking interrupted.
    """
    block = rate // 1000
    blocks = signal[: len(signal) // block * block].reshape(-1, block)
    sounding = np.any(blocks != 0, axis=1)
    runs: list[tuple[bool, float]] = []
    start = 0
    for i in range(1, len(sounding) + 1):
        if i == len(sounding) or sounding[i] != sounding[start]:
            runs.append((bool(sounding[start]), (i - start) / 1000))
            start = i
    return runs


@pytest.mark.parametrize(("country", "name", "freqs", "cadence"), EXPECTED)
@pytest.mark.parametrize("rate", [8000, 16000])
def test_frequencies_and_cadence(
    country: str, name: str, freqs: tuple[int, ...], cadence: list[tuple[float, float]], rate: int
) -> None:
    tone = get_tone_plan(country).tone(name)
    cycle = sum(a + b for a, b in cadence)
    signal = render(ToneGenerator(tone, rate), 2 * cycle)
    # Frequencies: FFT over the first burst.
    first_on = signal[: int(cadence[0][0] * rate)]
    peaks = spectrum_peaks(first_on, rate, len(freqs))
    assert peaks == pytest.approx(list(freqs), abs=rate / len(first_on) + 1)
    # Cadence: every on and off run of two cycles within 3 ms.
    runs = on_off_runs(signal, rate)
    expected: list[tuple[bool, float]] = []
    for _ in range(2):
        for a, b in cadence:
            expected += [(True, a), (False, b)]
    assert [s for s, _ in runs] == [s for s, _ in expected]
    for (_, got), (_, want) in zip(runs[:-1], expected[:-1], strict=True):
        assert got == pytest.approx(want, abs=0.003)


@pytest.mark.parametrize("plan", list(tone_plans().values()), ids=lambda p: p.country)
def test_every_plan_has_call_waiting_and_all_tones(plan: TonePlan) -> None:
    for name in TONE_NAMES:
        tone = plan.tone(name)
        assert tone.repeat and tone.cycle_s is not None
        assert any(seg.frequencies for seg in tone.segments)
    assert plan.call_waiting.segments[0].frequencies


def test_level_in_dbm0() -> None:
    # A single 1 kHz component at -10 dBm0: peak = 32767 * 10^((-10 - 3.17) / 20), RMS = peak / sqrt(2).
    tone = Tone("test", (on(None, 1000, level=-10.0),))
    signal = render(ToneGenerator(tone, 8000), 1.0)[80:]  # skip the 4 ms rise
    peak = dbm0_to_amplitude(-10.0)
    assert np.abs(signal).max() == pytest.approx(peak, rel=0.01)
    rms = float(np.sqrt(np.mean(signal.astype(np.float64) ** 2)))
    assert rms == pytest.approx(peak / np.sqrt(2), rel=0.01)
    assert dbm0_to_amplitude(3.17) == pytest.approx(32767)


def test_gb_congestion_second_burst_is_6db_louder() -> None:
    signal = render(ToneGenerator(get_tone_plan("GB").congestion, 8000), 1.5)
    first = np.abs(signal[400:3000]).max()  # inside 0.0-0.4 s
    second = np.abs(signal[6100:7400]).max()  # inside 0.75-0.975 s
    assert 20 * np.log10(second / first) == pytest.approx(6.0, abs=0.2)


@pytest.mark.parametrize("rate", [8000, 16000, 48000])
def test_no_discontinuity_between_frames_or_at_cadence_edges(rate: int) -> None:
    # 375 ms bursts end mid-frame; two tones sum; compare the largest sample step with a sine's own slope.
    gen = ToneGenerator(get_tone_plan("GB").busy, rate)
    signal = render(gen, 3.0).astype(np.float64)
    amplitude = dbm0_to_amplitude(-20.0)
    max_slope = 2 * np.pi * 400 / rate * amplitude  # largest step of the sine between two samples
    assert np.abs(np.diff(signal)).max() <= max_slope * 1.05 + 1
    # Frame boundaries in particular: the step across each boundary is no bigger than inside frames.
    n = gen.frame_samples
    boundary_steps = np.abs(signal[n::n] - signal[n - 1 : -1 : n])
    assert boundary_steps.max() <= max_slope * 1.05 + 1


def test_phase_continuity_across_frames_matches_one_long_sine() -> None:
    # A continuous tone rendered frame by frame equals one sine computed in one go (after the ramp).
    rate, freq = 8000, 425.0
    tone = Tone("cont", (on(None, freq, level=-10.0),))
    signal = render(ToneGenerator(tone, rate), 10.0).astype(np.float64)
    t = np.arange(len(signal))
    ideal = dbm0_to_amplitude(-10.0) * np.sin(2 * np.pi * freq * t / rate)
    assert np.abs(signal[64:] - ideal[64:]).max() <= 1.0  # only int16 rounding


def test_oscillator_keeps_running_through_silence() -> None:
    # After an off period the burst resumes in phase with a sine that never stopped.
    rate, freq = 8000, 400.0
    tone = Tone("gated", (on(0.1, freq, level=-10.0), off(0.13)))
    signal = render(ToneGenerator(tone, rate), 0.46).astype(np.float64)
    t = np.arange(len(signal))
    ideal = dbm0_to_amplitude(-10.0) * np.sin(2 * np.pi * freq * t / rate)
    second_burst = slice(int(0.23 * rate) + 40, int(0.33 * rate) - 40)  # clear of the ramps
    assert np.abs(signal[second_burst] - ideal[second_burst]).max() <= 1.0


def test_one_shot_tone_finishes_then_silence() -> None:
    gen = ToneGenerator(JOIN_TONE, 8000)
    frames = list(gen)
    assert gen.finished
    assert len(frames) == 10  # 0.2 s of tone in 20 ms frames
    assert not np.any(gen.next_frame())
    assert all(f.dtype == np.int16 and f.shape == (160,) for f in frames)


def test_registry_default_unknown_and_aliases() -> None:
    assert get_tone_plan().country == DEFAULT_COUNTRY
    assert get_tone_plan("dk").country == "DK"
    assert get_tone_plan("UK").country == "GB"
    with pytest.raises(UnknownCountryError, match=r"'XX'.*DE, DK, GB, US"):
        get_tone_plan("xx")
    with pytest.raises(KeyError, match="unknown tone"):
        get_tone_plan("US").tone("dial")


def test_register_a_plan() -> None:
    se = TonePlan(
        country="SE",
        description="Sweden (test)",
        ringback=Tone("ringback", (on(1.0, 425), off(5.0))),
        busy=Tone("busy", (on(0.25, 425), off(0.25))),
        congestion=Tone("congestion", (on(0.25, 425), off(0.75))),
        call_waiting=Tone("call_waiting", (on(0.2, 425), off(0.5), on(0.2, 425), off(5.0))),
    )
    register_tone_plan(se)
    try:
        assert get_tone_plan("se") is se
    finally:
        from cordboard.core.media import tones

        tones._PLANS.pop("SE")


def test_bad_tones_are_refused() -> None:
    with pytest.raises(ValueError, match="no segments"):
        Tone("empty", ())
    with pytest.raises(ValueError, match="only the last"):
        Tone("bad", (on(None, 425), off(1.0)))
    with pytest.raises(ValueError, match="positive"):
        Tone("bad", (on(0.0, 425),))
