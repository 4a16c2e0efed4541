"""This machine's addresses as the LAN sees them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Callable
from typing import Final

_LOGGER = logging.getLogger(__name__)

ADDRESS_CHECK_INTERVAL: Final = 30.0
WILDCARDS: Final = ("0.0.0.0", "::", "")


def lan_address() -> str:
    """The address other machines on the LAN reach us at (a routing lookup; no packet is sent)."""
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1: routing lookup only, nothing is sent
        return str(probe.getsockname()[0])
    return "127.0.0.1"


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
    current: str, on_change: Callable[[str], None], interval: float = ADDRESS_CHECK_INTERVAL
) -> None:
    """Call ``on_change`` whenever the LAN address changes (DHCP gave a new lease, a cable moved)."""
    while True:
        await asyncio.sleep(interval)
        address = lan_address()
        if address != current:
            _LOGGER.info("The LAN address changed from %s to %s", current, address)
            current = address
            on_change(address)
