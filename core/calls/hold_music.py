"""Music on hold for relayed calls (MOH-01..03): when one phone puts the other on hold, the held
phone hears the holder's music-on-hold class instead of silence.

The hold re-INVITE passes through the B2BUA as usual (the held phone answers recvonly); then the
relay stops forwarding to the held phone and this sends it the music, encoded in the codec its
answer named, from the relay's own socket for that phone (the address it already sends to and
latches on), paced by the shared media clock. Unhold or hang-up stops it and forwarding resumes.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

from cordboard.core.media.clock import MediaClock
from cordboard.core.media.codecs.base import Codec, Encoder
from cordboard.core.media.endpoint import FRAME_MS, Pcm
from cordboard.core.media.pacer import RtpClock
from cordboard.core.rtp.packet import rtp_packet
from cordboard.core.rtp.relay import RelayLeg
from cordboard.core.sip.sdp import SessionDescription

_LOGGER = logging.getLogger(__name__)


class HoldMusic:
    """Sends a music source to the far end of one relay leg until ``stop``."""

    def __init__(
        self,
        leg: RelayLeg,
        codec: Codec,
        payload_type: int,
        source: Callable[[], Pcm],
        clock: MediaClock,
    ) -> None:
        self.leg = leg
        self.codec = codec
        self._payload_type = payload_type
        self._source = source
        self._clock = clock
        self._encoder: Encoder = codec.encoder()
        self._rtp_clock = RtpClock(codec.clock_rate, frame_ms=FRAME_MS)
        self._ssrc = secrets.randbits(32)
        self._member: tuple[int, int] | None = None
        self.packets_sent = 0

    @property
    def playing(self) -> bool:
        return self._member is not None

    def start(self) -> None:
        if self._member is None and not self.leg.closed:
            self.leg.rtp.send_enabled = False  # the holder's audio (silence, comfort noise) stops
            self._member = self._clock.add(self._frame)

    def stop(self) -> None:
        if self._member is not None:
            self._clock.remove(self._member[0])
            self._member = None
            self.leg.rtp.send_enabled = True

    def _frame(self, index: int, _now: float) -> None:
        assert self._member is not None
        remote = self.leg.rtp.remote
        if remote is None or self.leg.closed:
            return
        stamp = self._rtp_clock.stamp(index - self._member[1])
        payload = self._encoder.encode(self._source())
        packet = rtp_packet(
            self._payload_type, stamp.sequence, stamp.timestamp, self._ssrc, payload, marker=stamp.marker
        )
        try:
            self.leg.rtp.send(packet, remote)
            self.packets_sent += 1
        except OSError as err:
            _LOGGER.debug("Music on hold to %s failed: %s", remote, err)


def receive_codec(sdp: SessionDescription) -> tuple[Codec, int] | None:
    """The codec (and payload type) a phone's SDP says it receives first, if Cordboard speaks it."""
    from cordboard.core.calls.media import first_audio_index
    from cordboard.core.media.codecs import find_codec

    index = first_audio_index(sdp)
    if index is None:
        return None
    media = sdp.media[index]
    rtpmaps = media.rtpmaps()
    for payload_type in media.payload_types:
        mapped = rtpmaps.get(payload_type)
        codec = find_codec(mapped.name, mapped.clock_rate) if mapped is not None else None
        if codec is not None:
            return codec, payload_type
    return None
