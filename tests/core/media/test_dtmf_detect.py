"""In-band DTMF detection (BYD-05): generated tones at the acceptance limits, noise, and speech
spoken by espeak-ng in English, German and Danish (which must not fire)."""

from __future__ import annotations

import io
import shutil
import subprocess
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from cordboard.core.media.dtmf_detect import (
    COLUMN_FREQUENCIES,
    FULL_SCALE_DBM0,
    KEYPAD,
    ROW_FREQUENCIES,
    DtmfDetector,
    goertzel_power,
    level_dbm0,
)
from cordboard.core.media.dtmf_event import DTMF_DIGITS, DtmfEvent
from cordboard.core.media.tones import Tone, ToneGenerator, off, on

RATES = [8000, 16000]
Samples = npt.NDArray[np.float64]


def frequencies(digit: str) -> tuple[float, float]:
    for row, keys in enumerate(KEYPAD):
        if digit in keys:
            return ROW_FREQUENCIES[row], COLUMN_FREQUENCIES[keys.index(digit)]
    raise AssertionError(digit)


def amplitude(dbm0: float) -> float:
    """Peak amplitude (16-bit units) of a sine at this level."""
    return 32767 * 10 ** ((dbm0 - FULL_SCALE_DBM0) / 20)


def tone(
    digit: str,
    rate: int,
    ms: float,
    *,
    low_dbm0: float = -10.0,
    high_dbm0: float | None = None,
    low_offset: float = 0.0,
    high_offset: float = 0.0,
    rng: np.random.Generator | None = None,
) -> Samples:
    """A DTMF tone pair; offsets are fractions of the nominal frequencies."""
    rng = rng or np.random.default_rng(1)
    low, high = frequencies(digit)
    t = np.arange(round(rate * ms / 1000)) / rate
    high_dbm0 = low_dbm0 if high_dbm0 is None else high_dbm0
    phases = rng.uniform(0, 2 * np.pi, 2)
    return amplitude(low_dbm0) * np.sin(2 * np.pi * low * (1 + low_offset) * t + phases[0]) + amplitude(
        high_dbm0
    ) * np.sin(2 * np.pi * high * (1 + high_offset) * t + phases[1])


def silence(rate: int, ms: float) -> Samples:
    return np.zeros(round(rate * ms / 1000))


def pcm(samples: Samples) -> npt.NDArray[np.int16]:
    return np.clip(np.round(samples), -32768, 32767).astype(np.int16)


def detect(samples: Samples, rate: int, *, frame_ms: float = 20) -> list[DtmfEvent]:
    detector = DtmfDetector(rate)
    data = pcm(samples)
    step = max(1, round(rate * frame_ms / 1000))
    events: list[DtmfEvent] = []
    for start in range(0, data.size, step):
        events += detector.feed(data[start : start + step])
    return events + detector.flush()


def digits_of(events: list[DtmfEvent]) -> str:
    return "".join(e.digit for e in events)


def sequence(digits: str, rate: int, *, on_ms: float = 100, off_ms: float = 100, **kwargs: Any) -> Samples:
    parts = [silence(rate, off_ms)]
    for digit in digits:
        parts += [tone(digit, rate, on_ms, **kwargs), silence(rate, off_ms)]
    return np.concatenate(parts)


def white_noise(rate: int, seconds: float, dbm0: float, seed: int = 7) -> Samples:
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal(round(rate * seconds))
    return noise * amplitude(dbm0) / np.sqrt(2)  # the mean square of a sine at dbm0


def pink_noise(rate: int, seconds: float, dbm0: float, seed: int = 8) -> Samples:
    rng = np.random.default_rng(seed)
    n = round(rate * seconds)
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / rate)
    spectrum[1:] /= np.sqrt(f[1:])
    spectrum[0] = 0
    noise = np.fft.irfft(spectrum, n)
    target = amplitude(dbm0) ** 2 / 2
    return noise * np.sqrt(target / np.mean(noise**2))


# --- Goertzel and calibration ----------------------------------------------------------------------


def test_goertzel_recursion_equals_the_dft_bin_the_detector_uses() -> None:
    rng = np.random.default_rng(3)
    block = rng.standard_normal(205) * 1000
    for frequency in (697.0, 1209.0, 1633.0 * 1.02, 3266.0):
        w = 2 * np.pi * frequency / 8000
        dft = abs(np.sum(block * np.exp(-1j * w * np.arange(block.size)))) ** 2
        assert goertzel_power(block, frequency, 8000) == pytest.approx(dft, rel=1e-9)


def test_level_calibration() -> None:
    assert level_dbm0(32767.0**2 / 2) == pytest.approx(FULL_SCALE_DBM0)
    assert level_dbm0(amplitude(-20) ** 2 / 2) == pytest.approx(-20)


@pytest.mark.parametrize("rate", [11025, 44100])
def test_refuses_other_sample_rates(rate: int) -> None:
    with pytest.raises(ValueError, match="8000 or 16000"):
        DtmfDetector(rate)


# --- detection ------------------------------------------------------------------------------------


@pytest.mark.parametrize("rate", RATES)
def test_all_sixteen_digits(rate: int) -> None:
    events = detect(sequence(DTMF_DIGITS, rate), rate)
    assert digits_of(events) == DTMF_DIGITS
    assert {e.source for e in events} == {"inband"}
    for i, event in enumerate(events):
        assert event.duration_ms is not None and 90 <= event.duration_ms <= 110
        assert event.at == pytest.approx(0.1 + i * 0.2, abs=0.012)
        assert event.volume_dbm0 == pytest.approx(-10, abs=1)


@pytest.mark.parametrize("rate", RATES)
def test_frame_size_and_bytes_input_do_not_matter(rate: int) -> None:
    samples = pcm(sequence("159D", rate))
    reference = detect(samples.astype(np.float64), rate)
    detector = DtmfDetector(rate)
    events: list[DtmfEvent] = []
    raw = samples.astype("<i2").tobytes()
    for start in range(0, len(raw), 74):  # 37 samples at a time
        events += detector.feed(raw[start : start + 74])
    events += detector.flush()
    assert events == reference
    assert digits_of(events) == "159D"


@pytest.mark.parametrize("rate", RATES)
def test_level_limit(rate: int) -> None:
    assert digits_of(detect(sequence(DTMF_DIGITS, rate, low_dbm0=-28), rate)) == DTMF_DIGITS
    assert detect(sequence(DTMF_DIGITS, rate, low_dbm0=-32), rate) == []
    assert digits_of(detect(sequence(DTMF_DIGITS, rate, low_dbm0=0), rate)) == DTMF_DIGITS


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize(
    ("high_minus_low", "accepted"),
    [(3.5, True), (5.5, False), (-7.5, True), (-9.5, False), (0.0, True)],
)
def test_twist_limits(rate: int, high_minus_low: float, accepted: bool) -> None:
    """High group up to 4 dB above the low group (standard twist), up to 8 dB below (reverse twist)."""
    low = -12.0
    samples = sequence(DTMF_DIGITS, rate, low_dbm0=low, high_dbm0=low + high_minus_low)
    assert digits_of(detect(samples, rate)) == (DTMF_DIGITS if accepted else "")


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize(
    ("low_offset", "high_offset", "accepted"),
    [
        (0.015, 0.015, True),
        (-0.015, -0.015, True),
        (0.015, -0.015, True),
        (-0.015, 0.015, True),
        (0.035, 0.0, False),
        (-0.035, 0.0, False),
        (0.0, 0.035, False),
        (0.0, -0.035, False),
        (0.035, 0.035, False),
        (-0.035, -0.035, False),
    ],
)
def test_frequency_tolerance(rate: int, low_offset: float, high_offset: float, accepted: bool) -> None:
    """Accept tones within 1.5 % of nominal, refuse tones 3.5 % off (ITU-T Q.24)."""
    samples = sequence(DTMF_DIGITS, rate, low_offset=low_offset, high_offset=high_offset)
    assert digits_of(detect(samples, rate)) == (DTMF_DIGITS if accepted else "")


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("snr_db", [15.0, 20.0])
def test_digits_in_white_noise(rate: int, snr_db: float) -> None:
    """SNR: the tone pair's power against the noise's power over the whole band."""
    digits = DTMF_DIGITS * 3
    clean = sequence(digits, rate, low_dbm0=-13)
    tone_power = 2 * amplitude(-13) ** 2 / 2
    rng = np.random.default_rng(int(snr_db) + rate)
    noise = rng.standard_normal(clean.size) * np.sqrt(tone_power / 10 ** (snr_db / 10))
    assert digits_of(detect(clean + noise, rate)) == digits


def companded(samples: Samples) -> Samples:
    """An 8-bit u-law round trip (the smooth mu = 255 curve, close to G.711's segments)."""
    mu = 255.0
    y = np.clip(samples / 32768, -1, 1)
    code = np.round(np.sign(y) * np.log1p(mu * np.abs(y)) / np.log1p(mu) * 127) / 127
    return np.sign(code) * np.expm1(np.abs(code) * np.log1p(mu)) / mu * 32768


@pytest.mark.parametrize("dbm0", [-25.0, -10.0, 0.0])
def test_digits_through_8_bit_companding(dbm0: float) -> None:
    """What a G.711 leg delivers: quantisation noise about 35 dB down, at low and high levels."""
    samples = companded(sequence(DTMF_DIGITS * 2, 8000, on_ms=50, off_ms=50, low_dbm0=dbm0))
    assert digits_of(detect(samples, 8000)) == DTMF_DIGITS * 2


@pytest.mark.parametrize("rate", RATES)
def test_digits_played_by_the_tone_generator(rate: int) -> None:
    """The media engine's own ToneGenerator (ramped edges, 20 ms frames) as the source."""
    segments = [off(0.05)]
    for digit in DTMF_DIGITS:
        segments += [on(0.07, *frequencies(digit), level=-8.0), off(0.06)]
    generator = ToneGenerator(Tone("dtmf", tuple(segments), repeat=False), rate)
    detector = DtmfDetector(rate)
    events: list[DtmfEvent] = []
    while not generator.finished:
        events += detector.feed(generator.next_frame())
    events += detector.feed(generator.next_frame()) + detector.flush()
    assert digits_of(events) == DTMF_DIGITS


@pytest.mark.parametrize("rate", RATES)
def test_minimum_duration_40_ms_accepted_25_ms_refused(rate: int) -> None:
    rng = np.random.default_rng(40)
    for lead_ms in rng.uniform(0, 8, 6):  # alignments against the 8 ms analysis step
        parts = [silence(rate, 50 + lead_ms)]
        for digit in DTMF_DIGITS:
            parts += [tone(digit, rate, 40), silence(rate, 60)]
        assert digits_of(detect(np.concatenate(parts), rate)) == DTMF_DIGITS
        parts = [silence(rate, 50 + lead_ms)]
        for digit in DTMF_DIGITS:
            parts += [tone(digit, rate, 25), silence(rate, 60)]
        assert detect(np.concatenate(parts), rate) == []


@pytest.mark.parametrize("rate", RATES)
def test_short_gaps_between_digits(rate: int) -> None:
    """40 ms on, 40 ms off (a fast auto-dialler), including the same digit repeated."""
    digits = "1234567890*#ABCD55555"
    events = detect(sequence(digits, rate, on_ms=40, off_ms=40), rate)
    assert digits_of(events) == digits
    assert all(e.duration_ms is not None and 30 <= e.duration_ms <= 50 for e in events)


@pytest.mark.parametrize("rate", RATES)
def test_short_interruption_is_bridged(rate: int) -> None:
    """A 10 ms drop-out inside a tone does not split the digit."""
    samples = np.concatenate(
        [silence(rate, 50), tone("7", rate, 60), silence(rate, 10), tone("7", rate, 60), silence(rate, 100)]
    )
    events = detect(samples, rate)
    assert digits_of(events) == "7"
    assert events[0].duration_ms is not None and 120 <= events[0].duration_ms <= 140


@pytest.mark.parametrize("rate", RATES)
def test_long_press_is_one_digit(rate: int) -> None:
    events = detect(np.concatenate([tone("#", rate, 3000), silence(rate, 100)]), rate)
    assert [e.digit for e in events] == ["#"]
    assert events[0].duration_ms == pytest.approx(3000, abs=10)


@pytest.mark.parametrize("rate", RATES)
def test_missing_audio_holds_a_digit(rate: int) -> None:
    """60 ms of lost packets inside a tone: one digit, timed by the audio heard."""
    detector = DtmfDetector(rate)
    events = detector.feed(pcm(np.concatenate([silence(rate, 50), tone("4", rate, 60)])))
    events += detector.skip(int(0.06 * rate))
    events += detector.feed(pcm(np.concatenate([tone("4", rate, 60), silence(rate, 100)])))
    assert digits_of(events) == "4"
    assert events[0].duration_ms is not None and 110 <= events[0].duration_ms <= 140


@pytest.mark.parametrize("rate", RATES)
def test_a_jittery_stream_with_a_hold_after_every_frame_is_heard(rate: int) -> None:
    """A jitter buffer that waits a tick for each late packet (it plays nothing then, and nothing
    of the audio is lost): the tones are heard as if the stream were smooth."""
    detector = DtmfDetector(rate)
    samples = pcm(sequence("42", rate, on_ms=100, off_ms=100))
    frame = rate // 50
    events = []
    for start in range(0, samples.size, frame):
        events += detector.feed(samples[start : start + frame])
        events += detector.skip(frame)
    assert digits_of(events) == "42"


@pytest.mark.parametrize("rate", RATES)
def test_missing_audio_longer_than_the_hold_ends_a_digit(rate: int) -> None:
    detector = DtmfDetector(rate)
    assert detector.feed(pcm(tone("9", rate, 100))) == []
    assert detector.skip(int(0.06 * rate)) == []
    assert digits_of(detector.skip(int(0.04 * rate))) == "9"
    assert detector.skip(int(0.1 * rate)) == []
    assert digits_of(detector.feed(pcm(np.concatenate([tone("9", rate, 60), silence(rate, 60)])))) == "9"


def test_flush_reports_a_digit_still_sounding() -> None:
    detector = DtmfDetector(8000)
    assert detector.feed(pcm(tone("3", 8000, 200))) == []
    assert digits_of(detector.flush()) == "3"
    assert detector.flush() == []


# --- false positives -------------------------------------------------------------------------------


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("dbm0", [-5.0, -15.0, -25.0, -35.0])
def test_white_noise_never_detects(rate: int, dbm0: float) -> None:
    assert detect(white_noise(rate, 30, dbm0), rate) == []


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("dbm0", [-5.0, -15.0, -25.0])
def test_pink_noise_never_detects(rate: int, dbm0: float) -> None:
    assert detect(pink_noise(rate, 30, dbm0), rate) == []


SENTENCES = {
    "en": [
        "Please enter your PIN, followed by the hash key.",
        "One two three four five six seven eight nine zero, star, hash.",
        "You have three new messages. To listen to your messages, press one.",
        "The number you have dialled is not available. Please try again later.",
        "Good morning, this is Anna from accounting, call me back on five five five, two one nine eight.",
        "Eleven, twelve, thirteen, fourteen, fifteen, sixteen, seventeen, eighteen, nineteen, twenty.",
    ],
    "de": [
        "Bitte geben Sie Ihre PIN ein und drücken Sie anschließend die Rautetaste.",
        "Eins zwei drei vier fünf sechs sieben acht neun null, Stern, Raute.",
        "Sie haben drei neue Nachrichten. Um Ihre Nachrichten abzuhören, drücken Sie die Eins.",
        "Die gewählte Rufnummer ist nicht erreichbar. Bitte versuchen Sie es später noch einmal.",
        "Guten Tag, hier spricht Jürgen Müller, bitte rufen Sie mich zurück unter null acht neun.",
    ],
    "da": [
        "Indtast venligst din pinkode efterfulgt af firkant.",
        "En to tre fire fem seks syv otte ni nul, stjerne, firkant.",
        "Du har tre nye beskeder. Tryk et for at aflytte dine beskeder.",
        "Det nummer, du har ringet til, er ikke tilgængeligt. Prøv venligst igen senere.",
        "Goddag, det er Søren fra regnskab, ring venligst tilbage på tre otte fire syv.",
    ],
}
# (variant, pitch 0-99, words/minute); a high-pitched voice is the hardest: few, strong harmonics.
VOICES = [("", 50, 160), ("+f3", 80, 175), ("+m3", 20, 140), ("+f5", 90, 170)]


def resample(samples: Samples, rate_in: int, rate_out: int) -> Samples:
    """Band-limited resampling through the FFT (fine for whole test clips)."""
    n_out = round(samples.size * rate_out / rate_in)
    spectrum = np.fft.rfft(samples)
    keep = n_out // 2 + 1
    out = np.fft.irfft(spectrum[:keep], n_out)
    return out * (n_out / samples.size)


@pytest.fixture(scope="module")
def espeak() -> str:
    path = shutil.which("espeak-ng")
    if path is None:
        pytest.fail(
            "espeak-ng is missing: the DTMF talk-off tests need it (Debian package espeak-ng, in the "
            "Makefile's DEB_RUN_PACKAGES; apt-get install espeak-ng)"
        )
    return path


def speak(
    espeak: str, language: str, text: str, *, variant: str, pitch: int, speed: int, folder: Path
) -> tuple[int, Samples]:
    """Speech from espeak-ng and its sample rate, levelled to about -15 dBm0 (a loud talker)."""
    out = folder / "speech.wav"
    voice = language + variant
    subprocess.run(
        [espeak, "-v", voice, "-p", str(pitch), "-s", str(speed), "-w", str(out), text],
        check=True,
        capture_output=True,
        timeout=60,
    )
    with wave.open(io.BytesIO(out.read_bytes())) as wav:
        assert wav.getsampwidth() == 2 and wav.getnchannels() == 1
        rate = wav.getframerate()
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.float64)
    assert samples.size > rate // 2, f"espeak-ng produced no audio for {text!r}"
    active = samples[np.abs(samples) > 0.01 * np.abs(samples).max()]
    gain = amplitude(-15) / np.sqrt(2) / np.sqrt(np.mean(active**2))
    return rate, np.concatenate([samples * gain, np.zeros(rate // 5)])


def spoken(espeak: str, folder: Path) -> Iterator[tuple[str, str, int, Samples]]:
    for language, texts in SENTENCES.items():
        for text in texts:
            for variant, pitch, speed in VOICES:
                rate, audio = speak(
                    espeak, language, text, variant=variant, pitch=pitch, speed=speed, folder=folder
                )
                yield language, f"{text} [{variant or 'default'} p{pitch}]", rate, audio


@pytest.fixture(scope="module")
def speech(espeak: str, tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str, int, Samples]]:
    """The spoken corpus, synthesised once for every sample rate's test."""
    return list(spoken(espeak, tmp_path_factory.mktemp("speech")))


@pytest.mark.parametrize("rate", RATES)
def test_speech_does_not_fire(speech: list[tuple[str, str, int, Samples]], rate: int) -> None:
    """espeak-ng speech in English, German and Danish, four voices each, spoken digits included:
    no detections at all (talk-off)."""
    seconds = 0.0
    false_positives: list[str] = []
    for language, label, native_rate, audio in speech:
        samples = resample(audio, native_rate, rate)
        seconds += samples.size / rate
        for gain_db in (0.0, 12.0, 18.0):  # normal, very loud and clipping hard (a hot microphone)
            events = detect(samples * 10 ** (gain_db / 20), rate)
            false_positives += [f"{language} {label} +{gain_db} dB: {e.digit}" for e in events]
    assert seconds > 60
    assert false_positives == []


def test_digits_after_speech_are_detected(espeak: str, tmp_path: Path) -> None:
    """Speech does not leave the detector in a state that eats the next digits."""
    rate, speech = speak(espeak, "en", SENTENCES["en"][2], variant="", pitch=50, speed=160, folder=tmp_path)
    speech = resample(speech, rate, 8000)
    samples = np.concatenate([speech, sequence("4711#", 8000, off_ms=60)])
    assert digits_of(detect(samples, 8000)) == "4711#"
