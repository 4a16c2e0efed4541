"""The hunt groups' table (storage component ``hunt_groups``, migrations run by the plugin manager)."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Mapping
from typing import Any, Final

import sqlite_utils

from cordboard.core.exceptions import ConfigValidationError, NotFound
from cordboard.core.storage.migrations import Migration
from cordboard.plugins.hunt_groups.const import DEFAULT_PHONE_TYPES
from cordboard.plugins.hunt_groups.model import HuntGroup

TABLE: Final = "hunt_groups"
_LISTS: Final = ("user_groups", "excluded_activities", "excluded_roles")
_COLUMNS: Final = (
    "id",
    "name",
    "number",
    "identifier",
    "distribution",
    "ring_s",
    "fallback",
    *_LISTS,
    "schedule_id",
    "phone_types",
)


def _v1_groups(db: sqlite_utils.Database) -> None:
    db.execute(
        f"""CREATE TABLE {TABLE} (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL,
            number TEXT NOT NULL UNIQUE,
            identifier TEXT NOT NULL UNIQUE,
            distribution TEXT NOT NULL,
            ring_s INTEGER NOT NULL,
            fallback TEXT,
            user_groups TEXT NOT NULL,
            excluded_activities TEXT NOT NULL,
            excluded_roles TEXT NOT NULL,
            schedule_id INTEGER,
            updated REAL NOT NULL
        )"""
    )


def _v2_phone_types(db: sqlite_utils.Database) -> None:
    db.execute(
        f"ALTER TABLE {TABLE} ADD COLUMN phone_types TEXT NOT NULL "
        f"DEFAULT '{json.dumps(list(DEFAULT_PHONE_TYPES))}'"
    )


MIGRATIONS: Final = (
    Migration(1, "hunt groups", _v1_groups),
    Migration(2, "which phone types ring (HG-06)", _v2_phone_types),
)


def _group(row: Any) -> HuntGroup:
    data = dict(zip(_COLUMNS, row, strict=True))
    for name in _LISTS:
        data[name] = tuple(int(i) for i in json.loads(data[name]))
    data["phone_types"] = tuple(json.loads(data["phone_types"]))
    return HuntGroup(**data)


def all_groups(db: sqlite_utils.Database) -> list[HuntGroup]:
    rows = db.execute(f"SELECT {', '.join(_COLUMNS)} FROM {TABLE} ORDER BY number").fetchall()
    return [_group(row) for row in rows]


def get_group(db: sqlite_utils.Database, group_id: int) -> HuntGroup:
    row = db.execute(f"SELECT {', '.join(_COLUMNS)} FROM {TABLE} WHERE id = ?", [group_id]).fetchone()
    if row is None:
        raise NotFound(f"No hunt group with id {group_id}")
    return _group(row)


def _values(fields: Mapping[str, Any]) -> dict[str, Any]:
    values = {
        name: fields[name] for name in _COLUMNS if name not in ("id", "phone_types") and name not in _LISTS
    }
    values.update({name: json.dumps(list(fields[name])) for name in _LISTS})
    values["phone_types"] = json.dumps(list(fields.get("phone_types", DEFAULT_PHONE_TYPES)))
    values["updated"] = time.time()
    return values


def _unique_clash(err: sqlite3.IntegrityError) -> ConfigValidationError:
    """Another save took the number or identifier since this one was checked."""
    field = "identifier" if "identifier" in str(err) else "number"
    return ConfigValidationError("The hunt group is invalid", {field: "another hunt group has it"})


def create_group(db: sqlite_utils.Database, fields: Mapping[str, Any]) -> HuntGroup:
    """Add a checked hunt group (``checks.checked_group``)."""
    values = _values(fields)
    try:
        with db.atomic():
            cursor = db.execute(
                f"INSERT INTO {TABLE} ({', '.join(values)}) VALUES ({', '.join('?' for _ in values)})",
                list(values.values()),
            )
    except sqlite3.IntegrityError as err:
        raise _unique_clash(err) from None
    assert cursor.lastrowid is not None
    return get_group(db, cursor.lastrowid)


def update_group(db: sqlite_utils.Database, group_id: int, fields: Mapping[str, Any]) -> HuntGroup:
    get_group(db, group_id)
    values = _values(fields)
    assignments = ", ".join(f"{name} = ?" for name in values)
    try:
        with db.atomic():
            db.execute(f"UPDATE {TABLE} SET {assignments} WHERE id = ?", [*values.values(), group_id])
    except sqlite3.IntegrityError as err:
        raise _unique_clash(err) from None
    return get_group(db, group_id)


def delete_group(db: sqlite_utils.Database, group_id: int) -> None:
    get_group(db, group_id)
    with db.atomic():
        db.execute(f"DELETE FROM {TABLE} WHERE id = ?", [group_id])
