"""In-band DTMF detection (BYD-05): Goertzel tone powers on 16-bit PCM, 8 or 16 kHz, sans-IO.

The detector looks at 20 ms windows every 8 ms. In each window it measures the power of the eight
DTMF frequencies and of their second harmonics, each at nine probe frequencies from -4 % to +4 %
of nominal, and accepts the window as a digit when all of these hold (the limits are
:class:`DtmfDetectorConfig`; ITU-T Q.24 leaves them to each administration: the twist limits are
the common North American values, the talk-off limits were tuned on the tests' espeak-ng speech):

* **level**: each tone at least -30 dBm0 (a full-scale 16-bit sine is +3.17 dBm0, as in
  core/media/tones.py);
* **twist**: the high-group tone at most 4 dB above the low-group tone ("standard" twist: phones
  pre-emphasise the high group) and at most 8 dB below it ("reverse" twist: lines lose more at high
  frequencies);
* **frequency**: the interpolated peak within 2.5 % of nominal, so tones 1.5 % off are accepted and
  tones 3.5 % off are refused (Q.24 asks for acceptance within 1.5 % and rejection beyond 3.5 %);
* **relative peaks**: each tone 10 dB above the other nominal frequencies of its group;
* **energy share**: the two tones hold at least 70 % of the window's energy (speech and noise
  spread theirs);
* **talk-off**: each tone's second harmonic at least 12 dB below the tone (voiced speech has
  harmonics; a DTMF tone has almost none), except where a low-group harmonic lies too close to
  the high-group tone to be measured apart from it (digits 2, 3, 6, B and C);
* **no harmonic series**: the intermodulation frequencies 2*low - high and 2*high - low are at
  least 10 dB below the weaker tone: when a voice has both frequencies as harmonics of its pitch,
  these are harmonics too, while a DTMF generator puts nothing there;
* **steadiness**: the two halves of the window differ by at most 2 dB in energy, so only windows
  that lie within a tone count.

A digit starts after three such windows in a row with the same digit (a tone of 40 ms always gives
three, one of 25 ms never; speech rarely gives even one) and ends after four windows without it
(an interruption of 10 ms is bridged, a pause of 40 ms always ends the digit). Each digit is
reported once, when it ends, with its duration.

Audio that never arrived is not silence: a jitter buffer that ran dry, lost packets or waits for a
late one plays concealment (a fading repeat, or libopus's guess), which would end a digit in the
middle and start it again when the packets come back ("44" for one key press). Such stretches go
to :meth:`DtmfDetector.skip` instead of :meth:`DtmfDetector.feed`: nothing changes while they are
short (the audio after a wait continues the tone), and only a gap longer than ``max_hold_ms``
ends a digit (a phone that stopped sending). Durations count the audio heard.

Tone powers come from the Goertzel algorithm: the Goertzel recursion over a block returns the power
of one DFT bin at an arbitrary frequency, ``|sum(x[n] * exp(-1j * w * n))| ** 2``.
:func:`goertzel_power` runs the recursion as written; the detector evaluates the same closed form
for all 144 probes at once as one numpy matrix product, which is what makes it cheap in Python.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from cordboard.core.media.dtmf_event import DtmfEvent
from cordboard.core.media.tones import FULL_SCALE_DBM0

SAMPLE_RATES: Final = (8000, 16000)
ROW_FREQUENCIES: Final = (697.0, 770.0, 852.0, 941.0)
COLUMN_FREQUENCIES: Final = (1209.0, 1336.0, 1477.0, 1633.0)
KEYPAD: Final = ("123A", "456B", "789C", "*0#D")
"""``KEYPAD[row][column]`` is the digit of a row (low group) and column (high group) tone pair."""
WINDOW_S: Final = 0.020
HOP_S: Final = 0.008
PROBE_STEP: Final = 0.01
PROBES_EACH_SIDE: Final = 4
"""Probe frequencies per tone: nominal * (1 + k * PROBE_STEP) for k in -4..4."""
_FULL_SCALE_MS: Final = 32767.0**2 / 2

_TONES: Final = ROW_FREQUENCIES + COLUMN_FREQUENCIES
_N_PROBES: Final = 2 * PROBES_EACH_SIDE + 1
_NOMINAL: Final = PROBES_EACH_SIDE


@dataclass(frozen=True, slots=True)
class DtmfDetectorConfig:
    """The acceptance limits of :class:`DtmfDetector` (see the module docstring)."""

    min_level_dbm0: float = -30.0
    """Weakest tone accepted, per tone."""
    standard_twist_db: float = 4.0
    """How far the high-group tone may be above the low-group tone."""
    reverse_twist_db: float = 8.0
    """How far the high-group tone may be below the low-group tone."""
    max_frequency_offset: float = 0.025
    """Largest accepted deviation of a tone from its nominal frequency (fraction)."""
    group_margin_db: float = 10.0
    """How far each tone must be above the other nominal frequencies of its group."""
    min_energy_share: float = 0.7
    """Smallest share of the window's energy that the two tones must hold."""
    harmonic_margin_db: float = 12.0
    """How far each tone's second harmonic must be below the tone."""
    intermod_margin_db: float = 10.0
    """How far the powers at 2*low - high and 2*high - low must be below the weaker tone."""
    max_unsteadiness_db: float = 2.0
    """Largest energy difference between the two halves of a window."""
    start_windows: int = 3
    """Windows in a row with the same digit that start it."""
    end_windows: int = 4
    """Windows in a row without the digit that end it."""
    max_hold_ms: float = 80.0
    """Longest stretch of missing audio (:meth:`DtmfDetector.skip`) over which a digit is held."""


def goertzel_power(samples: npt.ArrayLike, frequency: float, sample_rate: int) -> float:
    """The Goertzel recursion: power ``|X(f)|**2`` of one frequency over a block of samples.

    This is the textbook form (one multiply-add per sample); :class:`DtmfDetector` computes the same
    value for many frequencies at once with numpy.
    """
    coefficient = 2.0 * math.cos(2.0 * math.pi * frequency / sample_rate)
    s1 = s2 = 0.0
    for x in np.asarray(samples, dtype=np.float64).tolist():
        s1, s2 = x + coefficient * s1 - s2, s1
    return s1 * s1 + s2 * s2 - coefficient * s1 * s2


def _db(ratio: float) -> float:
    return 10.0 * math.log10(ratio) if ratio > 0 else -math.inf


def level_dbm0(mean_square: float) -> float:
    """The level in dBm0 of a signal with this mean square (16-bit sample units)."""
    return _db(mean_square / _FULL_SCALE_MS) + FULL_SCALE_DBM0


@dataclass(frozen=True, slots=True)
class _Peak:
    """A tone's interpolated peak: mean-square power, frequency offset and 2nd harmonic power."""

    power: float
    offset: float
    harmonic: float


class DtmfDetector:
    """Streaming in-band DTMF detector for one audio direction (BYD-05).

    ``feed()`` takes 16-bit mono PCM frames of any length (a numpy int16 array or little-endian
    bytes) and returns the digits that ended in them; ``flush()`` ends a digit still sounding when
    the stream stops. Events carry ``at`` (seconds from the first sample fed) and ``duration_ms``.
    """

    def __init__(self, sample_rate: int, config: DtmfDetectorConfig | None = None) -> None:
        if sample_rate not in SAMPLE_RATES:
            raise ValueError(f"DTMF detection needs 8000 or 16000 Hz audio, not {sample_rate}")
        self.sample_rate = sample_rate
        self.config = config or DtmfDetectorConfig()
        self.window = round(WINDOW_S * sample_rate)
        self.hop = round(HOP_S * sample_rate)
        offsets = 1.0 + PROBE_STEP * np.arange(-PROBES_EACH_SIDE, PROBES_EACH_SIDE + 1)
        probes = np.concatenate([np.outer(_TONES, offsets), 2.0 * np.outer(_TONES, offsets)]).ravel()
        phase = 2.0 * np.pi * np.outer(probes, np.arange(self.window)) / sample_rate
        self._basis: npt.NDArray[np.float64] = np.concatenate([np.cos(phase), np.sin(phase)])
        self._n_probes = probes.size
        self._scale = 2.0 / self.window**2  # |X|**2 of a sine on a probe -> its mean square
        self._harmonic_guard = 2.5 / WINDOW_S  # 2.5 DFT bins, in Hz
        cfg = self.config
        self._min_ms = _FULL_SCALE_MS * 10 ** ((cfg.min_level_dbm0 - FULL_SCALE_DBM0) / 10)
        self._buffer: npt.NDArray[np.float64] = np.zeros(0)
        self._index = 0  # number of the next window
        self._digit: str | None = None
        self._first = self._last = self._misses = 0
        self._level = 0.0
        self._candidate: str | None = None
        self._candidate_count = self._candidate_first = 0
        self._skipped = 0  # samples of missing audio since the last fed sample

    def feed(self, frame: npt.NDArray[np.int16] | bytes) -> list[DtmfEvent]:
        """Add samples; returns the digits that ended within them."""
        samples = np.frombuffer(frame, dtype="<i2") if isinstance(frame, bytes | bytearray) else frame
        buffer = np.concatenate([self._buffer, np.asarray(samples, dtype=np.float64).ravel()])
        if buffer.size:
            self._skipped = 0
        events: list[DtmfEvent] = []
        start = 0
        while buffer.size - start >= self.window:
            found = self.classify(buffer[start : start + self.window])
            event = self._step(found)
            if event is not None:
                events.append(event)
            start += self.hop
        self._buffer = buffer[start:]
        return events

    def skip(self, samples: int) -> list[DtmfEvent]:
        """Account for ``samples`` of audio that did not arrive (a lost packet, a jitter buffer
        waiting for a late one, a stream that paused).

        Up to ``max_hold_ms`` in a row change nothing: a digit in progress, or one about to start,
        goes on with the audio that follows (after a mere wait nothing of the tone is missing).
        Beyond that the stream has stopped: a digit in progress ends (and is returned), and what
        was buffered before the gap is dropped so that no window joins the two sides of it.
        """
        held = self._skipped
        self._skipped += samples
        limit = self.config.max_hold_ms * self.sample_rate / 1000
        if self._skipped <= limit or held > limit:
            return []
        self._index += (self._buffer.size + self._skipped) // self.hop
        self._buffer = np.zeros(0)
        self._candidate, self._candidate_count = None, 0
        return [self._end()] if self._digit is not None else []

    def flush(self) -> list[DtmfEvent]:
        """End a digit that is still sounding (the stream stopped); returns it if there is one."""
        return [self._end()] if self._digit is not None else []

    def classify(self, window: npt.NDArray[np.float64]) -> tuple[str, float] | None:
        """The digit in one window and its weaker tone's level (dBm0), or None."""
        cfg = self.config
        x = window - window.mean()
        energy = float(x @ x)
        mean_square = energy / x.size
        if mean_square < 2 * self._min_ms:
            return None
        half = x.size // 2
        first_half = float(x[:half] @ x[:half])
        if abs(_db(first_half / max(energy - first_half, 1e-9))) > cfg.max_unsteadiness_db:
            return None
        projections = self._basis @ x
        power = projections[: self._n_probes] ** 2 + projections[self._n_probes :] ** 2
        probes = (power * self._scale).reshape(2, len(_TONES), _N_PROBES)
        fundamentals, harmonics = probes[0], probes[1]
        peaks = fundamentals.max(axis=1)
        row = int(np.argmax(peaks[:4]))
        column = 4 + int(np.argmax(peaks[4:]))
        low = self._peak(fundamentals[row], harmonics[row])
        high = self._peak(fundamentals[column], harmonics[column])
        if low is None or high is None or min(low.power, high.power) < self._min_ms:
            return None
        twist = _db(high.power / low.power)
        if twist > cfg.standard_twist_db or -twist > cfg.reverse_twist_db:
            return None
        if low.power + high.power < cfg.min_energy_share * mean_square:
            return None
        margin = 10 ** (cfg.group_margin_db / 10)
        other_frequency = {row: _TONES[column] * (1 + high.offset), column: _TONES[row] * (1 + low.offset)}
        for tone, peak in ((row, low), (column, high)):
            group = range(0, 4) if tone < 4 else range(4, 8)
            if any(peak.power < margin * fundamentals[other, _NOMINAL] for other in group if other != tone):
                return None
            # A low-group harmonic (1394-1882 Hz) can sit next to the high-group tone, which then
            # leaks into its probe: skip the check when they are less than 2.5 bins apart.
            harmonic_frequency = 2 * _TONES[tone] * (1 + peak.offset)
            if abs(harmonic_frequency - other_frequency[tone]) < self._harmonic_guard:
                continue
            if _db(peak.power / max(peak.harmonic, 1e-12)) < cfg.harmonic_margin_db:
                return None
        weaker = min(low.power, high.power)
        low_frequency, high_frequency = other_frequency[column], other_frequency[row]
        limit = weaker * 10 ** (-cfg.intermod_margin_db / 10)
        for frequency in (2 * low_frequency - high_frequency, 2 * high_frequency - low_frequency):
            if self._power_at(x, frequency) > limit:
                return None
        return KEYPAD[row][column - 4], level_dbm0(weaker)

    def _power_at(self, x: npt.NDArray[np.float64], frequency: float) -> float:
        """Mean-square power of one frequency in a window (a single Goertzel bin)."""
        phase = (2.0 * np.pi * frequency / self.sample_rate) * np.arange(x.size)
        return float(((x @ np.cos(phase)) ** 2 + (x @ np.sin(phase)) ** 2) * self._scale)

    def _peak(self, probes: npt.NDArray[np.float64], harmonics: npt.NDArray[np.float64]) -> _Peak | None:
        """Interpolate a tone's peak between probes; None if it lies outside the accepted offsets."""
        index = int(np.argmax(probes))
        if index in (0, _N_PROBES - 1):
            return None
        a0, a1, a2 = np.sqrt(probes[index - 1 : index + 2])
        curvature = a0 - 2 * a1 + a2
        shift = 0.5 * (a0 - a2) / curvature if curvature < 0 else 0.0
        offset = (index - _NOMINAL + shift) * PROBE_STEP
        if abs(offset) > self.config.max_frequency_offset:
            return None
        amplitude = a1 - 0.25 * (a0 - a2) * shift
        return _Peak(float(amplitude**2), offset, float(harmonics[index]))

    def _step(self, found: tuple[str, float] | None) -> DtmfEvent | None:
        """Advance the digit state machine by one window."""
        index = self._index
        self._index += 1
        digit = found[0] if found else None
        event = None
        if self._digit is not None:
            if digit == self._digit:
                self._last, self._misses = index, 0
            else:
                self._misses += 1
                if self._misses >= self.config.end_windows:
                    event = self._end()
        if found is not None and digit != self._digit:
            if digit == self._candidate:
                self._candidate_count += 1
            else:
                self._candidate, self._candidate_count, self._candidate_first = digit, 1, index
            self._level = found[1]
        else:
            self._candidate, self._candidate_count = None, 0
        if (
            self._digit is None
            and self._candidate is not None
            and self._candidate_count >= self.config.start_windows
        ):
            self._digit, self._first, self._last = self._candidate, self._candidate_first, index
            self._misses = 0
            self._candidate, self._candidate_count = None, 0
        return event

    def _end(self) -> DtmfEvent:
        assert self._digit is not None
        seconds = (self._last - self._first) * self.hop / self.sample_rate + WINDOW_S
        event = DtmfEvent(
            digit=self._digit,
            duration_ms=round(seconds * 1000),
            source="inband",
            at=self._first * self.hop / self.sample_rate,
            volume_dbm0=round(self._level),
        )
        self._digit = None
        self._misses = 0
        return event
