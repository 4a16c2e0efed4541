"""The address Cordboard gives phones follows the LAN address when none is configured."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from typing import Any

import pytest

from cordboard.core import network


def test_only_a_wildcard_bind_without_advertise_follows_the_lan() -> None:
    assert network.follows_lan_address("0.0.0.0")
    assert not network.follows_lan_address("0.0.0.0", "192.168.1.20")
    assert not network.follows_lan_address("192.168.1.20")
    assert network.reachable_address("192.168.1.20") == "192.168.1.20"
    assert network.reachable_address("0.0.0.0", "10.0.0.5") == "10.0.0.5"


async def watch_until(watch: Coroutine[Any, Any, None], seen: list[Any], changes: int) -> None:
    """Run a watch until it reported ``changes`` changes, and a little longer (to catch repeats)."""
    task = asyncio.create_task(watch)
    for _ in range(100):
        if len(seen) >= changes:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def test_a_new_dhcp_lease_is_followed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Image issue: after DHCP hands out a new address, new calls and registrations use it."""
    leases = iter(["192.168.1.20", "192.168.1.20", "192.168.1.77", "192.168.1.77"])
    monkeypatch.setattr(network, "lan_address", lambda: next(leases, "192.168.1.77"))
    seen: list[str] = []
    await watch_until(network.watch_lan_address("192.168.1.20", seen.append, interval=0.01), seen, 1)
    assert seen == ["192.168.1.77"], "told once, with the new address"


def test_lan_addresses_lead_with_the_lan_address_and_leave_out_loopback() -> None:
    """BYD-07: zeroconf announces on these; the address phones are told comes first."""
    addresses = network.lan_addresses()
    assert addresses and addresses[0] == network.lan_address()
    assert not any(address.startswith("127.") for address in addresses)


async def test_a_new_interface_is_followed(monkeypatch: pytest.MonkeyPatch) -> None:
    """BYD-07: a second LAN plugged in (and out again) changes the set of interface addresses."""
    states = iter([["192.168.1.20"], ["192.168.1.20", "10.0.5.1"], ["192.168.1.20", "10.0.5.1"]])
    monkeypatch.setattr(network, "lan_addresses", lambda: next(states, ["192.168.1.20"]))
    seen: list[list[str]] = []
    await watch_until(network.watch_lan_addresses(["192.168.1.20"], seen.append, interval=0.01), seen, 2)
    assert seen == [["192.168.1.20", "10.0.5.1"], ["192.168.1.20"]]
