"""Call history in SQLite: written when a call ends, read by the API with filters."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any, Final

import sqlite_utils

from cordboard.core.calls.model import CallRecord
from cordboard.core.storage.migrations import Migration, migrate

if TYPE_CHECKING:
    from cordboard.core.storage.db import Database

_LOGGER = logging.getLogger(__name__)


def _text(value: Any) -> Any:
    """SIP values keep octets that are not UTF-8 as surrogates (a Latin-1 display name); SQLite
    refuses those, so they are stored as replacement characters."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return value


_INSERT = (
    "INSERT OR REPLACE INTO calls (id, sip_call_id, caller, caller_name, caller_user_id, callee, "
    "callee_name, callee_user_id, started, answered, ended, duration, result, sip_code, reason, route) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _row(record: CallRecord) -> list[Any]:
    assert record.ended is not None and record.result is not None
    return [
        _text(value)
        for value in (
            record.id,
            record.sip_call_id,
            record.caller,
            record.caller_name,
            record.caller_user_id,
            record.callee,
            record.callee_name,
            record.callee_user_id,
            record.started,
            record.answered,
            record.ended,
            record.duration,
            record.result.value,
            record.sip_code,
            record.reason,
            record.route,
        )
    ]


def save_calls(db: sqlite_utils.Database, records: Sequence[CallRecord]) -> None:
    """Write ended calls in one transaction (one commit, one fsync for all of them)."""
    rows = [_row(record) for record in records]
    with db.atomic():
        db.conn.executemany(_INSERT, rows)


def save_call(db: sqlite_utils.Database, record: CallRecord) -> None:
    save_calls(db, [record])


COMMIT_INTERVAL: Final = 0.2
"""Least seconds between the starts of two history commits under load. Each commit is an fsync
on the database thread, and that thread's hand-overs of the GIL stall the event loop; at a few
hundred calls per second one commit per ended batch made calls fail for want of the loop."""


class HistoryWriter:
    """Writes ended calls as they come, grouping the ones that end close together.

    No delay is added on an idle system: a call that ends when no write has run for
    ``COMMIT_INTERVAL`` is committed at once. Under load the calls that end within one interval
    share one transaction (group commit), so the database thread commits a few times a second
    instead of once per call. ``saved`` is told each batch once it is committed.
    """

    def __init__(
        self,
        db: Database,
        start_task: Callable[[Coroutine[Any, Any, None], str], object],
        interval: float = COMMIT_INTERVAL,
        saved: Callable[[Sequence[CallRecord]], None] = lambda _batch: None,
    ) -> None:
        self._db = db
        self._start_task = start_task
        self._interval = interval
        self._saved = saved
        self._queue: list[CallRecord] = []
        self._idle = asyncio.Event()
        self._idle.set()
        self._last_commit = -interval

    def add(self, record: CallRecord) -> None:
        self._queue.append(record)
        if self._idle.is_set():
            self._idle.clear()
            self._start_task(self._drain(), "call history writer")

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._queue:
                wait = self._last_commit + self._interval - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                self._last_commit = loop.time()
                batch, self._queue = self._queue, []
                try:
                    await self._db.call(functools.partial(save_calls, records=batch))
                except Exception:
                    _LOGGER.exception("Could not write %d ended call(s) to the call history", len(batch))
                else:
                    self._saved(batch)
        finally:
            self._idle.set()

    async def flush(self) -> None:
        """Wait until every call added so far is committed."""
        await self._idle.wait()


CALL_COLUMNS: Final = (
    "id",
    "caller",
    "caller_name",
    "caller_user_id",
    "callee",
    "callee_name",
    "callee_user_id",
    "started",
    "answered",
    "ended",
    "duration",
    "result",
    "sip_code",
    "reason",
    "route",
)


def _filters(
    table: str,
    *,
    user_id: int | None,
    result: str | None,
    search: str | None,
    since: float | None,
    until: float | None,
    also_search: tuple[str, ...] = (),
) -> tuple[list[str], list[Any]]:
    """The WHERE terms and parameters of a call-history query on ``table`` (alias), one filter each."""
    where: list[str] = []
    params: list[Any] = []
    if user_id is not None:
        where.append(f"({table}.caller_user_id = ? OR {table}.callee_user_id = ?)")
        params += [user_id, user_id]
    if result:
        where.append(f"{table}.result = ?")
        params.append(result)
    if search:
        columns = [f"{table}.{c}" for c in ("caller", "callee", "caller_name", "callee_name")]
        columns += also_search
        where.append("(" + " OR ".join(f"{c} LIKE ?" for c in columns) + ")")
        params += [f"%{search}%"] * len(columns)
    if since is not None:
        where.append(f"{table}.started >= ?")
        params.append(since)
    if until is not None:
        where.append(f"{table}.started < ?")
        params.append(until)
    return where, params


def _select(table: str) -> str:
    return ", ".join(f"{table}.{column}" for column in CALL_COLUMNS)


def list_calls(
    db: sqlite_utils.Database,
    *,
    user_id: int | None = None,
    result: str | None = None,
    search: str | None = None,
    since: float | None = None,
    until: float | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Newest first; ``user_id`` limits to calls the user made or received."""
    where, params = _filters("c", user_id=user_id, result=result, search=search, since=since, until=until)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    rows = db.execute(
        f"SELECT {_select('c')} FROM calls c {clause} ORDER BY c.started DESC LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    return [dict(zip(CALL_COLUMNS, row, strict=True)) for row in rows]


# -- a user's own call list (CDR-04): notes, and calls removed from it ------------------------------
#
# One row per user and call in ``call_user_entries`` (storage component ``core.calls``, its own
# migrations, run on first use like the device list's): the user's note, and whether the user removed
# the call from their list. The ``calls`` table itself is never changed: the central journal an
# administrator reads keeps every call.

ENTRIES_COMPONENT: Final = "core.calls"
NOTE_MAX: Final = 500


def _v1_user_entries(db: sqlite_utils.Database) -> None:
    # No foreign key to calls: a call row may be written again (INSERT OR REPLACE), which must not
    # take the users' notes with it.
    db.execute(
        """CREATE TABLE call_user_entries (
            call_id TEXT NOT NULL,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            note TEXT NOT NULL DEFAULT '',
            hidden INTEGER NOT NULL DEFAULT 0,
            updated REAL NOT NULL,
            PRIMARY KEY (user_id, call_id)
        )"""
    )
    db.execute("CREATE INDEX call_user_entries_call ON call_user_entries (call_id)")


ENTRIES_MIGRATIONS: Final = (
    Migration(1, "users' notes on calls and the calls they removed from their lists", _v1_user_entries),
)


def ensure_entries_schema(db: sqlite_utils.Database) -> None:
    """Create or upgrade the table of users' call entries (cheap when current: one query)."""
    migrate(db, ENTRIES_COMPONENT, ENTRIES_MIGRATIONS)


def list_own_calls(
    db: sqlite_utils.Database,
    *,
    user_id: int,
    result: str | None = None,
    search: str | None = None,
    since: float | None = None,
    until: float | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """A user's call list, newest first: the calls they made or received and did not remove, each
    with the user's ``note`` ("" for none); ``search`` also finds the note's text."""
    ensure_entries_schema(db)
    where, params = _filters(
        "c", user_id=user_id, result=result, search=search, since=since, until=until, also_search=("e.note",)
    )
    where.append("COALESCE(e.hidden, 0) = 0")
    rows = db.execute(
        f"SELECT {_select('c')}, COALESCE(e.note, '') FROM calls c "
        "LEFT JOIN call_user_entries e ON e.call_id = c.id AND e.user_id = ? "
        f"WHERE {' AND '.join(where)} ORDER BY c.started DESC LIMIT ? OFFSET ?",
        [user_id, *params, limit, offset],
    ).fetchall()
    return [dict(zip((*CALL_COLUMNS, "note"), row, strict=True)) for row in rows]


def call_notes(db: sqlite_utils.Database, call_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """The users' notes on these calls (for the administrator's journal), by call, oldest first."""
    ensure_entries_schema(db)
    notes: dict[str, list[dict[str, Any]]] = {}
    ids = list(dict.fromkeys(call_ids))
    for start in range(0, len(ids), 500):  # SQLite's limit on parameters
        chunk = ids[start : start + 500]
        rows = db.execute(
            "SELECT e.call_id, e.user_id, COALESCE(u.username, ''), e.note FROM call_user_entries e "
            "LEFT JOIN users u ON u.id = e.user_id "
            f"WHERE e.note != '' AND e.call_id IN ({', '.join('?' * len(chunk))}) ORDER BY e.updated",
            chunk,
        ).fetchall()
        for call_id, user_id, username, note in rows:
            notes.setdefault(call_id, []).append({"user_id": user_id, "username": username, "note": note})
    return notes


def _in_own_list(db: sqlite_utils.Database, call_id: str, user_id: int) -> bool:
    """Whether the call exists, the user made or received it and has not removed it from their list."""
    row = db.execute(
        "SELECT 1 FROM calls c LEFT JOIN call_user_entries e ON e.call_id = c.id AND e.user_id = ? "
        "WHERE c.id = ? AND (c.caller_user_id = ? OR c.callee_user_id = ?) AND COALESCE(e.hidden, 0) = 0",
        [user_id, call_id, user_id, user_id],
    ).fetchone()
    return row is not None


def set_call_note(db: sqlite_utils.Database, *, call_id: str, user_id: int, note: str) -> bool:
    """Set the user's note on a call of their list ("" removes it); False when it is not in their list."""
    ensure_entries_schema(db)
    with db.atomic():
        if not _in_own_list(db, call_id, user_id):
            return False
        db.execute(
            "INSERT INTO call_user_entries (call_id, user_id, note, hidden, updated) VALUES (?, ?, ?, 0, ?) "
            "ON CONFLICT (user_id, call_id) DO UPDATE SET note = excluded.note, updated = excluded.updated",
            [call_id, user_id, _text(note), time.time()],
        )
        db.execute(
            "DELETE FROM call_user_entries WHERE call_id = ? AND user_id = ? AND note = '' AND hidden = 0",
            [call_id, user_id],
        )
    return True


def remove_from_own_list(db: sqlite_utils.Database, *, call_id: str, user_id: int) -> bool:
    """Remove a call from the user's list, with their note; the central journal keeps the call.
    False when it is not in their list."""
    ensure_entries_schema(db)
    with db.atomic():
        if not _in_own_list(db, call_id, user_id):
            return False
        db.execute(
            "INSERT INTO call_user_entries (call_id, user_id, note, hidden, updated) VALUES (?, ?, '', 1, ?) "
            "ON CONFLICT (user_id, call_id) DO UPDATE SET note = '', hidden = 1, updated = excluded.updated",
            [call_id, user_id, time.time()],
        )
    return True
