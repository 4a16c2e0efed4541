"""The grants' table (part of the core's schema component ``core.rights``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import sqlite_utils

from cordboard.core.exceptions import ConfigValidationError
from cordboard.core.identity.users import level_missing
from cordboard.core.rights.model import Grant
from cordboard.core.storage.migrations import Migration, migrate

COMPONENT: Final = "core.rights"


def _v1(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE service_rights (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            service TEXT NOT NULL,
            group_id INTEGER REFERENCES user_groups(id) ON DELETE CASCADE,
            scope TEXT NOT NULL,
            scope_id INTEGER
        )"""
    )
    db.execute("CREATE INDEX service_rights_service ON service_rights (service)")
    # A migration is history: it seeds the services open on install in its day, later ones their own.
    db.execute("INSERT INTO service_rights (service, scope) VALUES ('see_status', 'org')")


def _v2(db: sqlite_utils.Database) -> None:
    """Pickup (PKP-02) joins the gated services: open to every user over the organisation, as a
    small office expects, until the admin narrows it."""
    db.execute("INSERT INTO service_rights (service, scope) VALUES ('pickup', 'org')")


def _v3(db: sqlite_utils.Database) -> None:
    """Taking parked calls (PKP-04) joins them, open to every user over the organisation too."""
    db.execute("INSERT INTO service_rights (service, scope) VALUES ('retrieve_parked', 'org')")


MIGRATIONS: Final = (
    Migration(1, "service rights per group and scope", _v1),
    Migration(2, "pickup right for everyone", _v2),
    Migration(3, "retrieving parked calls for everyone", _v3),
)


def ensure_schema(db: sqlite_utils.Database) -> None:
    migrate(db, COMPONENT, MIGRATIONS)


_STALE: Final = (
    "(group_id IS NOT NULL AND group_id NOT IN (SELECT id FROM user_groups)) "
    "OR (scope = 'group' AND scope_id NOT IN (SELECT id FROM user_groups)) "
    "OR (scope = 'user' AND scope_id NOT IN (SELECT id FROM users))"
)
"""Grants that name a group or user that no longer exists."""


def load_grants(db: sqlite_utils.Database) -> list[Grant]:
    """The grants, once those naming a group or user that no longer exists are gone (a deleted
    group's members lose what it gave them; a right over a deleted user or group goes with it)."""
    if db.execute(f"SELECT 1 FROM service_rights WHERE {_STALE} LIMIT 1").fetchone():
        with db.atomic():
            db.execute(f"DELETE FROM service_rights WHERE {_STALE}")
    rows = db.execute("SELECT service, group_id, scope, scope_id FROM service_rights ORDER BY id").fetchall()
    return [Grant(*row) for row in rows]


def replace_grants(db: sqlite_utils.Database, service: str, grants: Iterable[Grant]) -> None:
    """The service's grants become ``grants`` (checked first: every group and user must exist)."""
    grants = list(grants)
    errors: dict[str, str] = {}
    for i, grant in enumerate(grants):
        if grant.group_id is not None and (missing := level_missing(db, "group", grant.group_id)):
            errors[f"grants.{i}.group_id"] = missing
        if missing := level_missing(db, grant.scope, grant.scope_id):
            errors[f"grants.{i}.scope_id"] = missing
    if errors:
        raise ConfigValidationError("Some grants are invalid", errors)
    with db.atomic():
        db.execute("DELETE FROM service_rights WHERE service = ?", [service])
        for grant in grants:
            db.execute(
                "INSERT INTO service_rights (service, group_id, scope, scope_id) VALUES (?, ?, ?, ?)",
                [service, grant.group_id, grant.scope, grant.scope_id],
            )
