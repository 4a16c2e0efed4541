"""ScheduleService (``core.schedules``): stored working hours and schedules, night mode kept live.

It keeps the attribute ``night_mode`` on every user's ``extension.<number>`` state, fires
``night_mode.changed`` when a user's night mode changes (one timer, armed for the next boundary
of anyone's working hours and re-armed after every save and on start), ``schedule.changed``
when a function-number schedule is saved or deleted, and ``schedule.decision_changed`` when
another event of a schedule starts deciding. Plugins ask ``decision(schedule_id, at)``: the
schedules and the organisation's own working hours are kept in memory (loaded with every refresh,
forgotten when a schedule or hours are saved, the time zone set or the database changed from
outside until the refresh that follows; the time zone itself is the settings' cached value), so
that deciding when a call comes needs no database.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, TypedDict

from cordboard.core.bus import Event, EventType
from cordboard.core.exceptions import NotFound, Unauthorized
from cordboard.core.http.access import AuthUser
from cordboard.core.schedules import storage
from cordboard.core.schedules.evaluate import (
    UserHours,
    decision_index,
    extend_today,
    next_decision_change,
    next_night_mode_change,
    night_mode,
    resolve_working_time,
    schedule_decision,
    working,
)
from cordboard.core.schedules.model import (
    Action,
    ExtraWindow,
    HoursLevel,
    Schedule,
    ScheduleEvent,
    WorkingTime,
    parse_level,
    parse_schedule_fields,
)

if TYPE_CHECKING:
    from cordboard.core.core import Core

_LOGGER = logging.getLogger(__name__)
MAX_TIMER_S: Final = 3600.0
"""The timer looks again at least hourly, so a clock set by NTP cannot make it miss a change."""
ATTRIBUTE: Final = "night_mode"


class NightModeChangedData(TypedDict):
    user_id: int
    extension: str | None
    night_mode: bool


class ScheduleChangedData(TypedDict):
    schedule_id: int
    owner: str
    action: str
    """created, updated or deleted."""


class DecisionChangedData(TypedDict):
    schedule_id: int
    owner: str
    event: str
    index: int | None
    action: Action
    target: str | None


EVENT_NIGHT_MODE_CHANGED: Final[EventType[NightModeChangedData]] = EventType("night_mode.changed")
EVENT_SCHEDULE_CHANGED: Final[EventType[ScheduleChangedData]] = EventType("schedule.changed")
EVENT_DECISION_CHANGED: Final[EventType[DecisionChangedData]] = EventType("schedule.decision_changed")

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Decision:
    """What a schedule says at a time: the deciding event (its index, None for "Always")."""

    schedule: Schedule
    event: ScheduleEvent
    index: int | None
    action: Action
    at: datetime
    zone: str
    next_change: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "schedule_id": self.schedule.id,
            "owner": self.schedule.owner,
            "at": self.at.isoformat(),
            "zone": self.zone,
            "index": self.index,
            "event": self.event.as_dict(),
            "action": self.action,
            "target": self.event.target,
            "prompt": self.event.prompt,
            "next_change": self.next_change.isoformat() if self.next_change else None,
        }


@dataclass(frozen=True, slots=True)
class HoursStatus:
    """What applies to a user at a time (for the portal and the routing explain tool)."""

    user_id: int
    at: datetime
    working_time: WorkingTime
    in_working_hours: bool
    night_mode: bool
    night_mode_off: bool
    next_change: datetime | None
    may_extend: bool = False
    """Whether the user is in a group with the right to extend working hours (SCH-06)."""

    def as_dict(self) -> dict[str, Any]:
        wt = self.working_time
        return {
            "user_id": self.user_id,
            "at": self.at.isoformat(),
            "zone": wt.zone,
            "in_working_hours": self.in_working_hours,
            "night_mode": self.night_mode,
            "night_mode_off": self.night_mode_off,
            "next_change": self.next_change.isoformat() if self.next_change else None,
            "may_extend": self.may_extend,
            "sources": dict(wt.sources),
            "effective": HoursLevel(wt.week, wt.exceptions, wt.extra).as_dict(),
        }


@dataclass(frozen=True, slots=True)
class _UserRow:
    user_id: int
    extension: str
    hours: UserHours


@dataclass(frozen=True, slots=True)
class _Loaded:
    """The function-number schedules (by id) and the organisation's own working hours, as last
    loaded."""

    schedules: dict[int, Schedule]
    org_hours: WorkingTime


def _org_hours(db: Any, zone: str) -> WorkingTime:
    return resolve_working_time([("org", storage.get_level(db, "org", None))], zone)


def _names_time_zone(event: Event[Any]) -> bool:
    return "core.timezone" in event.data.get("keys", ())


def _load_users(db: Any) -> list[_UserRow]:
    rows = []
    for user_id, extension in storage.users_with_extensions(db):
        time_ = resolve_working_time(storage.user_levels(db, user_id), storage.user_zone(db, user_id))
        rows.append(_UserRow(user_id, extension, UserHours(time_, storage.night_mode_off(db, user_id))))
    return rows


class ScheduleService:
    """Working hours, night mode and function-number schedules for the core, the API and plugins."""

    def __init__(self, core: Core, clock: Clock = utc_now) -> None:
        self._core = core
        self.clock = clock
        self._night: dict[int, tuple[str, bool]] = {}
        self._decisions: dict[int, int | None] = {}
        self._loaded: _Loaded | None = None
        """None before the first refresh and after a change not loaded yet: decisions read SQLite."""
        self._generation = 0
        """Moves whenever ``_loaded`` is forgotten, so that a refresh that loaded before does not
        put back what it loaded."""
        self._timer: asyncio.TimerHandle | None = None
        self._unsubscribe: list[Callable[[], None]] = []
        self._lock = asyncio.Lock()
        self.next_wakeup: datetime | None = None
        """When the timer next looks (for tests and diagnostics)."""

    # -- lifecycle --------------------------------------------------------------------------
    async def start(self) -> None:
        from cordboard.core.config.settings import EVENT_SETTINGS_CHANGED
        from cordboard.core.core import EVENT_EXTERNAL_CHANGE
        from cordboard.core.identity.service import MEMBERSHIP_EVENTS

        await self._core.db.call(storage.ensure_schema)
        bus = self._core.bus
        self._unsubscribe.append(bus.listen(EVENT_EXTERNAL_CHANGE, self._reload))
        self._unsubscribe.append(
            bus.listen(EVENT_SETTINGS_CHANGED, self._reload, event_filter=_names_time_zone)
        )
        for event_type in MEMBERSHIP_EVENTS:
            self._unsubscribe.append(bus.listen(event_type, self._changed))
        await self.refresh(initial=True)

    async def stop(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._forget()

    def _forget(self) -> None:
        """Schedules or the time zone may have changed in SQLite: decide from there until the next
        refresh has loaded them again."""
        self._loaded = None
        self._generation += 1

    def _reload(self, _event: Event[Any]) -> None:
        """Schedules or the time zone changed: forget them at once (so that no decision is taken
        from the old ones meanwhile), then load them again."""
        self._forget()
        self._core.create_task(self.refresh(), "schedules refresh")

    async def _changed(self, _event: Event[Any]) -> None:
        await self.refresh()

    # -- night mode and decisions kept live --------------------------------------------------
    async def refresh(self, *, initial: bool = False) -> None:
        """Evaluate every user's night mode and every schedule now, publish changes, re-arm."""
        async with self._lock:
            generation = self._generation
            zone = await self.org_zone()
            users, schedules, org_hours = await self._core.db.call(
                lambda db: (_load_users(db), storage.list_schedules(db), _org_hours(db, zone))
            )
            if generation == self._generation:  # else a change came meanwhile; its refresh loads it
                self._loaded = _Loaded({schedule.id: schedule for schedule in schedules}, org_hours)
            now = self.clock()
            wakeups: list[datetime] = []
            seen: set[int] = set()
            for row in users:
                seen.add(row.user_id)
                self._publish_night_mode(row, night_mode(row.hours, now), initial)
                change = next_night_mode_change(row.hours, now)
                if change is not None:
                    wakeups.append(change)
            for user_id in set(self._night) - seen:
                extension, _value = self._night.pop(user_id)
                self._drop_attribute(extension)
            known: set[int] = set()
            for schedule in schedules:
                known.add(schedule.id)
                self._publish_decision(schedule, now, zone, initial)
                change = next_decision_change(schedule, now, zone)
                if change is not None:
                    wakeups.append(change)
            for schedule_id in set(self._decisions) - known:
                del self._decisions[schedule_id]
            self._arm(min(wakeups) if wakeups else None, now)

    def _publish_night_mode(self, row: _UserRow, value: bool, initial: bool) -> None:
        before = self._night.get(row.user_id)
        self._night[row.user_id] = (row.extension, value)
        if before is not None and before[0] != row.extension:
            self._drop_attribute(before[0])
        self._set_attribute(row.extension, row.user_id, value)
        # A user seen for the first time after start is reported only when night mode is on.
        if (before is not None and before[1] != value) or (before is None and value and not initial):
            self._core.bus.fire(
                EVENT_NIGHT_MODE_CHANGED,
                {"user_id": row.user_id, "extension": row.extension, "night_mode": value},
            )

    def _set_attribute(self, extension: str, user_id: int, value: bool) -> None:
        """Merge ``night_mode`` into the extension's state; others own its state and other attributes."""
        entity_id = f"extension.{extension}"
        old = self._core.states.get(entity_id)
        if old is not None and old.attributes.get(ATTRIBUTE) == value:
            return
        attributes = {**(old.attributes if old else {"user_id": user_id}), ATTRIBUTE: value}
        self._core.states.set(entity_id, old.state if old else "unregistered", attributes)

    def _drop_attribute(self, extension: str) -> None:
        entity_id = f"extension.{extension}"
        old = self._core.states.get(entity_id)
        if old is not None and ATTRIBUTE in old.attributes:
            attributes = {k: v for k, v in old.attributes.items() if k != ATTRIBUTE}
            self._core.states.set(entity_id, old.state, attributes)

    def _publish_decision(self, schedule: Schedule, now: datetime, zone: str, initial: bool) -> None:
        index = decision_index(schedule, now, zone)
        known = schedule.id in self._decisions
        before = self._decisions.get(schedule.id)
        self._decisions[schedule.id] = index
        if (known and before == index) or (not known and initial):
            return
        event = schedule.default if index is None else schedule.events[index]
        self._core.bus.fire(
            EVENT_DECISION_CHANGED,
            {
                "schedule_id": schedule.id,
                "owner": schedule.owner,
                "event": event.name,
                "index": index,
                "action": event.action,
                "target": event.target,
            },
        )

    def _arm(self, wakeup: datetime | None, now: datetime) -> None:
        if self._timer is not None:
            self._timer.cancel()
        delay = MAX_TIMER_S if wakeup is None else min(MAX_TIMER_S, max(0.0, (wakeup - now).total_seconds()))
        self.next_wakeup = wakeup
        self._timer = asyncio.get_running_loop().call_later(delay, self._fire_timer)

    def _fire_timer(self) -> None:
        self._timer = None
        self._core.create_task(self.refresh(), "schedules: next change")

    def current_night_mode(self, user_id: int) -> bool | None:
        """The night mode last published for a user (None: no extension or not known yet)."""
        entry = self._night.get(user_id)
        return None if entry is None else entry[1]

    # -- working hours ------------------------------------------------------------------------
    async def get_level(self, scope: str, scope_id: int | None = None) -> HoursLevel:
        return await self._core.db.call(lambda db: storage.get_level(db, scope, scope_id))

    async def set_level(self, scope: str, scope_id: int | None, raw: Any) -> HoursLevel:
        """Validate (every bad field named) and store one level's working hours; re-evaluates."""
        level = parse_level(raw)
        await self._core.db.call(lambda db: storage.set_level(db, scope, scope_id, level))
        self._forget()
        await self.refresh()
        return level

    async def user_hours(self, user_id: int) -> UserHours:
        def load(db: Any) -> UserHours:
            time_ = resolve_working_time(storage.user_levels(db, user_id), storage.user_zone(db, user_id))
            return UserHours(time_, storage.night_mode_off(db, user_id))

        return await self._core.db.call(load)

    async def status(self, user_id: int, at: datetime | None = None) -> HoursStatus:
        """Working hours, night mode and the next change of a user at ``at`` (default: now)."""
        at = at or self.clock()
        hours = await self.user_hours(user_id)
        rights = await self._core.db.call(lambda db: storage.extend_groups_of(db, user_id))
        return HoursStatus(
            user_id=user_id,
            at=at,
            working_time=hours.working_time,
            in_working_hours=working(hours.working_time, at),
            night_mode=night_mode(hours, at),
            night_mode_off=hours.night_mode_off,
            next_change=next_night_mode_change(hours, at),
            may_extend=bool(rights),
        )

    async def org_in_working_hours(self, at: datetime | None = None) -> bool:
        """Whether ``at`` (default: now) is inside the organisation's own working hours, for calls
        that concern no user (a rule-based number's caller, RBN-01)."""
        at = at or self.clock()
        loaded = self._loaded
        if loaded is not None:
            return working(loaded.org_hours, at)
        zone = await self.org_zone()
        return working(await self._core.db.call(lambda db: _org_hours(db, zone)), at)

    async def set_night_mode_off(self, user_id: int, off: bool) -> HoursStatus:
        """SCH-05: a user turns night mode off until they turn it on again."""
        await self._core.db.call(lambda db: storage.set_night_mode_off(db, user_id, off))
        await self.refresh()
        return await self.status(user_id)

    async def extend_groups(self) -> list[int]:
        return await self._core.db.call(storage.extend_groups)

    async def set_extend_groups(self, group_ids: list[int]) -> list[int]:
        return await self._core.db.call(lambda db: storage.set_extend_groups(db, group_ids))

    async def extend_working_hours(
        self,
        caller: AuthUser,
        scope: str,
        scope_id: int | None,
        minutes: int,
        at: datetime | None = None,
    ) -> ExtraWindow:
        """SCH-06: extend today's working time of a level by ``minutes`` (an extra window).

        Administrators may extend any level. Others need a group with the right (ROLE-09) and may
        extend only themselves or a group they belong to; anyone else is refused (Unauthorized).
        """
        at = at or self.clock()
        zone = await self.org_zone()

        def extend(db: Any) -> ExtraWindow:
            if not caller.is_admin:
                if not storage.extend_groups_of(db, caller.id):
                    raise Unauthorized("Extending working hours needs a group with that right")
                member_of = {
                    int(r[0])
                    for r in db.execute("SELECT group_id FROM group_members WHERE user_id = ?", [caller.id])
                }
                allowed = (scope == "user" and scope_id == caller.id) or (
                    scope == "group" and scope_id in member_of
                )
                if not allowed:
                    raise Unauthorized("You may extend only your own working hours or those of your groups")
            storage.stored_scope_id(db, scope, scope_id)  # 404 for an unknown group or user
            if scope == "user":
                assert scope_id is not None
                time_ = resolve_working_time(
                    storage.user_levels(db, scope_id), storage.user_zone(db, scope_id)
                )
            elif scope == "group":
                assert scope_id is not None
                time_ = resolve_working_time(storage.group_levels(db, scope_id), zone)
            else:
                time_ = _org_hours(db, zone)
            own = storage.get_level(db, scope, scope_id)
            extras, added = extend_today(time_, time_.extra if own.extra is None else own.extra, at, minutes)
            storage.set_level(db, scope, scope_id, HoursLevel(own.week, own.exceptions, extras))
            return added

        added = await self._core.db.call(extend)
        self._forget()
        _LOGGER.info(
            "%s extended the working hours of %s %s: %s", caller.username, scope, scope_id or "", added
        )
        await self.refresh()
        return added

    # -- function-number schedules -----------------------------------------------------------
    async def org_zone(self) -> str:
        """The organisation's time zone (core.timezone, kept in memory by the settings)."""
        return str(await self._core.settings.org_value("core.timezone"))

    async def list_schedules(self, owner: str | None = None) -> list[Schedule]:
        return await self._core.db.call(lambda db: storage.list_schedules(db, owner))

    async def get_schedule(self, schedule_id: int) -> Schedule:
        return await self._core.db.call(lambda db: storage.get_schedule(db, schedule_id))

    async def create_schedule(self, raw: Any) -> Schedule:
        name, owner, events, default = parse_schedule_fields(raw)
        schedule = await self._core.db.call(
            lambda db: storage.create_schedule(db, owner, name, events, default)
        )
        self._forget()
        self._schedule_changed(schedule, "created")
        await self.refresh()
        return schedule

    async def update_schedule(self, schedule_id: int, raw: Any) -> Schedule:
        name, owner, events, default = parse_schedule_fields(raw)
        schedule = await self._core.db.call(
            lambda db: storage.update_schedule(
                db, schedule_id, owner=owner, name=name, events=events, default=default
            )
        )
        self._forget()
        self._schedule_changed(schedule, "updated")
        await self.refresh()
        return schedule

    async def delete_schedule(self, schedule_id: int) -> None:
        schedule = await self._core.db.call(lambda db: storage.delete_schedule(db, schedule_id))
        self._forget()
        self._schedule_changed(schedule, "deleted")
        await self.refresh()

    def _schedule_changed(self, schedule: Schedule, action: str) -> None:
        self._core.bus.fire(
            EVENT_SCHEDULE_CHANGED, {"schedule_id": schedule.id, "owner": schedule.owner, "action": action}
        )

    async def decision(self, schedule_id: int, at: datetime | None = None) -> Decision:
        """What the schedule says at ``at`` (default: now), in the organisation's time zone (SCH-07);
        NotFound for no such schedule. From memory when loaded (no database round trip)."""
        at = at or self.clock()
        loaded = self._loaded
        if loaded is not None:
            schedule = loaded.schedules.get(schedule_id)
            if schedule is None:
                raise NotFound(f"No schedule with id {schedule_id}")
        else:
            schedule = await self.get_schedule(schedule_id)
        zone = await self.org_zone()
        event, action = schedule_decision(schedule, at, zone)
        return Decision(
            schedule=schedule,
            event=event,
            index=decision_index(schedule, at, zone),
            action=action,
            at=at,
            zone=zone,
            next_change=next_decision_change(schedule, at, zone),
        )
