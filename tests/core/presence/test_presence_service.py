"""PresenceService in a started Core: events, extension states, timed shortcuts, persistence."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from cordboard.core.bus import Event
from cordboard.core.config.bootstrap import BootstrapConfig
from cordboard.core.context import Context, current_context
from cordboard.core.core import Core
from cordboard.core.exceptions import ConfigValidationError, NotFound
from cordboard.core.presence import EVENT_PRESENCE_CHANGED, PresenceService


async def new_user(core: Core, username: str, extension: str | None = None) -> int:
    user = await core.identity.create_user(
        username=username,
        first_name=username.title(),
        last_name="Tester",
        email=f"{username}@example.com",
        extension=extension,
    )
    return user.id


def presence(core: Core) -> PresenceService:
    assert core.presence is not None
    return core.presence


def collect(core: Core) -> list[Event[Any]]:
    events: list[Event[Any]] = []
    core.bus.listen(EVENT_PRESENCE_CHANGED, events.append)
    return events


async def setup_activities(service: PresenceService) -> None:
    await service.save_activity({"id": 1, "name": "Lunch", "show_as": "busy", "labels": {"da": "Frokost"}})
    await service.save_activity({"id": 2, "name": "In the office", "show_as": "available"})
    await service.save_role({"id": 1, "name": "Work"})


async def test_prs_02_activity_sets_availability_and_fires_event_with_context(core: Core) -> None:
    """PRS-01/02: an activity sets its show-as availability; presence.changed carries the context,
    and the extension state gets the presence attributes beside the ones it had (merged)."""
    service = presence(core)
    user_id = await new_user(core, "anna", "1001")
    await setup_activities(service)
    core.states.set("extension.1001", "registered", {"user_id": user_id, "devices": 1})
    events = collect(core)
    context = Context(user_id=str(user_id))
    token = current_context.set(context)
    try:
        result = await service.set_presence(user_id, {"activity_id": 1, "role_id": 1})
    finally:
        current_context.reset(token)
    assert (result.availability, result.activity_id, result.role_id) == ("busy", 1, 1)
    assert len(events) == 1 and events[0].context is context
    assert set(events[0].data["changed"]) == {"availability", "activity_id", "role_id"}
    assert events[0].data["user_id"] == user_id and events[0].data["extension"] == "1001"
    state = core.states.get("extension.1001")
    assert state is not None and state.state == "registered"
    assert state.attributes["devices"] == 1  # the SIP service's attribute stays
    assert state.attributes["availability"] == "busy"
    assert state.attributes["activity"] == "Lunch" and state.attributes["role"] == "Work"
    assert state.attributes["dnd"] is False and state.attributes["call_state"] == "idle"
    assert state.context is context


async def test_prs_10_dnd_set_and_cleared(core: Core) -> None:
    service = presence(core)
    user_id = await new_user(core, "anna", "1001")
    await service.set_presence(user_id, {"dnd": True})
    assert service.get(user_id).dnd
    state = core.states.get("extension.1001")
    assert state is not None and state.attributes["dnd"] is True
    await service.clear_dnd(user_id)
    assert not service.get(user_id).dnd


async def test_bad_input_names_the_field(core: Core) -> None:
    service = presence(core)
    user_id = await new_user(core, "anna", "1001")
    with pytest.raises(ConfigValidationError) as err:
        await service.set_presence(
            user_id, {"activity_id": 42, "until": time.time() - 10, "diversion": "1001"}
        )
    assert set(err.value.fields) == {"activity_id", "until", "diversion"}
    with pytest.raises(NotFound):
        await service.set_presence(9999, {"dnd": True})


async def test_prs_05_shortcut_duration_ends_and_restores_with_injected_clock(core: Core) -> None:
    """PRS-04/05: a shortcut with activity, availability, diversion and 30 minutes; when the
    (fake) clock passes its end, the activity, availability and diversion come back."""
    service = presence(core)
    user_id = await new_user(core, "anna", "1001")
    await setup_activities(service)
    await service.set_presence(user_id, {"activity_id": 2, "diversion": None})
    shortcut = await service.save_shortcut(
        None, {"name": "Lunch", "activity_id": 1, "duration_minutes": 30, "diversion": "1002"}
    )
    now = time.time()
    service.clock = lambda: now
    applied = await service.apply_shortcut(user_id, shortcut.id)
    assert (applied.activity_id, applied.availability, applied.diversion) == (1, "busy", "1002")
    assert applied.until == now + 1800 and applied.shortcut_id == shortcut.id
    events = collect(core)
    service.clock = lambda: now + 1801
    await service.run_due()
    back = service.get(user_id)
    assert (back.activity_id, back.availability, back.diversion, back.until) == (2, "available", None, None)
    assert events and events[-1].data["until"] is None
    state = core.states.get("extension.1001")
    assert state is not None and state.attributes["activity"] == "In the office"


async def test_prs_05_end_time_timer_fires(core: Core) -> None:
    service = presence(core)
    user_id = await new_user(core, "anna", "1001")
    await service.set_presence(user_id, {"availability": "busy", "until": time.time() + 0.3})
    assert service.get(user_id).availability == "busy"
    for _ in range(100):
        await asyncio.sleep(0.05)
        if service.get(user_id).availability == "available":
            break
    assert service.get(user_id).availability == "available" and service.get(user_id).until is None


async def test_user_shortcut_is_private(core: Core) -> None:
    service = presence(core)
    anna = await new_user(core, "anna", "1001")
    bo = await new_user(core, "bo", "1002")
    own = await service.save_shortcut(anna, {"name": "Gym", "availability": "busy", "duration_minutes": 60})
    assert [s.id for s in service.shortcuts(anna, with_org=True)] == [own.id]
    with pytest.raises(NotFound):
        await service.apply_shortcut(bo, own.id)
    with pytest.raises(ConfigValidationError) as err:
        await service.save_shortcut(anna, {"name": "Loop", "diversion": "1001"})
    assert "diversion" in err.value.fields


async def test_prs_persistence_across_core_restart(tmp_path: Path) -> None:
    """DND, the activity, a running shortcut with its end time and a planned activity (PRS-06)
    survive a restart; the timers are armed again and the shortcut's end restores the state before it."""
    config = BootstrapConfig(http_bind="127.0.0.1", http_port=0, sip_port=0)
    first = Core(tmp_path / "data", config)
    await first.start(serve_http=False, serve_sip=False)
    try:
        service = presence(first)
        user_id = await new_user(first, "anna", "1001")
        await setup_activities(service)
        await service.set_presence(user_id, {"dnd": True, "activity_id": 2, "role_id": 1})
        shortcut = await service.save_shortcut(
            None, {"name": "Meeting", "activity_id": 1, "diversion": "+4533123456", "duration_minutes": 5}
        )
        await service.apply_shortcut(user_id, shortcut.id)
        until = service.get(user_id).until
        start = time.time() + 3600
        plan = await service.add_plan(user_id, {"activity_id": 2, "start": start, "end": start + 60}, None)
    finally:
        await first.stop()

    second = Core(tmp_path / "data", config)
    await second.start(serve_http=False, serve_sip=False)
    try:
        service = presence(second)
        kept = service.get(user_id)
        assert kept.dnd and kept.role_id == 1
        assert (kept.activity_id, kept.diversion, kept.until, kept.shortcut_id) == (
            1,
            "+4533123456",
            until,
            shortcut.id,
        )
        assert [a.name for a in service.activities] == ["Lunch", "In the office"]
        state = second.states.get("extension.1001")
        assert state is not None and state.attributes["dnd"] is True and state.attributes["until"] == until
        assert user_id in service._timers  # re-armed
        assert [p.id for p in service.plans(user_id)] == [
            plan.id
        ] and plan.id in service._plan_timers  # PRS-06
        # The shortcut's end comes: what was before it is back.
        service.clock = lambda: (until or 0) + 1
        await service.run_due()
        back = service.get(user_id)
        assert (back.activity_id, back.diversion, back.until, back.dnd) == (2, None, None, True)
    finally:
        await second.stop()


async def test_deleting_an_activity_clears_it_from_users(core: Core) -> None:
    service = presence(core)
    user_id = await new_user(core, "anna", "1001")
    await setup_activities(service)
    await service.set_presence(user_id, {"activity_id": 1})
    await service.delete_activity(1)
    assert service.get(user_id).activity_id is None
    state = core.states.get("extension.1001")
    assert state is not None and state.attributes["activity"] is None


async def test_prs_06_planned_activity_starts_and_ends(core: Core) -> None:
    """Future presence: at the start the activity is set (its availability too), at the end the
    presence before it comes back (a restart keeps the plan: test_prs_persistence_across_core_restart)."""
    service = presence(core)
    user_id = await new_user(core, "anna", "1001")
    await setup_activities(service)
    now = time.time()
    service.clock = lambda: now
    plan = await service.add_plan(user_id, {"activity_id": 1, "start": now + 600, "end": now + 1200}, user_id)
    assert [p.id for p in service.plans(user_id)] == [plan.id]
    assert service.get(user_id).activity_id is None
    service.clock = lambda: now + 601
    await service.run_due()
    during = service.get(user_id)
    assert (during.activity_id, during.availability, during.until) == (1, "busy", now + 1200)
    assert service.plans(user_id) == []
    service.clock = lambda: now + 1201
    await service.run_due()
    after = service.get(user_id)
    assert (after.activity_id, after.availability, after.until) == (None, "available", None)


async def test_prs_06_plan_errors_name_the_field(core: Core) -> None:
    service = presence(core)
    user_id = await new_user(core, "anna", "1001")
    now = time.time()
    with pytest.raises(ConfigValidationError) as err:
        await service.add_plan(user_id, {"activity_id": 9, "start": now + 100, "end": now + 50}, None)
    assert set(err.value.fields) == {"activity_id", "end"}
