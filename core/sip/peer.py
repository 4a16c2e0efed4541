"""Peer: the transport address a SIP message came from or goes to."""

from __future__ import annotations

from typing import Final, NamedTuple

RELIABLE_TRANSPORTS: Final = frozenset({"tcp", "tls", "ws", "wss"})
WEB_TRANSPORTS: Final = frozenset({"ws", "wss"})
"""The transports of a softphone in a browser (SIP over WebSocket, RFC 7118)."""


class Peer(NamedTuple):
    """A remote transport address; ``transport`` is lowercase ("udp", "tcp", "tls", "ws")."""

    transport: str
    host: str
    port: int

    @property
    def reliable(self) -> bool:
        """True for stream transports, which use the RFC 3261 17 zero timer values."""
        return self.transport in RELIABLE_TRANSPORTS
