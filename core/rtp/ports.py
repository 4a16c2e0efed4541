"""RTP/RTCP port-pair allocation: even RTP ports, RTCP on RTP+1 (RFC 3550 section 11), bound on allocate."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from cordboard.core.exceptions import CordboardError
from cordboard.core.rtp.transport import bind_pair

if TYPE_CHECKING:
    import socket

Binder = Callable[[str, int], "tuple[socket.socket, socket.socket]"]
DEFAULT_START: Final = 10000
DEFAULT_END: Final = 20000


class NoPortsAvailable(CordboardError):
    """Every RTP port pair in the range is allocated or held by another program."""


@dataclass(slots=True)
class PortPair:
    """An allocated pair: the caller owns both bound sockets and must close them."""

    rtp_port: int
    rtp_sock: socket.socket
    rtcp_sock: socket.socket

    @property
    def rtcp_port(self) -> int:
        return self.rtp_port + 1


class PortAllocator:
    """Hands out even RTP ports from ``[start, end]`` with RTCP on the next port.

    Free ports are a FIFO queue, so allocate and release are O(1) and a released port is reused
    as late as possible (stray packets of an ended call do not reach the next one). A port held
    by another program is skipped and retried later.
    """

    def __init__(
        self, start: int = DEFAULT_START, end: int = DEFAULT_END, *, bind: Binder = bind_pair
    ) -> None:
        first = start + (start % 2)
        if not 0 < first < end <= 65535:
            raise ValueError(f"bad RTP port range {start}-{end}")
        self.start, self.end = start, end
        self._bind = bind
        self._free: deque[int] = deque(range(first, end, 2))  # rtp+1 <= end
        self._in_use: set[int] = set()

    @property
    def capacity(self) -> int:
        return len(self._free) + len(self._in_use)

    @property
    def in_use(self) -> int:
        return len(self._in_use)

    @property
    def available(self) -> int:
        return len(self._free)

    def allocate(self, host: str) -> PortPair:
        """Bind the next free pair on ``host``; NoPortsAvailable when none can be bound."""
        for _ in range(len(self._free)):
            port = self._free.popleft()
            try:
                rtp_sock, rtcp_sock = self._bind(host, port)
            except OSError:
                self._free.append(port)  # someone else holds it: try again later
                continue
            self._in_use.add(port)
            return PortPair(port, rtp_sock, rtcp_sock)
        raise NoPortsAvailable(f"no free RTP port pair in {self.start}-{self.end} on {host}")

    def release(self, rtp_port: int) -> None:
        """Give a pair back (its sockets must be closed by their owner)."""
        try:
            self._in_use.remove(rtp_port)
        except KeyError:
            raise ValueError(f"RTP port {rtp_port} is not allocated") from None
        self._free.append(rtp_port)
