"""SIP over UDP, TCP and TLS: the only socket code of core/sip. Adapters pump bytes; nothing more.

SIP over WebSocket (RFC 7118) arrives through the HTTP server (core/http/sip_websocket.py), which
attaches each connection here (``SipTransports.attach``): from then on it is a stream peer like a
TCP one, with one SIP message per WebSocket message instead of Content-Length framing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
from collections.abc import Callable
from typing import Any, Final

from cordboard.core.sip.errors import SipParseError
from cordboard.core.sip.message import StreamFramer
from cordboard.core.sip.peer import WEB_TRANSPORTS, Peer

_LOGGER = logging.getLogger(__name__)

MessageHandler = Callable[[bytes, Peer], None]
CONNECT_TIMEOUT: Final = 5.0
IDLE_TIMEOUT: Final = 3600.0
"""A connection that receives nothing (not even a keep-alive) this long is closed."""
MAX_CONNECTIONS: Final = 4096
MAX_CONNECTIONS_PER_HOST: Final = 256
"""So that one address cannot take every connection slot (phones behind one NAT share an address)."""


UDP_RECEIVE_BUFFER: Final = 4 * 1024 * 1024
"""Room for a burst of datagrams while the loop is busy (the kernel default is about 208 KB)."""


def enlarge_receive_buffer(sock: Any) -> None:
    """Ask for UDP_RECEIVE_BUFFER; as root past net.core.rmem_max (SO_RCVBUFFORCE), else up to it."""
    for option in (getattr(socket, "SO_RCVBUFFORCE", None), socket.SO_RCVBUF):
        if option is None:
            continue
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, option, UDP_RECEIVE_BUFFER)
            return


def _host_port(sockname: Any) -> tuple[str, int]:
    """Host and port of a socket name: a tuple (IPv4, or IPv6 with flow and scope) or, from uvloop's
    server sockets, a list."""
    return str(sockname[0]), int(sockname[1])


IP_MULTICAST_ALL: Final = 49  # linux/in.h; not in the socket module


def _udp_socket(host: str, port: int) -> socket.socket:
    """The UDP listening socket. Bound to a wildcard address it allows SO_REUSEADDR, so that SIP
    plug-and-play (core/provisioning/pnp.py) can bind the multicast group 224.0.1.75 on the same
    port, and takes no multicast datagrams of groups it did not join (IP_MULTICAST_ALL off), so
    the group's SUBSCRIBEs reach plug-and-play only."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    try:
        if host in ("0.0.0.0", "::", ""):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET:
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.IPPROTO_IP, IP_MULTICAST_ALL, 0)
        sock.bind((host, port))
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


class _UdpProtocol(asyncio.DatagramProtocol):
    def __init__(self, handler: MessageHandler) -> None:
        self._handler = handler
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        if data in (b"\r\n\r\n", b"\r\n"):  # RFC 5626 keep-alive: answer a double CRLF with one CRLF
            if data == b"\r\n\r\n" and self.transport is not None:
                self.transport.sendto(b"\r\n", addr)
            return
        self._handler(data, Peer("udp", addr[0], addr[1]))

    def error_received(self, exc: Exception) -> None:
        _LOGGER.debug("UDP error: %s", exc)


class _StreamConnection(asyncio.Protocol):
    """One TCP or TLS connection: frames messages by Content-Length and answers CRLF pings."""

    def __init__(self, transports: SipTransports, kind: str) -> None:
        self._transports = transports
        self._kind = kind
        self._framer = StreamFramer()
        self.transport: asyncio.Transport | None = None
        self.peer: Peer | None = None
        self._loop = asyncio.get_running_loop()
        self.ready = self._loop.create_future()
        self._last_received = self._loop.time()
        self._idle_check: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        host, port = transport.get_extra_info("peername")[:2]
        self.peer = Peer(self._kind, host, port)
        self._transports._connections[self.peer] = self
        if not self.ready.done():
            self.ready.set_result(None)
        self._last_received = self._loop.time()
        self._idle_check = self._loop.call_later(IDLE_TIMEOUT, self._check_idle)
        connections = self._transports._connections
        if len(connections) > MAX_CONNECTIONS:
            _LOGGER.warning("Too many SIP connections; closing %s", self.peer)
            transport.close()
        elif sum(1 for peer in connections if peer.host == host) > MAX_CONNECTIONS_PER_HOST:
            _LOGGER.warning("Too many SIP connections from %s; closing %s", host, self.peer)
            transport.close()

    def _check_idle(self) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        idle = self._loop.time() - self._last_received
        if idle >= IDLE_TIMEOUT:
            _LOGGER.info("Closing %s: idle for %d s", self.peer, idle)
            self.transport.close()
        else:
            self._idle_check = self._loop.call_later(IDLE_TIMEOUT - idle, self._check_idle)

    def data_received(self, data: bytes) -> None:
        assert self.peer is not None and self.transport is not None
        self._last_received = self._loop.time()
        try:
            messages = self._framer.feed(data)
        except SipParseError as err:
            _LOGGER.info("Closing %s: %s", self.peer, err)
            self.transport.close()
            return
        for _ in range(self._framer.take_pings()):
            self.transport.write(b"\r\n")
        for message in messages:
            self._transports._handler(message, self.peer)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._idle_check is not None:
            self._idle_check.cancel()
        if self.peer is not None and self._transports._connections.get(self.peer) is self:
            del self._transports._connections[self.peer]
            if self._transports.on_connection_lost is not None:
                self._transports.on_connection_lost(self.peer)
        if not self.ready.done():
            self.ready.set_exception(exc or ConnectionError("closed"))

    def send(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


class _AttachedConnection:
    """A connection that another server accepted (a WebSocket): sending and closing are its own."""

    def __init__(self, send: Callable[[bytes], None], close: Callable[[], None]) -> None:
        self.send = send
        self.close = close


class SipTransports:
    """Listens on UDP, TCP and TLS and sends to peers; responses and requests to a stream peer reuse
    its connection (RFC 3261 18.2.2), so phones behind NAT are reached on the connection they opened."""

    def __init__(self, handler: MessageHandler) -> None:
        self._handler = handler
        self._udp: _UdpProtocol | None = None
        self._servers: list[asyncio.AbstractServer] = []
        self._connections: dict[Peer, _StreamConnection | _AttachedConnection] = {}
        self._tls_client: ssl.SSLContext | None = None
        self.addresses: dict[str, tuple[str, int]] = {}
        self.on_connection_lost: Callable[[Peer], None] | None = None
        """Told when a TCP or TLS connection closes (the registrar drops what came over it)."""

    async def start_udp(self, host: str, port: int) -> None:
        loop = asyncio.get_running_loop()
        transport, protocol = await loop.create_datagram_endpoint(
            lambda: _UdpProtocol(self._handler), sock=_udp_socket(host, port)
        )
        self._udp = protocol
        self.addresses["udp"] = _host_port(transport.get_extra_info("sockname"))
        sock = transport.get_extra_info("socket")
        if sock is not None:
            enlarge_receive_buffer(sock)

    async def start_stream(
        self, kind: str, host: str, port: int, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: _StreamConnection(self, kind), host, port, ssl=ssl_context, reuse_address=True
        )
        self._servers.append(server)
        self.addresses[kind] = _host_port(server.sockets[0].getsockname())

    def attach(
        self, peer: Peer, send: Callable[[bytes], None], close: Callable[[], None]
    ) -> Callable[[bytes], None] | None:
        """Take a message-framed connection that another server accepted (SIP over WebSocket):
        ``send`` writes one message to it, ``close`` closes it. Returns what takes each message
        received on it, or None when the connection limits refuse it; ``detach`` when it closes."""
        connections = self._connections
        if len(connections) >= MAX_CONNECTIONS:
            _LOGGER.warning("Too many SIP connections; refusing %s", peer)
            return None
        if sum(1 for other in connections if other.host == peer.host) >= MAX_CONNECTIONS_PER_HOST:
            _LOGGER.warning("Too many SIP connections from %s; refusing %s", peer.host, peer)
            return None
        connections[peer] = _AttachedConnection(send, close)
        handler = self._handler
        return lambda data: handler(data, peer)

    def detach(self, peer: Peer) -> None:
        """An attached connection closed: its registrations go (as a TCP connection's do)."""
        if isinstance(self._connections.get(peer), _AttachedConnection):
            del self._connections[peer]
            if self.on_connection_lost is not None:
                self.on_connection_lost(peer)

    def send(self, data: bytes, peer: Peer) -> None:
        """Send now when possible; a stream peer without a connection gets one opened first."""
        if peer.transport == "udp":
            if self._udp is not None and self._udp.transport is not None:
                self._udp.transport.sendto(data, (peer.host, peer.port))
            return
        connection = self._connections.get(peer)
        if connection is not None:
            connection.send(data)
            return
        if peer.transport in WEB_TRANSPORTS:
            _LOGGER.info("No WebSocket connection to %s any more: message dropped", peer)
            return
        asyncio.get_running_loop().create_task(self._connect_and_send(data, peer))

    async def _connect_and_send(self, data: bytes, peer: Peer) -> None:
        loop = asyncio.get_running_loop()
        context: ssl.SSLContext | None = None
        if peer.transport == "tls":
            if self._tls_client is None:
                self._tls_client = ssl.create_default_context()
            context = self._tls_client
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT):
                _, protocol = await loop.create_connection(
                    lambda: _StreamConnection(self, peer.transport), peer.host, peer.port, ssl=context
                )
            await protocol.ready
        except (OSError, TimeoutError) as err:
            _LOGGER.info("Cannot connect to %s: %s", peer, err)
            return
        protocol.send(data)

    async def close(self) -> None:
        for server in self._servers:
            server.close()
        for connection in list(self._connections.values()):
            connection.close()
        for server in self._servers:
            with contextlib.suppress(Exception):
                await server.wait_closed()
        if self._udp is not None and self._udp.transport is not None:
            self._udp.transport.close()
        self._servers.clear()
        self._connections.clear()
