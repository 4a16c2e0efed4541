"""RTP: packet parsing, port allocation and the two-party media relay."""

from __future__ import annotations

from cordboard.core.rtp.packet import RtpHeader, RtpParseError, is_rtcp
from cordboard.core.rtp.ports import NoPortsAvailable, PortAllocator, PortPair
from cordboard.core.rtp.relay import Relay, RelayLeg, RelayManager

__all__ = [
    "NoPortsAvailable",
    "PortAllocator",
    "PortPair",
    "Relay",
    "RelayLeg",
    "RelayManager",
    "RtpHeader",
    "RtpParseError",
    "is_rtcp",
]
