"""ScheduleService with an injected clock: night mode on extension states, its timer and events
(SCH-04/05), inheritance org -> group -> user (SCH-01), schedule events and decisions (SCH-07)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from cordboard.core.bus import Event
from cordboard.core.core import Core
from cordboard.core.identity.users import create_user
from cordboard.core.schedules.service import (
    EVENT_DECISION_CHANGED,
    EVENT_NIGHT_MODE_CHANGED,
    EVENT_SCHEDULE_CHANGED,
)

SEED = {"week": {d: {"from": "07:00", "to": "18:00"} for d in ("mon", "tue", "wed", "thu", "fri")}}


async def add_user(core: Core, username: str, _password: str, **extra: Any) -> int:
    user = await core.db.call(
        lambda db: create_user(
            db, username=username, first_name="A", last_name="B", email=f"{username}@example.com", **extra
        )
    )
    core.bus.fire("user.created", {"user_id": user.id})
    return user.id


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def collect(core: Core, event_type: str) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []

    def listener(event: Event[Any]) -> None:
        seen.append(dict(event.data))

    core.bus.listen(event_type, listener)
    return seen


async def test_sch_04_night_mode_attribute_timer_and_event(core: Core) -> None:
    # Wednesday 2 December 2026, 17:59:59.9 in Copenhagen (16:59:59.9 UTC): still working time.
    clock = FakeClock(datetime(2026, 12, 2, 16, 59, 59, 900_000, tzinfo=UTC))
    core.schedules.clock = clock
    await core.settings.set("org", None, "core.timezone", "Europe/Copenhagen")
    anna = await add_user(core, "anna", "password-123", extension="1001")
    await core.schedules.refresh()
    changes = collect(core, EVENT_NIGHT_MODE_CHANGED)
    await core.schedules.set_level("org", None, SEED)
    state = core.states.get("extension.1001")
    assert state is not None and state.attributes["night_mode"] is False
    assert state.attributes["user_id"] == anna
    assert core.schedules.next_wakeup == datetime(2026, 12, 2, 17, 0, tzinfo=UTC)

    clock.now = datetime(2026, 12, 2, 17, 0, 0, 1, tzinfo=UTC)  # 18:00: the timer fires
    for _ in range(100):
        if changes:
            break
        await asyncio.sleep(0.02)
    assert changes == [{"user_id": anna, "extension": "1001", "night_mode": True}]
    state = core.states.get("extension.1001")
    assert state is not None and state.attributes["night_mode"] is True
    # Re-armed for Thursday 07:00 local.
    assert core.schedules.next_wakeup == datetime(2026, 12, 3, 6, 0, tzinfo=UTC)


async def test_sch_05_user_turns_night_mode_off_until_back_on(core: Core) -> None:
    anna = await add_user(core, "anna", "password-123", extension="1001")
    core.schedules.clock = FakeClock(datetime(2026, 12, 5, 12, 0, tzinfo=UTC))  # Saturday
    await core.schedules.set_level("org", None, SEED)
    changes = collect(core, EVENT_NIGHT_MODE_CHANGED)
    assert core.schedules.current_night_mode(anna) is True
    status = await core.schedules.set_night_mode_off(anna, True)
    assert status.night_mode is False and status.night_mode_off and not status.in_working_hours
    assert status.next_change is None
    state = core.states.get("extension.1001")
    assert state is not None and state.attributes["night_mode"] is False
    status = await core.schedules.set_night_mode_off(anna, False)
    assert status.night_mode is True
    assert changes == [
        {"user_id": anna, "extension": "1001", "night_mode": False},
        {"user_id": anna, "extension": "1001", "night_mode": True},
    ]


async def test_sch_01_user_inherits_from_group_by_priority(core: Core) -> None:
    anna = await add_user(core, "anna", "password-123", extension="1001")
    early = await core.identity.create_group("Early")
    late = await core.identity.create_group("Late")
    await core.identity.set_user_groups(anna, [early.id, late.id])
    await core.schedules.set_level("org", None, SEED)
    await core.schedules.set_level("group", late.id, {"week": {"mon": {"from": "12:00", "to": "20:00"}}})
    await core.schedules.set_level("group", early.id, {"week": {"mon": {"from": "06:00", "to": "10:00"}}})
    monday_noon = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    status = await core.schedules.status(anna, monday_noon)
    assert status.working_time.sources["week"] == f"group:{early.id}"  # ranked first
    assert not status.in_working_hours
    await core.identity.reorder_groups([late.id, early.id])
    status = await core.schedules.status(anna, monday_noon)
    assert status.working_time.sources["week"] == f"group:{late.id}" and status.in_working_hours
    await core.schedules.set_level("user", anna, {"week": {}})  # defined, but no working day
    status = await core.schedules.status(anna, monday_noon)
    assert status.working_time.sources["week"] == "user" and status.night_mode


async def test_sch_07_schedule_saved_fires_changed_and_decision(core: Core) -> None:
    clock = FakeClock(datetime(2026, 12, 7, 8, 0, tzinfo=UTC))  # Monday 08:00 UTC
    core.schedules.clock = clock
    changed = collect(core, EVENT_SCHEDULE_CHANGED)
    decided = collect(core, EVENT_DECISION_CHANGED)
    schedule = await core.schedules.create_schedule(
        {
            "name": "Switchboard",
            "owner": "number:1600",
            "events": [
                {"name": "Open", "repeat": "weekly", "weekdays": ["mon"], "from": "08:00", "to": "15:30"},
            ],
            "default": {"action": "forward", "target": "1001"},
        }
    )
    assert changed == [{"schedule_id": schedule.id, "owner": "number:1600", "action": "created"}]
    decision = await core.schedules.decision(schedule.id)
    assert (decision.event.name, decision.action, decision.index) == ("Open", "open", 0)
    assert decision.next_change == datetime(2026, 12, 7, 15, 30, tzinfo=UTC)
    decision = await core.schedules.decision(schedule.id, clock.now + timedelta(hours=8))
    assert (decision.event.name, decision.action, decision.event.target) == ("Always", "forward", "1001")
    assert decided[-1]["action"] == "open"
    assert await core.schedules.list_schedules("number:1600") == [schedule]
    await core.schedules.delete_schedule(schedule.id)
    assert changed[-1]["action"] == "deleted"


async def test_sch_11_availability_follows_the_working_hours_where_set(core: Core) -> None:
    """Anna's availability follows her working hours (set for her alone): Busy when her day ends,
    Available when it begins; Bo, without the setting, keeps what he has."""
    assert core.presence is not None
    clock = FakeClock(datetime(2026, 12, 2, 16, 59, 59, 900_000, tzinfo=UTC))  # Wednesday 17:59:59.9
    core.schedules.clock = clock
    await core.settings.set("org", None, "core.timezone", "Europe/Copenhagen")
    anna = await add_user(core, "anna", "password-123", extension="1001")
    bo = await add_user(core, "bo", "password-123", extension="1002")
    await core.settings.set("user", anna, "core.availability_follows_hours", True)
    await core.schedules.set_level("org", None, SEED)
    changes = collect(core, EVENT_NIGHT_MODE_CHANGED)

    async def availability_becomes(user_id: int, wanted: str) -> None:
        assert core.presence is not None
        for _ in range(150):
            if core.presence.get(user_id).availability == wanted:
                return
            await asyncio.sleep(0.02)
        raise AssertionError(f"user {user_id} is {core.presence.get(user_id).availability}, not {wanted}")

    clock.now = datetime(2026, 12, 2, 17, 0, 0, 1, tzinfo=UTC)  # 18:00: the day ends
    await availability_becomes(anna, "busy")
    assert len(changes) == 2
    assert core.presence.get(bo).availability == "available"

    await core.presence.set_presence(anna, {"availability": "available"})  # she may change it
    await core.presence.set_presence(anna, {"availability": "busy"})
    clock.now = datetime(2026, 12, 3, 6, 0, 0, 1, tzinfo=UTC)  # Thursday 07:00: the day begins
    await core.schedules.refresh()  # as its timer, armed for then, would
    await availability_becomes(anna, "available")


async def test_rbn_01_organisation_hours_come_from_memory_and_follow_changes(
    core: Core, monkeypatch: Any
) -> None:
    """A call to a rule-based number asks whether the organisation is in its working hours: the
    answer comes from what the last refresh loaded (no database read per call), and a change of the
    organisation's hours, their extension (SCH-06) or the time zone is seen at once."""
    from cordboard.core.schedules import service as schedule_service

    monday_1830_utc = datetime(2026, 12, 7, 18, 30, tzinfo=UTC)
    await core.schedules.set_level("org", None, SEED)
    assert await core.schedules.org_in_working_hours(monday_1830_utc) is False  # 18:30 UTC: closed

    reads: list[int] = []
    real = schedule_service._org_hours

    def counting(db: Any, zone: str) -> Any:
        reads.append(1)
        return real(db, zone)

    monkeypatch.setattr(schedule_service, "_org_hours", counting)
    assert await core.schedules.org_in_working_hours(monday_1830_utc) is False
    assert reads == []  # from memory

    await core.settings.set("org", None, "core.timezone", "Europe/Copenhagen")
    monday_1630_utc = datetime(2026, 12, 7, 16, 30, tzinfo=UTC)  # 17:30 in Copenhagen: open
    assert await core.schedules.org_in_working_hours(monday_1630_utc) is True  # at once
    for _ in range(100):  # and the service loads the new zone again by itself
        before = len(reads)
        assert await core.schedules.org_in_working_hours(monday_1630_utc) is True
        if len(reads) == before:
            break
        await asyncio.sleep(0.02)
    else:
        raise AssertionError("the new time zone was never loaded into memory")
    await core.schedules.set_level("org", None, {"week": {"mon": {"from": "07:00", "to": "17:00"}}})
    assert await core.schedules.org_in_working_hours(monday_1630_utc) is False
