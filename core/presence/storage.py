"""Presence tables (storage component ``core.presence``) and their synchronous repository functions.

Every function takes the synchronous database: call them through ``core.db.call``. The tables
are created on first use (``ensure_schema``) so that the core's own migration list stays the core's.
"""

from __future__ import annotations

import json
import time
from typing import Any, Final

import sqlite_utils

from cordboard.core.exceptions import Conflict, NotFound
from cordboard.core.presence.model import AVAILABLE, Activity, Presence, PresencePlan, Role, Shortcut
from cordboard.core.storage.migrations import Migration, migrate

COMPONENT: Final = "core.presence"


def _v1_presence(db: sqlite_utils.Database) -> None:
    # Activity and role ids are chosen by the admin (feature codes dial them), so no AUTOINCREMENT.
    db.execute(
        """CREATE TABLE presence_activities (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            show_as TEXT NOT NULL CHECK (show_as IN ('available', 'busy')),
            message TEXT,
            labels TEXT NOT NULL DEFAULT '{}'
        )"""
    )
    db.execute(
        """CREATE TABLE presence_roles (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            labels TEXT NOT NULL DEFAULT '{}'
        )"""
    )
    db.execute(
        """CREATE TABLE presence_shortcuts (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            owner_user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            activity_id INTEGER REFERENCES presence_activities(id),
            availability TEXT CHECK (availability IN ('available', 'busy')),
            duration_minutes INTEGER,
            icon TEXT NOT NULL DEFAULT '',
            diversion TEXT
        )"""
    )
    db.execute("CREATE INDEX presence_shortcuts_owner ON presence_shortcuts (owner_user_id)")
    # ``previous`` is the JSON snapshot that comes back at ``until`` (model.Presence.snapshot).
    db.execute(
        """CREATE TABLE user_presence (
            user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            availability TEXT NOT NULL CHECK (availability IN ('available', 'busy')),
            activity_id INTEGER,
            role_id INTEGER,
            dnd INTEGER NOT NULL DEFAULT 0,
            diversion TEXT,
            until REAL,
            shortcut_id INTEGER,
            previous TEXT,
            updated REAL NOT NULL
        )"""
    )


def _v2_plans(db: sqlite_utils.Database) -> None:
    # PRS-06: a planned activity; the row goes when its start has come (the change is timed then).
    db.execute(
        """CREATE TABLE presence_plans (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            activity_id INTEGER NOT NULL REFERENCES presence_activities(id) ON DELETE CASCADE,
            start REAL NOT NULL,
            "end" REAL NOT NULL,
            availability TEXT CHECK (availability IN ('available', 'busy')),
            diversion TEXT,
            created_by INTEGER,
            created REAL NOT NULL,
            CHECK ("end" > start)
        )"""
    )
    db.execute("CREATE INDEX presence_plans_user ON presence_plans (user_id, start)")


MIGRATIONS: Final = (
    Migration(1, "presence: activities, roles, shortcuts, users' presence", _v1_presence),
    Migration(2, "future presence: planned activities", _v2_plans),
)


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create or upgrade the tables (cheap when they are current: one query)."""
    migrate(db, COMPONENT, MIGRATIONS)


class PresenceIdTaken(Conflict):
    """Another activity or role has this id or name."""

    field = "id"


# -- reading -------------------------------------------------------------------------------------


def _activity(row: Any) -> Activity:
    return Activity(int(row[0]), str(row[1]), str(row[2]), row[3], json.loads(row[4] or "{}"))


def _role(row: Any) -> Role:
    return Role(int(row[0]), str(row[1]), json.loads(row[2] or "{}"))


def _shortcut(row: Any) -> Shortcut:
    return Shortcut(int(row[0]), row[1], str(row[2]), row[3], row[4], row[5], str(row[6]), row[7])


def _presence(row: Any) -> Presence:
    return Presence(
        user_id=int(row[0]),
        availability=str(row[1] or AVAILABLE),
        activity_id=row[2],
        role_id=row[3],
        dnd=bool(row[4]),
        diversion=row[5],
        until=row[6],
        shortcut_id=row[7],
        previous=json.loads(row[8]) if row[8] else None,
        updated=float(row[9]),
    )


_SHORTCUT_COLUMNS: Final = (
    "id, owner_user_id, name, activity_id, availability, duration_minutes, icon, diversion"
)
_PRESENCE_COLUMNS: Final = (
    "user_id, availability, activity_id, role_id, dnd, diversion, until, shortcut_id, previous, updated"
)


def list_activities(db: sqlite_utils.Database) -> list[Activity]:
    ensure_schema(db)
    rows = db.execute("SELECT id, name, show_as, message, labels FROM presence_activities ORDER BY id")
    return [_activity(row) for row in rows.fetchall()]


def list_roles(db: sqlite_utils.Database) -> list[Role]:
    ensure_schema(db)
    rows = db.execute("SELECT id, name, labels FROM presence_roles ORDER BY id")
    return [_role(row) for row in rows.fetchall()]


def list_shortcuts(db: sqlite_utils.Database) -> list[Shortcut]:
    """Every shortcut: the admin's first, then each user's, by name."""
    ensure_schema(db)
    rows = db.execute(
        f"SELECT {_SHORTCUT_COLUMNS} FROM presence_shortcuts "
        "ORDER BY owner_user_id IS NOT NULL, owner_user_id, name COLLATE NOCASE, id"
    )
    return [_shortcut(row) for row in rows.fetchall()]


def list_presences(db: sqlite_utils.Database) -> list[Presence]:
    ensure_schema(db)
    rows = db.execute(f"SELECT {_PRESENCE_COLUMNS} FROM user_presence ORDER BY user_id")
    return [_presence(row) for row in rows.fetchall()]


# -- writing -------------------------------------------------------------------------------------


def save_presence(db: sqlite_utils.Database, presence: Presence) -> None:
    """Store a user's presence (the live call state is never stored)."""
    ensure_schema(db)
    with db.atomic():
        db.execute(
            f"INSERT OR REPLACE INTO user_presence ({_PRESENCE_COLUMNS}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                presence.user_id,
                presence.availability,
                presence.activity_id,
                presence.role_id,
                int(presence.dnd),
                presence.diversion,
                presence.until,
                presence.shortcut_id,
                json.dumps(presence.previous) if presence.previous is not None else None,
                presence.updated or time.time(),
            ],
        )


def _next_id(db: sqlite_utils.Database, table: str) -> int:
    row = db.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}").fetchone()
    return int(row[0])


def _check_unique(
    db: sqlite_utils.Database, table: str, what: str, item_id: int, *, name: str, new: bool
) -> None:
    if new and db.execute(f"SELECT 1 FROM {table} WHERE id = ?", [item_id]).fetchone():
        raise PresenceIdTaken(f"An {what} with id {item_id} exists already; choose another id")
    clash = db.execute(f"SELECT id FROM {table} WHERE name = ? AND id != ?", [name, item_id]).fetchone()
    if clash:
        raise PresenceIdTaken(f"The {what} {clash[0]} is called “{name}” already; choose another name")


def save_activity(
    db: sqlite_utils.Database, data: dict[str, Any], activity_id: int | None = None
) -> Activity:
    """Create (``activity_id`` None: ``data["id"]`` or the next free id) or replace an activity."""
    ensure_schema(db)
    with db.atomic():
        new = activity_id is None
        if activity_id is None:
            activity_id = data.get("id") or _next_id(db, "presence_activities")
        elif not db.execute("SELECT 1 FROM presence_activities WHERE id = ?", [activity_id]).fetchone():
            raise NotFound(f"No presence activity with id {activity_id}")
        _check_unique(db, "presence_activities", "activity", activity_id, name=data["name"], new=new)
        db.execute(
            "INSERT OR REPLACE INTO presence_activities (id, name, show_as, message, labels) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                activity_id,
                data["name"],
                data["show_as"],
                data.get("message"),
                json.dumps(data.get("labels") or {}),
            ],
        )
    return Activity(
        activity_id, data["name"], data["show_as"], data.get("message"), dict(data.get("labels") or {})
    )


def save_role(db: sqlite_utils.Database, data: dict[str, Any], role_id: int | None = None) -> Role:
    """Create (``role_id`` None: ``data["id"]`` or the next free id) or replace a presence role."""
    ensure_schema(db)
    with db.atomic():
        new = role_id is None
        if role_id is None:
            role_id = data.get("id") or _next_id(db, "presence_roles")
        elif not db.execute("SELECT 1 FROM presence_roles WHERE id = ?", [role_id]).fetchone():
            raise NotFound(f"No presence role with id {role_id}")
        _check_unique(db, "presence_roles", "role", role_id, name=data["name"], new=new)
        db.execute(
            "INSERT OR REPLACE INTO presence_roles (id, name, labels) VALUES (?, ?, ?)",
            [role_id, data["name"], json.dumps(data.get("labels") or {})],
        )
    return Role(role_id, data["name"], dict(data.get("labels") or {}))


def delete_activity(db: sqlite_utils.Database, activity_id: int) -> None:
    """Delete an activity; refused (Conflict) while a shortcut uses it."""
    ensure_schema(db)
    with db.atomic():
        users = db.execute(
            "SELECT name FROM presence_shortcuts WHERE activity_id = ? ORDER BY name", [activity_id]
        ).fetchall()
        if users:
            names = ", ".join(f"“{row[0]}”" for row in users)
            raise Conflict(f"The activity is used by the shortcuts {names}; change or delete them first")
        if db.execute("DELETE FROM presence_activities WHERE id = ?", [activity_id]).rowcount == 0:
            raise NotFound(f"No presence activity with id {activity_id}")
        db.execute("UPDATE user_presence SET activity_id = NULL WHERE activity_id = ?", [activity_id])


def delete_role(db: sqlite_utils.Database, role_id: int) -> None:
    ensure_schema(db)
    with db.atomic():
        if db.execute("DELETE FROM presence_roles WHERE id = ?", [role_id]).rowcount == 0:
            raise NotFound(f"No presence role with id {role_id}")
        db.execute("UPDATE user_presence SET role_id = NULL WHERE role_id = ?", [role_id])


def save_shortcut(
    db: sqlite_utils.Database, owner_user_id: int | None, data: dict[str, Any], shortcut_id: int | None = None
) -> Shortcut:
    """Create a shortcut of ``owner_user_id`` (None: the admin's, for everyone) or replace one."""
    ensure_schema(db)
    values = [
        data["name"],
        data.get("activity_id"),
        data.get("availability"),
        data.get("duration_minutes"),
        data.get("icon") or "",
        data.get("diversion"),
    ]
    with db.atomic():
        if shortcut_id is None:
            cursor = db.execute(
                "INSERT INTO presence_shortcuts (owner_user_id, name, activity_id, availability, "
                "duration_minutes, icon, diversion) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [owner_user_id, *values],
            )
            shortcut_id = int(cursor.lastrowid or 0)
        else:
            cursor = db.execute(
                "UPDATE presence_shortcuts SET name = ?, activity_id = ?, availability = ?, "
                "duration_minutes = ?, icon = ?, diversion = ? WHERE id = ? AND owner_user_id IS ?",
                [*values, shortcut_id, owner_user_id],
            )
            if cursor.rowcount == 0:
                raise NotFound(f"No such presence shortcut: {shortcut_id}")
    return Shortcut(shortcut_id, owner_user_id, *values)


def delete_shortcut(db: sqlite_utils.Database, owner_user_id: int | None, shortcut_id: int) -> None:
    ensure_schema(db)
    with db.atomic():
        cursor = db.execute(
            "DELETE FROM presence_shortcuts WHERE id = ? AND owner_user_id IS ?", [shortcut_id, owner_user_id]
        )
    if cursor.rowcount == 0:
        raise NotFound(f"No such presence shortcut: {shortcut_id}")


_PLAN_COLUMNS: Final = 'id, user_id, activity_id, start, "end", availability, diversion, created_by'


def _plan(row: Any) -> PresencePlan:
    return PresencePlan(
        int(row[0]), int(row[1]), int(row[2]), float(row[3]), float(row[4]), row[5], row[6], row[7]
    )


def list_plans(db: sqlite_utils.Database) -> list[PresencePlan]:
    """Every planned activity, soonest first (PRS-06)."""
    ensure_schema(db)
    rows = db.execute(f"SELECT {_PLAN_COLUMNS} FROM presence_plans ORDER BY start, id")
    return [_plan(row) for row in rows.fetchall()]


def add_plan(
    db: sqlite_utils.Database, user_id: int, data: dict[str, Any], created_by: int | None
) -> PresencePlan:
    """Store a planned activity from validated ``PLAN_BODY`` data."""
    ensure_schema(db)
    with db.atomic():
        cursor = db.execute(
            'INSERT INTO presence_plans (user_id, activity_id, start, "end", availability, diversion, '
            "created_by, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                user_id,
                data["activity_id"],
                data["start"],
                data["end"],
                data.get("availability"),
                data.get("diversion"),
                created_by,
                time.time(),
            ],
        )
    plan_id = int(cursor.lastrowid or 0)
    row = db.execute(f"SELECT {_PLAN_COLUMNS} FROM presence_plans WHERE id = ?", [plan_id]).fetchone()
    return _plan(row)


def delete_plan(db: sqlite_utils.Database, plan_id: int, user_id: int | None = None) -> None:
    """Delete a planned activity (of ``user_id`` when given); NotFound when there is none."""
    ensure_schema(db)
    with db.atomic():
        if user_id is None:
            cursor = db.execute("DELETE FROM presence_plans WHERE id = ?", [plan_id])
        else:
            cursor = db.execute("DELETE FROM presence_plans WHERE id = ? AND user_id = ?", [plan_id, user_id])
    if cursor.rowcount == 0:
        raise NotFound(f"No planned presence {plan_id}")
