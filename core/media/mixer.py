"""N-party conference mixing of 20 ms 16-bit PCM frames (sans-IO, numpy).

Every participant hears the sum of everyone else: the mixer adds all contributions once (int32) and gives
each participant that total minus its own contribution, so a frame costs O(N) whatever the size of the
room. Muted participants and participants without a frame this tick contribute silence; sums are clipped
to the int16 range (saturation, never wrap-around). Join and leave beeps from
:mod:`cordboard.core.media.tones` are mixed into what everyone hears.

One rate per conference (8 or 16 kHz); the call-control layer resamples or transcodes to it.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Final

import numpy as np
import numpy.typing as npt

from cordboard.core.media.tones import JOIN_TONE, LEAVE_TONE, Tone, ToneGenerator

SAMPLE_RATES: Final = (8000, 16000)
FRAME_MS: Final = 20
INT16_MIN: Final = -32768
INT16_MAX: Final = 32767

Frame = npt.NDArray[np.int16]


class UnknownParticipant(KeyError):
    """The participant id is not in the conference."""


class ConferenceMixer:
    """Mixes one conference: :meth:`push` each participant's frame, then :meth:`mix` once per tick."""

    def __init__(
        self,
        sample_rate: int = 8000,
        *,
        join_tone: Tone | None = JOIN_TONE,
        leave_tone: Tone | None = LEAVE_TONE,
    ) -> None:
        if sample_rate not in SAMPLE_RATES:
            raise ValueError(f"sample rate {sample_rate} Hz is not one of {SAMPLE_RATES}")
        self.sample_rate = sample_rate
        self.frame_samples = sample_rate * FRAME_MS // 1000
        self.join_tone = join_tone
        self.leave_tone = leave_tone
        self._rows: dict[Hashable, int] = {}
        self._ids: list[Hashable] = []
        self._muted: list[bool] = []
        self._inputs = np.zeros((4, self.frame_samples), dtype=np.int32)
        self._tones: list[ToneGenerator] = []

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, participant_id: object) -> bool:
        return participant_id in self._rows

    @property
    def participants(self) -> tuple[Hashable, ...]:
        return tuple(self._ids)

    def _row(self, participant_id: Hashable) -> int:
        try:
            return self._rows[participant_id]
        except KeyError:
            raise UnknownParticipant(participant_id) from None

    def add(self, participant_id: Hashable, *, muted: bool = False, announce: bool = True) -> None:
        """Add a participant; everyone (the newcomer too) hears the join tone unless ``announce`` is false."""
        if participant_id in self._rows:
            raise ValueError(f"participant {participant_id!r} is already in the conference")
        row = len(self._ids)
        if row == self._inputs.shape[0]:
            grown = np.zeros((2 * row, self.frame_samples), dtype=np.int32)
            grown[:row] = self._inputs
            self._inputs = grown
        self._inputs[row] = 0
        self._rows[participant_id] = row
        self._ids.append(participant_id)
        self._muted.append(muted)
        if announce:
            self.play_tone(self.join_tone)

    def remove(self, participant_id: Hashable, *, announce: bool = True) -> None:
        """Remove a participant; the others hear the leave tone unless ``announce`` is false."""
        row = self._row(participant_id)
        last = len(self._ids) - 1
        if row != last:  # move the last participant into the freed row
            moved = self._ids[last]
            self._inputs[row] = self._inputs[last]
            self._ids[row] = moved
            self._muted[row] = self._muted[last]
            self._rows[moved] = row
        self._ids.pop()
        self._muted.pop()
        del self._rows[participant_id]
        self._inputs[last] = 0
        if announce and self._ids:
            self.play_tone(self.leave_tone)

    def set_muted(self, participant_id: Hashable, muted: bool) -> None:
        """Mute or unmute; a muted participant still hears the others but is not heard."""
        row = self._row(participant_id)
        self._muted[row] = muted
        if muted:
            self._inputs[row] = 0

    def is_muted(self, participant_id: Hashable) -> bool:
        return self._muted[self._row(participant_id)]

    def push(self, participant_id: Hashable, frame: npt.NDArray[np.int16]) -> None:
        """This tick's frame from a participant (the last push before :meth:`mix` wins)."""
        row = self._row(participant_id)
        if frame.shape != (self.frame_samples,):
            raise ValueError(
                f"frame has shape {frame.shape}, expected ({self.frame_samples},) "
                f"for {FRAME_MS} ms at {self.sample_rate} Hz"
            )
        if frame.dtype != np.int16:
            raise ValueError(f"frame dtype is {frame.dtype}, expected int16")
        if not self._muted[row]:
            self._inputs[row] = frame

    def play_tone(self, tone: Tone | None) -> None:
        """Mix a one-shot tone into what every participant hears, starting with the next :meth:`mix`."""
        if tone is not None:
            self._tones.append(ToneGenerator(tone, self.sample_rate, frame_ms=FRAME_MS))

    def mix(self) -> dict[Hashable, Frame]:
        """One tick: what each participant hears (everyone else, plus tones); then inputs reset to silence."""
        count = len(self._ids)
        inputs = self._inputs[:count]
        total = inputs.sum(axis=0, dtype=np.int32)
        if self._tones:
            total += self._tone_frame()
        heard = total[np.newaxis, :] - inputs
        np.clip(heard, INT16_MIN, INT16_MAX, out=heard)
        frames = heard.astype(np.int16)
        inputs.fill(0)  # a participant who pushes nothing next tick is silent
        return {pid: frames[i] for i, pid in enumerate(self._ids)}

    def _tone_frame(self) -> npt.NDArray[np.int32]:
        """Sum of the next frame of every active tone; finished tones are dropped."""
        mixed = np.zeros(self.frame_samples, dtype=np.int32)
        for gen in self._tones:
            mixed += gen.next_frame()
        self._tones = [gen for gen in self._tones if not gen.finished]
        return mixed
