"""The RTP relay on 127.0.0.1 with real UDP sockets: forwarding, latching, RTCP, counters, leaks."""

from __future__ import annotations

import asyncio
import gc
import os
import socket
import struct
import time
import weakref
from collections.abc import AsyncIterator
from typing import cast

import pytest

from cordboard.core.rtp.packet import RtpHeader
from cordboard.core.rtp.ports import NoPortsAvailable, PortAllocator
from cordboard.core.rtp.relay import LegStream, Relay, RelayLeg, RelayManager
from cordboard.core.rtp.transport import Address

HOST = "127.0.0.1"


class Peer(asyncio.DatagramProtocol):
    """A fake phone: one UDP socket, received datagrams land in a queue."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[tuple[bytes, Address]] = asyncio.Queue()
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: Address) -> None:
        self.queue.put_nowait((data, addr))

    @property
    def address(self) -> tuple[str, int]:
        assert self.transport is not None
        host, port = self.transport.get_extra_info("sockname")[:2]
        return host, port

    def send(self, data: bytes, port: int) -> None:
        assert self.transport is not None
        self.transport.sendto(data, (HOST, port))

    async def recv(self) -> tuple[bytes, Address]:
        async with asyncio.timeout(2.0):
            return await self.queue.get()

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


async def open_peer(host: str = HOST) -> Peer:
    loop = asyncio.get_running_loop()
    _transport, peer = await loop.create_datagram_endpoint(Peer, local_addr=(host, 0))
    return peer


def rtp(seq: int, pt: int = 0, ssrc: int = 0xABCD) -> bytes:
    header = RtpHeader(payload_type=pt, sequence=seq & 0xFFFF, timestamp=seq * 160, ssrc=ssrc)
    return bytes(header) + struct.pack("!I", seq) + b"\xd5" * 156


def rtcp_rr(ssrc: int = 0xABCD) -> bytes:
    return struct.pack("!BBHI", 0x80, 201, 1, ssrc)


@pytest.fixture
async def manager() -> AsyncIterator[RelayManager]:
    mgr = RelayManager(PortAllocator(31000, 33000), HOST)
    yield mgr
    mgr.close_all()
    await asyncio.sleep(0)


@pytest.fixture
async def peers() -> AsyncIterator[list[Peer]]:
    opened: list[Peer] = []
    yield opened
    for peer in opened:
        peer.close()


async def settle() -> None:
    for _ in range(3):
        await asyncio.sleep(0.01)


async def test_forwarding_500_each_way(manager: RelayManager, peers: list[Peer]) -> None:
    relay = await manager.create("call-1")
    phone_a, phone_b = await open_peer(), await open_peer()
    peers += [phone_a, phone_b]
    relay.a.set_remote(*phone_a.address)
    relay.b.set_remote(*phone_b.address)

    for batch in range(10):
        for i in range(batch * 50, batch * 50 + 50):
            phone_a.send(rtp(i), relay.a.rtp_port)
            phone_b.send(rtp(i, ssrc=0xB), relay.b.rtp_port)
        await asyncio.sleep(0.005)

    for phone, expected_source in ((phone_b, relay.b.rtp_port), (phone_a, relay.a.rtp_port)):
        seqs = []
        for _ in range(500):
            data, source = await phone.recv()
            assert source[:2] == (HOST, expected_source)  # sent from the other leg's RTP socket
            seqs.append(struct.unpack_from("!I", data, 12)[0])
        assert sorted(seqs) == list(range(500))
        assert phone.queue.empty()

    assert relay.a.packets_in == relay.b.packets_out == 500
    assert relay.b.packets_in == relay.a.packets_out == 500
    assert relay.a.bytes_in == relay.b.bytes_out == 500 * 172
    assert relay.a.rtp.dropped == relay.b.rtp.dropped == 0
    assert relay.a.last_packet_at is not None
    assert relay.last_packet_at is not None
    assert abs(relay.last_packet_at - asyncio.get_running_loop().time()) < 5


async def test_latch_to_nat_source_port(manager: RelayManager, peers: list[Peer]) -> None:
    relay = await manager.create("nat")
    phone_a, phone_b = await open_peer(), await open_peer()
    peers += [phone_a, phone_b]
    # The SDP names a port nobody listens on (the phone is behind NAT).
    relay.a.set_remote(HOST, 9, nat=True)
    relay.b.set_remote(*phone_b.address)
    assert relay.a.remote == (HOST, 9) and not relay.a.latched

    phone_a.send(rtp(1), relay.a.rtp_port)
    data, _ = await phone_b.recv()
    assert data == rtp(1)
    assert relay.a.remote == phone_a.address and relay.a.latched
    assert relay.a.rtcp.remote == (HOST, phone_a.address[1] + 1)  # guessed until RTCP latches

    phone_b.send(rtp(2), relay.b.rtp_port)
    data, source = await phone_a.recv()
    assert data == rtp(2) and source[1] == relay.a.rtp_port

    # A re-INVITE with the same SDP address keeps the latch; a new address starts over.
    relay.a.set_remote(HOST, 9)
    assert relay.a.remote == phone_a.address
    relay.a.set_remote(HOST, 11)
    assert relay.a.remote == (HOST, 11) and not relay.a.latched


async def test_non_nat_leg_ignores_other_ips(manager: RelayManager, peers: list[Peer]) -> None:
    relay = await manager.create("strict")
    intruder, phone_a, phone_b = await open_peer("127.0.0.2"), await open_peer(), await open_peer()
    peers += [intruder, phone_a, phone_b]
    relay.a.set_remote(*phone_a.address)
    relay.b.set_remote(*phone_b.address)

    for i in range(5):
        intruder.send(rtp(i), relay.a.rtp_port)
    intruder.send(b"junk", relay.a.rtp_port)
    await settle()
    assert phone_b.queue.empty()
    assert relay.a.rtp.dropped == 6 and not relay.a.latched

    # Same host, other port: accepted (symmetric RTP from the SDP host).
    phone_a.send(rtp(9), relay.a.rtp_port)
    assert (await phone_b.recv())[0] == rtp(9)

    # Marked NAT, the other IP may take over after a few packets in a row.
    relay.a.nat = True
    for i in range(3):
        intruder.send(rtp(100 + i), relay.a.rtp_port)
    assert (await phone_b.recv())[0] == rtp(102)
    assert relay.a.remote == intruder.address


async def test_relatch_needs_packets_in_a_row(manager: RelayManager, peers: list[Peer]) -> None:
    relay = await manager.create("relatch")
    old, new, phone_b = await open_peer(), await open_peer(), await open_peer()
    peers += [old, new, phone_b]
    relay.a.set_remote(*old.address)
    relay.b.set_remote(*phone_b.address)

    old.send(rtp(1), relay.a.rtp_port)
    await phone_b.recv()
    # Interleaved with the latched source: never a consistent change.
    for i in range(6):
        new.send(rtp(10 + i), relay.a.rtp_port)
        await settle()
        old.send(rtp(20 + i), relay.a.rtp_port)
        await settle()
    assert relay.a.remote == old.address
    received = [phone_b.queue.get_nowait()[0] for _ in range(phone_b.queue.qsize())]
    assert received == [rtp(20 + i) for i in range(6)]
    # Three in a row from the new source: follow it; the third packet is the first forwarded.
    for i in range(3):
        new.send(rtp(30 + i), relay.a.rtp_port)
        await settle()
    assert relay.a.remote == new.address
    assert (await phone_b.recv())[0] == rtp(32)

    phone_b.send(rtp(40), relay.b.rtp_port)
    assert (await new.recv())[0] == rtp(40)
    assert old.queue.empty()


async def test_rtcp_path(manager: RelayManager, peers: list[Peer]) -> None:
    relay = await manager.create("rtcp")
    phone_a, phone_a_rtcp, phone_b, phone_b_rtcp = [await open_peer() for _ in range(4)]
    peers += [phone_a, phone_a_rtcp, phone_b, phone_b_rtcp]
    relay.a.set_remote(HOST, phone_a.address[1], phone_a_rtcp.address[1])
    relay.b.set_remote(HOST, phone_b.address[1], phone_b_rtcp.address[1])

    phone_a_rtcp.send(rtcp_rr(1), relay.a.rtcp_port)
    data, source = await phone_b_rtcp.recv()
    assert data == rtcp_rr(1) and source[1] == relay.b.rtcp_port
    phone_b_rtcp.send(rtcp_rr(2), relay.b.rtcp_port)
    data, source = await phone_a_rtcp.recv()
    assert data == rtcp_rr(2) and source[1] == relay.a.rtcp_port
    assert relay.a.rtcp.packets_in == relay.b.rtcp.packets_out == 1
    assert relay.a.packets_in == 0  # RTP counters untouched
    assert phone_a.queue.empty() and phone_b.queue.empty()


async def test_set_direction_pauses_rtp_only(manager: RelayManager, peers: list[Peer]) -> None:
    relay = await manager.create("hold")
    phone_a, phone_b = await open_peer(), await open_peer()
    peers += [phone_a, phone_b]
    relay.a.set_remote(*phone_a.address)
    relay.b.set_remote(*phone_b.address)
    relay.set_direction(a_to_b=False)
    phone_a.send(rtp(1), relay.a.rtp_port)
    phone_b.send(rtp(2), relay.b.rtp_port)
    assert (await phone_a.recv())[0] == rtp(2)
    await settle()
    assert phone_b.queue.empty()
    assert relay.a.rtp.dropped == 1 and relay.a.last_packet_at is not None  # still counts as media
    relay.set_direction()
    phone_a.send(rtp(3), relay.a.rtp_port)
    assert (await phone_b.recv())[0] == rtp(3)


async def test_no_remote_yet_drops(manager: RelayManager, peers: list[Peer]) -> None:
    relay = await manager.create("early")
    phone_a = await open_peer()
    peers.append(phone_a)
    phone_a.send(rtp(1), relay.a.rtp_port)
    await settle()
    assert relay.a.packets_in == 1 and relay.a.rtp.dropped == 1
    assert relay.a.latched  # no SDP yet: the first source is taken


async def test_manager_tracks_and_close_frees_ports(peers: list[Peer]) -> None:
    allocator = PortAllocator(33000, 33008)  # four pairs: two relays
    manager = RelayManager(allocator, HOST)
    one = await manager.create("one")
    two = await manager.create("two")
    assert len(manager) == 2 and manager.get("one") is one and set(manager) == {one, two}
    with pytest.raises(NoPortsAvailable):
        await manager.create("three")
    assert allocator.in_use == 4  # the failed create leaked nothing
    with pytest.raises(ValueError, match="already"):
        await manager.create("one")
    ports = [one.a.rtp_port, one.b.rtp_port]
    manager.close("one")
    one.close()  # idempotent
    assert one.closed and manager.get("one") is None and allocator.in_use == 2
    await settle()
    phone = await open_peer()
    peers.append(phone)
    phone.send(rtp(1), ports[0])  # nobody listens any more
    await settle()
    assert one.a.packets_in == 0
    three = await manager.create("three")
    assert isinstance(three, Relay)
    manager.close_all()
    assert len(manager) == 0 and allocator.in_use == 0


async def test_closed_relay_is_freed_without_the_cycle_collector(
    manager: RelayManager, peers: list[Peer]
) -> None:
    """A closed relay's legs, streams and sockets go as soon as the call lets go of the relay.
    With the cycle collector's help only, a busy appliance would keep minutes of ended calls'
    relays in memory and pause for whole seconds collecting them."""
    relay = await manager.create("call-1")
    phone_a, phone_b = await open_peer(), await open_peer()
    peers += [phone_a, phone_b]
    relay.a.set_remote(*phone_a.address)
    relay.b.set_remote(*phone_b.address)
    for i in range(5):  # latch both legs and forward both ways
        phone_a.send(rtp(i), relay.a.rtp_port)
        phone_b.send(rtp(i, ssrc=0xB), relay.b.rtp_port)
    await settle()
    assert relay.a.packets_out == relay.b.packets_out == 5
    legs = [weakref.ref(relay), weakref.ref(relay.a), weakref.ref(relay.b)]
    gc.collect()
    gc.disable()
    try:
        relay.close()
        del relay
        await asyncio.sleep(0)
        assert [ref() for ref in legs] == [None, None, None]
        gc.set_debug(gc.DEBUG_SAVEALL)  # what only the cycle collector could free
        gc.collect()
        left = [type(thing).__name__ for thing in gc.garbage if type(thing) in (LegStream, RelayLeg, Relay)]
        assert left == []
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


LEAK_RELAYS = 10_000


async def test_no_leaks_creating_and_closing_many_relays() -> None:
    allocator = PortAllocator(34000, 36000)
    manager = RelayManager(allocator, HOST)
    # Let the loop and the media reactor (its epoll descriptor stays) create their objects first.
    (await manager.create("warm-up")).close()
    await asyncio.sleep(0)
    baseline = open_fds()
    started = time.monotonic()
    for i in range(LEAK_RELAYS):
        relay = await manager.create(f"c{i}")
        relay.close()
        if i % 100 == 0:
            await asyncio.sleep(0)  # let transports finish closing their sockets
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    elapsed = time.monotonic() - started
    assert len(manager) == 0 and len(manager.reactor) == 0
    assert allocator.in_use == 0 and allocator.available == allocator.capacity == 1000
    assert open_fds() <= baseline, "sockets were left open"  # fewer: an earlier test's closed late
    assert elapsed < 30, f"{LEAK_RELAYS} relays took {elapsed:.1f}s"


async def test_reactor_reads_many_sockets_per_wakeup(manager: RelayManager, peers: list[Peer]) -> None:
    """The media hot path: 20 calls' packets arriving together are relayed in a few passes of the
    reactor, not one event-loop wake-up per packet; then it goes back to waiting."""
    relays = [await manager.create(f"batch-{n}") for n in range(20)]
    phones = []
    for relay in relays:
        phone_a, phone_b = await open_peer(), await open_peer()
        phones.append((phone_a, phone_b))
        relay.a.set_remote(*phone_a.address)
        relay.b.set_remote(*phone_b.address)
    peers += [phone for pair in phones for phone in pair]
    passes_before = manager.reactor.passes
    for seq in range(10):
        for relay, (phone_a, phone_b) in zip(relays, phones, strict=True):
            phone_a.send(rtp(seq), relay.a.rtp_port)
            phone_b.send(rtp(seq, ssrc=0xB), relay.b.rtp_port)
        await asyncio.sleep(0.004)
    for _relay, (phone_a, phone_b) in zip(relays, phones, strict=True):
        for phone in (phone_a, phone_b):
            for _ in range(10):
                await phone.recv()
    passes = manager.reactor.passes - passes_before
    assert sum(r.a.packets_in + r.b.packets_in for r in relays) == 400
    assert passes <= 40, f"{passes} passes for 400 packets"
    await asyncio.sleep(4 * manager.reactor.interval)
    assert manager.reactor.idle


async def test_reactor_reads_a_burst_on_one_socket_in_one_pass(
    manager: RelayManager, peers: list[Peer]
) -> None:
    """A backlog (50 packets queued on one socket) is relayed at once, not one per pass."""
    relay = await manager.create("burst")
    phone_a, phone_b = await open_peer(), await open_peer()
    peers += [phone_a, phone_b]
    relay.a.set_remote(*phone_a.address)
    relay.b.set_remote(*phone_b.address)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:  # phone A's host, another port
        for seq in range(50):
            sender.sendto(rtp(seq), (HOST, relay.a.rtp_port))  # all queued before the loop runs
        passes_before = manager.reactor.passes
        for _ in range(50):
            await asyncio.wait_for(phone_b.recv(), 2)
    assert manager.reactor.passes - passes_before <= 2
