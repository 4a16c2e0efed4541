"""The dial plan's tables (storage component ``core.dialplan``): conversion rules, number types and
blocking groups."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

import sqlite_utils

from cordboard.core.dialplan.blocking import BlockingGroup
from cordboard.core.dialplan.conversion import COUNTRY_TEMPLATES, ConversionRule
from cordboard.core.dialplan.numbers import TYPE_TEMPLATES, NumberType
from cordboard.core.exceptions import Conflict, NotFound
from cordboard.core.storage.migrations import Migration, migrate

COMPONENT: Final = "core.dialplan"


def _v1(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE conversion_rules (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            prefix TEXT NOT NULL,
            digits INTEGER,
            intervals TEXT NOT NULL,
            rewrite TEXT NOT NULL,
            label TEXT NOT NULL DEFAULT '',
            seeded TEXT
        )"""
    )
    db.execute(
        """CREATE TABLE number_types (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            prefixes TEXT NOT NULL,
            barred INTEGER NOT NULL DEFAULT 0,
            released INTEGER NOT NULL DEFAULT 0,
            seeded TEXT
        )"""
    )


def _v2_blocking_groups(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE blocking_groups (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            number_types TEXT NOT NULL DEFAULT '[]',
            international INTEGER NOT NULL DEFAULT 0,
            prefixes TEXT NOT NULL DEFAULT '[]'
        )"""
    )


MIGRATIONS: Final = (
    Migration(1, "conversion rules and number types", _v1),
    Migration(2, "blocking groups of function numbers (BAR-04)", _v2_blocking_groups),
)


def ensure_schema(db: sqlite_utils.Database) -> None:
    migrate(db, COMPONENT, MIGRATIONS)


def list_conversions(db: sqlite_utils.Database) -> list[ConversionRule]:
    ensure_schema(db)
    rows = db.execute(
        "SELECT id, prefix, digits, intervals, rewrite, label FROM conversion_rules ORDER BY id"
    )
    return [
        ConversionRule(r[0], r[1], r[2], tuple((i[0], i[1]) for i in json.loads(r[3])), r[4], r[5])
        for r in rows.fetchall()
    ]


def get_conversion(db: sqlite_utils.Database, rule_id: int) -> ConversionRule:
    found = next((r for r in list_conversions(db) if r.id == rule_id), None)
    if found is None:
        raise NotFound(f"No conversion rule with id {rule_id}")
    return found


def save_conversion(
    db: sqlite_utils.Database, data: Mapping[str, Any], rule_id: int | None = None
) -> ConversionRule:
    """Create (``rule_id`` None) or replace a validated rule; an identical rule is a conflict."""
    ensure_schema(db)
    with db.atomic():
        twin = db.execute(
            "SELECT id FROM conversion_rules "
            "WHERE prefix = ? AND digits IS ? AND intervals = ? AND id IS NOT ?",
            [data["prefix"], data["digits"], json.dumps(data["intervals"]), rule_id],
        ).fetchone()
        if twin is not None:
            raise Conflict(
                f"A rule with prefix {data['prefix'] or '(none)'} and these digits exists (id {twin[0]})"
            )
        values = [
            data["prefix"],
            data["digits"],
            json.dumps(data["intervals"]),
            data["rewrite"],
            data["label"],
        ]
        if rule_id is None:
            cursor = db.execute(
                "INSERT INTO conversion_rules (prefix, digits, intervals, rewrite, label) "
                "VALUES (?, ?, ?, ?, ?)",
                values,
            )
            rule_id = int(cursor.lastrowid or 0)
        else:
            get_conversion(db, rule_id)
            db.execute(
                "UPDATE conversion_rules SET prefix = ?, digits = ?, intervals = ?, rewrite = ?, label = ?, "
                "seeded = NULL WHERE id = ?",
                [*values, rule_id],
            )
        return get_conversion(db, rule_id)


def delete_conversion(db: sqlite_utils.Database, rule_id: int) -> None:
    get_conversion(db, rule_id)
    with db.atomic():
        db.execute("DELETE FROM conversion_rules WHERE id = ?", [rule_id])


def list_types(db: sqlite_utils.Database) -> list[NumberType]:
    ensure_schema(db)
    rows = db.execute(
        "SELECT id, name, prefixes, barred, released FROM number_types ORDER BY name"
    ).fetchall()
    return [NumberType(r[0], r[1], tuple(json.loads(r[2])), bool(r[3]), bool(r[4])) for r in rows]


def get_type(db: sqlite_utils.Database, type_id: int) -> NumberType:
    found = next((t for t in list_types(db) if t.id == type_id), None)
    if found is None:
        raise NotFound(f"No number type with id {type_id}")
    return found


def save_type(db: sqlite_utils.Database, data: Mapping[str, Any], type_id: int | None = None) -> NumberType:
    ensure_schema(db)
    with db.atomic():
        twin = db.execute(
            "SELECT id FROM number_types WHERE name = ? AND id IS NOT ?", [data["name"], type_id]
        ).fetchone()
        if twin is not None:
            raise Conflict(f"A number type named {data['name']} exists")
        values = [data["name"], json.dumps(data["prefixes"]), int(data["barred"]), int(data["released"])]
        if type_id is None:
            cursor = db.execute(
                "INSERT INTO number_types (name, prefixes, barred, released) VALUES (?, ?, ?, ?)", values
            )
            type_id = int(cursor.lastrowid or 0)
        else:
            get_type(db, type_id)
            db.execute(
                "UPDATE number_types SET name = ?, prefixes = ?, barred = ?, released = ?, seeded = NULL "
                "WHERE id = ?",
                [*values, type_id],
            )
        return get_type(db, type_id)


def delete_type(db: sqlite_utils.Database, type_id: int) -> None:
    get_type(db, type_id)
    with db.atomic():
        db.execute("DELETE FROM number_types WHERE id = ?", [type_id])


def list_blocking_groups(db: sqlite_utils.Database) -> list[BlockingGroup]:
    ensure_schema(db)
    rows = db.execute(
        "SELECT id, name, number_types, international, prefixes FROM blocking_groups ORDER BY name"
    ).fetchall()
    return [
        BlockingGroup(r[0], r[1], tuple(json.loads(r[2])), bool(r[3]), tuple(json.loads(r[4]))) for r in rows
    ]


def get_blocking_group(db: sqlite_utils.Database, group_id: int) -> BlockingGroup:
    found = next((g for g in list_blocking_groups(db) if g.id == group_id), None)
    if found is None:
        raise NotFound(f"No blocking group with id {group_id}")
    return found


def save_blocking_group(
    db: sqlite_utils.Database, data: Mapping[str, Any], group_id: int | None = None
) -> BlockingGroup:
    ensure_schema(db)
    with db.atomic():
        twin = db.execute(
            "SELECT id FROM blocking_groups WHERE name = ? AND id IS NOT ?", [data["name"], group_id]
        ).fetchone()
        if twin is not None:
            raise Conflict(f"A blocking group named {data['name']} exists")
        values = [
            data["name"],
            json.dumps(list(data["number_types"])),
            int(data["international"]),
            json.dumps(list(data["prefixes"])),
        ]
        if group_id is None:
            cursor = db.execute(
                "INSERT INTO blocking_groups (name, number_types, international, prefixes) "
                "VALUES (?, ?, ?, ?)",
                values,
            )
            group_id = int(cursor.lastrowid or 0)
        else:
            get_blocking_group(db, group_id)
            db.execute(
                "UPDATE blocking_groups SET name = ?, number_types = ?, international = ?, prefixes = ? "
                "WHERE id = ?",
                [*values, group_id],
            )
        return get_blocking_group(db, group_id)


def delete_blocking_group(db: sqlite_utils.Database, group_id: int) -> None:
    get_blocking_group(db, group_id)
    with db.atomic():
        db.execute("DELETE FROM blocking_groups WHERE id = ?", [group_id])


def seed_country(db: sqlite_utils.Database, country: str) -> bool:
    """CNV-05 / BAR-01: the country's template conversions and number types, replacing the templates
    of another country nobody has edited; False when an admin has made or edited any (theirs stay)."""
    ensure_schema(db)
    with db.atomic():
        own = db.execute(
            "SELECT (SELECT COUNT(*) FROM conversion_rules WHERE seeded IS NULL) + "
            "(SELECT COUNT(*) FROM number_types WHERE seeded IS NULL)"
        ).fetchone()[0]
        if own:
            return False
        db.execute("DELETE FROM conversion_rules")
        db.execute("DELETE FROM number_types")
        for prefix, digits, rewrite, label in COUNTRY_TEMPLATES.get(country, ()):
            db.execute(
                "INSERT INTO conversion_rules (prefix, digits, intervals, rewrite, label, seeded) "
                "VALUES (?, ?, '[]', ?, ?, ?)",
                [prefix, digits, rewrite, label, country],
            )
        for name, prefixes, barred in TYPE_TEMPLATES.get(country, ()):
            db.execute(
                "INSERT INTO number_types (name, prefixes, barred, seeded) VALUES (?, ?, ?, ?)",
                [name, json.dumps(list(prefixes)), int(barred), country],
            )
        return True
