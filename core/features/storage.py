"""The admin's digits for feature codes (part of the core's schema component ``core.feature_codes``)."""

from __future__ import annotations

from typing import Final

import sqlite_utils

from cordboard.core.storage.migrations import Migration, migrate

COMPONENT: Final = "core.feature_codes"


def _v1(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE feature_codes (key TEXT PRIMARY KEY, code TEXT NOT NULL)")


MIGRATIONS: Final = (Migration(1, "admin-chosen feature code digits", _v1),)


def ensure_schema(db: sqlite_utils.Database) -> None:
    migrate(db, COMPONENT, MIGRATIONS)


def load(db: sqlite_utils.Database) -> dict[str, str]:
    return {key: code for key, code in db.execute("SELECT key, code FROM feature_codes").fetchall()}


def save(db: sqlite_utils.Database, key: str, code: str | None) -> None:
    with db.atomic():
        if code is None:
            db.execute("DELETE FROM feature_codes WHERE key = ?", [key])
        else:
            db.execute("INSERT OR REPLACE INTO feature_codes (key, code) VALUES (?, ?)", [key, code])
