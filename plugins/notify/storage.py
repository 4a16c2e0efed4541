"""The mail and SMS queues' tables (storage component ``notify``, migrations run by the plugin manager).

A message is a row from the moment it is accepted until long after it is done: queued (waiting
for its next attempt), sent, or failed with the reason. Its attachments are files in the data
folder (``ATTACHMENTS_DIR``), named in the row relative to the data folder.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Generic, TypeVar

import sqlite_utils

from cordboard.core.storage.migrations import Migration
from cordboard.plugins.notify.const import STATUS_FAILED, STATUS_QUEUED, STATUS_SENT

RecordT = TypeVar("RecordT")

TABLE: Final = "notify_mail"
_COLUMNS: Final = (
    "id",
    "created",
    "recipients",
    "subject",
    "text_body",
    "html_body",
    "language",
    "attachments",
    "status",
    "attempts",
    "next_attempt",
    "last_error",
    "finished",
)


def _v1_mail(db: sqlite_utils.Database) -> None:
    db.execute(
        f"""CREATE TABLE {TABLE} (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            created REAL NOT NULL,
            recipients TEXT NOT NULL,
            subject TEXT NOT NULL,
            text_body TEXT NOT NULL,
            html_body TEXT,
            language TEXT,
            attachments TEXT NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt REAL NOT NULL,
            last_error TEXT,
            finished REAL,
            updated REAL NOT NULL
        )"""
    )
    db.execute(f"CREATE INDEX {TABLE}_due ON {TABLE} (status, next_attempt)")


SMS_TABLE: Final = "notify_sms"
_SMS_COLUMNS: Final = (
    "id",
    "created",
    "recipient",
    "text",
    "status",
    "attempts",
    "next_attempt",
    "last_error",
    "reference",
    "finished",
)


def _v2_sms(db: sqlite_utils.Database) -> None:
    db.execute(
        f"""CREATE TABLE {SMS_TABLE} (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            created REAL NOT NULL,
            recipient TEXT NOT NULL,
            text TEXT NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt REAL NOT NULL,
            last_error TEXT,
            reference TEXT,
            finished REAL,
            updated REAL NOT NULL
        )"""
    )
    db.execute(f"CREATE INDEX {SMS_TABLE}_due ON {SMS_TABLE} (status, next_attempt)")


MIGRATIONS: Final = (
    Migration(1, "the e-mail delivery queue", _v1_mail),
    Migration(2, "the SMS delivery queue", _v2_sms),
)


class QueueTable(Generic[RecordT]):
    """What the mail and the SMS queue do alike with their table: read rows as records (``to_record``
    gets the ``columns`` in order), and move a row from queued to sent or failed."""

    def __init__(
        self, name: str, columns: Sequence[str], to_record: Callable[[Sequence[Any]], RecordT]
    ) -> None:
        self.name = name
        self._to_record = to_record
        self._select = f"SELECT {', '.join(columns)} FROM {name}"

    def get(self, db: sqlite_utils.Database, row_id: int) -> RecordT | None:
        row = db.execute(f"{self._select} WHERE id = ?", [row_id]).fetchone()
        return self._to_record(row) if row is not None else None

    def next_due(self, db: sqlite_utils.Database) -> RecordT | None:
        """The queued row whose attempt comes first (it may lie in the future); in order of queueing."""
        row = db.execute(
            f"{self._select} WHERE status = ? ORDER BY next_attempt, id LIMIT 1", [STATUS_QUEUED]
        ).fetchone()
        return self._to_record(row) if row is not None else None

    def recent(self, db: sqlite_utils.Database, limit: int) -> list[RecordT]:
        rows = db.execute(f"{self._select} ORDER BY id DESC LIMIT ?", [limit]).fetchall()
        return [self._to_record(row) for row in rows]

    def update(self, db: sqlite_utils.Database, row_id: int, now: float, **values: Any) -> None:
        values["updated"] = now
        assignments = ", ".join(f"{name} = ?" for name in values)
        with db.atomic():
            db.execute(f"UPDATE {self.name} SET {assignments} WHERE id = ?", [*values.values(), row_id])

    def mark_sent(
        self, db: sqlite_utils.Database, row_id: int, attempts: int, now: float, **values: Any
    ) -> None:
        """``values``: what the kind keeps of a delivery (the server's note, the modem's reference)."""
        self.update(db, row_id, now, status=STATUS_SENT, attempts=attempts, finished=now, **values)

    def mark_retry(
        self,
        db: sqlite_utils.Database,
        row_id: int,
        *,
        attempts: int,
        error: str,
        next_attempt: float,
        now: float,
    ) -> None:
        self.update(db, row_id, now, attempts=attempts, last_error=error, next_attempt=next_attempt)

    def mark_failed(
        self, db: sqlite_utils.Database, row_id: int, attempts: int, error: str, now: float
    ) -> None:
        self.update(db, row_id, now, status=STATUS_FAILED, attempts=attempts, last_error=error, finished=now)

    def all_due_now(self, db: sqlite_utils.Database, now: float) -> int:
        """At start (or after the settings changed) every queued row is tried again at once."""
        with db.atomic():
            cursor = db.execute(
                f"UPDATE {self.name} SET next_attempt = ? WHERE status = ? AND next_attempt > ?",
                [now, STATUS_QUEUED, now],
            )
        return cursor.rowcount

    def delete_finished_before(self, db: sqlite_utils.Database, before: float) -> int:
        with db.atomic():
            cursor = db.execute(
                f"DELETE FROM {self.name} WHERE status IN (?, ?) AND finished < ?",
                [STATUS_SENT, STATUS_FAILED, before],
            )
        return cursor.rowcount


# -- the mail queue -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class StoredAttachment:
    filename: str
    content_type: str
    file: str
    """Relative to the data folder."""
    size: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "content_type": self.content_type,
            "file": self.file,
            "size": self.size,
        }


@dataclass(frozen=True, slots=True)
class MailRecord:
    id: int
    created: float
    recipients: tuple[str, ...]
    subject: str
    text_body: str
    html_body: str | None
    language: str | None
    attachments: tuple[StoredAttachment, ...]
    status: str
    attempts: int
    next_attempt: float
    last_error: str | None
    finished: float | None

    def as_dict(self) -> dict[str, Any]:
        """The message for the admin's queue list: no bodies, the attachments by name and size."""
        return {
            "id": self.id,
            "to": list(self.recipients),
            "subject": self.subject,
            "language": self.language,
            "attachments": [{"filename": a.filename, "size": a.size} for a in self.attachments],
            "status": self.status,
            "attempts": self.attempts,
            "created": self.created,
            "next_attempt": self.next_attempt if self.status == STATUS_QUEUED else None,
            "finished": self.finished,
            "error": self.last_error,
        }


def _mail_record(row: Sequence[Any]) -> MailRecord:
    data = dict(zip(_COLUMNS, row, strict=True))
    data["recipients"] = tuple(json.loads(data["recipients"]))
    data["attachments"] = tuple(StoredAttachment(**a) for a in json.loads(data["attachments"]))
    return MailRecord(**data)


MAIL_QUEUE: Final = QueueTable(TABLE, _COLUMNS, _mail_record)


def insert_message(db: sqlite_utils.Database, fields: Mapping[str, Any], now: float) -> int:
    values = {
        "created": now,
        "recipients": json.dumps(list(fields["recipients"])),
        "subject": fields["subject"],
        "text_body": fields["text_body"],
        "html_body": fields.get("html_body"),
        "language": fields.get("language"),
        "attachments": json.dumps([a.as_dict() for a in fields.get("attachments", ())]),
        "status": STATUS_QUEUED,
        "attempts": 0,
        "next_attempt": now,
        "updated": now,
    }
    with db.atomic():
        cursor = db.execute(
            f"INSERT INTO {TABLE} ({', '.join(values)}) VALUES ({', '.join('?' for _ in values)})",
            list(values.values()),
        )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def mark_mail_sent(
    db: sqlite_utils.Database, message_id: int, attempts: int, note: str | None, now: float
) -> None:
    """``note``: what the server said of a partial delivery (some recipients refused), else None."""
    MAIL_QUEUE.mark_sent(db, message_id, attempts, now, last_error=note)


# -- the SMS queue ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SmsRecord:
    id: int
    created: float
    recipient: str
    text: str
    status: str
    attempts: int
    next_attempt: float
    last_error: str | None
    reference: str | None
    """The modem's message reference (TP-MR) of each part, comma-separated, once sent."""
    finished: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "to": self.recipient,
            "text": self.text,
            "status": self.status,
            "attempts": self.attempts,
            "created": self.created,
            "next_attempt": self.next_attempt if self.status == STATUS_QUEUED else None,
            "finished": self.finished,
            "error": self.last_error,
            "references": [int(r) for r in self.reference.split(",")] if self.reference else [],
        }


def _sms_record(row: Sequence[Any]) -> SmsRecord:
    return SmsRecord(**dict(zip(_SMS_COLUMNS, row, strict=True)))


SMS_QUEUE: Final = QueueTable(SMS_TABLE, _SMS_COLUMNS, _sms_record)


def insert_sms(db: sqlite_utils.Database, recipient: str, text: str, now: float) -> int:
    with db.atomic():
        cursor = db.execute(
            f"INSERT INTO {SMS_TABLE} (created, recipient, text, status, attempts, next_attempt, updated)"
            " VALUES (?, ?, ?, ?, 0, ?, ?)",
            [now, recipient, text, STATUS_QUEUED, now, now],
        )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def mark_sms_sent(
    db: sqlite_utils.Database, sms_id: int, attempts: int, references: Sequence[int], now: float
) -> None:
    SMS_QUEUE.mark_sent(
        db, sms_id, attempts, now, reference=",".join(str(r) for r in references), last_error=None
    )
