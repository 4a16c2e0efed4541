"""The running event loop, without looking it up on every message; ending a task.

On Python 3.11 each ``asyncio.get_running_loop()`` compares the process id, a getpid system call
(glibc no longer caches it), so the per-message paths keep the loop they found, as Home
Assistant's ``hass.loop``; an object that outlives its loop (only in tests) finds the new one.
"""

from __future__ import annotations

import asyncio
from typing import Any


def running_loop(cached: asyncio.AbstractEventLoop | None) -> asyncio.AbstractEventLoop:
    """``cached`` while it runs, else the running loop (RuntimeError outside one)."""
    if cached is not None and cached.is_running():
        return cached
    return asyncio.get_running_loop()


async def cancel_and_wait(task: asyncio.Future[Any]) -> None:
    """Cancel ``task`` and wait until it has ended; raise what it failed with, if not the cancel.

    Unlike ``task.cancel()`` then ``await task`` under ``suppress(CancelledError)``, a cancel of
    the caller itself while it waits is not swallowed.
    """
    task.cancel()
    await asyncio.wait({task})
    if not task.cancelled() and (error := task.exception()) is not None:
        raise error
