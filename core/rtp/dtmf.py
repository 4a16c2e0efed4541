"""RFC 4733 telephone-event (DTMF over RTP, BYD-05): the payload, a sender and a receiver, sans-IO.

The sender turns one digit into the packets to send and when; the receiver turns received packets
into exactly one :class:`~cordboard.core.media.dtmf_event.DtmfEvent` per digit. Neither touches a
socket or a clock: RTP sequence numbers, SSRC and payload type belong to the RTP session that
carries the packets, and time is passed in as ``now`` (seconds, any monotonic origin).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Final

from cordboard.core.media.dtmf_event import DTMF_DIGITS, DtmfEvent, digit_to_code

_PAYLOAD: Final = struct.Struct("!BBH")
PAYLOAD_LEN: Final = 4
MAX_DURATION: Final = 0xFFFF
"""The largest duration field; longer events are sent as segments (RFC 4733 2.5.1.3)."""
MAX_VOLUME: Final = 63
END_REPEATS: Final = 3
"""RFC 4733 2.5.1.4: the final packet of an event (and of a segment) is sent three times."""
SUPPORTED_RATES: Final = (8000, 16000)
_TS_MOD: Final = 1 << 32
_TS_HALF: Final = 1 << 31


class TelephoneEventParseError(ValueError):
    """The payload is not a telephone-event payload; the message says why."""


@dataclass(frozen=True, slots=True)
class TelephoneEvent:
    """One telephone-event payload (RFC 4733 2.3): event, E bit, R bit, volume and duration."""

    event: int
    """Event code 0-255; 0-15 are the DTMF digits (RFC 4733 3.2)."""
    end: bool = False
    """The E bit: this packet reports the end of the event (or segment)."""
    volume: int = 10
    """Power level of the tone as a positive number of dB below 0 dBm0 (0-63)."""
    duration: int = 0
    """Duration so far in RTP timestamp units, counted from the packet's timestamp (0-65535)."""
    reserved: bool = False
    """The R bit: sent as zero, ignored on receipt (kept so that parse/bytes round-trip)."""

    def __post_init__(self) -> None:
        if not 0 <= self.event <= 0xFF:
            raise ValueError(f"telephone-event code out of range: {self.event}")
        if not 0 <= self.volume <= MAX_VOLUME:
            raise ValueError(f"telephone-event volume out of range: {self.volume}")
        if not 0 <= self.duration <= MAX_DURATION:
            raise ValueError(f"telephone-event duration out of range: {self.duration}")

    @property
    def digit(self) -> str | None:
        """The DTMF digit of this event, or None for events other than 0-15."""
        return DTMF_DIGITS[self.event] if self.event < len(DTMF_DIGITS) else None

    @classmethod
    def parse(cls, data: bytes) -> TelephoneEvent:
        """Parse a 4-byte payload; anything else raises :class:`TelephoneEventParseError`."""
        if len(data) != PAYLOAD_LEN:
            raise TelephoneEventParseError(f"telephone-event payload is {len(data)} bytes, not 4")
        event, flags, duration = _PAYLOAD.unpack(data)
        return cls(
            event=event,
            end=bool(flags & 0x80),
            reserved=bool(flags & 0x40),
            volume=flags & 0x3F,
            duration=duration,
        )

    def __bytes__(self) -> bytes:
        flags = (0x80 if self.end else 0) | (0x40 if self.reserved else 0) | self.volume
        return _PAYLOAD.pack(self.event, flags, self.duration)


@dataclass(frozen=True, slots=True)
class DtmfPacket:
    """One telephone-event packet to send: the caller adds the RTP header."""

    marker: bool
    """The RTP marker bit: set on the first packet of an event only (RFC 4733 2.5.1.1)."""
    timestamp: int
    """RTP timestamp: the start of the event, or of the segment for long events (2.5.1.3)."""
    payload: bytes
    send_at: float
    """Seconds after the digit's start at which to send this packet."""


class DtmfSender:
    """Builds the packet train for a digit (RFC 4733 2.5.1, BYD-05).

    Packet ``k`` (counting from 0) is sent ``k * interval`` after the start and reports the duration
    ``(k + 1) * interval``: like an audio packet, it stands for the interval it is sent in. The last
    update reports the full duration with the E bit and is sent three times, one interval apart
    (2.5.1.4). An event longer than 65535 timestamp units is split into segments (2.5.1.3): the
    segment's last packet reports 65535 without the E bit (also three times), and the next segment
    starts at the old timestamp + 65535 without the marker bit.

    Sequence numbers are the caller's: give every packet of the returned list, in order, the next
    RTP sequence number of the stream (the three end packets get three different numbers). The
    caller also chooses ``start_timestamp`` (usually the stream's timestamp at the digit's start)
    and must not start the next digit before :meth:`span` has passed.
    """

    def __init__(
        self,
        *,
        clock_rate: int = 8000,
        interval_ms: int = 20,
        duration_ms: int = 100,
        volume: int = 10,
    ) -> None:
        if clock_rate not in SUPPORTED_RATES:
            raise ValueError(f"telephone-event clock rate must be 8000 or 16000, not {clock_rate}")
        if not 5 <= interval_ms <= 1000 or (interval_ms * clock_rate) % 1000:
            raise ValueError(f"invalid telephone-event packet interval: {interval_ms} ms")
        if not 0 <= volume <= MAX_VOLUME:
            raise ValueError(f"telephone-event volume out of range: {volume}")
        self.clock_rate = clock_rate
        self.interval_ms = interval_ms
        self.duration_ms = self._check_duration(duration_ms)
        self.volume = volume

    @staticmethod
    def _check_duration(duration_ms: int) -> int:
        if duration_ms <= 0:
            raise ValueError(f"DTMF tone duration must be positive, not {duration_ms} ms")
        return duration_ms

    def _units(self, ms: int) -> int:
        return ms * self.clock_rate // 1000

    def span(self, duration_ms: int | None = None) -> float:
        """Seconds from a digit's start until the interval after its last end packet."""
        return len(self._ticks(duration_ms)) * self.interval_ms / 1000 + (END_REPEATS - 1) * (
            self.interval_ms / 1000
        )

    def _ticks(self, duration_ms: int | None) -> list[int]:
        """The elapsed duration (timestamp units from the event start) reported at each tick."""
        total = self._units(self._check_duration(self.duration_ms if duration_ms is None else duration_ms))
        step = self._units(self.interval_ms)
        ticks = list(range(step, total, step))
        ticks.append(total)
        return ticks

    def packets(self, digit: str, start_timestamp: int, duration_ms: int | None = None) -> list[DtmfPacket]:
        """The packets for one digit, sorted by ``send_at`` (ties keep the order they must go in)."""
        event = digit_to_code(digit)
        interval = self.interval_ms / 1000
        ticks = self._ticks(duration_ms)
        out: list[tuple[float, int, DtmfPacket]] = []  # (send_at, order, packet) for a stable sort
        segment_start = 0

        def add(tick: int, elapsed_in_segment: int, *, end: bool, marker: bool, repeats: int) -> None:
            payload = bytes(
                TelephoneEvent(event=event, end=end, volume=self.volume, duration=elapsed_in_segment)
            )
            timestamp = (start_timestamp + segment_start) % _TS_MOD
            for repeat in range(repeats):
                send_at = (tick + repeat) * interval
                out.append((send_at, len(out), DtmfPacket(marker, timestamp, payload, send_at)))

        for tick, elapsed in enumerate(ticks):
            # RFC 4733 2.5.1.3: close full segments (65535 units) and continue in a new one.
            while elapsed - segment_start > MAX_DURATION:
                add(tick, MAX_DURATION, end=False, marker=False, repeats=END_REPEATS)
                segment_start += MAX_DURATION
            last = tick == len(ticks) - 1
            marker = tick == 0 and segment_start == 0
            add(tick, elapsed - segment_start, end=last, marker=marker, repeats=END_REPEATS if last else 1)
        out.sort(key=lambda item: (item[0], item[1]))
        return [packet for _, _, packet in out]


@dataclass(slots=True)
class _Event:
    """The event the receiver is tracking."""

    code: int
    timestamp: int
    """RTP timestamp of the event's first segment."""
    segment: int
    """RTP timestamp of the segment being received."""
    segment_duration: int
    """Longest duration reported for that segment."""
    started: float
    last_packet: float
    volume: int
    ended: bool = False


def _newer(a: int, b: int) -> bool:
    """True if RTP timestamp ``a`` is later than ``b`` (serial-number arithmetic, 32 bits)."""
    return 0 < (a - b) % _TS_MOD < _TS_HALF


class DtmfReceiver:
    """Turns received telephone-event packets into one :class:`DtmfEvent` per digit (BYD-05).

    Feed every packet of the telephone-event payload type with :meth:`feed`. Events are identified
    by their RTP timestamp (RFC 4733 2.5.2): updates raise the duration, the first packet with the
    E bit reports the digit, and duplicates or late packets of a reported event are dropped. The
    digit is also reported, marked ``complete=False``, when its end packets are lost (no packet for
    ``timeout`` seconds: arm a timer for :meth:`get_timer` and call :meth:`handle_timer`) or when a
    newer event starts first. A lost first packet does not matter: any packet starts the event.
    Packets that are not DTMF (wrong length, event code above 15) are counted in ``ignored``.

    The RTP sequence number is accepted for the caller's convenience but not used: RFC 4733 keys
    events on timestamps, and retransmitted end packets legitimately carry new sequence numbers.
    """

    LONG_EVENT_SLACK: Final = 8000
    """How far below 65535 a segment's reported duration may stay (lost updates) and still be
    continued by a next segment of the same digit (2.5.2.3)."""

    def __init__(self, *, clock_rate: int = 8000, timeout: float = 0.5) -> None:
        if clock_rate not in SUPPORTED_RATES:
            raise ValueError(f"telephone-event clock rate must be 8000 or 16000, not {clock_rate}")
        self.clock_rate = clock_rate
        self.timeout = timeout
        self.ignored = 0
        """Packets dropped as malformed or as events other than DTMF digits."""
        self.duplicates = 0
        """Packets dropped as repeats or late arrivals of events already handled."""
        self._current: _Event | None = None

    def get_timer(self) -> float | None:
        """When :meth:`handle_timer` must run next (an event without its end packets), or None."""
        current = self._current
        if current is None or current.ended:
            return None
        return current.last_packet + self.timeout

    def handle_timer(self, now: float) -> list[DtmfEvent]:
        """End an event whose end packets did not arrive in time; returns it if so."""
        current = self._current
        timer = self.get_timer()
        if current is None or timer is None or now < timer:
            return []
        return [self._finish(current, complete=False)]

    def feed(
        self, timestamp: int, sequence: int, marker: bool, payload: bytes, now: float
    ) -> list[DtmfEvent]:
        """Handle one telephone-event packet; returns the digits that ended (usually none or one)."""
        del sequence  # see the class docstring
        out = self.handle_timer(now)
        try:
            packet = TelephoneEvent.parse(payload)
        except TelephoneEventParseError:
            self.ignored += 1
            return out
        if packet.digit is None:
            self.ignored += 1
            return out
        timestamp %= _TS_MOD
        current = self._current
        if current is not None and timestamp == current.segment and packet.event == current.code:
            if current.ended:
                self.duplicates += 1
                return out
            self._update(current, packet, now)
        elif current is not None and not _newer(timestamp, current.segment):
            self.duplicates += 1  # an older event's or segment's packet, or a stale different code
            return out
        elif current is not None and self._continues(current, timestamp, packet, marker):
            current.segment = timestamp
            current.segment_duration = 0
            self._update(current, packet, now)
        else:
            if current is not None and not current.ended:
                out.append(self._finish(current, complete=False))
            current = _Event(
                code=packet.event,
                timestamp=timestamp,
                segment=timestamp,
                segment_duration=packet.duration,
                started=now,
                last_packet=now,
                volume=packet.volume,
            )
            self._current = current
        if packet.end and not current.ended:
            out.append(self._finish(current, complete=True))
        return out

    def _continues(self, current: _Event, timestamp: int, packet: TelephoneEvent, marker: bool) -> bool:
        """A newer segment of a long event (RFC 4733 2.5.2.3) rather than a new event.

        Segments after the first carry no marker bit; one that does is still taken as a segment
        when it starts exactly 65535 units after the previous one (senders that set it anyway).
        """
        if current.ended or packet.event != current.code:
            return False
        gap = (timestamp - current.segment) % _TS_MOD
        if marker and gap != MAX_DURATION:
            return False
        return (
            current.segment_duration >= MAX_DURATION - self.LONG_EVENT_SLACK
            and gap <= MAX_DURATION + self.LONG_EVENT_SLACK
        )

    @staticmethod
    def _update(current: _Event, packet: TelephoneEvent, now: float) -> None:
        current.segment_duration = max(current.segment_duration, packet.duration)
        current.last_packet = now

    def _finish(self, current: _Event, *, complete: bool) -> DtmfEvent:
        current.ended = True
        units = (current.segment - current.timestamp) % _TS_MOD + current.segment_duration
        return DtmfEvent(
            digit=DTMF_DIGITS[current.code],
            duration_ms=round(units * 1000 / self.clock_rate),
            source="rfc4733",
            at=current.started,
            volume_dbm0=-current.volume,
            complete=complete,
        )
