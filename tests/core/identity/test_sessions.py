"""Tests of log-in sessions, password checks and failed-auth throttling."""

from __future__ import annotations

import time

import pytest

from cordboard.core.exceptions import Unauthorized
from cordboard.core.identity import sessions
from cordboard.core.identity.sessions import (
    FIRST_BLOCK_S,
    MAX_BLOCK_S,
    MAX_FAILURES,
    AccountLocked,
    authenticate_password,
    blocked_for,
    clear_failures,
    create_session,
    delete_session,
    delete_user_sessions,
    record_failure,
    resolve_session,
    token_hash,
)

PASSWORD = "correct-password-1"


def test_session_token_resolves_and_only_its_hash_is_stored(make_user, db) -> None:
    anna = make_user("anna", password=PASSWORD)
    token = create_session(db, anna.id, client="pytest")
    assert len(token) >= 40
    user = resolve_session(db, token)
    assert user is not None and user.id == anna.id
    stored = db.execute("SELECT token_hash, client FROM sessions").fetchall()
    assert stored == [(token_hash(token), "pytest")]
    assert resolve_session(db, token + "x") is None
    assert sessions.session_expires(db, token) == pytest.approx(time.time() + sessions.SESSION_TTL_S, abs=5)


def test_expired_session_is_deleted(make_user, db) -> None:
    anna = make_user("anna")
    token = create_session(db, anna.id, ttl_s=-1)
    assert resolve_session(db, token) is None
    assert db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 0


def test_creating_a_session_purges_expired_ones(make_user, db) -> None:
    anna = make_user("anna")
    create_session(db, anna.id, ttl_s=-1)
    create_session(db, anna.id)
    assert db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 1


def test_logout_and_delete_user_sessions(make_user, db) -> None:
    anna = make_user("anna")
    first, second, third = (create_session(db, anna.id) for _ in range(3))
    delete_session(db, first)
    assert resolve_session(db, first) is None
    assert resolve_session(db, second) is not None
    delete_user_sessions(db, anna.id)
    assert resolve_session(db, second) is None and resolve_session(db, third) is None


def test_authenticate_password_messages_are_generic(make_user, db) -> None:
    make_user("anna", password=PASSWORD)
    make_user("bert")  # no password: cannot log in
    assert authenticate_password(db, " ANNA ", PASSWORD).username == "anna"
    for username, password in (("anna", "wrong"), ("nobody", PASSWORD), ("bert", "")):
        with pytest.raises(Unauthorized) as info:
            authenticate_password(db, username, password)
        assert str(info.value) == "wrong username or password"
        assert not isinstance(info.value, AccountLocked)


def test_throttling_blocks_after_five_failures_and_releases(db) -> None:
    now = 1_000_000.0
    key = "login:anna"
    for attempt in range(MAX_FAILURES - 1):
        assert record_failure(db, key, now=now + attempt) == 0
        assert blocked_for(db, key, now=now + attempt) == 0
    assert record_failure(db, key, now=now + 10) == FIRST_BLOCK_S
    assert blocked_for(db, key, now=now + 10) == FIRST_BLOCK_S
    assert blocked_for(db, key, now=now + 10 + FIRST_BLOCK_S - 0.5) == 1
    assert blocked_for(db, key, now=now + 10 + FIRST_BLOCK_S) == 0
    assert blocked_for(db, "login:bert", now=now + 10) == 0


def test_throttling_doubles_up_to_fifteen_minutes(db) -> None:
    now = 2_000_000.0
    key = "login:mallory"
    expected = [60, 120, 240, 480, 900, 900]
    for block in expected:
        for _ in range(MAX_FAILURES - 1):
            assert record_failure(db, key, now=now) == 0
        assert record_failure(db, key, now=now) == block
        assert blocked_for(db, key, now=now) == block
        now += block
    assert expected[-1] == MAX_BLOCK_S


def test_failures_outside_the_window_do_not_add_up(db) -> None:
    now = 3_000_000.0
    key = "login:anna"
    for _ in range(MAX_FAILURES - 1):
        record_failure(db, key, now=now)
    assert record_failure(db, key, now=now + sessions.FAILURE_WINDOW_S + 1) == 0


def test_quiet_key_starts_from_scratch_and_clear_resets(db) -> None:
    now = 4_000_000.0
    key = "login:anna"
    for _ in range(MAX_FAILURES):
        record_failure(db, key, now=now)
    later = now + FIRST_BLOCK_S + sessions.FAILURE_WINDOW_S + 1
    for _ in range(MAX_FAILURES - 1):
        assert record_failure(db, key, now=later) == 0
    assert record_failure(db, key, now=later) == FIRST_BLOCK_S, "not doubled after a quiet window"
    clear_failures(db, key)
    assert blocked_for(db, key, now=later) == 0
    assert db.execute("SELECT COUNT(*) FROM auth_failures").fetchone()[0] == 0
