"""SIP passwords kept retrievable, encrypted at rest, for provisioning desk phones.

The identity stores only digest HA1 values; a phone needs the password itself. When an
administrator sets a user's SIP password (the identity service tells us), it is also stored here,
encrypted with Fernet under a key file in the data folder (``provisioning.key``, mode 0600, made on
first use with an atomic write). A stored password counts only while its HA1 matches the user's
current one: a password set another way (the CLI, a CSV import) makes the stored one stale, and
the phone's user gets a new password when a phone is assigned. Never logged; served only in the
configuration for the MAC the user is assigned to, over the current ticket.
"""

from __future__ import annotations

import hmac
import os
import secrets
import string
import threading
import time
from pathlib import Path
from typing import Final

import sqlite_utils
from cryptography.fernet import Fernet, InvalidToken

from cordboard.core.identity.digest import ha1, sip_realm
from cordboard.core.provisioning.devices import ensure_schema
from cordboard.core.storage.atomic import atomic_write

KEY_FILE: Final = "provisioning.key"
GENERATED_LENGTH: Final = 20
_ALPHABET: Final = string.ascii_letters + string.digits
_key_lock = threading.Lock()


def key_path(data_dir: Path) -> Path:
    return data_dir / KEY_FILE


def load_key(data_dir: Path) -> Fernet:
    """The Fernet key of this data folder, made on first use (blocking: run in the executor)."""
    path = key_path(data_dir)
    with _key_lock:
        try:
            key = path.read_bytes().strip()
        except FileNotFoundError:
            key = Fernet.generate_key()
            atomic_write(path, key + b"\n", mode=0o600)
        if os.stat(path).st_mode & 0o077:
            os.chmod(path, 0o600)
    return Fernet(key)


def generate_password() -> str:
    """A new SIP password: 20 letters and digits (about 119 bits), easy to type on a keypad."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(GENERATED_LENGTH))


def remember(db: sqlite_utils.Database, fernet: Fernet, user_id: int, password: str) -> None:
    """Store ``password`` for ``user_id``, encrypted."""
    ensure_schema(db)
    token = fernet.encrypt(password.encode()).decode("ascii")
    with db.atomic():
        db.execute(
            "INSERT INTO sip_secrets (user_id, token, updated) VALUES (?, ?, ?) "
            "ON CONFLICT(user_id) DO UPDATE SET token = excluded.token, updated = excluded.updated",
            [user_id, token, time.time()],
        )


def forget(db: sqlite_utils.Database, user_id: int) -> None:
    ensure_schema(db)
    with db.atomic():
        db.execute("DELETE FROM sip_secrets WHERE user_id = ?", [user_id])


def retrieve(db: sqlite_utils.Database, fernet: Fernet, user_id: int) -> str | None:
    """The user's SIP password if one is stored and still the current one (its HA1 matches)."""
    ensure_schema(db)
    row = db.execute(
        "SELECT s.token, u.username, u.ha1_md5 FROM sip_secrets s JOIN users u ON u.id = s.user_id "
        "WHERE s.user_id = ?",
        [user_id],
    ).fetchone()
    if row is None or row[2] is None:
        return None
    try:
        password = fernet.decrypt(str(row[0]).encode("ascii")).decode()
    except (InvalidToken, ValueError):
        return None
    if not hmac.compare_digest(ha1(str(row[1]), sip_realm(db), password), str(row[2])):
        return None
    return password
