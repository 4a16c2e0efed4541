"""A channel's own media: the appliance itself sends and receives the audio of one call leg.

Where the relay only forwards packets, a ``MediaEndpoint`` terminates RTP: received packets go
through the jitter buffer and the decoder to 20 ms PCM frames (for recording, in-band DTMF
detection, mixing), RFC 4733 telephone-events become DTMF events, and what the channel plays is
encoded and sent on a paced 20 ms clock (silence when nothing plays, which keeps NAT bindings
open). One loop timer per endpoint drives both directions; the sockets live in the relay's
``MediaReactor``. Only channels that need it pay for it: a plain two-party call stays on the relay.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections import deque
from collections.abc import Callable
from typing import Final

import numpy as np
import numpy.typing as npt

from cordboard.core.media.clock import MediaClock
from cordboard.core.media.codecs.base import Codec, Decoder, Encoder
from cordboard.core.media.codecs.resample import Resampler
from cordboard.core.media.dtmf_detect import SAMPLE_RATES as DTMF_SAMPLE_RATES
from cordboard.core.media.dtmf_detect import DtmfDetector
from cordboard.core.media.dtmf_event import DtmfEvent
from cordboard.core.media.pacer import RtpClock
from cordboard.core.media.stats import MediaStats
from cordboard.core.rtp.dtmf import DtmfPacket, DtmfReceiver, DtmfSender
from cordboard.core.rtp.jitterbuffer import LOSS, JitterBuffer
from cordboard.core.rtp.packet import RtpHeader, RtpParseError, payload_of, rtp_packet
from cordboard.core.rtp.ports import PortPair
from cordboard.core.rtp.transport import Address, MediaReactor, UdpEndpoint

_LOGGER = logging.getLogger(__name__)

Pcm = npt.NDArray[np.int16]
FRAME_MS: Final = 20
STREAM_DEPTH: Final = 4
"""Frames of a live source kept at most (80 ms): two clocks drifting apart drop the oldest."""
MAX_RECEIVE_CATCH_UP: Final = 50
"""Received frames taken out of the jitter buffer at most for ticks the clock skipped (a second)."""
STREAM_START: Final = 2
"""Frames a live source must have queued before they are sent: one frame of slack, so timer jitter
between the source's clock and ours does not cut gaps into the audio."""
INBAND_OVERLAP_S: Final = 0.5
"""A phone's first RFC 4733 digit that began this soon after the in-band detector reported the same
digit is that key press again (the phone sent its tone in the audio before the events)."""


class MediaEndpoint:
    """Terminates one RTP stream: decode to frames, encode what plays, RFC 4733 both ways."""

    def __init__(
        self,
        *,
        reactor: MediaReactor,
        pair: PortPair,
        codec: Codec,
        payload_type: int,
        dtmf_payload_type: int | None = None,
        dtmf_clock_rate: int = 8000,
        clock: MediaClock | None = None,
    ) -> None:
        self.pair = pair
        self.clock = clock if clock is not None else MediaClock()
        self.stats: MediaStats = self.clock.stats
        self.codec = codec
        self.payload_type = payload_type
        self.dtmf_payload_type = dtmf_payload_type
        self.sample_rate = codec.sample_rate
        self.frame_samples = self.sample_rate * FRAME_MS // 1000
        self.remote: Address | None = None
        self.on_dtmf: Callable[[DtmfEvent], None] | None = None
        self.listeners: list[Callable[[Pcm], None]] = []
        """Called with every received 20 ms frame (decoded, or concealed when a packet was lost)."""
        self.packets_in = self.packets_out = self.ignored = 0
        self._reactor = reactor
        self._encoder: Encoder = codec.encoder()
        self._decoder: Decoder = codec.decoder()
        self._jitter = JitterBuffer(clock_rate=codec.clock_rate, frame_ms=FRAME_MS)
        self._dtmf_in = DtmfReceiver(clock_rate=dtmf_clock_rate)
        self._dtmf_out = DtmfSender(clock_rate=dtmf_clock_rate, interval_ms=FRAME_MS)
        # In-band detection until the phone's first RFC 4733 packet, telephone-event negotiated or
        # not: misconfigured phones offer it and still send tones in the audio. From that packet on
        # only RFC 4733 counts, so a phone sending both has each digit reported once. It runs only
        # while someone waits for digits (``listen_inband``): on speech it costs more than the rest
        # of the channel's media together.
        self._inband: DtmfDetector | None = _inband_detector(self.sample_rate)
        self._inband_resampler = (
            Resampler(self.sample_rate, 16000) if self.sample_rate not in DTMF_SAMPLE_RATES else None
        )
        """Opus channels (48 kHz) are listened to for tones at 16 kHz."""
        self._listen_inband = False
        self._inband_last: tuple[str, float] | None = None
        """The latest in-band digit and when it was reported, until the first RFC 4733 digit."""
        self._clock = RtpClock(codec.clock_rate, frame_ms=FRAME_MS)
        self._ssrc = secrets.randbits(32)
        self._playing: deque[tuple[Pcm, asyncio.Future[bool]]] = deque()
        self._stream: deque[Pcm] = deque(maxlen=STREAM_DEPTH)
        """Frames fed by a live source (a conference's mix), sent when nothing is played."""
        self._streaming = False
        self.source: Callable[[], Pcm] | None = None
        """A continuous source (music on hold, a ringback tone) sent when nothing else is."""
        self._position = 0
        self._dtmf_queue: deque[tuple[str, int]] = deque()
        self._dtmf_packets: deque[DtmfPacket] = deque()
        self._dtmf_started_frame = 0
        self._silence = np.zeros(self.frame_samples, dtype=np.int16)
        self._endpoints: list[UdpEndpoint] = []
        self._member: tuple[int, int] | None = None
        self._last_index: int | None = None
        """The clock's frame index of the latest tick (a gap means ticks were skipped)."""
        """The clock's key for this endpoint and the clock's frame index it started at."""
        self._loop: asyncio.AbstractEventLoop | None = None
        self.closed = False

    @property
    def listen_inband(self) -> bool:
        """Whether tones in the received audio are detected as digits (a plugin waits for some)."""
        return self._listen_inband

    @listen_inband.setter
    def listen_inband(self, on: bool) -> None:
        if on and not self._listen_inband and self._inband is not None:
            self._inband = _inband_detector(self.sample_rate)  # no audio from before the wait
        self._listen_inband = on

    @property
    def rtp_port(self) -> int:
        return self.pair.rtp_port

    def set_remote(self, host: str, port: int) -> None:
        """Where the phone said it receives audio (SDP); the first packet from it latches anyway."""
        self.remote = (host, port)

    def start(self) -> None:
        """Start receiving and the 20 ms clock (the endpoint sends silence until something plays);
        starting again does nothing."""
        if self._member is not None or self.closed:
            return
        self._loop = asyncio.get_running_loop()
        self._endpoints.append(self._reactor.add(self.pair.rtp_sock, self._receive))
        self._endpoints.append(self._reactor.add(self.pair.rtcp_sock, _ignore))
        self._member = self.clock.add(self._frame)
        self.stats.open += 1

    def close(self) -> None:
        """Stop the clock, close the sockets and end every pending play (their futures give False)."""
        if self.closed:
            return
        self.closed = True
        if self._member is not None:
            self.stats.open -= 1
            self.clock.remove(self._member[0])
        for endpoint in self._endpoints:
            endpoint.close()
        if not self._endpoints:
            self.pair.rtp_sock.close()
            self.pair.rtcp_sock.close()
        self.stop_playing()
        # Drop what points back at the call (a channel's bound methods, a room's inbox): the call's
        # objects are then freed at once by reference counting, not by a cyclic collection that
        # stalls the loop for every channel still playing.
        self.on_dtmf = None
        self.listeners.clear()
        self.source = None
        self._stream.clear()

    # -- sending ------------------------------------------------------------------------------
    def play(self, samples: Pcm) -> asyncio.Future[bool]:
        """Queue audio (int16 at the codec's sample rate); the future gives True when it has all
        been sent, False when it was stopped or the endpoint closed."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        if self.closed:
            future.set_result(False)
        else:
            self._playing.append((np.asarray(samples, dtype=np.int16).ravel(), future))
        return future

    def feed(self, frame: Pcm) -> None:
        """A 20 ms frame from a live source (a conference); sent when no prompt is playing."""
        self._stream.append(frame)

    def stop_playing(self) -> None:
        """Drop what is playing and queued (DTMF barge-in, hang-up)."""
        while self._playing:
            _samples, future = self._playing.popleft()
            if not future.done():
                future.set_result(False)
        self._position = 0

    def send_dtmf(self, digits: str, duration_ms: int = 100) -> None:
        """Send digits as RFC 4733 events (needs a negotiated telephone-event payload type)."""
        if self.dtmf_payload_type is None:
            raise ValueError("the far end did not offer telephone-event: RFC 4733 DTMF cannot be sent")
        for digit in digits:
            self._dtmf_queue.append((digit, duration_ms))

    def _next_frame(self) -> Pcm:
        while self._playing:
            samples, future = self._playing[0]
            if future.cancelled():
                self._playing.popleft()
                self._position = 0
                continue
            start = self._position
            if start >= samples.size:
                self._playing.popleft()
                self._position = 0
                future.set_result(True)
                continue
            frame = samples[start : start + self.frame_samples]
            self._position = start + self.frame_samples
            if frame.size < self.frame_samples:
                frame = np.concatenate([frame, self._silence[: self.frame_samples - frame.size]])
            return frame
        stream = self._stream
        if stream and (self._streaming or len(stream) >= STREAM_START):
            self._streaming = True
            return stream.popleft()
        self._streaming = False  # ran dry: wait for STREAM_START frames again, not one at a time
        if self.source is not None:
            return self.source()
        return self._silence

    def _send_frame(self, index: int) -> None:
        stamp = self._clock.stamp(index)
        if self._dtmf_packets or self._dtmf_queue:
            self._send_dtmf_packets(index, stamp.sequence)
            return
        payload = self._encoder.encode(self._next_frame())
        self._send(stamp.marker, self.payload_type, stamp.sequence, stamp.timestamp, payload)

    def _send_dtmf_packets(self, index: int, sequence: int) -> None:
        # During a digit its telephone-event packets replace the audio packets (RFC 4733 2.5.1.1);
        # they come one per 20 ms, the end packet three times, so one goes out per frame.
        assert self.dtmf_payload_type is not None
        if not self._dtmf_packets:
            digit, duration_ms = self._dtmf_queue.popleft()
            self._dtmf_started_frame = index
            self._dtmf_packets.extend(
                self._dtmf_out.packets(digit, self._clock.timestamp(index), duration_ms)
            )
        due = (index - self._dtmf_started_frame) * FRAME_MS / 1000
        if self._dtmf_packets[0].send_at <= due + 1e-9:
            packet = self._dtmf_packets.popleft()
            self._send(packet.marker, self.dtmf_payload_type, sequence, packet.timestamp, packet.payload)

    def _send(self, marker: bool, payload_type: int, sequence: int, timestamp: int, payload: bytes) -> None:
        if self.remote is None or not self._endpoints:
            return
        try:
            self._endpoints[0].sendto(
                rtp_packet(payload_type, sequence, timestamp, self._ssrc, payload, marker=marker), self.remote
            )
            self.packets_out += 1
        except OSError as err:
            if _LOGGER.isEnabledFor(logging.DEBUG):
                _LOGGER.debug("RTP send to %s failed: %s", self.remote, err)

    # -- receiving ----------------------------------------------------------------------------
    def _receive(self, data: bytes, addr: Address) -> None:
        try:
            header = RtpHeader.parse(data)
        except RtpParseError:
            self.ignored += 1
            return
        if self.remote is not None and addr[0] != self.remote[0]:
            self.ignored += 1  # not from the phone's host: RTP bleed or a scan
            return
        self.remote = addr  # symmetric RTP: answer where the phone sends from (NAT)
        self.packets_in += 1
        payload = payload_of(data, header)
        assert self._loop is not None
        now = self._loop.time()
        if header.payload_type == self.payload_type:
            self._jitter.put(
                header.sequence, header.timestamp, payload, now, ssrc=header.ssrc, marker=header.marker
            )
        elif self.dtmf_payload_type is not None and header.payload_type == self.dtmf_payload_type:
            self._inband = None  # the phone sends RFC 4733: tones still in its audio are echoes of it
            for event in self._dtmf_in.feed(header.timestamp, header.sequence, header.marker, payload, now):
                if self._inband_last is not None:
                    digit, reported = self._inband_last
                    self._inband_last = None
                    if (
                        event.digit == digit
                        and event.at is not None
                        and event.at - reported < INBAND_OVERLAP_S
                    ):
                        continue  # the key press the detector reported from the tone sent before it
                self._dtmf(event)
        else:
            self.ignored += 1

    def _dtmf(self, event: DtmfEvent) -> None:
        if self.on_dtmf is not None:
            self.on_dtmf(event)

    def _receive_frame(self, now: float) -> None:
        payload = self._jitter.get(now)
        heard: Pcm | None = None
        if payload is not None:
            try:
                frame = self._decoder.conceal() if payload is LOSS else self._decoder.decode(payload)
                heard = None if payload is LOSS else frame
            except ValueError:
                self.ignored += 1
                frame = self._decoder.conceal()
            for listener in list(self.listeners):
                listener(frame)
        if self._inband is not None and self._listen_inband:
            # Concealed or missing audio is skipped, not fed: it would split a key press in two.
            if heard is None:
                events = self._inband.skip(self._inband.sample_rate * FRAME_MS // 1000)
            else:
                resampler = self._inband_resampler
                events = self._inband.feed(resampler.process(heard) if resampler else heard)
            for event in events:
                self._inband_last = (event.digit, now)
                self._dtmf(event)

    # -- the 20 ms clock ----------------------------------------------------------------------
    def _frame(self, index: int, now: float) -> None:
        """One 20 ms tick of the shared clock: send a frame, take a frame from the jitter buffer."""
        assert self._member is not None
        # After a stall the clock skips overdue ticks (nothing is sent in a burst), but what the
        # phone sent meanwhile is still played out of the jitter buffer frame by frame: skipping
        # those would cut it out of recordings and conferences.
        last = self._last_index if self._last_index is not None else index - 1
        for _missed in range(min(index - last - 1, MAX_RECEIVE_CATCH_UP)):
            self._receive_frame(now)
        self._last_index = index
        self._send_frame(index - self._member[1])
        self._receive_frame(now)
        if self._dtmf_in.get_timer() is not None:
            for event in self._dtmf_in.handle_timer(now):
                self._dtmf(event)


def _inband_detector(sample_rate: int) -> DtmfDetector:
    return DtmfDetector(sample_rate if sample_rate in DTMF_SAMPLE_RATES else 16000)


def _ignore(data: bytes, addr: Address) -> None:
    """RTCP from the phone: not used yet (the endpoint sends none either)."""
