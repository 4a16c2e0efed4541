"""What a test phone hears and says on RTP: PCMU tones out, PCMU decoded in, RFC 4733 digits."""

from __future__ import annotations

import asyncio

import numpy as np
from sip_phone import TestPhone

from cordboard.core.media.codecs import get_codec
from cordboard.core.rtp.dtmf import DtmfSender
from cordboard.core.rtp.packet import RtpHeader, payload_of


def tone(freq: float, seconds: float, rate: int = 8000) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (6000 * np.sin(2 * np.pi * freq * t)).astype(np.int16)


def dominant(samples: np.ndarray, rate: int = 8000) -> float:
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64) * np.hanning(samples.size)))
    return float(np.argmax(spectrum) * rate / samples.size)


async def heard(
    phone: TestPhone, seconds: float, codec: tuple[str, int] = ("PCMU", 8000), payload_type: int = 0
) -> np.ndarray:
    """Decode what the appliance sends the phone for ``seconds`` (PCMU unless ``codec`` says)."""
    decoder = get_codec(*codec).decoder()
    frames = []
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while loop.time() < end:
        try:
            data, _ = await phone.rtp(wait=max(0.01, end - loop.time()))
        except TimeoutError:
            break
        header = RtpHeader.parse(data)
        if header.payload_type == payload_type:
            frames.append(decoder.decode(payload_of(data, header)))
    return np.concatenate(frames) if frames else np.zeros(0, dtype=np.int16)


async def until_beep(phone: TestPhone, beep_hz: float = 1000.0, wait: float = 15.0) -> np.ndarray:
    """What the appliance plays (PCMU) until its record beep has ended: a caller who speaks now is
    recorded from the first word, however long the greeting took on a loaded machine."""
    decoder = get_codec("PCMU", 8000).decoder()
    frames: list[np.ndarray] = []
    beeping = 0
    loop = asyncio.get_running_loop()
    end = loop.time() + wait
    while loop.time() < end:
        data, _ = await phone.rtp(wait=max(0.01, end - loop.time()))
        header = RtpHeader.parse(data)
        if header.payload_type != 0:
            continue
        frame = decoder.decode(payload_of(data, header))
        frames.append(frame)
        loud = int(np.abs(frame.astype(np.int32)).max()) > 1000
        if loud and abs(dominant(frame) - beep_hz) < 60:
            beeping += 1
        elif beeping >= 5:  # 100 ms of the beep, then something else: it is over
            return np.concatenate(frames)
        else:
            beeping = 0  # a word of the greeting near 1 kHz, not the beep
    raise AssertionError("no record beep was heard")


async def send_audio(phone: TestPhone, to: tuple[str, int], samples: np.ndarray, seq: int) -> int:
    encoder = get_codec("PCMU", 8000).encoder()
    for start in range(0, samples.size, 160):
        frame = samples[start : start + 160]
        payload = encoder.encode(np.pad(frame, (0, 160 - frame.size)))
        phone.send_rtp(RtpHeader(0, seq & 0xFFFF, seq * 160, 0x5EED).__bytes__() + payload, to)
        seq += 1
        await asyncio.sleep(0.02)
    return seq


async def send_digits(phone: TestPhone, to: tuple[str, int], digits: str, seq: int) -> int:
    sender = DtmfSender(clock_rate=8000, duration_ms=80)
    for digit in digits:
        for packet in sender.packets(digit, seq * 160):  # the stream's clock: later digits, later timestamps
            header = RtpHeader(101, seq & 0xFFFF, packet.timestamp, 0x5EED, marker=packet.marker)
            phone.send_rtp(bytes(header) + packet.payload, to)
            seq += 1
            await asyncio.sleep(0.02)
    return seq
