"""An RTP stream as a pcap file for SIPp's play_pcap_audio: 20 ms packets of a 440 Hz tone, in G.711
u-law (PCMU, payload type 0, 160 bytes) or G.722 (payload type 9, 160 bytes of 16 kHz audio)."""

from __future__ import annotations

import math
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Final

PTIME: Final = 0.02
SAMPLES: Final = 160
"""RTP timestamp ticks per packet: G.722's RTP clock is 8000 Hz too (RFC 3551 4.5.2)."""
PAYLOAD_TYPES: Final = {"PCMU": 0, "G722": 9}


def _ulaw(sample: int) -> int:
    """G.711 mu-law of a 16-bit sample."""
    bias, clip = 0x84, 32635
    sign = 0x80 if sample < 0 else 0
    sample = min(abs(sample), clip) + bias
    exponent = 7
    for exp in range(8):
        if sample <= (0xFF << (exp + 1)) | 0xFF:
            exponent = exp
            break
    mantissa = (sample >> (exponent + 3)) & 0x0F
    return ~(sign | (exponent << 4) | mantissa) & 0xFF


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def _pcmu(count: int) -> Iterator[bytes]:
    tone = bytes(_ulaw(int(8000 * math.sin(2 * math.pi * 440 * n / 8000))) for n in range(8000))
    for seq in range(count):
        offset = (seq * SAMPLES) % 8000
        yield (tone + tone)[offset : offset + SAMPLES]


def _g722(count: int) -> Iterator[bytes]:
    """Encoded with the appliance's own G.722 codec (FFmpeg through PyAV), one stream start to end."""
    import numpy as np

    from cordboard.core.media.codecs import get_codec

    encoder = get_codec("G722", 8000).encoder()
    t = np.arange(16000) / 16000
    second = (8000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
    for seq in range(count):
        offset = (seq * 320) % 16000
        yield encoder.encode(second[offset : offset + 320])


def write_pcap(path: Path, seconds: float, codec: str = "PCMU") -> Path:
    """``seconds`` of a 440 Hz tone; the addresses are placeholders (SIPp rewrites them)."""
    payload_type = PAYLOAD_TYPES[codec]
    count = int(seconds / PTIME)
    payloads = _g722(count) if codec == "G722" else _pcmu(count)
    out = bytearray(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))  # LINKTYPE_ETHERNET
    src, dst = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
    for seq, payload in enumerate(payloads):
        timestamp = (seq * SAMPLES) & 0xFFFFFFFF
        rtp = struct.pack("!BBHII", 0x80, payload_type, seq & 0xFFFF, timestamp, 0x1234ABCD) + payload
        udp_len = 8 + len(rtp)
        udp = struct.pack("!HHHH", 6000, 6000, udp_len, 0) + rtp
        ip_header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, seq & 0xFFFF, 0, 64, 17, 0, src, dst)
        ip_header = ip_header[:10] + struct.pack("!H", _checksum(ip_header)) + ip_header[12:]
        frame = b"\x00\x00\x00\x00\x00\x02" + b"\x00\x00\x00\x00\x00\x01" + b"\x08\x00" + ip_header + udp
        stamp = seq * PTIME
        out += struct.pack("<IIII", int(stamp), round((stamp % 1) * 1e6), len(frame), len(frame))
        out += frame
    path.write_bytes(bytes(out))
    return path
