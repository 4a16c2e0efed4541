"""A user's third-party SIP account (TERM-05): for a device the appliance cannot provision (an
analogue adapter, another brand's phone, a softphone), the admin sets a user name and a strong
password of its own; its registrations ring with the user's phones and its calls are the user's.
The device list shows it as an analogue phone or a desk phone. Stored in the component
``core.third_party``; the SIP layer reads the accounts beside the users (``SipAccounts.sources``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any, Final

import sqlite_utils
import voluptuous as vol

from cordboard.core.exceptions import Conflict, NotFound
from cordboard.core.http.errors import validated
from cordboard.core.identity.digest import ha1_pair, sip_realm
from cordboard.core.identity.users import sip_password
from cordboard.core.sip.accounts import SipAccount
from cordboard.core.storage.migrations import Migration, migrate

COMPONENT: Final = "core.third_party"
KINDS: Final = ("analogue", "desk")
_USERNAME: Final = re.compile(r"^[a-z][a-z0-9._-]{2,63}$")
MIN_CLASSES: Final = 3
"""A third-party device's password mixes at least three of: lower case, upper case, digits, others."""


def _v1(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE third_party_accounts (
            user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            username TEXT NOT NULL UNIQUE COLLATE NOCASE,
            kind TEXT NOT NULL,
            ha1_md5 TEXT NOT NULL,
            ha1_sha256 TEXT NOT NULL,
            updated REAL NOT NULL
        )"""
    )


MIGRATIONS: Final = (Migration(1, "third-party SIP accounts", _v1),)


def ensure_schema(db: sqlite_utils.Database) -> None:
    migrate(db, COMPONENT, MIGRATIONS)


def _strong(value: Any) -> str:
    text = sip_password(value)
    classes = sum(
        bool(re.search(pattern, text)) for pattern in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9]")
    )
    if len(text) < 16 or classes < MIN_CLASSES:
        raise vol.Invalid("at least 16 characters mixing three of: lower case, upper case, digits, symbols")
    return text


def _username(value: Any) -> str:
    text = str(value).strip().lower()
    if not _USERNAME.match(text):
        raise vol.Invalid("3 to 64 of a-z, 0-9, '.', '_' and '-', starting with a letter")
    return text


SCHEMA: Final = vol.Schema(
    {
        vol.Required("username"): _username,
        vol.Required("password"): _strong,
        vol.Optional("kind", default="desk"): vol.In(KINDS, msg="analogue or desk"),
    },
    extra=vol.PREVENT_EXTRA,
)


def set_account(db: sqlite_utils.Database, user_id: int, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Create or replace the user's account (the user name may not be anyone else's)."""
    data = validated(SCHEMA, raw, "The third-party account is invalid")
    ensure_schema(db)
    with db.atomic():
        if db.execute("SELECT 1 FROM users WHERE id = ?", [user_id]).fetchone() is None:
            raise NotFound(f"No user with id {user_id}")
        taken = db.execute("SELECT 1 FROM users WHERE username = ?", [data["username"]]).fetchone()
        other = db.execute(
            "SELECT 1 FROM third_party_accounts WHERE username = ? AND user_id != ?",
            [data["username"], user_id],
        ).fetchone()
        if taken or other:
            raise Conflict(f"The SIP user name {data['username']} is taken")
        md5, sha256 = ha1_pair(data["username"], sip_realm(db), data["password"])
        db.execute(
            "INSERT INTO third_party_accounts (user_id, username, kind, ha1_md5, ha1_sha256, updated) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(user_id) DO UPDATE SET username = excluded.username, "
            "kind = excluded.kind, ha1_md5 = excluded.ha1_md5, ha1_sha256 = excluded.ha1_sha256, "
            "updated = excluded.updated",
            [user_id, data["username"], data["kind"], md5, sha256, time.time()],
        )
    return {"username": data["username"], "kind": data["kind"]}


def get_account(db: sqlite_utils.Database, user_id: int) -> dict[str, Any] | None:
    ensure_schema(db)
    row = db.execute(
        "SELECT username, kind FROM third_party_accounts WHERE user_id = ?", [user_id]
    ).fetchone()
    return {"username": row[0], "kind": row[1]} if row else None


def delete_account(db: sqlite_utils.Database, user_id: int) -> None:
    ensure_schema(db)
    with db.atomic():
        if not db.execute("DELETE FROM third_party_accounts WHERE user_id = ?", [user_id]).rowcount:
            raise NotFound("The user has no third-party SIP account")


def sip_accounts(db: sqlite_utils.Database) -> list[SipAccount]:
    """The accounts as the SIP layer sees them: the user's id, extension and name, the device kind."""
    ensure_schema(db)
    rows = db.execute(
        "SELECT u.id, t.username, u.extension, u.first_name, u.last_name, t.ha1_md5, t.ha1_sha256, u.locked, "
        "t.kind FROM third_party_accounts t JOIN users u ON u.id = t.user_id"
    ).fetchall()
    return [
        SipAccount(r[0], r[1], r[2], f"{r[3]} {r[4]}".strip(), r[5], r[6], bool(r[7]), device_kind=r[8])
        for r in rows
    ]


__all__ = ["KINDS", "delete_account", "get_account", "set_account", "sip_accounts"]
