"""The SIP UDP socket gets a large receive buffer, so bursts survive a busy moment of the loop."""

from __future__ import annotations

import socket

from cordboard.core.sip.transport import UDP_RECEIVE_BUFFER, SipTransports, enlarge_receive_buffer


def test_enlarged_beyond_the_default() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        before = sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
        enlarge_receive_buffer(sock)
        after = sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
    assert after > before
    assert after >= UDP_RECEIVE_BUFFER or after >= before  # capped at rmem_max when not root


async def test_the_sip_socket_is_enlarged() -> None:
    transports = SipTransports(lambda data, peer: None)
    await transports.start_udp("127.0.0.1", 0)
    try:
        sock = transports._udp.transport.get_extra_info("socket")  # type: ignore[union-attr]
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as plain:
            default = plain.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF) > default
    finally:
        await transports.close()
