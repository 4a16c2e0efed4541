"""Event bus: typed events, contexts, unsubscribe, coroutine listeners, listener errors."""

from __future__ import annotations

import asyncio
from typing import Any

from cordboard.core.bus import Event, EventBus, EventType
from cordboard.core.const import MATCH_ALL
from cordboard.core.context import Context, current_context, ulid_now


def make_bus() -> tuple[EventBus, list[asyncio.Task[Any]]]:
    tasks: list[asyncio.Task[Any]] = []

    def spawn(coro: Any, name: str) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro)
        tasks.append(task)
        return task

    return EventBus(spawn), tasks


async def test_listen_fire_and_unsubscribe() -> None:
    bus, _ = make_bus()
    seen: list[Event[Any]] = []
    remove = bus.listen("call.started", seen.append)
    bus.fire("call.started", {"call_id": "a"})
    remove()
    bus.fire("call.started", {"call_id": "b"})
    assert [e.data["call_id"] for e in seen] == ["a"]
    assert bus.listener_count() == {}


async def test_match_all_and_filter() -> None:
    bus, _ = make_bus()
    everything: list[str] = []
    filtered: list[str] = []
    bus.listen(MATCH_ALL, lambda e: everything.append(e.event_type))
    bus.listen("x", lambda e: filtered.append(e.data["n"]), event_filter=lambda e: e.data["n"] > 1)
    for n in range(3):
        bus.fire("x", {"n": n})
    bus.fire("y", {"n": 9})
    assert everything == ["x", "x", "x", "y"]
    assert filtered == [2]


async def test_typed_event_type_is_a_string() -> None:
    started: EventType[dict[str, str]] = EventType("call.started")
    bus, _ = make_bus()
    seen: list[str] = []
    bus.listen("call.started", lambda e: seen.append(e.event_type))
    bus.fire(started, {"call_id": "1"})
    assert seen == ["call.started"]


async def test_context_travels_and_is_current_in_listener() -> None:
    bus, _ = make_bus()
    parent = Context(user_id="7")
    child = parent.child()
    inside: list[Context | None] = []
    bus.listen("e", lambda e: inside.append(current_context.get()))
    event = bus.fire("e", {}, child)
    assert event.context.parent_id == parent.id
    assert event.context.user_id == "7"
    assert inside == [child]
    assert current_context.get() is None


async def test_coroutine_listener_runs_as_task() -> None:
    bus, tasks = make_bus()
    done = asyncio.Event()

    async def slow(event: Event[Any]) -> None:
        await asyncio.sleep(0)
        done.set()

    bus.listen("e", slow)
    bus.fire("e", {})
    assert not done.is_set()  # fire did not wait for the coroutine
    await asyncio.wait_for(done.wait(), 1)
    assert len(tasks) == 1


async def test_failing_listener_does_not_stop_others(caplog: Any) -> None:
    bus, _ = make_bus()
    seen: list[int] = []

    def broken(event: Event[Any]) -> None:
        raise RuntimeError("boom")

    bus.listen("e", broken)
    bus.listen("e", lambda e: seen.append(1))
    bus.fire("e", {})
    assert seen == [1]
    assert "boom" in caplog.text


async def test_listen_once() -> None:
    bus, _ = make_bus()
    seen: list[int] = []
    bus.listen_once("e", lambda e: seen.append(e.data["n"]))
    bus.fire("e", {"n": 1})
    bus.fire("e", {"n": 2})
    assert seen == [1]


def test_ulids_sort_by_time_and_are_unique() -> None:
    ids = [ulid_now() for _ in range(200)]
    assert len(set(ids)) == 200
    assert all(len(i) == 26 for i in ids)
