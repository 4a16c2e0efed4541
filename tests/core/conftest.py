"""Fixtures for core tests: a migrated temporary database for the synchronous repositories."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from cordboard.core.core import Core
from cordboard.core.identity.users import User, create_user
from cordboard.core.storage import connect, migrate
from cordboard.core.storage.core_schema import CORE_MIGRATIONS


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "t.db"


@pytest.fixture
def db(db_path: Path) -> Iterator[sqlite_utils.Database]:
    """A fresh database with the core schema."""
    database = connect(db_path)
    migrate(database, "core", CORE_MIGRATIONS)
    yield database
    database.close()


MakeUser = Callable[..., User]


@pytest.fixture
def make_user(db: sqlite_utils.Database) -> MakeUser:
    """``make_user("anna", **fields)``: a valid user, required fields filled in from the username."""

    def make(username: str, **extra: Any) -> User:
        fields: dict[str, Any] = {
            "first_name": username.title(),
            "last_name": "Tester",
            "email": f"{username}@example.com",
            **extra,
        }
        return create_user(db, username=username, **fields)

    return make


@pytest.fixture
async def bare_core(tmp_path: Path) -> AsyncIterator[Core]:
    """A Core with an open, migrated database and its bus, but no services or plugins started."""
    instance = Core(tmp_path / "bare")
    instance.data_dir.mkdir(parents=True, exist_ok=True)
    await instance.db.open()
    await instance.db.call(lambda db: migrate(db, "core", CORE_MIGRATIONS))
    yield instance
    await instance.db.close()
    instance._executor.shutdown(wait=True)
