"""Call history writes (CDR-01): ended calls are committed at once on an idle system, and calls that
end while a write runs, or soon after one, share the next transaction (group commit) without
losing any."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from cordboard.core.bus import Event
from cordboard.core.calls import history
from cordboard.core.calls.history import HistoryWriter, list_calls
from cordboard.core.calls.model import EVENT_CALL_HISTORY_SAVED, CallRecord, CallResult
from cordboard.core.config.bootstrap import BootstrapConfig
from cordboard.core.core import Core

T0 = 1_767_268_800.0


def record(n: int) -> CallRecord:
    return CallRecord(
        id=f"call{n:04d}",
        sip_call_id=f"sip-{n}",
        caller="100",
        caller_name="Ann",
        caller_user_id=None,
        callee="101",
        callee_name="Bo",
        callee_user_id=None,
        started=T0 + n,
        answered=T0 + n + 1,
        ended=T0 + n + 5,
        result=CallResult.ANSWERED,
        sip_code=None,
        reason="",
    )


async def stored_ids(core: Core) -> set[str]:
    return {row["id"] for row in await core.db.call(lambda db: list_calls(db, limit=1000))}


async def test_one_ended_call_is_committed_without_waiting(core: Core) -> None:
    writer = HistoryWriter(core.db, core.create_task)
    writer.add(record(1))
    await asyncio.wait_for(writer.flush(), 5)
    assert await stored_ids(core) == {"call0001"}


@pytest.fixture
def batches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The size of every transaction the call history writes, in order."""
    sizes: list[int] = []
    save_calls = history.save_calls

    def counting(db: Any, records: Sequence[CallRecord]) -> None:
        sizes.append(len(records))
        save_calls(db, records)

    monkeypatch.setattr(history, "save_calls", counting)
    return sizes


async def test_calls_ending_during_a_write_share_one_transaction(core: Core, batches: list[int]) -> None:
    """The first call's write waits behind a busy database thread; the 50 calls that end meanwhile
    are committed together in the next transaction."""
    writer = HistoryWriter(core.db, core.create_task)
    release = threading.Event()
    blocker = asyncio.ensure_future(core.db.call(lambda db: release.wait(5)))
    writer.add(record(0))
    for _ in range(5):
        await asyncio.sleep(0)  # the writer's first batch is now queued behind the blocker
    for n in range(1, 51):
        writer.add(record(n))
    release.set()
    await blocker
    await asyncio.wait_for(writer.flush(), 5)
    assert batches == [1, 50]
    assert await stored_ids(core) == {f"call{n:04d}" for n in range(51)}


async def test_calls_ending_soon_after_a_commit_wait_and_share_the_next_one(
    core: Core, batches: list[int]
) -> None:
    """Under load the database thread commits at most once per interval: the calls that end within
    it are written together once it has passed, and a call on a quiet system again at once."""
    loop = asyncio.get_running_loop()
    writer = HistoryWriter(core.db, core.create_task, interval=0.5)
    first = loop.time()
    writer.add(record(0))
    await asyncio.wait_for(writer.flush(), 5)
    for n in range(1, 11):
        writer.add(record(n))
        await asyncio.sleep(0.01)
    assert batches == [1]  # the ten are waiting for the interval, not written one by one
    await asyncio.wait_for(writer.flush(), 5)
    assert batches == [1, 10]
    assert loop.time() - first >= 0.45
    assert await stored_ids(core) == {f"call{n:04d}" for n in range(11)}
    await asyncio.sleep(0.6)
    quiet = loop.time()
    writer.add(record(11))
    await asyncio.wait_for(writer.flush(), 5)
    assert batches == [1, 10, 1]
    assert loop.time() - quiet < 0.4


async def test_stopping_cordboard_commits_the_calls_still_queued(tmp_path: Path) -> None:
    config = BootstrapConfig(http_bind="127.0.0.1", http_port=0, sip_bind="127.0.0.1", sip_port=0)
    pbx = Core(tmp_path / "data", config)
    await pbx.start(serve_http=False)
    assert pbx.calls is not None
    for n in range(20):
        pbx.calls.history.add(record(n))
    await pbx.stop()
    reopened = Core(tmp_path / "data", config)
    await reopened.start(serve_http=False, serve_sip=False)
    try:
        assert len(await stored_ids(reopened)) == 20
    finally:
        await reopened.stop()


async def test_cdr_01_the_history_tells_once_ended_calls_are_committed(tmp_path: Path) -> None:
    """The web UI's call history fetches again on ``call_history.saved``: it is fired only once the
    batch is committed (a fetch then finds the rows), naming the calls and the users they concern."""
    config = BootstrapConfig(http_bind="127.0.0.1", http_port=0, sip_bind="127.0.0.1", sip_port=0)
    pbx = Core(tmp_path / "data", config)
    await pbx.start(serve_http=False)
    try:
        assert pbx.calls is not None
        seen: list[tuple[dict[str, Any], set[str]]] = []

        async def on_saved(event: Event[dict[str, Any]]) -> None:
            seen.append((event.data, await stored_ids(pbx)))

        pbx.bus.listen(EVENT_CALL_HISTORY_SAVED, on_saved)
        pbx.calls.history.add(dataclasses.replace(record(1), caller_user_id=7, callee_user_id=9))
        pbx.calls.history.add(record(2))
        await asyncio.wait_for(pbx.calls.history.flush(), 5)
        for _ in range(50):
            if seen:
                break
            await asyncio.sleep(0.02)
        [(data, stored)] = seen
        assert data == {"call_ids": ["call0001", "call0002"], "user_ids": [7, 9]}
        assert {"call0001", "call0002"} <= stored
    finally:
        await pbx.stop()
