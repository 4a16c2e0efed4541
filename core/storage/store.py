"""Store: a small versioned JSON document per key, for plugins' own settings and state."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import sqlite_utils

from cordboard.core.storage.db import Database

_T = TypeVar("_T")
STORES_TABLE = "stores"


def ensure_stores_table(db: sqlite_utils.Database) -> None:
    db.execute(
        f"CREATE TABLE IF NOT EXISTS {STORES_TABLE} ("
        "key TEXT PRIMARY KEY, version INTEGER NOT NULL, data TEXT NOT NULL, updated REAL NOT NULL)"
    )


class Store(Generic[_T]):
    """One JSON document under ``key``; ``migrate_func(old_version, data)`` upgrades older documents."""

    def __init__(
        self,
        db: Database,
        key: str,
        version: int,
        *,
        migrate_func: Callable[[int, Any], _T] | None = None,
    ) -> None:
        self._db = db
        self.key = key
        self.version = version
        self._migrate_func = migrate_func

    async def load(self) -> _T | None:
        row = await self._db.call(self._load_row)
        if row is None:
            return None
        stored_version, raw = row
        data = json.loads(raw)
        if stored_version != self.version:
            if self._migrate_func is None or stored_version > self.version:
                raise ValueError(
                    f"Store {self.key!r} holds version {stored_version}, this code reads {self.version}"
                )
            data = self._migrate_func(stored_version, data)
            await self.save(data)
        return data

    async def save(self, data: _T) -> None:
        raw = json.dumps(data, sort_keys=True)
        await self._db.call(lambda db: self._save_row(db, raw))

    async def remove(self) -> None:
        def delete(db: sqlite_utils.Database) -> None:
            with db.atomic():
                db.execute(f"DELETE FROM {STORES_TABLE} WHERE key = ?", [self.key])

        await self._db.call(delete)

    def _load_row(self, db: sqlite_utils.Database) -> tuple[int, str] | None:
        ensure_stores_table(db)
        row = db.execute(f"SELECT version, data FROM {STORES_TABLE} WHERE key = ?", [self.key]).fetchone()
        return (int(row[0]), str(row[1])) if row else None

    def _save_row(self, db: sqlite_utils.Database, raw: str) -> None:
        ensure_stores_table(db)
        with db.atomic():
            db.execute(
                f"INSERT INTO {STORES_TABLE} (key, version, data, updated) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET version = excluded.version, data = excluded.data, "
                "updated = excluded.updated",
                [self.key, self.version, raw, time.time()],
            )
