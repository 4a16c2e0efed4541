"""The running event loop, without looking it up on every message.

On Python 3.11 each ``asyncio.get_running_loop()`` compares the process id, a getpid system call
(glibc no longer caches it), so the per-message paths keep the loop they found, as Home
Assistant's ``hass.loop``; an object that outlives its loop (only in tests) finds the new one.
"""

from __future__ import annotations

import asyncio


def running_loop(cached: asyncio.AbstractEventLoop | None) -> asyncio.AbstractEventLoop:
    """``cached`` while it runs, else the running loop (RuntimeError outside one)."""
    if cached is not None and cached.is_running():
        return cached
    return asyncio.get_running_loop()
