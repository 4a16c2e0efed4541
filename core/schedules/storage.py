"""Schedules in SQLite: working hours per level, users' night-mode overrides, function-number
schedules by owner.

The tables belong to the storage component ``core.schedules`` with its own migrations, run on
first use (``ensure_schema``), like the organisation's prompts. Every function takes the
synchronous database: call them through ``core.db.call``.
"""

from __future__ import annotations

import json
import time
from typing import Any, Final

import sqlite_utils

from cordboard.core.config.settings import ORG_ID
from cordboard.core.config.settings import _levels as setting_levels
from cordboard.core.exceptions import ConfigValidationError, NotFound
from cordboard.core.schedules.model import (
    HoursLevel,
    Schedule,
    ScheduleEvent,
    always,
    parse_event,
    parse_events,
    parse_level,
)
from cordboard.core.storage.migrations import Migration, migrate

COMPONENT: Final = "core.schedules"
SCOPE_TABLES: Final = {"group": "user_groups", "user": "users"}


def _v1_schedules(db: sqlite_utils.Database) -> None:
    # One row per level that defines any part of its working hours; a NULL part is not defined
    # there (the level above applies). scope_id is "" for the organisation, else the id as text.
    db.execute(
        """CREATE TABLE working_hours (
            scope TEXT NOT NULL CHECK (scope IN ('org', 'group', 'user')),
            scope_id TEXT NOT NULL,
            week TEXT,
            exceptions TEXT,
            extra TEXT,
            updated REAL NOT NULL,
            PRIMARY KEY (scope, scope_id)
        )"""
    )
    db.execute(
        """CREATE TABLE night_mode_overrides (
            user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            updated REAL NOT NULL
        )"""
    )
    # A function number's schedule (SCH-07): its events as an ordered JSON list, the first
    # match deciding; owner says who uses it ("number:1600", "ivr:3").
    db.execute(
        """CREATE TABLE schedules (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            owner TEXT NOT NULL,
            name TEXT NOT NULL,
            events TEXT NOT NULL DEFAULT '[]',
            default_event TEXT NOT NULL DEFAULT '{}',
            created REAL NOT NULL,
            updated REAL NOT NULL
        )"""
    )
    db.execute("CREATE INDEX schedules_owner ON schedules (owner)")


def _v2_extend_right(db: sqlite_utils.Database) -> None:
    # The groups whose members may extend working hours (SCH-06, ROLE-09's gated service).
    db.execute(
        """CREATE TABLE extend_hours_groups (
            group_id INTEGER PRIMARY KEY REFERENCES user_groups(id) ON DELETE CASCADE
        )"""
    )


MIGRATIONS: Final = (
    Migration(1, "working hours per level, night-mode overrides, function-number schedules", _v1_schedules),
    Migration(2, "the groups with the right to extend working hours", _v2_extend_right),
)


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create or upgrade the tables (cheap when they are current: one query)."""
    migrate(db, COMPONENT, MIGRATIONS)


# -- working hours -----------------------------------------------------------------------------


def stored_scope_id(db: sqlite_utils.Database, scope: str, scope_id: int | None) -> str:
    """ "" for the organisation, the id as text for a group or user that exists."""
    if scope == "org":
        return ORG_ID
    table = SCOPE_TABLES.get(scope)
    if table is None:
        raise ConfigValidationError(f"Unknown level {scope!r}", {"scope": "expected org, group or user"})
    if scope_id is None or db.execute(f"SELECT 1 FROM {table} WHERE id = ?", [scope_id]).fetchone() is None:
        raise NotFound(f"No {'user group' if scope == 'group' else 'user'} with id {scope_id}")
    return str(scope_id)


def _level_from_row(week: str | None, exceptions: str | None, extra: str | None) -> HoursLevel:
    return parse_level(
        {
            "week": None if week is None else json.loads(week),
            "exceptions": None if exceptions is None else json.loads(exceptions),
            "extra": None if extra is None else json.loads(extra),
        }
    )


def get_level(db: sqlite_utils.Database, scope: str, scope_id: int | None) -> HoursLevel:
    """What one level defines (an empty HoursLevel when it defines nothing)."""
    sid = stored_scope_id(db, scope, scope_id)
    row = db.execute(
        "SELECT week, exceptions, extra FROM working_hours WHERE scope = ? AND scope_id = ?", [scope, sid]
    ).fetchone()
    return HoursLevel() if row is None else _level_from_row(*row)


def set_level(db: sqlite_utils.Database, scope: str, scope_id: int | None, level: HoursLevel) -> None:
    """Store (replace) what one level defines; a level that defines nothing loses its row."""
    data = level.as_dict()
    with db.atomic():
        sid = stored_scope_id(db, scope, scope_id)
        if level.empty:
            db.execute("DELETE FROM working_hours WHERE scope = ? AND scope_id = ?", [scope, sid])
            return
        db.execute(
            "INSERT INTO working_hours (scope, scope_id, week, exceptions, extra, updated) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(scope, scope_id) DO UPDATE SET week = excluded.week, "
            "exceptions = excluded.exceptions, extra = excluded.extra, updated = excluded.updated",
            [
                scope,
                sid,
                *(None if data[k] is None else json.dumps(data[k]) for k in ("week", "exceptions", "extra")),
                time.time(),
            ],
        )


def user_levels(db: sqlite_utils.Database, user_id: int) -> list[tuple[str, HoursLevel]]:
    """The levels that apply to a user, most general first, as the settings resolve them:
    org, the user's groups by rank (priority 1 first), the user."""
    levels = setting_levels(db, user_id)
    rows = {
        (scope, sid): (week, exceptions, extra)
        for scope, sid, week, exceptions, extra in db.execute(
            "SELECT scope, scope_id, week, exceptions, extra FROM working_hours"
        ).fetchall()
    }
    return [
        (label, _level_from_row(*rows[(scope, sid)]) if (scope, sid) in rows else HoursLevel())
        for label, scope, sid in levels
    ]


def user_zone(db: sqlite_utils.Database, user_id: int) -> str:
    """The time zone a user's hours are evaluated in: their own (profile), else core.timezone as
    it resolves for them (user, group, org), else UTC."""
    from cordboard.core.config.settings import CORE_SPECS, combine

    row = db.execute("SELECT timezone FROM users WHERE id = ?", [user_id]).fetchone()
    if row is None:
        raise NotFound(f"No user with id {user_id}")
    if row[0]:
        return str(row[0])
    spec = next(s for s in CORE_SPECS if s.key == "core.timezone")
    values = []
    for label, scope, sid in setting_levels(db, user_id):
        value = db.execute(
            "SELECT value FROM setting_values WHERE scope = ? AND scope_id = ? AND key = ?",
            [scope, sid, spec.key],
        ).fetchone()
        if value is not None:
            values.append((label, scope, json.loads(value[0])))
    return str(combine(spec, values).value or "UTC")


def night_mode_off(db: sqlite_utils.Database, user_id: int) -> bool:
    return (
        db.execute("SELECT 1 FROM night_mode_overrides WHERE user_id = ?", [user_id]).fetchone() is not None
    )


def set_night_mode_off(db: sqlite_utils.Database, user_id: int, off: bool) -> None:
    """SCH-05: the user turns night mode off (until they turn it back on) or on again."""
    with db.atomic():
        stored_scope_id(db, "user", user_id)
        if off:
            db.execute(
                "INSERT OR REPLACE INTO night_mode_overrides (user_id, updated) VALUES (?, ?)",
                [user_id, time.time()],
            )
        else:
            db.execute("DELETE FROM night_mode_overrides WHERE user_id = ?", [user_id])


def users_with_extensions(db: sqlite_utils.Database) -> list[tuple[int, str]]:
    """(user id, extension) of every user who has an extension."""
    rows = db.execute("SELECT id, extension FROM users WHERE extension IS NOT NULL ORDER BY id").fetchall()
    return [(int(user_id), str(extension)) for user_id, extension in rows]


def extend_groups(db: sqlite_utils.Database) -> list[int]:
    """The groups whose members may extend working hours (SCH-06)."""
    return [int(r[0]) for r in db.execute("SELECT group_id FROM extend_hours_groups ORDER BY group_id")]


def set_extend_groups(db: sqlite_utils.Database, group_ids: list[int]) -> list[int]:
    with db.atomic():
        known = {int(r[0]) for r in db.execute("SELECT id FROM user_groups")}
        missing = [g for g in group_ids if g not in known]
        if missing:
            raise ConfigValidationError(
                "Unknown group", {"group_ids": f"no user group with id {', '.join(map(str, missing))}"}
            )
        db.execute("DELETE FROM extend_hours_groups")
        for group_id in sorted(set(group_ids)):
            db.execute("INSERT INTO extend_hours_groups (group_id) VALUES (?)", [group_id])
    return extend_groups(db)


def extend_groups_of(db: sqlite_utils.Database, user_id: int) -> list[int]:
    """The user's groups that carry the right to extend working hours."""
    rows = db.execute(
        "SELECT m.group_id FROM group_members m JOIN extend_hours_groups e ON e.group_id = m.group_id "
        "WHERE m.user_id = ? ORDER BY m.group_id",
        [user_id],
    ).fetchall()
    return [int(r[0]) for r in rows]


def group_levels(db: sqlite_utils.Database, group_id: int) -> list[tuple[str, HoursLevel]]:
    """The levels that apply to a group's own working time: the organisation, the group."""
    return [("org", get_level(db, "org", None)), (f"group:{group_id}", get_level(db, "group", group_id))]


# -- function-number schedules -----------------------------------------------------------------


def _schedule_from_row(row: Any) -> Schedule:
    schedule_id, owner, name, events, default, updated = row
    default_data = json.loads(default)
    return Schedule(
        id=int(schedule_id),
        owner=owner,
        name=name,
        events=parse_events(json.loads(events)),
        default=parse_event(default_data, "default", default=True) if default_data else always(),
        updated=float(updated),
    )


_COLUMNS: Final = "id, owner, name, events, default_event, updated"


def list_schedules(db: sqlite_utils.Database, owner: str | None = None) -> list[Schedule]:
    if owner is None:
        rows = db.execute(f"SELECT {_COLUMNS} FROM schedules ORDER BY owner, id").fetchall()
    else:
        rows = db.execute(f"SELECT {_COLUMNS} FROM schedules WHERE owner = ? ORDER BY id", [owner]).fetchall()
    return [_schedule_from_row(row) for row in rows]


def get_schedule(db: sqlite_utils.Database, schedule_id: int) -> Schedule:
    row = db.execute(f"SELECT {_COLUMNS} FROM schedules WHERE id = ?", [schedule_id]).fetchone()
    if row is None:
        raise NotFound(f"No schedule with id {schedule_id}")
    return _schedule_from_row(row)


def _default_json(default: ScheduleEvent) -> str:
    return json.dumps({"action": default.action, "target": default.target, "prompt": default.prompt})


def create_schedule(
    db: sqlite_utils.Database,
    owner: str,
    name: str,
    events: tuple[ScheduleEvent, ...],
    default: ScheduleEvent,
) -> Schedule:
    now = time.time()
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO schedules (owner, name, events, default_event, created, updated) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [owner, name, json.dumps([e.as_dict() for e in events]), _default_json(default), now, now],
        )
        schedule_id = int(cursor.lastrowid or 0)
    return get_schedule(db, schedule_id)


def update_schedule(
    db: sqlite_utils.Database,
    schedule_id: int,
    *,
    owner: str,
    name: str,
    events: tuple[ScheduleEvent, ...],
    default: ScheduleEvent,
) -> Schedule:
    with db.atomic():
        get_schedule(db, schedule_id)
        db.execute(
            "UPDATE schedules SET owner = ?, name = ?, events = ?, default_event = ?, updated = ? "
            "WHERE id = ?",
            [
                owner,
                name,
                json.dumps([e.as_dict() for e in events]),
                _default_json(default),
                time.time(),
                schedule_id,
            ],
        )
    return get_schedule(db, schedule_id)


def delete_schedule(db: sqlite_utils.Database, schedule_id: int) -> Schedule:
    with db.atomic():
        schedule = get_schedule(db, schedule_id)
        db.execute("DELETE FROM schedules WHERE id = ?", [schedule_id])
    return schedule
