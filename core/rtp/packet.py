"""RTP fixed header parsing (RFC 3550 section 5.1) and RTP/RTCP demultiplexing (RFC 5761 section 4)."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Final

RTP_VERSION: Final = 2
RTP_HEADER_LEN: Final = 12
# RFC 5761 section 4: RTCP packet types 192-223 sit where RTP's marker bit + payload type would be.
RTCP_PT_MIN: Final = 192
RTCP_PT_MAX: Final = 223

_FIXED: Final = struct.Struct("!BBHII")


class RtpParseError(ValueError):
    """The datagram is not a valid RTP packet; the message says why."""


@dataclass(frozen=True, slots=True)
class RtpHeader:
    """The RTP fixed header plus CSRC list and extension, as in RFC 3550 section 5.1."""

    payload_type: int
    sequence: int
    timestamp: int
    ssrc: int
    marker: bool = False
    padding: bool = False
    extension: bool = False
    csrcs: tuple[int, ...] = ()
    extension_profile: int | None = None
    extension_data: bytes = b""
    header_length: int = RTP_HEADER_LEN
    """Offset of the payload: fixed header, CSRCs and the extension (RFC 3550 5.3.1)."""
    padding_length: int = 0
    """Bytes of padding at the end of the packet, counted by the last octet (RFC 3550 5.1)."""

    @property
    def version(self) -> int:
        return RTP_VERSION

    @property
    def csrc_count(self) -> int:
        return len(self.csrcs)

    @classmethod
    def parse(cls, data: bytes) -> RtpHeader:
        if len(data) < RTP_HEADER_LEN:
            raise RtpParseError(f"RTP packet is too short ({len(data)} bytes)")
        first, second, sequence, timestamp, ssrc = _FIXED.unpack_from(data)
        if first >> 6 != RTP_VERSION:
            raise RtpParseError(f"RTP packet has invalid version {first >> 6}")
        padding = bool(first & 0x20)
        extension = bool(first & 0x10)
        cc = first & 0x0F
        offset = RTP_HEADER_LEN + 4 * cc
        if len(data) < offset:
            raise RtpParseError("RTP packet is truncated in the CSRC list")
        csrcs = struct.unpack_from(f"!{cc}I", data, RTP_HEADER_LEN) if cc else ()
        profile: int | None = None
        ext_data = b""
        if extension:
            # RFC 3550 5.3.1: 16-bit profile, 16-bit length in 32-bit words, then the data.
            if len(data) < offset + 4:
                raise RtpParseError("RTP packet is truncated in the extension header")
            profile, words = struct.unpack_from("!HH", data, offset)
            end = offset + 4 + 4 * words
            if len(data) < end:
                raise RtpParseError("RTP packet is truncated in the extension")
            ext_data = bytes(data[offset + 4 : end])
            offset = end
        pad_len = 0
        if padding:
            pad_len = data[-1]
            if pad_len == 0 or offset + pad_len > len(data):
                raise RtpParseError("RTP packet has invalid padding length")
        return cls(
            payload_type=second & 0x7F,
            sequence=sequence,
            timestamp=timestamp,
            ssrc=ssrc,
            marker=bool(second & 0x80),
            padding=padding,
            extension=extension,
            csrcs=tuple(csrcs),
            extension_profile=profile,
            extension_data=ext_data,
            header_length=offset,
            padding_length=pad_len,
        )

    def __bytes__(self) -> bytes:
        """The header bytes (without payload or padding octets)."""
        first = (RTP_VERSION << 6) | (0x20 if self.padding else 0) | len(self.csrcs)
        first |= 0x10 if self.extension_profile is not None else 0
        second = (0x80 if self.marker else 0) | self.payload_type
        out = _FIXED.pack(first, second, self.sequence, self.timestamp, self.ssrc)
        out += b"".join(struct.pack("!I", c) for c in self.csrcs)
        if self.extension_profile is not None:
            ext = self.extension_data + b"\x00" * (-len(self.extension_data) % 4)
            out += struct.pack("!HH", self.extension_profile, len(ext) // 4) + ext
        return out


def rtp_packet(
    payload_type: int, sequence: int, timestamp: int, ssrc: int, payload: bytes, *, marker: bool = False
) -> bytes:
    """A plain RTP packet (no CSRCs, extension or padding): the senders' fast path, no header object."""
    return _FIXED.pack(0x80, (0x80 if marker else 0) | payload_type, sequence, timestamp, ssrc) + payload


def payload_of(data: bytes, header: RtpHeader) -> bytes:
    """The payload of a packet whose header was parsed as ``header`` (padding removed)."""
    return data[header.header_length : len(data) - header.padding_length]


def is_rtcp(data: bytes) -> bool:
    """True if a datagram on a shared port is RTCP rather than RTP (RFC 5761 section 4)."""
    return len(data) >= 2 and RTCP_PT_MIN <= data[1] <= RTCP_PT_MAX


def looks_like_rtp(data: bytes) -> bool:
    """Cheap check used before latching: version 2 and at least a fixed header (RTP or RTCP)."""
    return len(data) >= 8 and data[0] >> 6 == RTP_VERSION
