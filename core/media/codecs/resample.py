"""Sample-rate conversion between 8, 16 and 48 kHz for transcoding: a polyphase FIR in numpy.

One ``Resampler`` per stream and direction keeps the filter's history across frames, so frame
edges do not click and every 20 ms in gives exactly 20 ms out (160 <-> 320 <-> 960 samples). The
filter is a Kaiser-windowed sinc low-pass at the lower rate's Nyquist frequency: flat to 85% of
it, 70 dB down at it. Only integer ratios are handled (one rate divides the other), which covers
every codec rate here; files in other rates are converted once through PyAV.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from cordboard.core.media.codecs.base import CodecError, Pcm

PASSBAND: Final = 0.85
"""Flat (within ~0.01 dB) up to this fraction of the lower rate's Nyquist frequency."""
ATTENUATION_DB: Final = 70.0
"""Stopband attenuation from the lower rate's Nyquist frequency up."""

Floats = npt.NDArray[np.float64]


def lowpass(up: int, low_rate: int, filter_rate: int) -> Floats:
    """Kaiser-windowed sinc taps at ``filter_rate`` for a conversion whose lower rate is ``low_rate``.

    The length follows Kaiser's estimate for ``ATTENUATION_DB`` over the transition band, rounded up
    to a whole number of ``up`` phases; the DC gain is ``up`` (zero stuffing loses that factor).
    """
    nyquist = low_rate / 2
    transition = (1.0 - PASSBAND) * nyquist
    cutoff = nyquist - transition / 2
    beta = 0.1102 * (ATTENUATION_DB - 8.7)
    count = math.ceil((ATTENUATION_DB - 8.0) / (2.285 * 2 * math.pi * transition / filter_rate)) + 1
    count = math.ceil(count / up) * up
    centre = (count - 1) / 2
    relative = 2 * cutoff / filter_rate
    taps = relative * np.sinc(relative * (np.arange(count) - centre)) * np.kaiser(count, beta)
    return taps * (up / taps.sum())


class Resampler:
    """Stateful conversion of one mono int16 stream from ``from_rate`` to ``to_rate``.

    ``process`` takes any number of samples and returns every output sample they complete: for a
    chunk whose length is a multiple of the down-sampling factor, exactly ``len * to / from``. The
    output lags the input by the filter's group delay (``delay`` output samples: about 3.6 ms when
    one side is 8 kHz, 1.8 ms for 16 <-> 48 kHz).
    """

    __slots__ = ("_down", "_history", "_phases", "_skip", "_taps", "_up", "from_rate", "to_rate")

    def __init__(self, from_rate: int, to_rate: int) -> None:
        if from_rate <= 0 or to_rate <= 0:
            raise CodecError(f"sample rates must be positive, not {from_rate} -> {to_rate}")
        if to_rate % from_rate and from_rate % to_rate:
            raise CodecError(f"cannot resample {from_rate} -> {to_rate} Hz: one rate must divide the other")
        self.from_rate = from_rate
        self.to_rate = to_rate
        self._up = max(1, to_rate // from_rate)
        self._down = max(1, from_rate // to_rate)
        self._skip = 0
        """Input samples to pass before the next output is due (down-sampling only)."""
        if self._up == self._down == 1:
            self._taps: Floats = np.ones(1)
            self._phases: Floats = np.ones((1, 1))
        else:
            taps = lowpass(self._up, min(from_rate, to_rate), from_rate * self._up)
            # Each window holds the newest input last, so every phase's taps are reversed.
            self._taps = taps[::-1].copy()
            self._phases = taps.reshape(-1, self._up).T[:, ::-1].copy()
        width = self._phases.shape[1] if self._up > 1 else self._taps.shape[0]
        self._history: Floats = np.zeros(width - 1)

    @property
    def delay(self) -> float:
        """Group delay in output samples."""
        if self._up == self._down == 1:
            return 0.0
        filter_delay = (self._phases.size - 1) / 2 if self._up > 1 else (self._taps.size - 1) / 2
        return filter_delay / self._down

    def process(self, pcm: Pcm) -> Pcm:
        """Convert the next chunk of the stream."""
        if self._up == self._down == 1:
            return pcm
        if pcm.ndim != 1:
            raise CodecError(f"resampler takes 1-D PCM, not shape {pcm.shape}")
        buffer = np.concatenate((self._history, pcm.astype(np.float64)))
        if self._history.size:
            self._history = buffer[buffer.size - self._history.size :]
        if self._up > 1:
            windows = sliding_window_view(buffer, self._phases.shape[1])
            out = (windows @ self._phases.T).reshape(-1)
        else:
            windows = sliding_window_view(buffer, self._taps.shape[0])[self._skip :: self._down]
            out = windows @ self._taps
            self._skip = (self._skip - pcm.shape[0]) % self._down
        return np.clip(np.rint(out), -32768, 32767).astype(np.int16)
