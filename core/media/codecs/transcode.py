"""Transcoding one direction of a call whose two legs share no codec (BYD-04): payload in, payloads out.

The bridge normally relays RTP untouched (the SDP negotiation prefers a codec both legs have). When
there is none, each direction gets a ``Transcoder``: decode with the source leg's codec, resample
to the target codec's PCM rate, re-frame into the target's 20 ms frames and encode. A payload the
source decoder cannot read, or a packet reported lost, is replaced by the decoder's concealment, so
the outgoing stream keeps its rhythm and a bad packet never ends the call.
"""

from __future__ import annotations

import logging
from typing import final

import numpy as np

from cordboard.core.media.codecs.base import Codec, CodecError, Pcm
from cordboard.core.media.codecs.resample import Resampler

_LOGGER = logging.getLogger(__name__)


@final
class Transcoder:
    """``source`` payloads to ``target`` payloads for one RTP stream (one direction of one call).

    With 20 ms packets on both sides every ``transcode`` call returns exactly one payload; other
    packet durations on the source side are re-framed, so a call may return none or several.
    """

    __slots__ = (
        "_decoder",
        "_encoder",
        "_frame",
        "_pending",
        "_resampler",
        "bad_payloads",
        "source",
        "target",
    )

    def __init__(self, source: Codec, target: Codec) -> None:
        self.source = source
        self.target = target
        self._decoder = source.decoder()
        self._encoder = target.encoder()
        self._resampler = Resampler(source.sample_rate, target.sample_rate)
        self._frame = target.spec.frame_samples
        self._pending: Pcm = np.zeros(0, dtype=np.int16)
        self.bad_payloads = 0
        """Source payloads that could not be decoded and were concealed instead."""

    def transcode(self, payload: bytes) -> list[bytes]:
        """The target payloads completed by one source payload (concealed if it is unreadable)."""
        try:
            pcm = self._decoder.decode(payload)
        except CodecError as err:
            self.bad_payloads += 1
            if self.bad_payloads == 1:
                _LOGGER.info(
                    "%s -> %s: concealing an unreadable payload: %s", self.source.name, self.target.name, err
                )
            pcm = self._decoder.conceal()
        return self._push(pcm)

    def lost(self) -> list[bytes]:
        """The target payloads for one lost 20 ms source packet (the source decoder's concealment)."""
        return self._push(self._decoder.conceal())

    def _push(self, pcm: Pcm) -> list[bytes]:
        converted = self._resampler.process(pcm)
        if not self._pending.size and converted.shape[0] == self._frame:
            return [self._encoder.encode(converted)]
        pending = np.concatenate((self._pending, converted)) if self._pending.size else converted
        whole = pending.shape[0] // self._frame * self._frame
        self._pending = pending[whole:].copy()
        return [
            self._encoder.encode(pending[start : start + self._frame])
            for start in range(0, whole, self._frame)
        ]
