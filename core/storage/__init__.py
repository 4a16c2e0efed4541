"""Storage: SQLite (WAL) through sqlite-utils, versioned migrations, document stores, atomic files."""

from __future__ import annotations

from cordboard.core.storage.atomic import atomic_write, atomic_write_text
from cordboard.core.storage.db import Database, connect
from cordboard.core.storage.migrations import Migration, migrate, schema_version
from cordboard.core.storage.store import Store

__all__ = [
    "Database",
    "Migration",
    "Store",
    "atomic_write",
    "atomic_write_text",
    "connect",
    "migrate",
    "schema_version",
]
