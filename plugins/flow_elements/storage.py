"""The switches' and announcements' tables (storage component ``flow_elements``, migrations run
by the plugin manager). A switch's state lives in its row: it survives restarts (AA-04)."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any, Final

import sqlite_utils

from cordboard.core.numbers.function_number_table import FunctionNumberTable
from cordboard.core.storage.migrations import Migration
from cordboard.plugins.flow_elements.model import Announcement, FlowSwitch

SWITCHES: Final = "flow_switches"
ANNOUNCEMENTS: Final = "flow_announcements"
_SWITCH_COLUMNS: Final = (
    "id",
    "name",
    "number",
    "is_on",
    "on_target",
    "off_target",
    "operator_groups",
    "locked",
    "changed_at",
    "changed_by",
    "admin_groups",
)
_ANNOUNCEMENT_COLUMNS: Final = ("id", "name", "number", "prompt", "next_number", "locked", "admin_groups")


def _v1_tables(db: sqlite_utils.Database) -> None:
    db.execute(
        f"""CREATE TABLE {SWITCHES} (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL,
            number TEXT NOT NULL UNIQUE,
            is_on INTEGER NOT NULL,
            on_target TEXT NOT NULL,
            off_target TEXT NOT NULL,
            operator_groups TEXT NOT NULL,
            locked INTEGER NOT NULL,
            changed_at REAL,
            changed_by TEXT,
            updated REAL NOT NULL
        )"""
    )
    db.execute(
        f"""CREATE TABLE {ANNOUNCEMENTS} (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL,
            number TEXT NOT NULL UNIQUE,
            prompt TEXT NOT NULL,
            next_number TEXT,
            locked INTEGER NOT NULL,
            updated REAL NOT NULL
        )"""
    )


def _v2_admin_groups(db: sqlite_utils.Database) -> None:
    for table in (SWITCHES, ANNOUNCEMENTS):
        db.execute(f"ALTER TABLE {table} ADD COLUMN admin_groups TEXT NOT NULL DEFAULT '[]'")


MIGRATIONS: Final = (
    Migration(1, "virtual switches and announcements", _v1_tables),
    Migration(2, "group administrators (ROLE-04)", _v2_admin_groups),
)


def _groups(text: str) -> list[int]:
    return [int(i) for i in json.loads(text)]


def _switch(row: Any) -> FlowSwitch:
    data = dict(zip(_SWITCH_COLUMNS, row, strict=True))
    data["on"] = bool(data.pop("is_on"))
    data["operator_groups"] = _groups(data["operator_groups"])
    data["admin_groups"] = _groups(data["admin_groups"])
    data["locked"] = bool(data["locked"])
    return FlowSwitch(**data)


def _announcement(row: Any) -> Announcement:
    data = dict(zip(_ANNOUNCEMENT_COLUMNS, row, strict=True))
    data["locked"] = bool(data["locked"])
    data["admin_groups"] = _groups(data["admin_groups"])
    return Announcement(**data)


_SWITCH_TABLE: Final = FunctionNumberTable(SWITCHES, _SWITCH_COLUMNS, _switch, "switch")
_ANNOUNCEMENT_TABLE: Final = FunctionNumberTable(
    ANNOUNCEMENTS, _ANNOUNCEMENT_COLUMNS, _announcement, "announcement"
)


def all_switches(db: sqlite_utils.Database) -> list[FlowSwitch]:
    return _SWITCH_TABLE.all(db)


def all_announcements(db: sqlite_utils.Database) -> list[Announcement]:
    return _ANNOUNCEMENT_TABLE.all(db)


def _switch_values(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": fields["name"],
        "number": fields["number"],
        "on_target": fields["on_target"],
        "off_target": fields["off_target"],
        "operator_groups": json.dumps(list(fields["operator_groups"])),
        "admin_groups": json.dumps(sorted(set(fields["admin_groups"]))),
        "locked": int(bool(fields["locked"])),
        "updated": time.time(),
    }


def create_switch(db: sqlite_utils.Database, fields: Mapping[str, Any], changed_by: str) -> FlowSwitch:
    """Add a checked switch (``checks.checked_switch``) in the state ``fields["on"]``."""
    values = _switch_values(fields)
    values.update(is_on=int(bool(fields["on"])), changed_at=time.time(), changed_by=changed_by)
    return _SWITCH_TABLE.create(db, values)


def update_switch(db: sqlite_utils.Database, switch_id: int, fields: Mapping[str, Any]) -> FlowSwitch:
    """Change a switch's fields; its state is ``set_switch_state``'s."""
    return _SWITCH_TABLE.update(db, switch_id, _switch_values(fields))


def set_switch_state(db: sqlite_utils.Database, switch_id: int, on: bool, changed_by: str) -> FlowSwitch:
    return _SWITCH_TABLE.update(
        db, switch_id, {"is_on": int(on), "changed_at": time.time(), "changed_by": changed_by}
    )


def set_switch_locked(db: sqlite_utils.Database, switch_id: int, locked: bool) -> FlowSwitch:
    return _SWITCH_TABLE.update(db, switch_id, {"locked": int(locked), "updated": time.time()})


def delete_switch(db: sqlite_utils.Database, switch_id: int) -> None:
    _SWITCH_TABLE.delete(db, switch_id)


def _announcement_values(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": fields["name"],
        "number": fields["number"],
        "prompt": fields["prompt"],
        "next_number": fields["next_number"],
        "admin_groups": json.dumps(sorted(set(fields["admin_groups"]))),
        "locked": int(bool(fields["locked"])),
        "updated": time.time(),
    }


def create_announcement(db: sqlite_utils.Database, fields: Mapping[str, Any]) -> Announcement:
    return _ANNOUNCEMENT_TABLE.create(db, _announcement_values(fields))


def update_announcement(
    db: sqlite_utils.Database, announcement_id: int, fields: Mapping[str, Any]
) -> Announcement:
    return _ANNOUNCEMENT_TABLE.update(db, announcement_id, _announcement_values(fields))


def set_announcement_locked(db: sqlite_utils.Database, announcement_id: int, locked: bool) -> Announcement:
    return _ANNOUNCEMENT_TABLE.update(db, announcement_id, {"locked": int(locked), "updated": time.time()})


def delete_announcement(db: sqlite_utils.Database, announcement_id: int) -> None:
    _ANNOUNCEMENT_TABLE.delete(db, announcement_id)
