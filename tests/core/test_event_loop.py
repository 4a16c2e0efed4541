"""cancel_and_wait: a task is cancelled and waited for; its own failure comes back to the caller,
and a cancel of the caller while it waits is not swallowed."""

from __future__ import annotations

import asyncio

import pytest

from cordboard.core.event_loop import cancel_and_wait


async def test_the_task_is_cancelled_and_has_ended() -> None:
    task = asyncio.ensure_future(asyncio.sleep(30))
    await asyncio.sleep(0)
    await cancel_and_wait(task)
    assert task.cancelled()


async def test_a_failure_while_ending_reaches_the_caller() -> None:
    async def fails_on_cancel() -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            raise ValueError("cleanup failed") from None

    task = asyncio.ensure_future(fails_on_cancel())
    await asyncio.sleep(0)
    with pytest.raises(ValueError, match="cleanup failed"):
        await cancel_and_wait(task)


async def test_a_cancel_of_the_caller_while_it_waits_is_not_swallowed() -> None:
    async def slow_to_end() -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            await asyncio.sleep(0.2)
            raise

    task = asyncio.ensure_future(slow_to_end())
    await asyncio.sleep(0)
    stopper = asyncio.ensure_future(cancel_and_wait(task))
    await asyncio.sleep(0.05)  # the stopper waits for the task, which is still ending
    stopper.cancel()
    await asyncio.wait({stopper})
    assert stopper.cancelled()
    await asyncio.wait({task})
    assert task.cancelled()
