"""The RTP port allocator: even ports, real binding, skipping taken ports, exhaustion, release."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from cordboard.core.rtp.ports import NoPortsAvailable, PortAllocator, PortPair

HOST = "127.0.0.1"


class FakeBinder:
    def __init__(self) -> None:
        self.taken: set[int] = set()
        self.calls: list[int] = []

    def __call__(self, host: str, port: int) -> tuple[socket.socket, socket.socket]:
        self.calls.append(port)
        if port in self.taken or port + 1 in self.taken:
            raise OSError(98, "Address already in use")
        return socket.socket(socket.AF_INET, socket.SOCK_DGRAM), socket.socket(
            socket.AF_INET, socket.SOCK_DGRAM
        )


@pytest.fixture
def pairs() -> Iterator[list[PortPair]]:
    allocated: list[PortPair] = []
    yield allocated
    for pair in allocated:
        pair.rtp_sock.close()
        pair.rtcp_sock.close()


def free_range(size: int) -> int:
    """A start port whose next ``size`` ports look free right now (best effort)."""
    for start in range(42000, 60000, 500):
        socks = []
        try:
            for port in range(start, start + size):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                socks.append(s)
                s.bind((HOST, port))
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
        return start
    raise RuntimeError("no free port range")


def test_even_ports_and_real_binding(pairs: list[PortPair]) -> None:
    start = free_range(20)
    allocator = PortAllocator(start + 1, start + 20)  # odd start rounds up
    for _ in range(3):
        pairs.append(allocator.allocate(HOST))
    ports = [p.rtp_port for p in pairs]
    assert ports == [start + 2, start + 4, start + 6]
    for pair in pairs:
        assert pair.rtp_port % 2 == 0 and pair.rtcp_port == pair.rtp_port + 1
        assert pair.rtp_sock.getsockname() == (HOST, pair.rtp_port)
        assert pair.rtcp_sock.getsockname() == (HOST, pair.rtcp_port)
    assert allocator.in_use == 3


def test_skips_ports_held_by_someone_else(pairs: list[PortPair]) -> None:
    start = free_range(10)
    squatters = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2)]
    try:
        squatters[0].bind((HOST, start))  # RTP of the first pair
        squatters[1].bind((HOST, start + 3))  # RTCP of the second pair
        allocator = PortAllocator(start, start + 10)
        pairs.append(allocator.allocate(HOST))
        assert pairs[0].rtp_port == start + 4
    finally:
        for s in squatters:
            s.close()
    # The skipped ports are retried later, once everything else is used.
    pairs.extend(allocator.allocate(HOST) for _ in range(4))
    assert sorted(p.rtp_port for p in pairs) == [start, start + 2, start + 4, start + 6, start + 8]


def test_exhaustion_and_release(pairs: list[PortPair]) -> None:
    binder = FakeBinder()
    allocator = PortAllocator(10000, 10010, bind=binder)
    assert allocator.capacity == 5
    pairs.extend(allocator.allocate(HOST) for _ in range(5))
    with pytest.raises(NoPortsAvailable):
        allocator.allocate(HOST)
    allocator.release(10004)
    assert allocator.allocate(HOST).rtp_port == 10004
    with pytest.raises(ValueError, match="not allocated"):
        allocator.release(10001)
    with pytest.raises(ValueError, match="not allocated"):
        allocator.release(20000)


def test_all_taken_raises_and_release_is_fifo(pairs: list[PortPair]) -> None:
    binder = FakeBinder()
    binder.taken = set(range(10000, 10010))
    allocator = PortAllocator(10000, 10010, bind=binder)
    with pytest.raises(NoPortsAvailable):
        allocator.allocate(HOST)
    assert allocator.available == 5  # nothing lost
    binder.taken.clear()
    first = allocator.allocate(HOST)
    allocator.release(first.rtp_port)
    # A released pair goes to the back of the queue: not reused right away.
    assert allocator.allocate(HOST).rtp_port != first.rtp_port
    first.rtp_sock.close()
    first.rtcp_sock.close()


def test_allocate_is_constant_time_per_call() -> None:
    binder = FakeBinder()
    allocator = PortAllocator(1024, 65534, bind=binder)
    for _ in range(1000):
        pair = allocator.allocate(HOST)
        pair.rtp_sock.close()
        pair.rtcp_sock.close()
        allocator.release(pair.rtp_port)
    assert len(binder.calls) == 1000  # one bind attempt each, no scanning


@pytest.mark.parametrize(("start", "end"), [(0, 100), (2000, 1000), (60000, 70000)])
def test_bad_range(start: int, end: int) -> None:
    with pytest.raises(ValueError, match="range"):
        PortAllocator(start, end)
