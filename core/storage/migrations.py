"""Versioned schema migrations, kept per component: the core and each plugin count on their own."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sqlite_utils

from cordboard.core.exceptions import DataTooNewError, StorageError

_LOGGER = logging.getLogger(__name__)
VERSIONS_TABLE = "schema_versions"


@dataclass(frozen=True, slots=True)
class Migration:
    """Step ``version`` of a component's schema; ``apply`` runs inside one transaction."""

    version: int
    description: str
    apply: Callable[[sqlite_utils.Database], None]


def _ensure_versions_table(db: sqlite_utils.Database) -> None:
    db.execute(
        f"CREATE TABLE IF NOT EXISTS {VERSIONS_TABLE} ("
        "component TEXT PRIMARY KEY, version INTEGER NOT NULL, updated REAL NOT NULL)"
    )


def schema_version(db: sqlite_utils.Database, component: str) -> int:
    """The version of ``component`` in this database (0 when it has never been migrated)."""
    _ensure_versions_table(db)
    row = db.execute(f"SELECT version FROM {VERSIONS_TABLE} WHERE component = ?", [component]).fetchone()
    return int(row[0]) if row else 0


def check_not_newer(db: sqlite_utils.Database, component: str, migrations: Sequence[Migration]) -> None:
    latest = max((m.version for m in migrations), default=0)
    current = schema_version(db, component)
    if current > latest:
        raise DataTooNewError(
            f"The data folder was written by a newer Cordboard: {component!r} is at schema version "
            f"{current}, this Cordboard knows up to {latest}. Install the newer Cordboard again, or "
            "restore a backup made by this version."
        )


def migrate(db: sqlite_utils.Database, component: str, migrations: Sequence[Migration]) -> tuple[int, int]:
    """Bring ``component`` up to its latest migration; returns (version before, version after).

    Each step and its version bump commit together, so an interrupted run resumes where it stopped.
    """
    versions = [m.version for m in migrations]
    if versions != sorted(set(versions)) or (versions and versions[0] < 1):
        raise StorageError(f"Migrations of {component!r} must have increasing versions from 1: {versions}")
    check_not_newer(db, component, migrations)
    before = current = schema_version(db, component)
    for step in migrations:
        if step.version <= current:
            continue
        _LOGGER.info("Migrating %s to schema version %d: %s", component, step.version, step.description)
        with db.atomic():
            step.apply(db)
            db.execute(
                f"INSERT INTO {VERSIONS_TABLE} (component, version, updated) VALUES (?, ?, ?) "
                "ON CONFLICT(component) DO UPDATE SET version = excluded.version, updated = excluded.updated",
                [component, step.version, time.time()],
            )
        current = step.version
    return before, current
