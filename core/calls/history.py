"""Call history in SQLite: written when a call ends, read by the API with filters."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any

import sqlite_utils

from cordboard.core.calls.model import CallRecord

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
    "callee_name, callee_user_id, started, answered, ended, duration, result, sip_code, reason) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
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
        )
    ]


def save_calls(db: sqlite_utils.Database, records: Sequence[CallRecord]) -> None:
    """Write ended calls in one transaction (one commit, one fsync for all of them)."""
    rows = [_row(record) for record in records]
    with db.atomic():
        db.conn.executemany(_INSERT, rows)


def save_call(db: sqlite_utils.Database, record: CallRecord) -> None:
    save_calls(db, [record])


class HistoryWriter:
    """Writes ended calls as they come, grouping the ones that end while a write is running.

    No delay is added: a call that ends on an idle system is committed at once; under load the
    calls that ended during one commit share the next one (group commit), so the database thread
    does one transaction per batch instead of one per call.
    """

    def __init__(self, db: Database, start_task: Callable[[Coroutine[Any, Any, None], str], object]) -> None:
        self._db = db
        self._start_task = start_task
        self._queue: list[CallRecord] = []
        self._idle = asyncio.Event()
        self._idle.set()

    def add(self, record: CallRecord) -> None:
        self._queue.append(record)
        if self._idle.is_set():
            self._idle.clear()
            self._start_task(self._drain(), "call history writer")

    async def _drain(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue, []
                try:
                    await self._db.call(functools.partial(save_calls, records=batch))
                except Exception:
                    _LOGGER.exception("Could not write %d ended call(s) to the call history", len(batch))
        finally:
            self._idle.set()

    async def flush(self) -> None:
        """Wait until every call added so far is committed."""
        await self._idle.wait()


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
    where: list[str] = []
    params: list[Any] = []
    if user_id is not None:
        where.append("(caller_user_id = ? OR callee_user_id = ?)")
        params += [user_id, user_id]
    if result:
        where.append("result = ?")
        params.append(result)
    if search:
        where.append("(caller LIKE ? OR callee LIKE ? OR caller_name LIKE ? OR callee_name LIKE ?)")
        params += [f"%{search}%"] * 4
    if since is not None:
        where.append("started >= ?")
        params.append(since)
    if until is not None:
        where.append("started < ?")
        params.append(until)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    rows = db.execute(
        "SELECT id, caller, caller_name, caller_user_id, callee, callee_name, callee_user_id, started, "
        f"answered, ended, duration, result, sip_code, reason FROM calls {clause} "
        "ORDER BY started DESC LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    names = (
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
    )
    return [dict(zip(names, row, strict=True)) for row in rows]
