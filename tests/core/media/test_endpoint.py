"""A channel's own media (issue 4 scope 3, BYD-05): two endpoints on loopback play to each other,
hear the tone they were sent, and exchange DTMF as RFC 4733 events and as in-band tones."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import numpy as np
import pytest

from cordboard.core.media.codecs import get_codec
from cordboard.core.media.dtmf_event import DtmfEvent
from cordboard.core.media.endpoint import MediaEndpoint, Pcm
from cordboard.core.rtp.ports import PortAllocator
from cordboard.core.rtp.transport import MediaReactor

HOST = "127.0.0.1"


class Pair:
    def __init__(self, a: MediaEndpoint, b: MediaEndpoint) -> None:
        self.a, self.b = a, b
        self.heard: list[Pcm] = []
        self.digits: list[DtmfEvent] = []
        b.listeners.append(self.heard.append)
        b.on_dtmf = self.digits.append

    def received(self) -> Pcm:
        return np.concatenate(self.heard) if self.heard else np.zeros(0, dtype=np.int16)


@pytest.fixture
async def make_pair() -> AsyncIterator[object]:
    allocator = PortAllocator(37000, 37200)
    reactor = MediaReactor()
    opened: list[MediaEndpoint] = []

    def make(codec: str = "PCMU", rate: int = 8000, dtmf: int | None = 101) -> Pair:
        spec = get_codec(codec, rate)
        ends = [
            MediaEndpoint(
                reactor=reactor,
                pair=allocator.allocate(HOST),
                codec=spec,
                payload_type=spec.spec.payload_type if spec.spec.payload_type is not None else 96,
                dtmf_payload_type=dtmf,
            )
            for _ in range(2)
        ]
        ends[0].set_remote(HOST, ends[1].rtp_port)
        ends[1].set_remote(HOST, ends[0].rtp_port)
        for end in ends:
            end.start()
        opened.extend(ends)
        return Pair(ends[0], ends[1])

    yield make
    for end in opened:
        end.close()
    reactor.close()


def tone(freqs: tuple[float, ...], seconds: float, rate: int, amplitude: float = 6000) -> Pcm:
    t = np.arange(int(seconds * rate)) / rate
    return (sum(amplitude * np.sin(2 * np.pi * f * t) for f in freqs)).astype(np.int16)


def dominant(samples: Pcm, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64) * np.hanning(samples.size)))
    return float(np.argmax(spectrum) * rate / samples.size)


@pytest.mark.parametrize(
    ("codec", "rate", "pcm_rate"), [("PCMU", 8000, 8000), ("PCMA", 8000, 8000), ("G722", 8000, 16000)]
)
async def test_a_played_tone_is_heard_at_the_far_end(
    make_pair: object, codec: str, rate: int, pcm_rate: int
) -> None:
    pair = make_pair(codec, rate)  # type: ignore[operator]
    done = await asyncio.wait_for(pair.a.play(tone((440.0,), 1.0, pcm_rate)), 3)
    assert done is True
    await asyncio.sleep(0.3)  # the jitter buffer's delay
    heard = pair.received()
    loud = heard[np.abs(heard.astype(np.int32)) > 1000]
    assert loud.size > 0.8 * pcm_rate, f"only {loud.size / pcm_rate:.2f} s of the 1 s tone arrived"
    start = int(np.argmax(np.abs(heard.astype(np.int32)) > 1000))
    assert abs(dominant(heard[start : start + pcm_rate // 2], pcm_rate) - 440) < 10
    assert pair.a.packets_out >= 50 and pair.b.packets_in >= 50


async def test_rfc4733_digits_arrive_once_each_in_order(make_pair: object) -> None:
    pair = make_pair()  # type: ignore[operator]
    pair.a.send_dtmf("15#", duration_ms=80)
    for _ in range(100):
        if len(pair.digits) == 3:
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.2)  # repeated end packets must not report a digit twice
    assert [(e.digit, e.source) for e in pair.digits] == [
        ("1", "rfc4733"),
        ("5", "rfc4733"),
        ("#", "rfc4733"),
    ]
    assert all(e.complete and e.duration_ms == 80 for e in pair.digits)


async def test_inband_digits_are_detected_without_telephone_event(make_pair: object) -> None:
    pair = make_pair(dtmf=None)  # type: ignore[operator]
    gap = np.zeros(800, dtype=np.int16)
    seven, zero = tone((852.0, 1209.0), 0.1, 8000, 3000), tone((941.0, 1336.0), 0.1, 8000, 3000)
    assert await asyncio.wait_for(pair.a.play(np.concatenate([gap, seven, gap])), 3)
    await asyncio.sleep(0.3)
    assert pair.digits == []  # nobody waits for digits: the (costly) detector does not run
    pair.b.listen_inband = True
    assert await asyncio.wait_for(pair.a.play(np.concatenate([gap, seven, gap, zero, gap])), 3)
    await asyncio.sleep(0.3)
    assert [(e.digit, e.source) for e in pair.digits] == [("7", "inband"), ("0", "inband")]


async def test_garbage_and_strangers_are_ignored(make_pair: object) -> None:
    pair = make_pair()  # type: ignore[operator]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as stranger:
        stranger.sendto(b"not rtp", (HOST, pair.b.rtp_port))
        stranger.sendto(bytes([0x80, 77]) + bytes(10) + b"\xff" * 160, (HOST, pair.b.rtp_port))  # unknown PT
        await asyncio.sleep(0.1)
    assert pair.b.ignored >= 2
    assert await asyncio.wait_for(pair.a.play(tone((440.0,), 0.2, 8000)), 2)


async def test_close_ends_pending_plays(make_pair: object) -> None:
    pair = make_pair()  # type: ignore[operator]
    long_play = pair.a.play(tone((440.0,), 10.0, 8000))
    queued = pair.a.play(tone((440.0,), 1.0, 8000))
    await asyncio.sleep(0.1)
    pair.a.close()
    assert await long_play is False and await queued is False
    assert pair.a.pair.rtp_sock.fileno() == -1


async def test_audio_received_during_a_stall_is_still_played_out() -> None:
    """The media clock skips overdue ticks after a stall (no burst of sent frames), but every frame
    the phone sent meanwhile still comes out of the jitter buffer: nothing is dropped later to
    shrink a buffer the stall left too deep, so a recording loses nothing."""
    allocator = PortAllocator(37210, 37220)
    reactor = MediaReactor()
    codec = get_codec("PCMU", 8000)
    endpoint = MediaEndpoint(reactor=reactor, pair=allocator.allocate(HOST), codec=codec, payload_type=0)
    heard: list[Pcm] = []
    endpoint.listeners.append(heard.append)
    endpoint.start()
    try:
        payload = codec.encoder().encode((3000 * np.sin(np.arange(160) / 3)).astype(np.int16))
        member_key, index = endpoint._member or (0, 0)
        endpoint.clock.remove(member_key)  # the test ticks by hand
        phone = ("127.0.0.1", 40000)
        seq = 0

        def phone_sends(count: int) -> None:
            nonlocal seq
            for _ in range(count):
                header = bytes([0x80, 0]) + seq.to_bytes(2, "big") + (seq * 160).to_bytes(4, "big") + bytes(4)
                endpoint._receive(header + payload, phone)
                seq += 1

        now = asyncio.get_running_loop().time()
        for _ in range(10):  # steady: one packet per tick
            phone_sends(1)
            endpoint._frame(index, now)
            index += 1
        phone_sends(8)  # a 160 ms stall: the packets wait in the socket, then come at once
        index += 8  # and the clock skips the overdue ticks
        for _ in range(80):  # steady again, longer than the buffer's one-second shrink window
            phone_sends(1)
            endpoint._frame(index, now)
            index += 1
        assert endpoint._jitter.stats.dropped == 0
        assert len(heard) >= seq - 4  # all but what is buffered now
    finally:
        endpoint.close()
        reactor.close()
