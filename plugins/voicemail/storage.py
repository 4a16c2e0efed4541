"""The messages' table (storage component ``voicemail``); the audio is one WAV file per message in
the mailbox's folder, written before its row (a row never names a file that is not there). Also the
group inboxes (GIB-01) and the voicemail numbers (GIB-07)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import sqlite_utils

from cordboard.core.exceptions import ConfigValidationError, NotFound
from cordboard.core.identity.passwords import hash_secret
from cordboard.core.numbers.function_number_table import FunctionNumberTable
from cordboard.core.storage.migrations import Migration

TABLE: Final = "voicemail_messages"
INBOXES: Final = "voicemail_group_inboxes"
NUMBERS: Final = "voicemail_numbers"
_COLUMNS: Final = (
    "id",
    "user_id",
    "caller",
    "caller_name",
    "received",
    "seconds",
    "size",
    "heard_at",
    "inbox_id",
)


@dataclass(frozen=True, slots=True)
class Box:
    """A mailbox: a user's own (VM-01) or a group inbox (GIB-01, ``inbox_id`` set, ``user_id`` 0)."""

    user_id: int = 0
    inbox_id: int | None = None

    @property
    def folder_name(self) -> str:
        return str(self.user_id) if self.inbox_id is None else f"inbox-{self.inbox_id}"

    def holds(self, message: Message) -> bool:
        if self.inbox_id is not None:
            return message.inbox_id == self.inbox_id
        return message.inbox_id is None and message.user_id == self.user_id


def as_box(target: int | Box) -> Box:
    """A user's id stands for their own mailbox."""
    return target if isinstance(target, Box) else Box(user_id=target)


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
    inbox_id: int | None = None
    """The group inbox it was left in (GIB-02); None: the user's own mailbox (``user_id`` is 0 else)."""

    @property
    def heard(self) -> bool:
        return self.heard_at is not None

    @property
    def box(self) -> Box:
        return Box(self.user_id, self.inbox_id)

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


def _v2_group_inboxes(db: sqlite_utils.Database) -> None:
    db.execute(f"ALTER TABLE {TABLE} ADD COLUMN inbox_id INTEGER")
    db.execute(f"CREATE INDEX {TABLE}_by_inbox ON {TABLE} (inbox_id, received)")
    db.execute(
        f"""CREATE TABLE {INBOXES} (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL,
            number TEXT NOT NULL UNIQUE,
            code TEXT NOT NULL UNIQUE,
            pin_hash TEXT,
            allow_anonymous_after_pin INTEGER NOT NULL,
            exclude_from_search INTEGER NOT NULL,
            greeting_prompt TEXT NOT NULL,
            member_groups TEXT NOT NULL,
            sms_groups TEXT NOT NULL,
            email_groups TEXT NOT NULL
        )"""
    )
    db.execute(
        f"""CREATE TABLE {NUMBERS} (
            number TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            inbox_id INTEGER REFERENCES {INBOXES} (id)
        )"""
    )


def _v3_inbox_admin_groups(db: sqlite_utils.Database) -> None:
    db.execute(f"ALTER TABLE {INBOXES} ADD COLUMN admin_groups TEXT NOT NULL DEFAULT '[]'")


MIGRATIONS: Final = (
    Migration(1, "voice messages", _v1_messages),
    Migration(2, "group inboxes and voicemail numbers", _v2_group_inboxes),
    Migration(3, "group administrators of group inboxes (GIB-06)", _v3_inbox_admin_groups),
)


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


# -- group inboxes (GIB-01) and voicemail numbers (GIB-07) ---------------------------------------
_INBOX_COLUMNS: Final = (
    "id",
    "name",
    "number",
    "code",
    "pin_hash",
    "allow_anonymous_after_pin",
    "exclude_from_search",
    "greeting_prompt",
    "member_groups",
    "sms_groups",
    "email_groups",
    "admin_groups",
)
_GROUP_LISTS: Final = ("member_groups", "sms_groups", "email_groups", "admin_groups")


@dataclass(frozen=True, slots=True)
class GroupInbox:
    id: int
    name: str
    number: str
    """Where callers leave messages (GIB-01, GIB-02)."""
    code: str
    """What a caller keys at a voicemail number to reach it (GIB-04)."""
    pin_hash: str | None
    """Hashed like users' PINs; None: no PIN (then nobody but members may listen)."""
    allow_anonymous_after_pin: bool
    exclude_from_search: bool
    greeting_prompt: str
    """A prompt id; "" for the standard "not available, please leave a message"."""
    member_groups: list[int] = field(default_factory=list)
    sms_groups: list[int] = field(default_factory=list)
    email_groups: list[int] = field(default_factory=list)
    admin_groups: list[int] = field(default_factory=list)
    """GIB-06 / ROLE-04: the user groups whose members may change the inbox."""

    @property
    def box(self) -> Box:
        return Box(inbox_id=self.id)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "number": self.number,
            "code": self.code,
            "has_pin": self.pin_hash is not None,
            "allow_anonymous_after_pin": self.allow_anonymous_after_pin,
            "exclude_from_search": self.exclude_from_search,
            "greeting_prompt": self.greeting_prompt,
            "member_groups": list(self.member_groups),
            "sms_groups": list(self.sms_groups),
            "email_groups": list(self.email_groups),
            "admin_groups": list(self.admin_groups),
        }


@dataclass(frozen=True, slots=True)
class VoicemailNumber:
    number: str
    kind: str
    """``user_inbox`` (the caller's own mailbox) or ``group_inbox`` (``inbox_id``'s)."""
    inbox_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"number": self.number, "kind": self.kind, "inbox_id": self.inbox_id}


def _inbox(row: Any) -> GroupInbox:
    data = dict(zip(_INBOX_COLUMNS, row, strict=True))
    for name in _GROUP_LISTS:
        data[name] = list(json.loads(data[name]))
    data["allow_anonymous_after_pin"] = bool(data["allow_anonymous_after_pin"])
    data["exclude_from_search"] = bool(data["exclude_from_search"])
    return GroupInbox(**data)


_INBOX_TABLE: Final = FunctionNumberTable(INBOXES, _INBOX_COLUMNS, _inbox, "group inbox", unique=("code",))


def all_inboxes(db: sqlite_utils.Database) -> list[GroupInbox]:
    return _INBOX_TABLE.all(db)


def get_inbox(db: sqlite_utils.Database, inbox_id: int) -> GroupInbox:
    return _INBOX_TABLE.get(db, inbox_id)


def _inbox_values(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The columns of checked fields; ``pin`` "" clears it, None keeps it (left out)."""
    values: dict[str, Any] = {
        "name": fields["name"],
        "number": fields["number"],
        "code": fields["code"],
        "allow_anonymous_after_pin": int(bool(fields["allow_anonymous_after_pin"])),
        "exclude_from_search": int(bool(fields["exclude_from_search"])),
        "greeting_prompt": fields["greeting_prompt"],
    }
    for name in _GROUP_LISTS:
        values[name] = json.dumps(sorted(set(fields[name])))
    pin = fields.get("pin")
    if pin is not None:
        values["pin_hash"] = hash_secret(pin) if pin else None
    return values


def create_inbox(db: sqlite_utils.Database, fields: Mapping[str, Any]) -> GroupInbox:
    return _INBOX_TABLE.create(db, _inbox_values(fields))


def update_inbox(db: sqlite_utils.Database, inbox_id: int, fields: Mapping[str, Any]) -> GroupInbox:
    return _INBOX_TABLE.update(db, inbox_id, _inbox_values(fields))


def delete_inbox(db: sqlite_utils.Database, inbox_id: int) -> list[str]:
    """Delete the inbox and its messages' rows; the ids of the messages (their files go too)."""
    get_inbox(db, inbox_id)
    ids = [row[0] for row in db.execute(f"SELECT id FROM {TABLE} WHERE inbox_id = ?", [inbox_id])]
    with db.atomic():
        db.execute(f"DELETE FROM {TABLE} WHERE inbox_id = ?", [inbox_id])
        db.execute(f"DELETE FROM {INBOXES} WHERE id = ?", [inbox_id])
    return ids


def all_numbers(db: sqlite_utils.Database) -> list[VoicemailNumber]:
    rows = db.execute(f"SELECT number, kind, inbox_id FROM {NUMBERS} ORDER BY number").fetchall()
    return [VoicemailNumber(*row) for row in rows]


def put_number(db: sqlite_utils.Database, previous: str | None, wanted: VoicemailNumber) -> None:
    """Add a voicemail number, or replace ``previous`` with it."""
    try:
        with db.atomic():
            if previous is not None:
                db.execute(f"DELETE FROM {NUMBERS} WHERE number = ?", [previous])
            db.execute(
                f"INSERT INTO {NUMBERS} (number, kind, inbox_id) VALUES (?, ?, ?)",
                [wanted.number, wanted.kind, wanted.inbox_id],
            )
    except sqlite3.IntegrityError:
        raise ConfigValidationError(
            "The voicemail number is invalid", {"number": "another voicemail number has it"}
        ) from None


def delete_number(db: sqlite_utils.Database, number: str) -> None:
    with db.atomic():
        cursor = db.execute(f"DELETE FROM {NUMBERS} WHERE number = ?", [number])
    if cursor.rowcount == 0:
        raise NotFound(f"No voicemail number {number}")
