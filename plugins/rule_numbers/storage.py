"""The rule-based numbers' table (storage component ``rule_numbers``, migrations run by the plugin
manager)."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any, Final

import sqlite_utils

from cordboard.core.numbers.function_number_table import FunctionNumberTable
from cordboard.core.storage.migrations import Migration
from cordboard.plugins.rule_numbers.model import RuleNumber

TABLE: Final = "rule_numbers"
_COLUMNS: Final = (
    "id",
    "name",
    "number",
    "display_text",
    "keep_derived_metadata",
    "language",
    "show_as_caller",
    "blocking_groups",
)


def _v1_numbers(db: sqlite_utils.Database) -> None:
    db.execute(
        f"""CREATE TABLE {TABLE} (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL,
            number TEXT NOT NULL UNIQUE,
            display_text TEXT NOT NULL,
            keep_derived_metadata INTEGER NOT NULL,
            language TEXT,
            show_as_caller INTEGER NOT NULL,
            blocking_groups TEXT NOT NULL,
            updated REAL NOT NULL
        )"""
    )


MIGRATIONS: Final = (Migration(1, "rule-based numbers", _v1_numbers),)


def _rule_number(row: Any) -> RuleNumber:
    data = dict(zip(_COLUMNS, row, strict=True))
    data["keep_derived_metadata"] = bool(data["keep_derived_metadata"])
    data["show_as_caller"] = bool(data["show_as_caller"])
    data["blocking_groups"] = tuple(int(i) for i in json.loads(data["blocking_groups"]))
    return RuleNumber(**data)


_TABLE: Final = FunctionNumberTable(TABLE, _COLUMNS, _rule_number, "rule-based number")


def _values(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": fields["name"],
        "number": fields["number"],
        "display_text": fields["display_text"],
        "keep_derived_metadata": int(bool(fields["keep_derived_metadata"])),
        "language": fields["language"],
        "show_as_caller": int(bool(fields["show_as_caller"])),
        "blocking_groups": json.dumps(sorted(set(fields["blocking_groups"]))),
        "updated": time.time(),
    }


def all_numbers(db: sqlite_utils.Database) -> list[RuleNumber]:
    return _TABLE.all(db)


def create_number(db: sqlite_utils.Database, fields: Mapping[str, Any]) -> RuleNumber:
    return _TABLE.create(db, _values(fields))


def update_number(db: sqlite_utils.Database, number_id: int, fields: Mapping[str, Any]) -> RuleNumber:
    return _TABLE.update(db, number_id, _values(fields))


def delete_number(db: sqlite_utils.Database, number_id: int) -> None:
    _TABLE.delete(db, number_id)
