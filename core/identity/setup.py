"""First-run setup without a default password: a one-time setup token, or the CLI, creates the first admin."""

from __future__ import annotations

import hmac
import secrets
import time
from typing import Final

import sqlite_utils

from cordboard.core.exceptions import Conflict, Unauthorized
from cordboard.core.identity.sessions import token_hash
from cordboard.core.identity.users import User, admin_count, create_user

SETUP_TOKEN_TTL_S: Final = 24 * 3600
TOKEN_HASH_KEY: Final = "setup_token_hash"
TOKEN_EXPIRES_KEY: Final = "setup_token_expires"
_ALREADY_SET_UP: Final = "Setup is already done: an administrator exists"


def needs_setup(db: sqlite_utils.Database) -> bool:
    """True while no administrator exists."""
    return admin_count(db) == 0


def _delete_token(db: sqlite_utils.Database) -> None:
    db.execute("DELETE FROM meta WHERE key IN (?, ?)", [TOKEN_HASH_KEY, TOKEN_EXPIRES_KEY])


def create_setup_token(db: sqlite_utils.Database, ttl_s: float = SETUP_TOKEN_TTL_S) -> str:
    """A new one-time setup token (valid 24 h) that replaces any older one; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    with db.atomic():
        _delete_token(db)
        db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?), (?, ?)",
            [TOKEN_HASH_KEY, token_hash(token), TOKEN_EXPIRES_KEY, repr(time.time() + ttl_s)],
        )
    return token


def _check_token(db: sqlite_utils.Database, token: str) -> None:
    rows = dict(
        db.execute("SELECT key, value FROM meta WHERE key IN (?, ?)", [TOKEN_HASH_KEY, TOKEN_EXPIRES_KEY])
    )
    stored, expires = rows.get(TOKEN_HASH_KEY), rows.get(TOKEN_EXPIRES_KEY)
    if not stored or not expires or not hmac.compare_digest(str(stored), token_hash(token)):
        raise Unauthorized("The setup link is not valid; restart Cordboard or run `cordboard setup --admin`")
    if float(expires) <= time.time():
        raise Unauthorized("The setup link has expired; restart Cordboard for a new one")


def consume_setup_token(
    db: sqlite_utils.Database,
    token: str,
    *,
    username: str,
    password: str,
    first_name: str,
    last_name: str,
    email: str,
) -> User:
    """Create the first administrator with the setup token, which is then used up.

    Raises Conflict if an administrator exists, Unauthorized for a wrong or expired token and
    ConfigValidationError for invalid fields; nothing changes on error.
    """
    with db.atomic():
        if not needs_setup(db):
            raise Conflict(_ALREADY_SET_UP)
        _check_token(db, token)
        user = _create_admin(
            db, username=username, password=password, first_name=first_name, last_name=last_name, email=email
        )
        _delete_token(db)
    return user


def create_first_admin(  # noqa: PLR0917 - the CLI passes its arguments in this order
    db: sqlite_utils.Database, username: str, password: str, first_name: str, last_name: str, email: str
) -> User:
    """Create the first administrator from the CLI (``cordboard setup --admin``); refused if one exists."""
    with db.atomic():
        if not needs_setup(db):
            raise Conflict(_ALREADY_SET_UP)
        user = _create_admin(
            db, username=username, password=password, first_name=first_name, last_name=last_name, email=email
        )
        _delete_token(db)
    return user


def _create_admin(
    db: sqlite_utils.Database, *, username: str, password: str, first_name: str, last_name: str, email: str
) -> User:
    return create_user(
        db,
        username=username,
        password=password if password else "",
        first_name=first_name,
        last_name=last_name,
        email=email,
        role="admin",
    )
