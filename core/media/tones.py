"""Call-progress tones: country tone plans (ringback, busy, congestion, call waiting) and a generator of
continuous 16-bit PCM frames with phase continuity and click-free cadence edges.

A :class:`Tone` is a cadence of :class:`ToneSegment` values (frequencies, level in dBm0, duration), played
once or repeated. :class:`ToneGenerator` renders one into 20 ms ``int16`` frames: each frequency has its own
oscillator that keeps running across frames and silent segments, and every burst starts and ends with a
short raised-cosine ramp, so neither a frame boundary nor a cadence edge produces a step in the waveform.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import numpy.typing as npt

from cordboard.core.exceptions import CordboardError

FRAME_MS: Final = 20
RAMP_S: Final = 0.004
"""Rise and fall time of every burst: long enough to avoid a click, short against the shortest cadence."""

# ITU-T G.711 section 2 (and G.168 for the "digital milliwatt"): a sine wave at 0 dBm0 has a peak 3.17 dB
# below the codec's overload point, so a full-scale 16-bit sine (peak 32767) is +3.17 dBm0.
FULL_SCALE_DBM0: Final = 3.17
INT16_MAX: Final = 32767


class UnknownCountryError(CordboardError, KeyError):
    """No tone plan is registered for the country code; the message lists the known ones."""

    def __init__(self, country: str, known: list[str]) -> None:
        super().__init__(f"No tone plan for country {country!r}; known countries: {', '.join(known)}")
        self.country = country

    def __str__(self) -> str:
        return str(self.args[0])


def dbm0_to_amplitude(level_dbm0: float) -> float:
    """Peak amplitude in 16-bit PCM of a sine wave at ``level_dbm0`` (per component)."""
    return INT16_MAX * 10.0 ** ((level_dbm0 - FULL_SCALE_DBM0) / 20.0)


@dataclass(frozen=True, slots=True)
class ToneSegment:
    """One stretch of a cadence: the frequencies sounding (none is silence) at a level, for a duration."""

    duration_s: float | None
    """Seconds; ``None`` means continuous (only allowed as the last segment)."""
    frequencies: tuple[float, ...] = ()
    level_dbm0: float = -10.0
    """Level of each frequency component, in dBm0."""

    @property
    def silent(self) -> bool:
        return not self.frequencies


def on(duration_s: float | None, *frequencies: float, level: float = -10.0) -> ToneSegment:
    """A burst of the frequencies (summed) for ``duration_s`` seconds at ``level`` dBm0 each."""
    return ToneSegment(duration_s, tuple(frequencies), level)


def off(duration_s: float) -> ToneSegment:
    """Silence for ``duration_s`` seconds."""
    return ToneSegment(duration_s)


@dataclass(frozen=True, slots=True)
class Tone:
    """A named cadence; ``repeat`` plays it forever, otherwise once and then silence."""

    name: str
    segments: tuple[ToneSegment, ...]
    repeat: bool = True

    def __post_init__(self) -> None:
        if not self.segments:
            raise ValueError(f"tone {self.name!r} has no segments")
        for i, seg in enumerate(self.segments):
            if seg.duration_s is None and i != len(self.segments) - 1:
                raise ValueError(f"tone {self.name!r}: only the last segment may be continuous")
            if seg.duration_s is not None and seg.duration_s <= 0:
                raise ValueError(f"tone {self.name!r}: segment durations must be positive")

    @property
    def cycle_s(self) -> float | None:
        """Length of one cadence cycle in seconds, or ``None`` for a continuous tone."""
        if self.segments[-1].duration_s is None:
            return None
        return sum(seg.duration_s or 0.0 for seg in self.segments)


@dataclass(frozen=True, slots=True)
class TonePlan:
    """The call-progress tones of one country (ISO 3166 alpha-2 code)."""

    country: str
    description: str
    ringback: Tone
    busy: Tone
    congestion: Tone
    call_waiting: Tone
    sources: tuple[str, ...] = field(default=())

    def tone(self, name: str) -> Tone:
        """The tone called ``name`` (ringback, busy, congestion or call_waiting)."""
        if name not in TONE_NAMES:
            raise KeyError(f"unknown tone {name!r}; known tones: {', '.join(TONE_NAMES)}")
        tone: Tone = getattr(self, name)
        return tone


TONE_NAMES: Final = ("ringback", "busy", "congestion", "call_waiting")


# --- Country plans ------------------------------------------------------------------------------------
# Sources, checked for each value below:
#  [E180]  ITU-T E.180 Supplement 2 / ITU Operational Bulletin annex "Various tones used in national
#          networks" (as listed e.g. in the country tone table shipped with the PalmMicro PA1688 SDK,
#          palmmicro.com .../PalmH323/DOC/dialtone.txt, and in Asterisk's indications.conf, whose zone
#          data cites "ITU E.180 Supplement 2").
#  [SIN350] BT SIN 350 (UK network supervisory tones), as summarised at blog.trumpton.org.uk
#          "UK Dial and Progress Tones" (2010) and the University of York telephone-tones page, and in
#          Asterisk's UK indications ("official tones taken from BT SIN350").
#  [E300S3] ITU-T E.300-series Supplement 3, North American precise audible tone plan; the same values
#          are in Tizen's ToneType docs ("ANSI (IS-95)") and Asterisk's [us] zone.

_CEPT_LEVEL: Final = -10.0  # 425 Hz single-frequency tones; E.180 recommends about -10 dBm0.

US = TonePlan(
    country="US",
    description="United States / North America (precise tone plan)",
    # [E300S3]: audible ringing 440+480 Hz at -19 dBm0 each, 2 s on 4 s off.
    ringback=Tone("ringback", (on(2.0, 440, 480, level=-19.0), off(4.0))),
    # [E300S3]: busy 480+620 Hz at -24 dBm0 each, 0.5 s on 0.5 s off (60 interruptions per minute).
    busy=Tone("busy", (on(0.5, 480, 620, level=-24.0), off(0.5))),
    # [E300S3]: reorder (congestion) 480+620 Hz, 0.25 s on 0.25 s off (120 interruptions per minute).
    congestion=Tone("congestion", (on(0.25, 480, 620, level=-24.0), off(0.25))),
    # Tizen ToneType.AnsiCallWaiting "440 Hz, 300 ms ON, 9.7 s OFF"; Asterisk [us] 440/300,0/10000.
    call_waiting=Tone("call_waiting", (on(0.3, 440, level=-13.0), off(9.7))),
    sources=("ITU-T E.300 Suppl. 3", "ANSI IS-95 call supervisory tones"),
)

GB = TonePlan(
    country="GB",
    description="United Kingdom (BT SIN 350)",
    # [SIN350]: ringing tone 400+450 Hz, 0.4 on 0.2 off 0.4 on 2.0 off.
    ringback=Tone(
        "ringback",
        (on(0.4, 400, 450, level=-19.0), off(0.2), on(0.4, 400, 450, level=-19.0), off(2.0)),
    ),
    # [SIN350]: busy (engaged) tone 400 Hz at -20 dB, 0.375 on 0.375 off.
    busy=Tone("busy", (on(0.375, 400, level=-20.0), off(0.375))),
    # [SIN350]: equipment engaged (congestion) 400 Hz, 0.4 on at -20 dB, 0.35 off, 0.225 on at -14 dB
    # (the second burst is 6 dB louder, per BS 6305 as noted on the York page), 0.525 off.
    congestion=Tone(
        "congestion",
        (on(0.4, 400, level=-20.0), off(0.35), on(0.225, 400, level=-14.0), off(0.525)),
    ),
    # [SIN350] via Asterisk's UK zone: call waiting 400 Hz, 0.1 s on, 4.0 s off.
    call_waiting=Tone("call_waiting", (on(0.1, 400, level=-20.0), off(4.0))),
    sources=("BT SIN 350",),
)

DE = TonePlan(
    country="DE",
    description="Germany",
    # [E180] Germany: ringing tone I 425 Hz 1.0 on 4.0 off (also Telekom 1 TR 110-1: 1000 ms / 4000 ms).
    ringback=Tone("ringback", (on(1.0, 425, level=_CEPT_LEVEL), off(4.0))),
    # [E180] Germany: busy tone I 425 Hz 0.48 on 0.48 off.
    busy=Tone("busy", (on(0.48, 425, level=_CEPT_LEVEL), off(0.48))),
    # [E180] Germany: congestion tone I 425 Hz 0.24 on 0.24 off.
    congestion=Tone("congestion", (on(0.24, 425, level=_CEPT_LEVEL), off(0.24))),
    # [E180] Germany: call waiting tone I 425 Hz 0.2 on 0.2 off 0.2 on 5.0 off.
    call_waiting=Tone(
        "call_waiting",
        (on(0.2, 425, level=_CEPT_LEVEL), off(0.2), on(0.2, 425, level=_CEPT_LEVEL), off(5.0)),
    ),
    sources=("ITU-T E.180 Suppl. 2",),
)

DK = TonePlan(
    country="DK",
    description="Denmark",
    # [E180] Denmark: ringing tone 425 Hz 1.0 on 4.0 off (Asterisk [dk] agrees: 425/1000,0/4000).
    ringback=Tone("ringback", (on(1.0, 425, level=_CEPT_LEVEL), off(4.0))),
    # Busy 425 Hz 0.25 on 0.25 off as given for Denmark in the E.180 list. Asterisk's [dk] zone
    # has 425/500,0/500 instead; the two sources disagree and this plan follows the E.180 value.
    busy=Tone("busy", (on(0.25, 425, level=_CEPT_LEVEL), off(0.25))),
    # Congestion 425 Hz 0.25 on 0.25 off per the same E.180 list (Asterisk [dk]: 425/200,0/200).
    congestion=Tone("congestion", (on(0.25, 425, level=_CEPT_LEVEL), off(0.25))),
    # Asterisk [dk] callwaiting: 425 Hz 0.2 on 0.6 off 0.2 on 3.0 off.
    call_waiting=Tone(
        "call_waiting",
        (on(0.2, 425, level=_CEPT_LEVEL), off(0.6), on(0.2, 425, level=_CEPT_LEVEL), off(3.0)),
    ),
    sources=("ITU-T E.180 Suppl. 2", "Asterisk indications.conf [dk]"),
)

# Short one-shot beeps for conference join/leave (not country specific): rising pair on join, falling
# pair on leave, quiet enough not to mask speech.
JOIN_TONE: Final = Tone(
    "join", (on(0.08, 600, level=-16.0), off(0.04), on(0.08, 900, level=-16.0)), repeat=False
)
LEAVE_TONE: Final = Tone(
    "leave", (on(0.08, 900, level=-16.0), off(0.04), on(0.08, 600, level=-16.0)), repeat=False
)

DEFAULT_COUNTRY: Final = "DK"
"""Used when no country is given; the organisation's country becomes a setting later."""

_PLANS: dict[str, TonePlan] = {}


def register_tone_plan(plan: TonePlan) -> None:
    """Add or replace the tone plan for ``plan.country`` (upper-case ISO 3166 alpha-2)."""
    _PLANS[plan.country.upper()] = plan


def tone_plans() -> Mapping[str, TonePlan]:
    """A copy of the registered plans, by country code."""
    return dict(_PLANS)


def get_tone_plan(country: str | None = None) -> TonePlan:
    """The plan for ``country`` (case-insensitive, ``"UK"`` accepted for GB); the default when ``None``."""
    code = (country or DEFAULT_COUNTRY).strip().upper()
    if code == "UK":
        code = "GB"
    try:
        return _PLANS[code]
    except KeyError:
        raise UnknownCountryError(code, sorted(_PLANS)) from None


for _plan in (DK, DE, GB, US):
    register_tone_plan(_plan)


# --- Generator ----------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Burst:
    """A segment rendered to sample counts at one sample rate."""

    samples: int | None
    frequencies: tuple[float, ...]
    amplitude: float
    ramp_in: bool
    ramp_out: bool


class ToneGenerator:
    """Continuous 20 ms ``int16`` frames of a :class:`Tone` at ``sample_rate`` Hz.

    Iterate over it (or call :meth:`next_frame`). A repeating tone never ends; a one-shot tone ends after
    its last segment (the last frame is padded with silence) and :attr:`finished` becomes true, after
    which :meth:`next_frame` returns silence.
    """

    def __init__(self, tone: Tone, sample_rate: int, *, frame_ms: int = FRAME_MS) -> None:
        if sample_rate <= 0 or frame_ms <= 0:
            raise ValueError("sample_rate and frame_ms must be positive")
        self.tone = tone
        self.sample_rate = sample_rate
        self.frame_samples = sample_rate * frame_ms // 1000
        self._ramp = max(1, round(RAMP_S * sample_rate))
        self._bursts = self._render(tone)
        self._index = 0
        self._offset = 0
        self._done = False
        # One free-running oscillator per frequency, as its phase at the start of the next frame.
        self._phases: dict[float, float] = {f: 0.0 for b in self._bursts for f in b.frequencies}
        self._positions = np.arange(self.frame_samples, dtype=np.float64)
        # Half raised-cosine rise from 0 to 1 over the ramp length.
        self._rise = 0.5 - 0.5 * np.cos(np.pi * (np.arange(self._ramp) + 0.5) / self._ramp)

    def _render(self, tone: Tone) -> list[_Burst]:
        segs = tone.segments
        bursts: list[_Burst] = []
        count = len(segs)
        for i, seg in enumerate(segs):
            samples = None if seg.duration_s is None else max(1, round(seg.duration_s * self.sample_rate))
            if seg.silent:
                bursts.append(_Burst(samples, (), 0.0, False, False))
                continue
            prev = segs[i - 1] if i > 0 or tone.repeat else None
            nxt = segs[(i + 1) % count] if i < count - 1 or tone.repeat else None
            bursts.append(
                _Burst(
                    samples,
                    seg.frequencies,
                    dbm0_to_amplitude(seg.level_dbm0),
                    ramp_in=prev is None or prev is seg or prev.frequencies != seg.frequencies,
                    ramp_out=samples is not None
                    and (nxt is None or nxt is seg or nxt.frequencies != seg.frequencies),
                )
            )
        return bursts

    @property
    def finished(self) -> bool:
        """True once a one-shot tone has played completely (never for a repeating tone)."""
        return self._done

    def __iter__(self) -> Iterator[npt.NDArray[np.int16]]:
        return self

    def __next__(self) -> npt.NDArray[np.int16]:
        if self._done:
            raise StopIteration
        return self.next_frame()

    def next_frame(self) -> npt.NDArray[np.int16]:
        """The next frame; silence once a one-shot tone has finished."""
        n = self.frame_samples
        out = np.zeros(n, dtype=np.float64)
        pos = 0
        while pos < n and not self._done:
            burst = self._bursts[self._index]
            left = n - pos if burst.samples is None else min(n - pos, burst.samples - self._offset)
            if burst.frequencies:
                out[pos : pos + left] = self._burst_samples(burst, pos, left)
            pos += left
            self._offset += left
            if burst.samples is not None and self._offset >= burst.samples:
                self._offset = 0
                self._index += 1
                if self._index == len(self._bursts):
                    self._index = 0
                    self._done = not self.tone.repeat
        self._advance_phases(n)
        return np.clip(np.rint(out), -32768, INT16_MAX).astype(np.int16)

    def _burst_samples(self, burst: _Burst, pos: int, count: int) -> npt.NDArray[np.float64]:
        """``count`` samples of ``burst`` starting at frame position ``pos``, with edge ramps."""
        idx = self._positions[pos : pos + count]
        wave = np.zeros(count, dtype=np.float64)
        for freq in burst.frequencies:
            phase = self._phases[freq]
            wave += np.sin(phase + (2.0 * math.pi * freq / self.sample_rate) * idx)
        wave *= burst.amplitude
        start = self._offset  # position inside the burst of the first sample
        if burst.ramp_in and start < self._ramp:
            k = min(count, self._ramp - start)
            wave[:k] *= self._rise[start : start + k]
        if burst.ramp_out and burst.samples is not None:
            ramp_from = burst.samples - self._ramp
            end = start + count
            if end > ramp_from:
                a = max(start, ramp_from)
                # falling edge: mirror of the rise, indexed by distance to the burst's end
                dist = burst.samples - 1 - np.arange(a, end)
                wave[a - start :] *= self._rise[dist]
        return wave

    def _advance_phases(self, n: int) -> None:
        """Move every oscillator on by one frame, whether or not it sounded, wrapped to [0, 2*pi)."""
        for freq, phase in self._phases.items():
            self._phases[freq] = (phase + 2.0 * math.pi * freq * n / self.sample_rate) % (2.0 * math.pi)
