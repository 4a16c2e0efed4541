"""The messages' table (storage component ``voicemail``); the audio is one WAV file per message in
the mailbox's folder, written before its row (a row never names a file that is not there)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import sqlite_utils

from cordboard.core.exceptions import NotFound
from cordboard.core.storage.migrations import Migration

TABLE: Final = "voicemail_messages"
_COLUMNS: Final = ("id", "user_id", "caller", "caller_name", "received", "seconds", "size", "heard_at")


@dataclass(frozen=True, slots=True)
class Message:
    id: str
    user_id: int
    caller: str
    caller_name: str
    received: float
    seconds: float
    size: int
    """Bytes of its audio file (counted against the mailbox's size limit, VM-14)."""
    heard_at: float | None = None
    """When its owner first listened to it; None: new."""

    @property
    def heard(self) -> bool:
        return self.heard_at is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "caller": self.caller,
            "caller_name": self.caller_name,
            "received": self.received,
            "seconds": round(self.seconds, 1),
            "heard": self.heard,
        }


def _v1_messages(db: sqlite_utils.Database) -> None:
    db.execute(
        f"""CREATE TABLE {TABLE} (
            id TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL,
            caller TEXT NOT NULL,
            caller_name TEXT NOT NULL,
            received REAL NOT NULL,
            seconds REAL NOT NULL,
            size INTEGER NOT NULL,
            heard_at REAL
        )"""
    )
    db.execute(f"CREATE INDEX {TABLE}_by_user ON {TABLE} (user_id, received)")


MIGRATIONS: Final = (Migration(1, "voice messages", _v1_messages),)


def _message(row: Any) -> Message:
    return Message(*row)


def all_messages(db: sqlite_utils.Database) -> list[Message]:
    rows = db.execute(f"SELECT {', '.join(_COLUMNS)} FROM {TABLE} ORDER BY received").fetchall()
    return [_message(row) for row in rows]


def add_message(db: sqlite_utils.Database, message: Message) -> None:
    with db.atomic():
        db.execute(
            f"INSERT INTO {TABLE} ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' for _ in _COLUMNS)})",
            [getattr(message, name) for name in _COLUMNS],
        )


def set_heard(db: sqlite_utils.Database, message_id: str, heard_at: float | None) -> None:
    with db.atomic():
        cursor = db.execute(f"UPDATE {TABLE} SET heard_at = ? WHERE id = ?", [heard_at, message_id])
    if cursor.rowcount == 0:
        raise NotFound(f"No voice message {message_id}")


def delete_messages(db: sqlite_utils.Database, message_ids: list[str]) -> None:
    with db.atomic():
        db.conn.executemany(f"DELETE FROM {TABLE} WHERE id = ?", [[i] for i in message_ids])
