"""Tests of first-run setup: the one-time setup token and the CLI's first administrator."""

from __future__ import annotations

import pytest

from cordboard.core.exceptions import ConfigValidationError, Conflict, Unauthorized
from cordboard.core.identity.sessions import authenticate_password
from cordboard.core.identity.setup import (
    consume_setup_token,
    create_first_admin,
    create_setup_token,
    needs_setup,
)

ADMIN = {
    "username": "root",
    "password": "admin-password-1",
    "first_name": "Ada",
    "last_name": "Admin",
    "email": "root@example.com",
}


def test_needs_setup_until_an_admin_exists(make_user, db) -> None:
    assert needs_setup(db)
    make_user("anna")
    assert needs_setup(db)
    make_user("root", role="admin")
    assert not needs_setup(db)


def test_setup_token_creates_the_first_admin_once(db) -> None:
    token = create_setup_token(db)
    stored = dict(db.execute("SELECT key, value FROM meta").fetchall())
    assert token not in stored.values(), "only the hash is stored"
    user = consume_setup_token(db, token, **ADMIN)
    assert user.is_admin and user.username == "root"
    assert authenticate_password(db, "root", ADMIN["password"]).id == user.id
    assert not needs_setup(db)
    assert db.execute("SELECT COUNT(*) FROM meta WHERE key LIKE 'setup_token%'").fetchone()[0] == 0
    with pytest.raises(Conflict, match="already done"):
        consume_setup_token(db, token, **{**ADMIN, "username": "again"})


def test_wrong_or_replaced_token_is_refused(db) -> None:
    old = create_setup_token(db)
    new = create_setup_token(db)
    for token in (old, "guess", ""):
        with pytest.raises(Unauthorized):
            consume_setup_token(db, token, **ADMIN)
    assert needs_setup(db)
    assert consume_setup_token(db, new, **ADMIN).is_admin


def test_expired_token_is_refused(db) -> None:
    token = create_setup_token(db, ttl_s=-1)
    with pytest.raises(Unauthorized, match="expired"):
        consume_setup_token(db, token, **ADMIN)


def test_no_token_at_all_is_refused(db) -> None:
    with pytest.raises(Unauthorized):
        consume_setup_token(db, "anything", **ADMIN)


def test_invalid_fields_leave_the_token_usable(db) -> None:
    token = create_setup_token(db)
    with pytest.raises(ConfigValidationError) as info:
        consume_setup_token(db, token, **{**ADMIN, "password": "short", "email": ""})
    assert set(info.value.fields) == {"password", "email"}
    assert needs_setup(db)
    assert consume_setup_token(db, token, **ADMIN).is_admin


def test_create_first_admin_for_the_cli(db) -> None:
    token = create_setup_token(db)
    user = create_first_admin(db, "root", "admin-password-1", "Ada", "Admin", "root@example.com")
    assert user.is_admin
    assert db.execute("SELECT COUNT(*) FROM meta WHERE key LIKE 'setup_token%'").fetchone()[0] == 0
    with pytest.raises(Conflict):
        consume_setup_token(db, token, **{**ADMIN, "username": "other"})
    with pytest.raises(Conflict):
        create_first_admin(db, "other", "admin-password-1", "Ada", "Admin", "other@example.com")


def test_first_admin_needs_a_password(db) -> None:
    with pytest.raises(ConfigValidationError) as info:
        create_first_admin(db, "root", "", "Ada", "Admin", "root@example.com")
    assert "password" in info.value.fields
