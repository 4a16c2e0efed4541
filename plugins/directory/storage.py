"""The contacts' table (storage component ``directory``, migrations run by the plugin manager)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from typing import Any, Final

import sqlite_utils

from cordboard.core.exceptions import ConfigValidationError, NotFound
from cordboard.core.identity.users import level_missing
from cordboard.core.storage.migrations import Migration
from cordboard.plugins.directory.const import TEXT_FIELDS
from cordboard.plugins.directory.model import Contact, contact_from

TABLE: Final = "directory_contacts"
_COLUMNS: Final = ("id", "scope", "scope_id", "type", *TEXT_FIELDS, "mandatory", "numbers")


def _v1_contacts(db: sqlite_utils.Database) -> None:
    text = ",\n".join(f"{name} TEXT NOT NULL DEFAULT ''" for name in TEXT_FIELDS)
    db.execute(
        f"""CREATE TABLE {TABLE} (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            scope TEXT NOT NULL,
            scope_id INTEGER,
            type TEXT NOT NULL,
            {text},
            mandatory INTEGER NOT NULL DEFAULT 0,
            numbers TEXT NOT NULL,
            updated REAL NOT NULL
        )"""
    )
    db.execute(f"CREATE INDEX {TABLE}_scope ON {TABLE} (scope, scope_id)")


MIGRATIONS: Final = (Migration(1, "contacts of the organisation, groups and users", _v1_contacts),)


def _contact(row: Iterable[Any]) -> Contact:
    data = dict(zip(_COLUMNS, row, strict=True))
    return contact_from(data, json.loads(data["numbers"]))


def _select(where: str = "") -> str:
    return f"SELECT {', '.join(_COLUMNS)} FROM {TABLE} {where}"


def all_contacts(db: sqlite_utils.Database) -> list[Contact]:
    return [_contact(row) for row in db.execute(_select("ORDER BY id")).fetchall()]


def get_contact(db: sqlite_utils.Database, contact_id: int) -> Contact:
    row = db.execute(_select("WHERE id = ?"), [contact_id]).fetchone()
    if row is None:
        raise NotFound(f"No contact with id {contact_id}")
    return _contact(row)


def _check_owner(db: sqlite_utils.Database, scope: str, scope_id: int | None) -> None:
    missing = level_missing(db, scope, scope_id)
    if missing:
        raise ConfigValidationError("The contact is invalid", {"scope_id": missing})


def _values(fields: Mapping[str, Any]) -> dict[str, Any]:
    values = {name: fields[name] for name in TEXT_FIELDS}
    values["type"] = fields["type"]
    values["mandatory"] = int(bool(fields["mandatory"]))
    values["numbers"] = json.dumps(fields["numbers"])
    values["updated"] = time.time()
    return values


def create_contacts(
    db: sqlite_utils.Database, scope: str, scope_id: int | None, contacts: Iterable[Mapping[str, Any]]
) -> list[Contact]:
    """Add checked contacts (``model.checked_contact``) to one list, all or none."""
    _check_owner(db, scope, scope_id)
    ids = []
    with db.atomic():
        for fields in contacts:
            values = {"scope": scope, "scope_id": scope_id, **_values(fields)}
            names = ", ".join(values)
            marks = ", ".join("?" for _ in values)
            ids.append(
                db.execute(f"INSERT INTO {TABLE} ({names}) VALUES ({marks})", list(values.values())).lastrowid
            )
    return [get_contact(db, int(i)) for i in ids if i is not None]


def update_contact(db: sqlite_utils.Database, contact_id: int, fields: Mapping[str, Any]) -> Contact:
    get_contact(db, contact_id)
    values = _values(fields)
    assignments = ", ".join(f"{name} = ?" for name in values)
    with db.atomic():
        db.execute(f"UPDATE {TABLE} SET {assignments} WHERE id = ?", [*values.values(), contact_id])
    return get_contact(db, contact_id)


def delete_contact(db: sqlite_utils.Database, contact_id: int) -> None:
    get_contact(db, contact_id)
    with db.atomic():
        db.execute(f"DELETE FROM {TABLE} WHERE id = ?", [contact_id])


def delete_owned_by(db: sqlite_utils.Database, scope: str, scope_id: int) -> int:
    """Remove the list of a deleted user or group; returns how many contacts went."""
    with db.atomic():
        return db.execute(f"DELETE FROM {TABLE} WHERE scope = ? AND scope_id = ?", [scope, scope_id]).rowcount
