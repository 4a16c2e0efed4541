"""The routing rules' table (storage component ``core.routing``)."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import Any, Final

import sqlite_utils

from cordboard.core.exceptions import ConfigValidationError, NotFound
from cordboard.core.identity.users import level_missing
from cordboard.core.routing.model import Rule, rule_from
from cordboard.core.storage.migrations import Migration, migrate

COMPONENT: Final = "core.routing"
_COLUMNS: Final = "id, scope, scope_id, list, tier, position, name, enabled, conditions, destinations"


def _v1_rules(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE routing_rules (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            scope TEXT NOT NULL,
            scope_id INTEGER,
            list TEXT NOT NULL,
            tier TEXT,
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            enabled INTEGER NOT NULL DEFAULT 1,
            conditions TEXT NOT NULL,
            destinations TEXT NOT NULL,
            updated REAL NOT NULL
        )"""
    )
    db.execute("CREATE INDEX routing_rules_scope ON routing_rules (scope, scope_id, list)")


MIGRATIONS: Final = (Migration(1, "routing rules", _v1_rules),)


def ensure_schema(db: sqlite_utils.Database) -> None:
    migrate(db, COMPONENT, MIGRATIONS)


def _rule(row: Sequence[Any]) -> Rule:
    names = [c.strip() for c in _COLUMNS.split(",")]
    data = dict(zip(names, row, strict=True))
    data["conditions"] = json.loads(data["conditions"])
    data["destinations"] = json.loads(data["destinations"])
    return rule_from(data)


def list_rules(
    db: sqlite_utils.Database, scope: str | None = None, scope_id: int | None = None
) -> list[Rule]:
    ensure_schema(db)
    sql = f"SELECT {_COLUMNS} FROM routing_rules"
    args: list[Any] = []
    if scope is not None:
        sql += " WHERE scope = ? AND scope_id IS ?"
        args = [scope, scope_id]
    return [_rule(r) for r in db.execute(sql + " ORDER BY list, position, id", args).fetchall()]


def get_rule(db: sqlite_utils.Database, rule_id: int) -> Rule:
    ensure_schema(db)
    row = db.execute(f"SELECT {_COLUMNS} FROM routing_rules WHERE id = ?", [rule_id]).fetchone()
    if row is None:
        raise NotFound(f"No routing rule with id {rule_id}")
    return _rule(row)


def _check_scope_exists(db: sqlite_utils.Database, scope: str, scope_id: int | None) -> None:
    missing = level_missing(db, scope, scope_id) if scope != "org" else None
    if missing:
        raise ConfigValidationError("The rule is invalid", {"scope_id": missing})


def create_rule(db: sqlite_utils.Database, data: Mapping[str, Any]) -> Rule:
    """Store a validated rule (``model.validate_rule``) at the end of its list."""
    ensure_schema(db)
    with db.atomic():
        _check_scope_exists(db, data["scope"], data["scope_id"])
        row = db.execute(
            "SELECT COALESCE(MAX(position), 0) FROM routing_rules "
            "WHERE scope = ? AND scope_id IS ? AND list = ?",
            [data["scope"], data["scope_id"], data["list"]],
        ).fetchone()
        cursor = db.execute(
            "INSERT INTO routing_rules (scope, scope_id, list, tier, position, name, enabled, conditions, "
            "destinations, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                data["scope"],
                data["scope_id"],
                data["list"],
                data["tier"],
                int(row[0]) + 1,
                data["name"],
                int(data["enabled"]),
                json.dumps(data["conditions"], sort_keys=True),
                json.dumps(data["destinations"]),
                time.time(),
            ],
        )
        return get_rule(db, int(cursor.lastrowid or 0))


def update_rule(db: sqlite_utils.Database, rule_id: int, data: Mapping[str, Any]) -> Rule:
    """Replace a rule's content (a validated whole rule; its level and list stay)."""
    with db.atomic():
        current = get_rule(db, rule_id)
        if (data["scope"], data["scope_id"], data["list"]) != (current.scope, current.scope_id, current.list):
            raise ConfigValidationError(
                "The rule is invalid", {"scope": "a rule stays on its level and list"}
            )
        db.execute(
            "UPDATE routing_rules SET tier = ?, name = ?, enabled = ?, conditions = ?, destinations = ?, "
            "updated = ? WHERE id = ?",
            [
                data["tier"],
                data["name"],
                int(data["enabled"]),
                json.dumps(data["conditions"], sort_keys=True),
                json.dumps(data["destinations"]),
                time.time(),
                rule_id,
            ],
        )
        return get_rule(db, rule_id)


def delete_rule(db: sqlite_utils.Database, rule_id: int) -> None:
    get_rule(db, rule_id)
    with db.atomic():
        db.execute("DELETE FROM routing_rules WHERE id = ?", [rule_id])


def reorder(db: sqlite_utils.Database, ids: Sequence[int]) -> list[Rule]:
    """Put the rules of one level's list in this order (every rule of that list, once)."""
    with db.atomic():
        rules = [get_rule(db, i) for i in ids]
        if not rules:
            raise ConfigValidationError("Invalid order", {"order": "the ids of one list's rules"})
        first = rules[0]
        same = list_rules(db, first.scope, first.scope_id)
        expected = sorted(r.id for r in same if r.list == first.list)
        if sorted(ids) != expected:
            raise ConfigValidationError("Invalid order", {"order": "every rule of the list exactly once"})
        for position, rule_id in enumerate(ids, start=1):
            db.execute("UPDATE routing_rules SET position = ? WHERE id = ?", [position, rule_id])
        return [get_rule(db, i) for i in ids]
