"""Log-in sessions (only a hash of each token is stored), password checks and failed-auth throttling."""

from __future__ import annotations

import hashlib
import math
import secrets
import time
from typing import Final

import sqlite_utils

from cordboard.core.exceptions import NotFound, Unauthorized
from cordboard.core.identity.passwords import dummy_hash, verify_secret
from cordboard.core.identity.users import User, get_user, password_hash_for

SESSION_TTL_S: Final = 12 * 3600
MAX_FAILURES: Final = 5
# One office behind NAT shares an address: allow more failures per address than per user name.
MAX_FAILURES_PER_ADDRESS: Final = 20
FAILURE_WINDOW_S: Final = 15 * 60
FIRST_BLOCK_S: Final = 60
MAX_BLOCK_S: Final = 15 * 60
WRONG_CREDENTIALS: Final = "wrong username or password"
ACCOUNT_LOCKED: Final = "account is locked"


class AccountLocked(Unauthorized):
    """The password was right but the account is locked (USR-08)."""


def token_hash(token: str) -> str:
    """What the database keeps of a token: its SHA-256, so a stolen database holds no live token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# -- sessions -----------------------------------------------------------------------------------


def create_session(
    db: sqlite_utils.Database, user_id: int, ttl_s: float = SESSION_TTL_S, client: str = ""
) -> str:
    """Start a session for ``user_id`` and return its bearer token (shown once, never stored)."""
    token = secrets.token_urlsafe(32)
    now = time.time()
    with db.atomic():
        db.execute("DELETE FROM sessions WHERE expires <= ?", [now])
        db.execute(
            "INSERT INTO sessions (token_hash, user_id, created, expires, client) VALUES (?, ?, ?, ?, ?)",
            [token_hash(token), user_id, now, now + ttl_s, client[:200]],
        )
    return token


def session_expires(db: sqlite_utils.Database, token: str) -> float | None:
    """When the session ends (epoch seconds), or None if there is no such session."""
    row = db.execute("SELECT expires FROM sessions WHERE token_hash = ?", [token_hash(token)]).fetchone()
    return float(row[0]) if row else None


def resolve_session(db: sqlite_utils.Database, token: str) -> User | None:
    """The user of a live session; None for an unknown or expired token or a locked user."""
    hashed = token_hash(token)
    row = db.execute("SELECT user_id, expires FROM sessions WHERE token_hash = ?", [hashed]).fetchone()
    if row is None:
        return None
    if float(row[1]) <= time.time():
        with db.atomic():
            db.execute("DELETE FROM sessions WHERE token_hash = ?", [hashed])
        return None
    try:
        user = get_user(db, int(row[0]))
    except NotFound:
        return None
    return None if user.locked else user


def delete_session(db: sqlite_utils.Database, token: str) -> None:
    with db.atomic():
        db.execute("DELETE FROM sessions WHERE token_hash = ?", [token_hash(token)])


def delete_user_sessions(db: sqlite_utils.Database, user_id: int) -> None:
    """End every session of the user (on lock, password change and delete)."""
    with db.atomic():
        db.execute("DELETE FROM sessions WHERE user_id = ?", [user_id])


# -- password checks ----------------------------------------------------------------------------


def check_password(user: User | None, password_hash: str | None, password: str) -> User:
    """Verify a password against a hash from ``password_hash_for``; raises Unauthorized.

    Unknown users and users without a password cost one scrypt like everybody else. The lock is
    only revealed to someone who knows the password.
    """
    if user is None or password_hash is None:
        verify_secret(password, dummy_hash())
        raise Unauthorized(WRONG_CREDENTIALS)
    if not verify_secret(password, password_hash):
        raise Unauthorized(WRONG_CREDENTIALS)
    if user.locked:
        raise AccountLocked(ACCOUNT_LOCKED)
    return user


def authenticate_password(db: sqlite_utils.Database, username: str, password: str) -> User:
    """The user with this username and password; raises Unauthorized (see ``check_password``)."""
    found = password_hash_for(db, username)
    user, hashed = found if found is not None else (None, None)
    return check_password(user, hashed, password)


# -- failed-auth throttling ---------------------------------------------------------------------


def blocked_for(db: sqlite_utils.Database, key: str, now: float | None = None) -> int:
    """Seconds until ``key`` (``login:<username>``, ``ip:<address>``) may try again; 0 if it may now."""
    now = time.time() if now is None else now
    row = db.execute("SELECT blocked_until FROM auth_failures WHERE key = ?", [key]).fetchone()
    if row is None or float(row[0]) <= now:
        return 0
    return max(1, math.ceil(float(row[0]) - now))


def record_failure(db: sqlite_utils.Database, key: str, now: float | None = None) -> int:
    """Count a failed attempt; returns the seconds ``key`` is now blocked for (0 if not blocked).

    After MAX_FAILURES failures (MAX_FAILURES_PER_ADDRESS for ``ip:`` keys) within
    FAILURE_WINDOW_S the key is blocked for FIRST_BLOCK_S,
    and every further block doubles that, up to MAX_BLOCK_S. A key that stays quiet for a window
    after its last block starts from scratch.
    """
    now = time.time() if now is None else now
    with db.atomic():
        # Forget keys that have been quiet for a whole window since their last failure or block.
        db.execute(
            "DELETE FROM auth_failures WHERE first_failure < ? AND blocked_until < ?",
            [now - FAILURE_WINDOW_S, now - FAILURE_WINDOW_S],
        )
        row = db.execute(
            "SELECT count, first_failure, blocked_until, blocks FROM auth_failures WHERE key = ?", [key]
        ).fetchone()
        count, first, blocked_until, blocks = (0, now, 0.0, 0) if row is None else row
        if now - float(first) > FAILURE_WINDOW_S:
            count, first = 0, now
        count += 1
        duration = 0
        if count >= (MAX_FAILURES_PER_ADDRESS if key.startswith("ip:") else MAX_FAILURES):
            blocks += 1
            duration = min(FIRST_BLOCK_S * 2 ** (blocks - 1), MAX_BLOCK_S)
            blocked_until, count, first = now + duration, 0, now
        db.execute(
            "INSERT INTO auth_failures (key, count, first_failure, blocked_until, blocks) "
            "VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET count = excluded.count, first_failure = excluded.first_failure, "
            "blocked_until = excluded.blocked_until, blocks = excluded.blocks",
            [key, count, first, blocked_until, blocks],
        )
    return duration


def clear_failures(db: sqlite_utils.Database, key: str) -> None:
    with db.atomic():
        db.execute("DELETE FROM auth_failures WHERE key = ?", [key])


def login_key(username: str) -> str:
    return f"login:{username.strip().lower()[:100]}"


def pin_key(user_id: int) -> str:
    return f"pin:{user_id}"


def ip_key(address: str) -> str:
    return f"ip:{address[:100]}"
