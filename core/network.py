"""This machine's addresses as the LAN sees them."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Final, TypeVar

import ifaddr

_LOGGER = logging.getLogger(__name__)

ADDRESS_CHECK_INTERVAL: Final = 30.0
WILDCARDS: Final = ("0.0.0.0", "::", "")
_IFF_UP: Final = 0x1
_T = TypeVar("_T")


def lan_address() -> str:
    """The address other machines on the LAN reach us at (a routing lookup; no packet is sent)."""
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1: routing lookup only, nothing is sent
        return str(probe.getsockname()[0])
    return "127.0.0.1"


def lan_addresses() -> list[str]:
    """The IPv4 addresses of every interface that is up, but loopback; the LAN address first."""
    found: set[str] = set()
    for adapter in ifaddr.get_adapters():
        if not _is_up(adapter.name):
            continue
        for ip in adapter.ips:
            if ip.is_IPv4 and isinstance(ip.ip, str) and not ipaddress.ip_address(ip.ip).is_loopback:
                found.add(ip.ip)
    primary = lan_address()
    return sorted(found, key=lambda address: (address != primary, ipaddress.ip_address(address)))


def _is_up(interface: str) -> bool:
    """Whether the interface is administratively up (Linux sysfs; elsewhere every interface is)."""
    try:
        return bool(int(Path(f"/sys/class/net/{interface}/flags").read_text(), 16) & _IFF_UP)
    except (OSError, ValueError):
        return True


def reachable_address(bind: str, configured: str = "") -> str:
    """What to tell others to use: the configured address, a specific bind address, or the LAN address."""
    if configured:
        return configured
    if bind not in WILDCARDS:
        return bind
    return lan_address()


def follows_lan_address(bind: str, configured: str = "") -> bool:
    """Whether the address we tell others is the LAN address of the moment (not fixed by config)."""
    return not configured and bind in WILDCARDS


async def watch_lan_address(
    current: str, on_change: Callable[[str], None], interval: float | None = None
) -> None:
    """Call ``on_change`` whenever the LAN address changes (DHCP gave a new lease, a cable moved)."""
    await _watch("LAN address", lan_address, current, on_change, interval)


async def watch_lan_addresses(
    current: list[str], on_change: Callable[[list[str]], None], interval: float | None = None
) -> None:
    """Call ``on_change`` whenever the set of interface addresses changes (a new interface, a lease)."""
    await _watch("LAN interface addresses", lan_addresses, current, on_change, interval)


async def _watch(
    what: str, read: Callable[[], _T], current: _T, on_change: Callable[[_T], None], interval: float | None
) -> None:
    while True:
        await asyncio.sleep(ADDRESS_CHECK_INTERVAL if interval is None else interval)
        now = read()
        if now != current:
            _LOGGER.info("The %s changed from %s to %s", what, current, now)
            current = now
            on_change(now)
