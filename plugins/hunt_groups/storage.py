"""The hunt groups' table (storage component ``hunt_groups``, migrations run by the plugin manager)."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any, Final

import sqlite_utils

from cordboard.core.numbers.function_number_table import FunctionNumberTable
from cordboard.core.storage.migrations import Migration
from cordboard.plugins.hunt_groups.const import DEFAULT_PHONE_TYPES
from cordboard.plugins.hunt_groups.model import HuntGroup

TABLE: Final = "hunt_groups"
_LISTS: Final = ("user_groups", "excluded_activities", "excluded_roles")
_OPTIONAL_LISTS: Final = ("blocking_groups", "admin_groups")
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
    "exclude_from_search",
    "display_text",
    "keep_derived_metadata",
    *_OPTIONAL_LISTS,
)


_OPTIONAL: Final = ("exclude_from_search", "display_text", "keep_derived_metadata", *_OPTIONAL_LISTS)
"""Fields a caller of ``create_group`` may leave out (the API's schema always gives them)."""


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


def _v3_exclude_from_search(db: sqlite_utils.Database) -> None:
    db.execute(f"ALTER TABLE {TABLE} ADD COLUMN exclude_from_search INTEGER NOT NULL DEFAULT 0")


def _v4_display_text(db: sqlite_utils.Database) -> None:
    db.execute(f"ALTER TABLE {TABLE} ADD COLUMN display_text TEXT NOT NULL DEFAULT ''")
    db.execute(f"ALTER TABLE {TABLE} ADD COLUMN keep_derived_metadata INTEGER NOT NULL DEFAULT 0")


def _v5_blocking_groups(db: sqlite_utils.Database) -> None:
    db.execute(f"ALTER TABLE {TABLE} ADD COLUMN blocking_groups TEXT NOT NULL DEFAULT '[]'")


def _v6_admin_groups(db: sqlite_utils.Database) -> None:
    db.execute(f"ALTER TABLE {TABLE} ADD COLUMN admin_groups TEXT NOT NULL DEFAULT '[]'")


MIGRATIONS: Final = (
    Migration(1, "hunt groups", _v1_groups),
    Migration(2, "which phone types ring (HG-06)", _v2_phone_types),
    Migration(3, "exclude from contact searches (NUM-11)", _v3_exclude_from_search),
    Migration(4, "display text, kept from earlier in the call path", _v4_display_text),
    Migration(5, "blocking groups (BAR-04)", _v5_blocking_groups),
    Migration(6, "group administrators (ROLE-04)", _v6_admin_groups),
)


def _group(row: Any) -> HuntGroup:
    data = dict(zip(_COLUMNS, row, strict=True))
    for name in (*_LISTS, *_OPTIONAL_LISTS):
        data[name] = tuple(int(i) for i in json.loads(data[name]))
    data["phone_types"] = tuple(json.loads(data["phone_types"]))
    data["exclude_from_search"] = bool(data["exclude_from_search"])
    data["keep_derived_metadata"] = bool(data["keep_derived_metadata"])
    return HuntGroup(**data)


_GROUPS: Final = FunctionNumberTable(TABLE, _COLUMNS, _group, "hunt group", unique=("identifier",))


def all_groups(db: sqlite_utils.Database) -> list[HuntGroup]:
    return _GROUPS.all(db)


def get_group(db: sqlite_utils.Database, group_id: int) -> HuntGroup:
    return _GROUPS.get(db, group_id)


def _values(fields: Mapping[str, Any]) -> dict[str, Any]:
    values = {
        name: fields[name]
        for name in _COLUMNS
        if name not in ("id", "phone_types", *_OPTIONAL) and name not in _LISTS
    }
    values.update({name: json.dumps(list(fields[name])) for name in _LISTS})
    values["phone_types"] = json.dumps(list(fields.get("phone_types", DEFAULT_PHONE_TYPES)))
    values["exclude_from_search"] = int(bool(fields.get("exclude_from_search", False)))
    values["display_text"] = str(fields.get("display_text") or "")
    values["keep_derived_metadata"] = int(bool(fields.get("keep_derived_metadata", False)))
    values.update({name: json.dumps(list(fields.get(name, ()))) for name in _OPTIONAL_LISTS})
    values["updated"] = time.time()
    return values


def create_group(db: sqlite_utils.Database, fields: Mapping[str, Any]) -> HuntGroup:
    """Add a checked hunt group (``checks.checked_group``)."""
    return _GROUPS.create(db, _values(fields))


def update_group(db: sqlite_utils.Database, group_id: int, fields: Mapping[str, Any]) -> HuntGroup:
    return _GROUPS.update(db, group_id, _values(fields))


def delete_group(db: sqlite_utils.Database, group_id: int) -> None:
    _GROUPS.delete(db, group_id)
