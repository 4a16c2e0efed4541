"""The running event loop, without looking it up on every message; ending tasks.

On Python 3.11 each ``asyncio.get_running_loop()`` compares the process id, a getpid system call
(glibc no longer caches it), so the per-message paths keep the loop they found, as Home
Assistant's ``hass.loop``; an object that outlives its loop (only in tests) finds the new one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any, Final

_LOGGER = logging.getLogger(__name__)

STOP_TIMEOUT: Final = 4.0
"""How long a cancelled task may take to end before its stopper gives up on it and says so."""


def running_loop(cached: asyncio.AbstractEventLoop | None) -> asyncio.AbstractEventLoop:
    """``cached`` while it runs, else the running loop (RuntimeError outside one)."""
    if cached is not None and cached.is_running():
        return cached
    return asyncio.get_running_loop()


async def cancel_all(
    tasks: Iterable[asyncio.Future[Any]], give_up_after: float | None = STOP_TIMEOUT
) -> set[asyncio.Future[Any]]:
    """Cancel ``tasks`` and wait until they have ended, at most ``give_up_after`` s; log and return the
    ones still running then. A cancel of the caller while it waits is not swallowed."""
    running = {task for task in tasks if not task.done()}
    for task in running:
        task.cancel()
    if not running:
        return set()
    _done, pending = await asyncio.wait(running, timeout=give_up_after)
    for task in pending:
        _LOGGER.warning("%s did not stop within %s s", _name(task), give_up_after)
    return pending


async def cancel_and_wait(task: asyncio.Future[Any], give_up_after: float | None = STOP_TIMEOUT) -> None:
    """Cancel ``task`` and wait until it has ended (at most ``give_up_after`` s, see ``cancel_all``);
    raise what it failed with, if not the cancel.

    Unlike ``task.cancel()`` then ``await task`` under ``suppress(CancelledError)``, a cancel of
    the caller itself while it waits is not swallowed.
    """
    if await cancel_all({task}, give_up_after):
        return
    if not task.cancelled() and (error := task.exception()) is not None:
        raise error


def _name(task: asyncio.Future[Any]) -> str:
    return f"Task {task.get_name()}" if isinstance(task, asyncio.Task) else repr(task)
