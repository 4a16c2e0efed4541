"""State machine: snapshots, state_changed events, no event when unchanged, removal, validation."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from cordboard.core.bus import Event, EventBus
from cordboard.core.context import Context
from cordboard.core.state import EVENT_STATE_CHANGED, StateMachine


def machine() -> tuple[StateMachine, list[Event[Any]]]:
    bus = EventBus(lambda coro, name: asyncio.get_running_loop().create_task(coro))
    events: list[Event[Any]] = []
    bus.listen(EVENT_STATE_CHANGED, events.append)
    return StateMachine(bus), events


async def test_set_fires_with_old_and_new() -> None:
    states, events = machine()
    ctx = Context(user_id="1")
    first = states.set("extension.1001", "idle", {"user_id": 1}, context=ctx)
    second = states.set("extension.1001", "ringing", {"user_id": 1})
    assert [e.data["new_state"].state for e in events] == ["idle", "ringing"]
    assert events[1].data["old_state"] is first
    assert events[0].context is ctx
    assert second.last_changed >= first.last_changed
    assert states.get("EXTENSION.1001") is second


async def test_unchanged_state_does_not_fire_but_attributes_do() -> None:
    states, events = machine()
    states.set("trunk.provider1", "up", {"rtt": 10})
    states.set("trunk.provider1", "up", {"rtt": 10})
    assert len(events) == 1
    changed = states.set("trunk.provider1", "up", {"rtt": 12})
    assert len(events) == 2
    assert changed.last_changed == events[0].data["new_state"].last_changed
    states.set("trunk.provider1", "up", {"rtt": 12}, force_update=True)
    assert len(events) == 3


async def test_attributes_are_read_only() -> None:
    states, _ = machine()
    state = states.set("a.b", "x", {"k": 1})
    with pytest.raises(TypeError):
        state.attributes["k"] = 2  # type: ignore[index]


async def test_remove_fires_with_new_state_none() -> None:
    states, events = machine()
    states.set("call.abc", "up")
    assert states.remove("call.abc")
    assert not states.remove("call.abc")
    assert events[-1].data["new_state"] is None
    assert states.get("call.abc") is None


async def test_invalid_entity_id_is_refused() -> None:
    states, _ = machine()
    for bad in ("nodot", "a.", ".b", "a b.c", "x.y z"):
        with pytest.raises(ValueError, match="entity id"):
            states.set(bad, "x")


async def test_all_by_domain() -> None:
    states, _ = machine()
    states.set("extension.1", "idle")
    states.set("extension.2", "idle")
    states.set("trunk.t", "up")
    assert sorted(states.entity_ids("extension")) == ["extension.1", "extension.2"]
    assert len(states.all()) == 3
