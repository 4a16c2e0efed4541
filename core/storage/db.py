"""The SQLite database (WAL) behind sqlite-utils; async callers go through one worker thread."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import sqlite_utils

from cordboard.core.exceptions import StorageError

_T = TypeVar("_T")


def connect(path: Path) -> sqlite_utils.Database:
    """Open the database for synchronous use (CLI, migrations, the worker thread).

    WAL lets the CLI and a running Cordboard share the file; ``synchronous=FULL`` makes every
    commit durable across a power cut.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(str(path), timeout=15.0, check_same_thread=False)
        db = sqlite_utils.Database(conn)
        with db.ensure_autocommit_on():
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=15000")
    except sqlite3.DatabaseError as err:
        raise StorageError(f"Cannot open database {path}: {err}") from err
    if str(mode).lower() != "wal":
        raise StorageError(f"Database {path} could not be switched to WAL mode (got {mode})")
    return db


class Database:
    """Async access to the database: every call runs on one dedicated worker thread.

    One thread means one connection and serialised writes, so the event loop never blocks on
    SQLite and no two coroutines interleave inside a transaction.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cordboard-db")
        self._db: sqlite_utils.Database | None = None

    @property
    def sync(self) -> sqlite_utils.Database:
        """The underlying connection, for code already running on the worker thread."""
        if self._db is None:
            raise StorageError("Database is not open")
        return self._db

    async def open(self) -> None:
        self._db = await self._run(lambda: connect(self.path))

    async def call(self, func: Callable[[sqlite_utils.Database], _T]) -> _T:
        """Run ``func(db)`` on the worker thread and return its result."""
        db = self.sync
        return await self._run(lambda: func(db))

    async def _run(self, func: Callable[[], _T]) -> _T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, func)

    async def close(self) -> None:
        if self._db is not None:
            db, self._db = self._db, None
            await self._run(db.close)
        self._executor.shutdown(wait=True)
