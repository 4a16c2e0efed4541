"""The two-party RTP/RTCP relay with symmetric latching (RFC 4961, "comedia"): the media hot path."""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Iterator
from typing import Final, cast

from cordboard.core.rtp.packet import looks_like_rtp
from cordboard.core.rtp.ports import PortAllocator, PortPair
from cordboard.core.rtp.transport import Address, MediaReactor, UdpEndpoint

_LOGGER = logging.getLogger(__name__)

DEFAULT_RELATCH_AFTER: Final = 3
"""Packets in a row from a new source before the relay follows it (NAT rebinding, re-INVITE)."""


def _no_send(data: bytes, addr: Address) -> None:
    """Placeholder until the endpoint is open, and after close."""


class LegStream:
    """One direction-agnostic stream (RTP or RTCP) of a leg: latch state and counters.

    ``receive`` runs per packet: counters, one tuple compare, forward. The slow path
    (``_accept``) runs only when the source differs from the latched address.
    """

    __slots__ = (
        "_candidate",
        "_candidate_count",
        "_candidate_first",
        "_clock",
        "_relatch_after",
        "bytes_in",
        "bytes_out",
        "dropped",
        "last_packet_at",
        "latched",
        "leg",
        "packets_in",
        "packets_out",
        "peer",
        "remote",
        "send",
        "send_enabled",
    )

    def __init__(self, leg: RelayLeg, clock: Callable[[], float], relatch_after: int) -> None:
        self.leg = cast("RelayLeg", weakref.proxy(leg))
        """The leg this stream belongs to, as a weak proxy: the leg holds its streams, and a
        strong reference back would make every ended call's relay a cycle that waits for the
        cycle collector (under load, minutes of ended calls: memory and collection pauses)."""
        self.peer: LegStream | None = None
        """The stream packets received here are sent out of."""
        self.send: Callable[[bytes, Address], object] = _no_send
        self.remote: Address | None = None
        """Where packets for this leg go: from SDP until latched, then the latched source."""
        self.latched: Address | None = None
        self.send_enabled = True
        self.packets_in = self.bytes_in = 0
        self.packets_out = self.bytes_out = 0
        self.dropped = 0
        """Packets received and not forwarded (unaccepted source, no peer remote, paused)."""
        self.last_packet_at: float | None = None
        self._clock = clock
        self._relatch_after = relatch_after
        self._candidate: Address | None = None
        self._candidate_count = 0
        self._candidate_first = 0

    def receive(self, data: bytes, addr: Address) -> None:
        """Per-packet entry point from the transport."""
        self.packets_in += 1
        self.bytes_in += len(data)
        if addr != self.latched and not self._accept(data, addr):
            self.dropped += 1
            return
        self.last_packet_at = self._clock()
        peer = self.peer
        if peer is None or peer.remote is None or not peer.send_enabled:
            self.dropped += 1
            return
        peer.send(data, peer.remote)
        peer.packets_out += 1
        peer.bytes_out += len(data)

    def _accept(self, data: bytes, addr: Address) -> bool:
        """Latching decision for a packet from a source other than the latched one."""
        if not looks_like_rtp(data):
            return False  # never latch to junk (RTP bleed / port scans)
        leg = self.leg
        if not leg.nat and leg.sdp_host is not None and addr[0] != leg.sdp_host:
            return False
        if self.latched is None:
            self._latch(addr)
            return True
        # RFC 4961 spirit: follow a new source only once it is consistent (N packets in a row).
        if addr == self._candidate and self._candidate_first + self._candidate_count == self.packets_in:
            self._candidate_count += 1
        else:
            self._candidate, self._candidate_count, self._candidate_first = addr, 1, self.packets_in
        if self._candidate_count >= self._threshold(addr):
            self._latch(addr)
            return True
        return False

    def _threshold(self, addr: Address) -> int:
        # RTCP arrives every few seconds: follow at once when it comes from the RTP source's host.
        rtp = self.leg.rtp
        if self is not rtp and rtp.latched is not None and addr[0] == rtp.latched[0]:
            return 1
        return self._relatch_after

    def _latch(self, addr: Address) -> None:
        if _LOGGER.isEnabledFor(logging.DEBUG):
            _LOGGER.debug("leg %s latched %s -> %s", self.leg.name, self.latched, addr)
        self.latched = self.remote = addr
        self._candidate, self._candidate_count = None, 0
        leg = self.leg
        if self is leg.rtp and leg.rtcp.latched is None:
            leg.rtcp.remote = (addr[0], addr[1] + 1)  # best guess until RTCP itself latches


class RelayLeg:
    """One side of a relay: an RTP and an RTCP socket on the appliance, and the far end's address."""

    def __init__(
        self,
        name: str,
        pair: PortPair,
        local_address: str,
        *,
        reactor: MediaReactor,
        clock: Callable[[], float],
        relatch_after: int = DEFAULT_RELATCH_AFTER,
    ) -> None:
        self.name = name
        self._reactor = reactor
        self.pair = pair
        self.local_address = local_address
        self.nat = False
        """Accept (and latch to) sources from any IP, not only the SDP address."""
        self.sdp_host: str | None = None
        self._sdp: tuple[str, int, int] | None = None
        self.rtp = LegStream(self, clock, relatch_after)
        self.rtcp = LegStream(self, clock, relatch_after)
        self._endpoints: list[UdpEndpoint] = []
        self.closed = False

    @property
    def rtp_port(self) -> int:
        return self.pair.rtp_port

    @property
    def rtcp_port(self) -> int:
        return self.pair.rtcp_port

    def open(self) -> None:
        """Start receiving on both sockets (the relay wires the peers before calling this)."""
        try:
            rtp = self._reactor.add(self.pair.rtp_sock, self.rtp.receive)
            self._endpoints.append(rtp)
            rtcp = self._reactor.add(self.pair.rtcp_sock, self.rtcp.receive)
            self._endpoints.append(rtcp)
        except BaseException:
            self.close()
            raise
        self.rtp.send, self.rtcp.send = rtp.sendto, rtcp.sendto

    def set_remote(
        self, host: str, port: int, rtcp_port: int | None = None, *, nat: bool | None = None
    ) -> None:
        """The far end's media address from SDP (c= and m=; a=rtcp per RFC 3605 if given).

        A new address starts latching over (the next accepted source becomes the remote); the
        same address again (a re-INVITE, e.g. for hold) keeps the current latch.
        """
        if nat is not None:
            self.nat = nat
        sdp = (host, port, rtcp_port or port + 1)
        if sdp == self._sdp:
            return
        self._sdp = sdp
        self.sdp_host = host
        for stream, stream_port in ((self.rtp, sdp[1]), (self.rtcp, sdp[2])):
            stream.remote = (host, stream_port) if port else None
            stream.latched = None

    @property
    def sdp_address(self) -> tuple[str, int, int] | None:
        """The far end's (host, RTP port, RTCP port) as its SDP last gave them."""
        return self._sdp

    @property
    def remote(self) -> Address | None:
        """Where RTP for this leg's far end is sent now."""
        return self.rtp.remote

    @property
    def latched(self) -> bool:
        return self.rtp.latched is not None

    @property
    def packets_in(self) -> int:
        return self.rtp.packets_in

    @property
    def bytes_in(self) -> int:
        return self.rtp.bytes_in

    @property
    def packets_out(self) -> int:
        return self.rtp.packets_out

    @property
    def bytes_out(self) -> int:
        return self.rtp.bytes_out

    @property
    def last_packet_at(self) -> float | None:
        """Loop time of the last accepted RTP packet from the far end (media timeout)."""
        return self.rtp.last_packet_at

    def close(self) -> None:
        """Close both sockets (idempotent); the relay returns the ports to the allocator."""
        if self.closed:
            return
        self.closed = True
        self.rtp.send = self.rtcp.send = _no_send
        for endpoint in self._endpoints:
            endpoint.close()
        if not self._endpoints:
            self.pair.rtp_sock.close()
            self.pair.rtcp_sock.close()
        elif len(self._endpoints) == 1:
            self.pair.rtcp_sock.close()
        self._endpoints.clear()


class Relay:
    """Joins leg A and leg B: what arrives on A's sockets leaves from B's to B's far end, and back."""

    def __init__(
        self, call_id: str, leg_a: RelayLeg, leg_b: RelayLeg, *, on_close: Callable[[Relay], None]
    ) -> None:
        self.call_id = call_id
        self.a = leg_a
        self.b = leg_b
        leg_a.rtp.peer, leg_b.rtp.peer = leg_b.rtp, leg_a.rtp
        leg_a.rtcp.peer, leg_b.rtcp.peer = leg_b.rtcp, leg_a.rtcp
        self._on_close = on_close
        self.closed = False

    def set_direction(self, *, a_to_b: bool = True, b_to_a: bool = True) -> None:
        """Pause or resume RTP per direction (RTCP keeps flowing so the far ends stay alive)."""
        self.b.rtp.send_enabled = a_to_b
        self.a.rtp.send_enabled = b_to_a

    @property
    def last_packet_at(self) -> float | None:
        """Loop time of the last accepted RTP packet on either leg, None if none yet."""
        times = [t for t in (self.a.last_packet_at, self.b.last_packet_at) if t is not None]
        return max(times) if times else None

    def close(self) -> None:
        """Close both legs and return their ports (idempotent)."""
        if self.closed:
            return
        self.closed = True
        self.a.close()
        self.b.close()
        for stream in (self.a.rtp, self.a.rtcp, self.b.rtp, self.b.rtcp):
            stream.peer = None  # the streams of the two legs point at each other: a cycle
        self._on_close(self)

    def __repr__(self) -> str:
        return (
            f"<Relay {self.call_id} A:{self.a.rtp_port}->{self.a.remote} "
            f"B:{self.b.rtp_port}->{self.b.remote}{' closed' if self.closed else ''}>"
        )


class RelayManager:
    """Creates, tracks and closes the relays of a bind address, with ports from one allocator."""

    def __init__(
        self, allocator: PortAllocator, bind_address: str, *, relatch_after: int = DEFAULT_RELATCH_AFTER
    ) -> None:
        self.allocator = allocator
        self.bind_address = bind_address
        self.relatch_after = relatch_after
        self.reactor = MediaReactor()
        self._relays: dict[str, Relay] = {}

    async def create(self, call_id: str) -> Relay:
        """Allocate two port pairs, start receiving, and track the relay under ``call_id``.

        Raises NoPortsAvailable (nothing is leaked) or ValueError if ``call_id`` has a relay.
        """
        if call_id in self._relays:
            raise ValueError(f"call {call_id} already has a relay")
        clock = self.reactor.loop.time
        legs: list[RelayLeg] = []
        try:
            for name in ("a", "b"):
                pair = self.allocator.allocate(self.bind_address)
                legs.append(
                    RelayLeg(
                        f"{call_id}/{name}",
                        pair,
                        self.bind_address,
                        reactor=self.reactor,
                        clock=clock,
                        relatch_after=self.relatch_after,
                    )
                )
            relay = Relay(call_id, legs[0], legs[1], on_close=self._closed)
            for leg in legs:
                leg.open()
        except BaseException:
            for leg in legs:
                leg.close()
                self.allocator.release(leg.rtp_port)
            raise
        self._relays[call_id] = relay
        return relay

    def _closed(self, relay: Relay) -> None:
        self.allocator.release(relay.a.rtp_port)
        self.allocator.release(relay.b.rtp_port)
        if self._relays.get(relay.call_id) is relay:
            del self._relays[relay.call_id]

    def get(self, call_id: str) -> Relay | None:
        return self._relays.get(call_id)

    def close(self, call_id: str) -> None:
        """Close the relay of ``call_id`` if there is one."""
        relay = self._relays.get(call_id)
        if relay is not None:
            relay.close()

    def close_all(self) -> None:
        for relay in list(self._relays.values()):
            relay.close()
        self.reactor.close()

    def __len__(self) -> int:
        return len(self._relays)

    def __iter__(self) -> Iterator[Relay]:
        return iter(list(self._relays.values()))
