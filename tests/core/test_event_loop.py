"""cancel_and_wait and cancel_all: a task is cancelled and waited for; its own failure comes back
to the caller, a cancel of the caller while it waits is not swallowed, and a task that will not end
is named and given up on."""

from __future__ import annotations

import asyncio

import pytest

from cordboard.core.event_loop import cancel_all, cancel_and_wait


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


async def test_a_task_that_will_not_end_is_given_up_on_and_named(caplog: pytest.LogCaptureFixture) -> None:
    release = asyncio.Event()

    async def ignores_the_cancel() -> None:
        while not release.is_set():
            try:
                await release.wait()
            except asyncio.CancelledError:
                continue

    stubborn = asyncio.ensure_future(ignores_the_cancel())
    stubborn.set_name("stubborn")
    polite = asyncio.ensure_future(asyncio.sleep(30))
    await asyncio.sleep(0)
    pending = await cancel_all([stubborn, polite], give_up_after=0.1)
    assert pending == {stubborn}
    assert polite.cancelled()
    assert "Task stubborn did not stop within 0.1 s" in caplog.text
    await cancel_and_wait(stubborn, give_up_after=0.1)  # returns after the timeout rather than hanging
    assert not stubborn.done()
    release.set()
    await asyncio.wait({stubborn})
