"""The IVR menus' table (storage component ``ivr``, migrations run by the plugin manager)."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any, Final

import sqlite_utils

from cordboard.core.numbers.function_number_table import FunctionNumberTable
from cordboard.core.storage.migrations import Migration
from cordboard.plugins.ivr.model import Destination, IvrMenu

TABLE: Final = "ivr_menus"
_COLUMNS: Final = (
    "id",
    "name",
    "number",
    "language",
    "welcome_prompt",
    "options",
    "direct_dial",
    "timeout_s",
    "retries",
    "invalid_prompt",
    "timeout_destination",
    "exclude_from_search",
    "display_text",
    "keep_derived_metadata",
    "blocking_groups",
    "admin_groups",
    "schedule_id",
)


def _v1_menus(db: sqlite_utils.Database) -> None:
    db.execute(
        f"""CREATE TABLE {TABLE} (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL,
            number TEXT NOT NULL UNIQUE,
            language TEXT,
            welcome_prompt TEXT NOT NULL,
            options TEXT NOT NULL,
            direct_dial INTEGER NOT NULL,
            timeout_s INTEGER NOT NULL,
            retries INTEGER NOT NULL,
            invalid_prompt TEXT NOT NULL,
            timeout_destination TEXT,
            updated REAL NOT NULL
        )"""
    )


def _v2_exclude_from_search(db: sqlite_utils.Database) -> None:
    db.execute(f"ALTER TABLE {TABLE} ADD COLUMN exclude_from_search INTEGER NOT NULL DEFAULT 0")


def _v3_display_text(db: sqlite_utils.Database) -> None:
    db.execute(f"ALTER TABLE {TABLE} ADD COLUMN display_text TEXT NOT NULL DEFAULT ''")
    db.execute(f"ALTER TABLE {TABLE} ADD COLUMN keep_derived_metadata INTEGER NOT NULL DEFAULT 0")


def _v4_blocking_groups(db: sqlite_utils.Database) -> None:
    db.execute(f"ALTER TABLE {TABLE} ADD COLUMN blocking_groups TEXT NOT NULL DEFAULT '[]'")


def _v5_admin_groups(db: sqlite_utils.Database) -> None:
    db.execute(f"ALTER TABLE {TABLE} ADD COLUMN admin_groups TEXT NOT NULL DEFAULT '[]'")


def _v6_schedule(db: sqlite_utils.Database) -> None:
    db.execute(f"ALTER TABLE {TABLE} ADD COLUMN schedule_id INTEGER")


MIGRATIONS: Final = (
    Migration(1, "IVR menus", _v1_menus),
    Migration(2, "exclude from contact searches (NUM-11)", _v2_exclude_from_search),
    Migration(3, "display text, kept from earlier in the call path (IVR-05)", _v3_display_text),
    Migration(4, "blocking groups (BAR-04)", _v4_blocking_groups),
    Migration(5, "group administrators (ROLE-04, IVR-06)", _v5_admin_groups),
    Migration(6, "opening hours from a schedule (SCH-07)", _v6_schedule),
)


def _menu(row: Any) -> IvrMenu:
    data = dict(zip(_COLUMNS, row, strict=True))
    data["options"] = {key: Destination.of(d) for key, d in json.loads(data["options"]).items()}
    data["direct_dial"] = bool(data["direct_dial"])
    data["exclude_from_search"] = bool(data["exclude_from_search"])
    data["keep_derived_metadata"] = bool(data["keep_derived_metadata"])
    data["blocking_groups"] = tuple(int(i) for i in json.loads(data["blocking_groups"]))
    data["admin_groups"] = tuple(int(i) for i in json.loads(data["admin_groups"]))
    timeout = data["timeout_destination"]
    data["timeout_destination"] = Destination.of(json.loads(timeout)) if timeout else None
    return IvrMenu(**data)


_MENUS: Final = FunctionNumberTable(TABLE, _COLUMNS, _menu, "IVR menu")


def all_menus(db: sqlite_utils.Database) -> list[IvrMenu]:
    return _MENUS.all(db)


def get_menu(db: sqlite_utils.Database, menu_id: int) -> IvrMenu:
    return _MENUS.get(db, menu_id)


def _values(fields: Mapping[str, Any]) -> dict[str, Any]:
    optional = (
        "exclude_from_search",
        "display_text",
        "keep_derived_metadata",
        "blocking_groups",
        "admin_groups",
        "schedule_id",
    )
    values = {name: fields[name] for name in _COLUMNS if name != "id" and name not in optional}
    values["exclude_from_search"] = int(bool(fields.get("exclude_from_search", False)))
    values["display_text"] = str(fields.get("display_text") or "")
    values["keep_derived_metadata"] = int(bool(fields.get("keep_derived_metadata", False)))
    values["blocking_groups"] = json.dumps(list(fields.get("blocking_groups", ())))
    values["admin_groups"] = json.dumps(sorted(set(fields.get("admin_groups", ()))))
    values["schedule_id"] = fields.get("schedule_id")
    values["options"] = json.dumps(fields["options"])
    values["direct_dial"] = int(bool(fields["direct_dial"]))
    timeout = fields["timeout_destination"]
    values["timeout_destination"] = json.dumps(timeout) if timeout is not None else None
    values["updated"] = time.time()
    return values


def create_menu(db: sqlite_utils.Database, fields: Mapping[str, Any]) -> IvrMenu:
    """Add a checked menu (``checks.checked_menu``)."""
    return _MENUS.create(db, _values(fields))


def update_menu(db: sqlite_utils.Database, menu_id: int, fields: Mapping[str, Any]) -> IvrMenu:
    return _MENUS.update(db, menu_id, _values(fields))


def delete_menu(db: sqlite_utils.Database, menu_id: int) -> None:
    _MENUS.delete(db, menu_id)
