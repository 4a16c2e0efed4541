"""PresenceService (``core.presence``): users' presence kept, persisted, timed and published.

Every change is stored in SQLite, fired as ``presence.changed`` and merged into the attributes of
the user's ``extension.<number>`` state (availability, activity, dnd, role, call_state, until), so
the UI and, later, BLF see it. Timed changes (an end time, a shortcut's duration) are undone by a
timer that is armed again after a restart. The call state (PRS-09) follows the ``call.<id>`` states
the B2BUA publishes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Final

from cordboard.core.bus import Event, EventType
from cordboard.core.context import Context, current_context
from cordboard.core.exceptions import ConfigValidationError, NotFound
from cordboard.core.identity.service import EVENT_USER_CREATED, EVENT_USER_DELETED, EVENT_USER_UPDATED
from cordboard.core.presence import storage
from cordboard.core.presence.model import (
    AVAILABLE,
    BUSY,
    Activity,
    CallState,
    Presence,
    PresencePlan,
    Role,
    Shortcut,
    apply_change,
    restore,
)
from cordboard.core.presence.rules import LiveCallStates, call_state_in
from cordboard.core.state import EVENT_STATE_CHANGED

if TYPE_CHECKING:
    from cordboard.core.core import Core

_LOGGER = logging.getLogger(__name__)

EVENT_PRESENCE_CHANGED: Final[EventType[dict[str, Any]]] = EventType("presence.changed")
EVENT_STATUS_CHANGED: Final[EventType[dict[str, Any]]] = EventType("presence.status_changed")
"""The part of a presence change colleagues may see (PRS-11): availability, activity, DND and the
call state, without diversions or end times; the WebSocket shows it to the users whose groups have
the right to see that user's status."""
"""A user's presence changed: the presence (``Presence.as_dict``), ``extension`` and ``changed``
(the names of the fields that changed)."""

_COMPARED: Final = (
    "availability",
    "activity_id",
    "role_id",
    "dnd",
    "diversion",
    "until",
    "shortcut_id",
    "call_state",
)


def changed_fields(old: Presence, new: Presence) -> list[str]:
    before, after = old.as_dict(), new.as_dict()
    return [name for name in _COMPARED if before[name] != after[name]]


class PresenceService:
    """Users' presence (PRS-01..05, 09, 10) and the admin's activities, roles and shortcuts."""

    def __init__(self, core: Core, clock: Callable[[], float] = time.time) -> None:
        self._core = core
        self.clock = clock
        """Epoch seconds now; tests put a fake clock here and call ``run_due``."""
        self._presences: dict[int, Presence] = {}
        self._live_calls = LiveCallStates()
        """What each live ``call.<id>`` makes each of its parties, kept from the state changes so
        that a change costs a look-up per party, not a pass over the calls."""
        self._activities: dict[int, Activity] = {}
        self._roles: dict[int, Role] = {}
        self._shortcuts: dict[int, Shortcut] = {}
        self._extensions: dict[int, str] = {}
        self._timers: dict[int, asyncio.TimerHandle] = {}
        self._plans: dict[int, PresencePlan] = {}
        self._plan_timers: dict[int, asyncio.TimerHandle] = {}
        self._unlisten: list[Callable[[], None]] = []

    # -- lifecycle ----------------------------------------------------------------------------
    async def start(self) -> None:
        """Load everything, publish every user's presence, undo what ended while we were down
        and arm the timers of what is still running."""
        db = self._core.db
        await db.call(storage.ensure_schema)
        self._activities = {a.id: a for a in await db.call(storage.list_activities)}
        self._roles = {r.id: r for r in await db.call(storage.list_roles)}
        self._shortcuts = {s.id: s for s in await db.call(storage.list_shortcuts)}
        self._presences = {p.user_id: p for p in await db.call(storage.list_presences)}
        self._plans = {p.id: p for p in await db.call(storage.list_plans)}
        users = await self._core.identity.list_users()
        self._extensions = {u.id: u.extension for u in users if u.extension}
        from cordboard.core.schedules.service import EVENT_NIGHT_MODE_CHANGED

        bus = self._core.bus
        self._unlisten = [
            bus.listen(EVENT_STATE_CHANGED, self._state_changed),
            bus.listen(EVENT_USER_CREATED, self._user_changed),
            bus.listen(EVENT_USER_UPDATED, self._user_changed),
            bus.listen(EVENT_USER_DELETED, self._user_deleted),
            bus.listen(EVENT_NIGHT_MODE_CHANGED, self._night_mode_changed),
        ]
        for user_id in self._extensions:
            self._publish_state(self.get(user_id), Context())
        await self.run_due()
        for presence in self._presences.values():
            self._arm(presence)
        for plan in self._plans.values():
            self._arm_plan(plan)

    async def stop(self) -> None:
        for unlisten in self._unlisten:
            unlisten()
        self._unlisten = []
        for handle in [*self._timers.values(), *self._plan_timers.values()]:
            handle.cancel()
        self._timers.clear()
        self._plan_timers.clear()

    # -- reading ------------------------------------------------------------------------------
    def get(self, user_id: int) -> Presence:
        """The user's presence now (Available, no activity, no DND when never set)."""
        return self._presences.get(user_id) or Presence(user_id)

    def all(self) -> list[Presence]:
        """The presence of every user who has one stored or is on the phone."""
        return [self._presences[user_id] for user_id in sorted(self._presences)]

    @property
    def activities(self) -> list[Activity]:
        return [self._activities[i] for i in sorted(self._activities)]

    @property
    def roles(self) -> list[Role]:
        return [self._roles[i] for i in sorted(self._roles)]

    def shortcuts(self, owner_user_id: int | None = None, *, with_org: bool = False) -> list[Shortcut]:
        """The admin's shortcuts (``owner_user_id`` None), or one user's (and the admin's, ``with_org``)."""
        owners = {owner_user_id, None} if with_org else {owner_user_id}
        found = [s for s in self._shortcuts.values() if s.owner_user_id in owners]
        return sorted(found, key=lambda s: (s.owner_user_id is not None, s.name.lower(), s.id))

    def as_dict(self, presence: Presence) -> dict[str, Any]:
        """A presence for the API: with the activity's and role's names and the extension."""
        activity = self._activities.get(presence.activity_id or 0)
        role = self._roles.get(presence.role_id or 0)
        return {
            **presence.as_dict(),
            "activity": activity.as_dict() if activity else None,
            "role": role.as_dict() if role else None,
            "extension": self._extensions.get(presence.user_id),
        }

    # -- users' presence ----------------------------------------------------------------------
    async def set_presence(self, user_id: int, changes: Mapping[str, Any]) -> Presence:
        """Apply validated ``PRESENCE_BODY`` changes; ConfigValidationError names a bad field."""
        await self._check_user(user_id)
        now = self.clock()
        errors: dict[str, str] = {}
        activity_id = changes.get("activity_id")
        if activity_id is not None and activity_id not in self._activities:
            errors["activity_id"] = f"no activity has the id {activity_id}"
        role_id = changes.get("role_id")
        if role_id is not None and role_id not in self._roles:
            errors["role_id"] = f"no presence role has the id {role_id}"
        if changes.get("until") is not None and changes["until"] <= now:
            errors["until"] = "the end time has passed: choose a time in the future"
        if changes.get("diversion") is not None and changes["diversion"] == self._extensions.get(user_id):
            errors["diversion"] = "that is this user's own extension: calls would come straight back"
        if errors:
            raise ConfigValidationError("Some presence fields are invalid", errors)
        timed = {k: changes[k] for k in ("availability", "activity_id", "diversion", "until") if k in changes}
        if activity_id is not None and "availability" not in changes:
            timed["availability"] = self._activities[activity_id].show_as  # PRS-02
        old = self.get(user_id)
        new = apply_change(old, timed, now) if timed else replace(old, updated=now)
        if "role_id" in changes:
            new = replace(new, role_id=role_id)
        if "dnd" in changes:
            new = replace(new, dnd=bool(changes["dnd"]))
        await self._store(old, new)
        return new

    async def clear_dnd(self, user_id: int) -> Presence:
        """Take do-not-disturb off (an admin may do this for anyone, CAPA-08)."""
        return await self.set_presence(user_id, {"dnd": False})

    async def apply_shortcut(self, user_id: int, shortcut_id: int) -> Presence:
        """Apply one of the admin's shortcuts or one of the user's own (PRS-04); with a duration,
        activity, availability and diversion come back when it ends (PRS-05)."""
        shortcut = self._shortcuts.get(shortcut_id)
        if shortcut is None or shortcut.owner_user_id not in (None, user_id):
            raise NotFound(f"No presence shortcut {shortcut_id} for this user")
        await self._check_user(user_id)
        now = self.clock()
        activity = self._activities.get(shortcut.activity_id or 0)
        availability = shortcut.availability or (activity.show_as if activity else None)
        changes = {
            "activity_id": activity.id if activity else None,
            "availability": availability,
            "diversion": shortcut.diversion if shortcut.diversion != self._extensions.get(user_id) else None,
            "until": now + shortcut.duration_minutes * 60 if shortcut.duration_minutes else None,
            "shortcut_id": shortcut.id,
        }
        old = self.get(user_id)
        new = apply_change(old, changes, now)
        await self._store(old, new)
        return new

    async def run_due(self) -> None:
        """Undo every timed change whose end has come (by ``clock``), then start the planned
        activities whose start has come (PRS-06)."""
        now = self.clock()
        for presence in [p for p in self._presences.values() if p.until is not None and p.until <= now]:
            await self._store(presence, restore(presence, now), Context())
        for plan in sorted(self._plans.values(), key=lambda p: (p.start, p.id)):
            if plan.start <= now:
                await self._start_plan(plan)

    async def _check_user(self, user_id: int) -> None:
        user = await self._core.identity.get_user(user_id)  # NotFound for an unknown id
        self._extensions.pop(user_id, None)
        if user.extension:
            self._extensions[user_id] = user.extension

    async def _store(self, old: Presence, new: Presence, context: Context | None = None) -> None:
        """Keep, time, publish and persist ``new`` (when anything changed)."""
        self._presences[new.user_id] = new
        self._arm(new)
        changed = changed_fields(old, new)
        if not changed and old.updated:
            return
        self._publish(new, changed, context or current_context.get() or Context())
        await self._core.db.call(lambda db: storage.save_presence(db, new))

    # -- future presence (PRS-06) ---------------------------------------------------------------
    def plans(self, user_id: int | None = None) -> list[PresencePlan]:
        """Planned activities not started yet (of one user), soonest first."""
        found = [p for p in self._plans.values() if user_id is None or p.user_id == user_id]
        return sorted(found, key=lambda p: (p.start, p.id))

    async def add_plan(self, user_id: int, data: Mapping[str, Any], created_by: int | None) -> PresencePlan:
        """Plan an activity (validated ``PLAN_BODY``) from ``start`` to ``end``; a start that has
        come already applies it now. ConfigValidationError names a bad field."""
        await self._check_user(user_id)
        errors: dict[str, str] = {}
        if data["activity_id"] not in self._activities:
            errors["activity_id"] = f"no activity has the id {data['activity_id']}"
        if data["end"] <= data["start"]:
            errors["end"] = "the end must come after the start"
        elif data["end"] <= self.clock():
            errors["end"] = "the end time has passed: choose a time in the future"
        if data.get("diversion") is not None and data["diversion"] == self._extensions.get(user_id):
            errors["diversion"] = "that is this user's own extension: calls would come straight back"
        if errors:
            raise ConfigValidationError("Some planned presence fields are invalid", errors)
        plan = await self._core.db.call(lambda db: storage.add_plan(db, user_id, dict(data), created_by))
        self._plans[plan.id] = plan
        if plan.start <= self.clock():
            await self._start_plan(plan)
        else:
            self._arm_plan(plan)
        return plan

    async def delete_plan(self, plan_id: int, user_id: int | None = None) -> None:
        """Drop a planned activity that has not started (of ``user_id`` when given)."""
        plan = self._plans.get(plan_id)
        if plan is None or (user_id is not None and plan.user_id != user_id):
            raise NotFound(f"No planned presence {plan_id}")
        await self._core.db.call(lambda db: storage.delete_plan(db, plan_id))
        self._drop_plan(plan_id)

    def _drop_plan(self, plan_id: int) -> None:
        self._plans.pop(plan_id, None)
        handle = self._plan_timers.pop(plan_id, None)
        if handle is not None:
            handle.cancel()

    def _arm_plan(self, plan: PresencePlan) -> None:
        handle = self._plan_timers.pop(plan.id, None)
        if handle is not None:
            handle.cancel()
        delay = max(0.0, plan.start - self.clock())
        self._plan_timers[plan.id] = asyncio.get_running_loop().call_later(delay, self._plan_fired, plan.id)

    def _plan_fired(self, plan_id: int) -> None:
        self._plan_timers.pop(plan_id, None)
        plan = self._plans.get(plan_id)
        if plan is not None:
            self._core.create_task(self._start_plan(plan), f"planned presence {plan_id} starts")

    async def _start_plan(self, plan: PresencePlan) -> None:
        """The start has come: the activity is set until the plan's end, then what was before returns."""
        if plan.id not in self._plans:
            return
        now = self.clock()
        if plan.start > now:
            self._arm_plan(plan)
            return
        self._drop_plan(plan.id)
        await self._core.db.call(lambda db: storage.delete_plan(db, plan.id))
        activity = self._activities.get(plan.activity_id)
        if activity is None or plan.end <= now:
            return  # the activity was deleted, or the whole plan passed while Cordboard was down
        changes: dict[str, Any] = {
            "activity_id": activity.id,
            "availability": plan.availability or activity.show_as,
            "until": plan.end,
        }
        if plan.diversion is not None:
            changes["diversion"] = plan.diversion
        _LOGGER.info("User %s: the planned activity %s starts", plan.user_id, activity.name)
        old = self.get(plan.user_id)
        by = str(plan.created_by) if plan.created_by is not None else None
        await self._store(old, apply_change(old, changes, now), Context(user_id=by))

    # -- timers -------------------------------------------------------------------------------
    def _arm(self, presence: Presence) -> None:
        handle = self._timers.pop(presence.user_id, None)
        if handle is not None:
            handle.cancel()
        if presence.until is None:
            return
        delay = max(0.0, presence.until - self.clock())
        loop = asyncio.get_running_loop()
        self._timers[presence.user_id] = loop.call_later(delay, self._timer_fired, presence.user_id)

    def _timer_fired(self, user_id: int) -> None:
        self._timers.pop(user_id, None)
        self._core.create_task(self._expire(user_id), f"presence of user {user_id} ends")

    async def _expire(self, user_id: int) -> None:
        presence = self._presences.get(user_id)
        if presence is None or presence.until is None:
            return
        if presence.until > self.clock():  # the clock was set back, or a new change came first
            self._arm(presence)
            return
        _LOGGER.info("User %s: the timed presence change ended; the one before comes back", user_id)
        await self._store(presence, restore(presence, self.clock()), Context())

    # -- publishing ---------------------------------------------------------------------------
    def attributes(self, presence: Presence) -> dict[str, Any]:
        """The presence attributes of the user's ``extension.<number>`` state."""
        activity = self._activities.get(presence.activity_id or 0)
        role = self._roles.get(presence.role_id or 0)
        return {
            "availability": presence.availability,
            "activity": activity.name if activity else None,
            "activity_id": presence.activity_id,
            "dnd": presence.dnd,
            "role": role.name if role else None,
            "role_id": presence.role_id,
            "call_state": presence.call_state.value,
            "until": presence.until,
        }

    def _publish(self, presence: Presence, changed: list[str], context: Context) -> None:
        extension = self._extensions.get(presence.user_id)
        data = {**presence.as_dict(), "extension": extension, "changed": changed}
        self._core.bus.fire(EVENT_PRESENCE_CHANGED, data, context)
        status = {
            "user_id": presence.user_id,
            "extension": extension,
            "availability": presence.availability,
            "activity_id": presence.activity_id,
            "dnd": presence.dnd,
            "call_state": str(presence.call_state),
        }
        self._core.bus.fire(EVENT_STATUS_CHANGED, status, context)
        self._publish_state(presence, context)

    def _publish_state(self, presence: Presence, context: Context) -> None:
        """Merge the presence into ``extension.<number>`` (the SIP service owns the state itself)."""
        extension = self._extensions.get(presence.user_id)
        if extension is None:
            return
        entity_id = f"extension.{extension}"
        old = self._core.states.get(entity_id)
        base = dict(old.attributes) if old is not None else {"user_id": presence.user_id}
        self._core.states.set(
            entity_id,
            old.state if old is not None else "unregistered",
            {**base, **self.attributes(presence)},
            context=context,
        )

    async def _night_mode_changed(self, event: Event[Any]) -> None:
        """SCH-11: where the user's availability follows their working hours, their day's start
        makes them Available and its end (night mode) Busy; in between they may change it."""
        from cordboard.core.presence.settings import FOLLOWS_HOURS

        user_id = int(event.data["user_id"])
        try:
            follows = await self._core.settings.resolve(user_id, FOLLOWS_HOURS)
        except NotFound:
            return
        wanted = BUSY if event.data["night_mode"] else AVAILABLE
        if not follows or self.get(user_id).availability == wanted:
            return
        _LOGGER.info(
            "User %d is %s: their working hours %s", user_id, wanted, "ended" if wanted == BUSY else "began"
        )
        await self.set_presence(user_id, {"availability": wanted})

    # -- bus listeners ------------------------------------------------------------------------
    def _state_changed(self, event: Event[Any]) -> None:
        entity_id: str = event.data["entity_id"]
        if entity_id.startswith("call."):
            self._call_changed(event)
        elif entity_id.startswith("extension."):
            new = event.data["new_state"]
            user_id = new.attributes.get("user_id") if new is not None else None
            if isinstance(user_id, int) and self._extensions.get(user_id) == new.object_id:
                expected = self.attributes(self.get(user_id))
                if any(new.attributes.get(k) != v for k, v in expected.items()):
                    # Later, so that every listener sees the SIP service's change before ours.
                    self._core.loop.call_soon(self._republish, user_id)

    def _republish(self, user_id: int) -> None:
        if user_id in self._extensions:
            self._publish_state(self.get(user_id), Context())

    def _call_changed(self, event: Event[Any]) -> None:
        """PRS-09: recompute the call state of the parties of the call that changed."""
        old, new = event.data["old_state"], event.data["new_state"]
        entity_id = (new or old).entity_id
        users = _parties(new.attributes) if new is not None else set()
        if old is not None:
            users.update(_parties(old.attributes))
        live = self._live_calls
        for user_id in users:
            live.update(
                user_id,
                entity_id,
                call_state_in(user_id, new.state, new.attributes) if new is not None else CallState.IDLE,
            )
            before = self.get(user_id)
            call_state = live.state_of(user_id)
            if call_state is not before.call_state:
                changed = replace(before, call_state=call_state)
                self._presences[user_id] = changed
                self._publish(changed, ["call_state"], event.context)

    async def _user_changed(self, event: Event[Any]) -> None:
        user_id = event.data["user_id"]
        before = self._extensions.get(user_id)
        try:
            await self._check_user(user_id)
        except NotFound:
            return
        if self._extensions.get(user_id) != before:
            self._publish_state(self.get(user_id), event.context)

    def _user_deleted(self, event: Event[Any]) -> None:
        user_id = event.data["user_id"]
        self._extensions.pop(user_id, None)
        self._presences.pop(user_id, None)
        handle = self._timers.pop(user_id, None)
        if handle is not None:
            handle.cancel()
        for shortcut in [s for s in self._shortcuts.values() if s.owner_user_id == user_id]:
            del self._shortcuts[shortcut.id]
        for plan in [p for p in self._plans.values() if p.user_id == user_id]:
            self._drop_plan(plan.id)

    # -- activities, roles, shortcuts -----------------------------------------------------------
    async def save_activity(self, data: dict[str, Any], activity_id: int | None = None) -> Activity:
        activity = await self._core.db.call(lambda db: storage.save_activity(db, data, activity_id))
        self._activities[activity.id] = activity
        self._refresh(lambda p: p.activity_id == activity.id)
        return activity

    async def delete_activity(self, activity_id: int) -> None:
        await self._core.db.call(lambda db: storage.delete_activity(db, activity_id))
        self._activities.pop(activity_id, None)
        for plan in [p for p in self._plans.values() if p.activity_id == activity_id]:
            self._drop_plan(plan.id)  # the database dropped them with the activity
        await self._drop_reference("activity_id", activity_id)

    async def save_role(self, data: dict[str, Any], role_id: int | None = None) -> Role:
        role = await self._core.db.call(lambda db: storage.save_role(db, data, role_id))
        self._roles[role.id] = role
        self._refresh(lambda p: p.role_id == role.id)
        return role

    async def delete_role(self, role_id: int) -> None:
        await self._core.db.call(lambda db: storage.delete_role(db, role_id))
        self._roles.pop(role_id, None)
        await self._drop_reference("role_id", role_id)

    async def save_shortcut(
        self, owner_user_id: int | None, data: dict[str, Any], shortcut_id: int | None = None
    ) -> Shortcut:
        """Create or replace a shortcut (validated ``SHORTCUT_BODY``) of the admin (None) or a user."""
        if data.get("activity_id") is not None and data["activity_id"] not in self._activities:
            raise ConfigValidationError(
                "Some shortcut fields are invalid",
                {"activity_id": f"no activity has the id {data['activity_id']}"},
            )
        if owner_user_id is not None and data.get("diversion") is not None:
            await self._check_user(owner_user_id)
            if data["diversion"] == self._extensions.get(owner_user_id):
                raise ConfigValidationError(
                    "Some shortcut fields are invalid",
                    {"diversion": "that is your own extension: calls would come straight back"},
                )
        shortcut = await self._core.db.call(
            lambda db: storage.save_shortcut(db, owner_user_id, data, shortcut_id)
        )
        self._shortcuts[shortcut.id] = shortcut
        return shortcut

    async def delete_shortcut(self, owner_user_id: int | None, shortcut_id: int) -> None:
        await self._core.db.call(lambda db: storage.delete_shortcut(db, owner_user_id, shortcut_id))
        self._shortcuts.pop(shortcut_id, None)

    def _refresh(self, affected: Callable[[Presence], bool]) -> None:
        """An activity or role was renamed: its users' extension states show the new name."""
        for presence in [p for p in self._presences.values() if affected(p)]:
            self._publish_state(presence, current_context.get() or Context())

    async def _drop_reference(self, name: str, value: int) -> None:
        """An activity or role was deleted: users who had it set have none now."""
        for old in [p for p in self._presences.values() if getattr(p, name) == value]:
            if name == "activity_id":
                await self._store(old, replace(old, activity_id=None))
            else:
                await self._store(old, replace(old, role_id=None))


def _parties(attributes: Mapping[str, Any]) -> set[int]:
    """The users a ``call.<id>`` state concerns: caller, callee and any listed in ``user_ids``."""
    values = (
        attributes.get("caller_user_id"),
        attributes.get("callee_user_id"),
        *(attributes.get("user_ids") or ()),
    )
    return {value for value in values if isinstance(value, int)}
