"""RTP fixed header parsing and RTP/RTCP demultiplexing."""

from __future__ import annotations

import struct

import pytest

from cordboard.core.rtp.packet import RtpHeader, RtpParseError, is_rtcp, looks_like_rtp, payload_of


def rtp(pt: int = 0, seq: int = 1, ts: int = 160, ssrc: int = 0x1234, marker: bool = False) -> bytes:
    return (
        bytes(RtpHeader(payload_type=pt, sequence=seq, timestamp=ts, ssrc=ssrc, marker=marker))
        + b"\xff" * 160
    )


def test_parse_fixed_header() -> None:
    data = rtp(pt=8, seq=65535, ts=0xFFFFFFFF, ssrc=0xDEADBEEF, marker=True)
    header = RtpHeader.parse(data)
    assert header.version == 2
    assert (header.payload_type, header.sequence, header.timestamp, header.ssrc) == (
        8,
        65535,
        0xFFFFFFFF,
        0xDEADBEEF,
    )
    assert header.marker and not header.padding and not header.extension
    assert header.csrc_count == 0
    assert header.header_length == 12
    assert payload_of(data, header) == b"\xff" * 160


def test_parse_csrc_extension_and_padding() -> None:
    first = 0x80 | 0x20 | 0x10 | 2  # V=2, P, X, CC=2
    data = struct.pack("!BBHII", first, 101, 7, 8, 9) + struct.pack("!II", 1, 2)
    data += struct.pack("!HH", 0xBEDE, 1) + b"\x10\xaa\x00\x00"  # RFC 8285 one-byte header extension
    data += b"payload" + b"\x00\x00\x03"
    header = RtpHeader.parse(data)
    assert header.csrcs == (1, 2)
    assert header.extension_profile == 0xBEDE
    assert header.extension_data == b"\x10\xaa\x00\x00"
    assert header.header_length == 12 + 8 + 8
    assert header.padding_length == 3
    assert payload_of(data, header) == b"payload"
    assert bytes(header) == data[: header.header_length]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "too short"),
        (b"\x80\x00" + b"\x00" * 9, "too short"),
        (b"\x40" + b"\x00" * 11, "version"),
        (b"\x00" * 12, "version"),
        (b"\x83" + b"\x00" * 11 + b"\x00" * 8, "CSRC"),
        (b"\x90" + b"\x00" * 11 + b"\x00\x00", "extension header"),
        (b"\x90" + b"\x00" * 11 + b"\xbe\xde\x00\x02" + b"\x00" * 4, "extension"),
        (b"\xa0" + b"\x00" * 11 + b"ab\x00", "padding"),
        (b"\xa0" + b"\x00" * 11 + b"ab\x09", "padding"),
    ],
)
def test_parse_invalid(data: bytes, reason: str) -> None:
    with pytest.raises(RtpParseError, match=reason):
        RtpHeader.parse(data)
    assert issubclass(RtpParseError, ValueError)


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        (0, False),
        (0x80 | 101, False),
        (191, False),
        (192, True),
        (200, True),
        (201, True),
        (223, True),
        (224, False),
    ],
)
def test_is_rtcp(second: int, expected: bool) -> None:
    assert is_rtcp(bytes([0x80, second]) + b"\x00" * 6) is expected


def test_is_rtcp_short_and_looks_like_rtp() -> None:
    assert not is_rtcp(b"\x80")
    rr = struct.pack("!BBHI", 0x80, 201, 1, 0x1234)  # RTCP receiver report without blocks
    assert is_rtcp(rr) and looks_like_rtp(rr)
    assert looks_like_rtp(rtp())
    assert not looks_like_rtp(b"\x00" * 20)
    assert not looks_like_rtp(b"\x80\x00")
