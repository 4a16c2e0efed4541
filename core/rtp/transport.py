"""The only socket code in rtp/: binding RTP/RTCP port pairs and thin asyncio datagram endpoints."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Callable

_LOGGER = logging.getLogger(__name__)

Address = tuple[str, int] | tuple[str, int, int, int]
DatagramHandler = Callable[[bytes, Address], None]


def _family(host: str) -> socket.AddressFamily:
    try:
        return socket.AF_INET6 if ipaddress.ip_address(host).version == 6 else socket.AF_INET
    except ValueError:
        return socket.AF_INET


def bind_udp(host: str, port: int) -> socket.socket:
    """A non-blocking UDP socket bound to ``host:port``; OSError (EADDRINUSE) if taken.

    No SO_REUSEADDR: a port someone else holds must fail so the allocator moves on.
    """
    sock = socket.socket(_family(host), socket.SOCK_DGRAM)
    try:
        sock.setblocking(False)
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


class _Receiver(asyncio.DatagramProtocol):
    """Hands each datagram straight to one callable: no copies, no parsing."""

    __slots__ = ("_handler",)

    def __init__(self, handler: DatagramHandler) -> None:
        self._handler = handler

    def datagram_received(self, data: bytes, addr: Address) -> None:
        self._handler(data, addr)

    def error_received(self, exc: Exception) -> None:
        # ICMP port unreachable while the far end is not listening yet: normal at call setup.
        if _LOGGER.isEnabledFor(logging.DEBUG):
            _LOGGER.debug("RTP socket error: %s", exc)


class UdpEndpoint:
    """An open datagram endpoint: ``sendto(data, addr)`` and ``close()``; it owns its socket."""

    __slots__ = ("_transport", "sendto")

    def __init__(self, transport: asyncio.DatagramTransport) -> None:
        self._transport = transport
        self.sendto: Callable[[bytes, Address], None] = transport.sendto  # bound once, used per packet

    def close(self) -> None:
        """Stop receiving; the loop closes the socket on its next iteration."""
        self._transport.close()

    @property
    def closing(self) -> bool:
        return self._transport.is_closing()


async def open_endpoint(sock: socket.socket, handler: DatagramHandler) -> UdpEndpoint:
    """Start reading ``sock`` on the running loop, calling ``handler(data, addr)`` per datagram."""
    loop = asyncio.get_running_loop()
    transport, _protocol = await loop.create_datagram_endpoint(lambda: _Receiver(handler), sock=sock)
    return UdpEndpoint(transport)


def loop_clock() -> Callable[[], float]:
    """The running loop's clock (seconds), used for ``last_packet_at``."""
    return asyncio.get_running_loop().time
