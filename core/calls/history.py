"""Call history in SQLite: written when a call ends, read by the API with filters."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from cordboard.core.calls.model import CallRecord


def _text(value: Any) -> Any:
    """SIP values keep octets that are not UTF-8 as surrogates (a Latin-1 display name); SQLite
    refuses those, so they are stored as replacement characters."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return value


def save_call(db: sqlite_utils.Database, record: CallRecord) -> None:
    assert record.ended is not None and record.result is not None
    with db.atomic():
        db.execute(
            "INSERT OR REPLACE INTO calls (id, sip_call_id, caller, caller_name, caller_user_id, callee, "
            "callee_name, callee_user_id, started, answered, ended, duration, result, sip_code, reason) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
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
            ],
        )


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
