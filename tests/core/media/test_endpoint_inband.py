"""In-band DTMF next to RFC 4733 (BYD-05, issue 4 "Tests with real peers"): an endpoint listens for
DTMF tones in the audio until the phone's first telephone-event packet, even when telephone-event
was negotiated (misconfigured phones offer it and send tones all the same), and then only for RFC
4733 events, so no key press is ever reported twice.

The phone is a plain UDP socket on loopback sending hand-made RTP on a 20 ms pace: PCMU audio
(payload type 0) and telephone-events (101) on one RTP clock. Audio and events take their sequence
numbers from separate counters: the endpoint keys events on timestamps, and gap-free audio sequence
numbers keep the jitter buffer from concealing frames, so the detector hears every tone in full.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import numpy as np
import pytest

from cordboard.core.media.codecs import get_codec
from cordboard.core.media.codecs.base import Encoder
from cordboard.core.media.dtmf_detect import COLUMN_FREQUENCIES, KEYPAD, ROW_FREQUENCIES
from cordboard.core.media.dtmf_event import DtmfEvent
from cordboard.core.media.endpoint import MediaEndpoint, Pcm
from cordboard.core.rtp.dtmf import DtmfSender
from cordboard.core.rtp.packet import RtpHeader
from cordboard.core.rtp.ports import PortAllocator
from cordboard.core.rtp.transport import MediaReactor

HOST = "127.0.0.1"
RATE = 8000
FRAME = RATE // 50
AUDIO_PT, EVENT_PT = 0, 101
SSRC = 0x1A2B3C4D
TONE_S = 0.1
GAP_S = 0.1


def dtmf_tone(digit: str, seconds: float = TONE_S) -> Pcm:
    """The digit's tone pair, each tone at about -10 dBm0."""
    row = next(i for i, keys in enumerate(KEYPAD) if digit in keys)
    low, high = ROW_FREQUENCIES[row], COLUMN_FREQUENCIES[KEYPAD[row].index(digit)]
    t = np.arange(int(seconds * RATE)) / RATE
    return (3000 * (np.sin(2 * np.pi * low * t) + np.sin(2 * np.pi * high * t))).astype(np.int16)


def silence(seconds: float) -> Pcm:
    return np.zeros(int(seconds * RATE), dtype=np.int16)


def tones(digits: str) -> Pcm:
    """Each digit's tone followed by a pause, after a pause."""
    parts = [silence(GAP_S)]
    for digit in digits:
        parts += [dtmf_tone(digit), silence(GAP_S)]
    return np.concatenate(parts)


@dataclass
class Phone:
    """A phone's RTP stream to ``port``, made by hand."""

    port: int
    sock: socket.socket = field(default_factory=lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
    slot: int = 0
    """20 ms slots sent so far: the RTP timestamp is ``slot * FRAME``."""
    audio_seq: int = 0
    event_seq: int = 0x8000
    _encoder: Encoder = field(default_factory=lambda: get_codec("PCMU", RATE).encoder())

    def __post_init__(self) -> None:
        self.sock.bind((HOST, 0))

    @property
    def local_port(self) -> int:
        return int(self.sock.getsockname()[1])

    def _audio_packet(self, frame: Pcm) -> None:
        padded = np.pad(frame, (0, FRAME - frame.size))
        header = RtpHeader(AUDIO_PT, self.audio_seq & 0xFFFF, self.slot * FRAME, SSRC)
        self.sock.sendto(bytes(header) + self._encoder.encode(padded), (HOST, self.port))
        self.audio_seq += 1

    async def talk(self, samples: Pcm, *, lose: frozenset[int] = frozenset()) -> None:
        """Audio packets, one per 20 ms; the packets numbered in ``lose`` (from 0) are lost."""
        for index, start in enumerate(range(0, samples.size, FRAME)):
            if index in lose:
                self.audio_seq += 1
            else:
                self._audio_packet(samples[start : start + FRAME])
            self.slot += 1
            await asyncio.sleep(0.02)

    async def press(self, digit: str, *, with_tone: bool = False) -> None:
        """One digit as RFC 4733 events, one packet per 20 ms (the end packet three times); audio
        stops meanwhile (RFC 4733 2.5.1.1), or with ``with_tone`` goes on carrying the digit's tone
        (a phone set to send DTMF both ways)."""
        packets = DtmfSender(clock_rate=RATE, duration_ms=int(TONE_S * 1000)).packets(
            digit, self.slot * FRAME
        )
        sound = np.concatenate([dtmf_tone(digit), silence(len(packets) * 0.02)])
        for index, packet in enumerate(packets):
            if with_tone:
                self._audio_packet(sound[index * FRAME : (index + 1) * FRAME])
            header = RtpHeader(
                EVENT_PT, self.event_seq & 0xFFFF, packet.timestamp, SSRC, marker=packet.marker
            )
            self.sock.sendto(bytes(header) + packet.payload, (HOST, self.port))
            self.event_seq += 1
            self.slot += 1
            await asyncio.sleep(0.02)

    def close(self) -> None:
        self.sock.close()


@dataclass
class Line:
    endpoint: MediaEndpoint
    phone: Phone
    digits: list[DtmfEvent]

    def heard(self) -> list[tuple[str, str]]:
        return [(event.digit, event.source) for event in self.digits]

    async def settle(self) -> None:
        """Let the jitter buffer and the detector finish with what was sent."""
        await asyncio.sleep(0.3)


@pytest.fixture
async def make_line() -> AsyncIterator[Callable[[int | None], Line]]:
    allocator = PortAllocator(37300, 37398)
    reactor = MediaReactor()
    lines: list[Line] = []

    def make(dtmf_payload_type: int | None = EVENT_PT) -> Line:
        endpoint = MediaEndpoint(
            reactor=reactor,
            pair=allocator.allocate(HOST),
            codec=get_codec("PCMU", RATE),
            payload_type=AUDIO_PT,
            dtmf_payload_type=dtmf_payload_type,
        )
        phone = Phone(endpoint.rtp_port)
        endpoint.set_remote(HOST, phone.local_port)
        line = Line(endpoint, phone, [])
        endpoint.on_dtmf = line.digits.append
        endpoint.listen_inband = True  # as a channel does while a plugin waits for digits
        endpoint.start()
        lines.append(line)
        return line

    yield make
    for line in lines:
        line.endpoint.close()
        line.phone.close()
    reactor.close()


async def test_inband_digits_count_although_telephone_event_was_negotiated(
    make_line: Callable[[int | None], Line],
) -> None:
    """A phone that offered telephone-event but sends its digits as tones in the audio."""
    line = make_line(EVENT_PT)
    await line.phone.talk(tones("159#"))
    await line.settle()
    assert line.heard() == [("1", "inband"), ("5", "inband"), ("9", "inband"), ("#", "inband")]


async def test_after_the_first_rfc4733_event_tones_in_the_audio_are_not_digits(
    make_line: Callable[[int | None], Line],
) -> None:
    line = make_line(EVENT_PT)
    await line.phone.talk(tones("1"))
    await line.phone.press("2")
    await line.phone.talk(tones("3"))  # the detector is off: not a digit any more
    await line.phone.press("4")
    await line.settle()
    assert line.heard() == [("1", "inband"), ("2", "rfc4733"), ("4", "rfc4733")]


async def test_a_phone_sending_tones_and_events_together_has_each_digit_reported_once(
    make_line: Callable[[int | None], Line],
) -> None:
    line = make_line(EVENT_PT)
    await line.phone.talk(silence(0.2))
    for digit in "58*":
        await line.phone.press(digit, with_tone=True)
        await line.phone.talk(silence(GAP_S))
    await line.settle()
    assert line.heard() == [("5", "rfc4733"), ("8", "rfc4733"), ("*", "rfc4733")]


async def test_the_events_of_a_tone_already_reported_are_not_reported_again(
    make_line: Callable[[int | None], Line],
) -> None:
    """A phone that sends the first key press's tone in the audio and only then its events: the
    detector reports it before the first event arrives, the events do not report it again."""
    line = make_line(EVENT_PT)
    await line.phone.talk(tones("9"))
    for _ in range(50):
        if line.digits:
            break
        await line.phone.talk(silence(0.02))
    assert line.heard() == [("9", "inband")]
    await line.phone.press("9")
    await line.phone.press("9")  # the next press of the same key counts
    await line.phone.talk(tones("6"))
    await line.settle()
    assert line.heard() == [("9", "inband"), ("9", "rfc4733")]


async def test_without_telephone_event_stray_event_packets_do_not_stop_inband_detection(
    make_line: Callable[[int | None], Line],
) -> None:
    line = make_line(None)
    await line.phone.talk(tones("7"))
    await line.phone.press("3")  # payload type 101 was not negotiated: ignored
    await line.phone.talk(tones("0"))
    await line.settle()
    assert line.heard() == [("7", "inband"), ("0", "inband")]
    assert line.endpoint.ignored >= 5


async def test_packets_lost_in_the_middle_of_a_key_press_do_not_split_it(
    make_line: Callable[[int | None], Line],
) -> None:
    """Three packets of a 200 ms tone are lost: the jitter buffer conceals them, the detector holds the
    digit over the gap instead of hearing the concealment as the key's release ("44")."""
    line = make_line(None)
    sound = np.concatenate([silence(GAP_S), dtmf_tone("4", 0.2), silence(GAP_S)])
    tone_start = int(GAP_S / 0.02)
    await line.phone.talk(sound, lose=frozenset(range(tone_start + 3, tone_start + 6)))
    await line.phone.talk(tones("2"))
    await line.settle()
    assert line.heard() == [("4", "inband"), ("2", "inband")]
    assert line.endpoint.packets_in == line.phone.audio_seq - 3


async def test_a_key_press_ends_when_the_phone_stops_sending(
    make_line: Callable[[int | None], Line],
) -> None:
    """A phone that sends nothing after the tone (silence suppression): the digit is reported once
    the gap is longer than the detector holds a digit over missing audio."""
    line = make_line(None)
    await line.phone.talk(np.concatenate([silence(GAP_S), dtmf_tone("8", 0.2)]))
    for _ in range(25):
        if line.digits:
            break
        await asyncio.sleep(0.02)
    assert line.heard() == [("8", "inband")]
