"""The only socket code in rtp/: binding RTP/RTCP port pairs and thin asyncio datagram endpoints."""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import logging
import select
import socket
from collections.abc import Callable
from typing import Final

from cordboard.core.event_loop import running_loop

_LOGGER = logging.getLogger(__name__)

Address = tuple[str, int] | tuple[str, int, int, int]
DatagramHandler = Callable[[bytes, Address], None]


@functools.lru_cache(maxsize=64)
def _family(host: str) -> socket.AddressFamily:
    try:
        return socket.AF_INET6 if ipaddress.ip_address(host).version == 6 else socket.AF_INET
    except ValueError:
        return socket.AF_INET


def bind_udp(host: str, port: int) -> socket.socket:
    """A non-blocking UDP socket bound to ``host:port``; OSError (EADDRINUSE) if taken.

    No SO_REUSEADDR: a port someone else holds must fail so the allocator moves on.
    """
    sock = socket.socket(_family(host), socket.SOCK_DGRAM | socket.SOCK_NONBLOCK)
    try:
        sock.bind((host, port))
    except BaseException:
        sock.close()
        raise
    return sock


def bind_pair(host: str, rtp_port: int) -> tuple[socket.socket, socket.socket]:
    """Bind RTP on ``rtp_port`` and RTCP on ``rtp_port + 1`` (RFC 3550 11), both or neither."""
    rtp = bind_udp(host, rtp_port)
    try:
        rtcp = bind_udp(host, rtp_port + 1)
    except BaseException:
        rtp.close()
        raise
    return rtp, rtcp


BATCH_INTERVAL: Final = 0.002
"""Seconds between the reactor's passes while packets keep coming: each pass reads every socket
that has a packet, so a busy relay wakes ~500 times a second instead of once per packet. Media is
delayed by at most this much (phones' jitter buffers hold 20-60 ms)."""
MAX_ROUNDS: Final = 64
"""Polls per pass at most: a socket's backlog of up to this many datagrams is read in one pass."""
RECEIVE_SIZE: Final = 4096
"""Largest datagram read (RTP/RTCP audio is a few hundred octets; the MTU bounds the rest)."""


class UdpEndpoint:
    """One socket in the reactor: ``sendto(data, addr)`` and ``close()``; it owns its socket."""

    __slots__ = ("_reactor", "closing", "sendto", "sock")

    def __init__(self, reactor: MediaReactor, sock: socket.socket) -> None:
        self._reactor = reactor
        self.sock = sock
        self.sendto: Callable[[bytes, Address], object] = sock.sendto  # bound once, used per packet
        self.closing = False

    def close(self) -> None:
        """Stop receiving and close the socket (idempotent)."""
        if not self.closing:
            self.closing = True
            self._reactor.remove(self.sock)
            self.sock.close()


class MediaReactor:
    """Every relay socket in one epoll set, read in passes rather than one wake-up per packet.

    Idle, the epoll descriptor sits in the event loop as a reader, so the first packet is handled
    at once; after a pass that read something the next pass runs ``interval`` later, and the
    reader is restored once a pass finds nothing. A pass polls, reads one datagram per ready
    socket, and polls again until nothing is left. Errors of one socket (ICMP errors, a full
    send buffer) drop that packet only.
    """

    def __init__(self, interval: float = BATCH_INTERVAL) -> None:
        self.interval = interval
        self._epoll: select.epoll | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sockets: dict[int, tuple[Callable[[int], tuple[bytes, Address]], DatagramHandler]] = {}
        self._reading = False
        self._next_pass: asyncio.TimerHandle | None = None
        self.passes = 0
        """Passes that read at least one datagram (for tests and diagnostics)."""

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The running loop (core/event_loop.py)."""
        return self._bind_loop()

    def _bind_loop(self) -> asyncio.AbstractEventLoop:
        """Find the running loop; a reactor outlives a loop only in tests, and then starts afresh
        on the new one."""
        loop = running_loop(self._loop)
        if loop is not self._loop:
            self.close()
            self._loop = loop
        return loop

    def add(self, sock: socket.socket, handler: DatagramHandler) -> UdpEndpoint:
        """Start reading ``sock`` (non-blocking), calling ``handler(data, addr)`` per datagram."""
        self._bind_loop()
        if self._epoll is None:
            self._epoll = select.epoll()
        fd = sock.fileno()
        self._epoll.register(fd, select.EPOLLIN)
        self._sockets[fd] = (sock.recvfrom, handler)
        if not self._reading and self._next_pass is None:
            self._read_when_ready()
        return UdpEndpoint(self, sock)

    def remove(self, sock: socket.socket) -> None:
        fd = sock.fileno()
        if fd < 0 or self._sockets.pop(fd, None) is None or self._epoll is None:
            return
        self._epoll.unregister(fd)

    def close(self) -> None:
        """Stop the reactor (its sockets belong to their endpoints, which close them)."""
        if self._next_pass is not None:
            self._next_pass.cancel()
            self._next_pass = None
        if self._epoll is not None:
            if self._reading and self._loop is not None and not self._loop.is_closed():
                self._loop.remove_reader(self._epoll.fileno())
            self._epoll.close()
            self._epoll = None
        self._reading = False
        self._sockets.clear()

    def __len__(self) -> int:
        return len(self._sockets)

    @property
    def idle(self) -> bool:
        """No pass is scheduled: the reactor waits for the next datagram in the event loop."""
        return self._next_pass is None

    def _read_when_ready(self) -> None:
        assert self._loop is not None and self._epoll is not None
        self._loop.add_reader(self._epoll.fileno(), self._ready)
        self._reading = True

    def _ready(self) -> None:
        assert self._loop is not None and self._epoll is not None
        self._loop.remove_reader(self._epoll.fileno())
        self._reading = False
        self._pass()

    def _pass(self) -> None:
        self._next_pass = None
        epoll, loop = self._epoll, self._loop
        if epoll is None or loop is None:
            return
        sockets = self._sockets
        read = 0
        # Level-triggered: one more poll (one syscall for all sockets) finds those with datagrams
        # left, so a burst on one socket is read out in this pass without a read ending in EAGAIN.
        for _round in range(MAX_ROUNDS):
            ready = epoll.poll(0)
            if not ready:
                break
            read += len(ready)
            for fd, _events in ready:
                entry = sockets.get(fd)
                if entry is None:
                    continue
                recvfrom, handler = entry
                try:
                    data, addr = recvfrom(RECEIVE_SIZE)
                    handler(data, addr)
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError as exc:
                    # ICMP port unreachable while the far end is not listening yet: normal at setup.
                    if _LOGGER.isEnabledFor(logging.DEBUG):
                        _LOGGER.debug("RTP socket error: %s", exc)
        if read:
            self.passes += 1
            self._next_pass = loop.call_later(self.interval, self._pass)
        elif sockets:
            self._read_when_ready()
