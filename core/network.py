"""This machine's addresses as the LAN sees them."""

from __future__ import annotations

import contextlib
import socket


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
    if bind not in ("0.0.0.0", "::", ""):
        return bind
    return lan_address()
