"""Migrations: forward, resumable, per component, newer data refused; WAL mode."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

from cordboard.core.exceptions import DataTooNewError, StorageError
from cordboard.core.storage import Migration, connect, migrate, schema_version
from cordboard.core.storage.core_schema import CORE_MIGRATIONS


def _create_a(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE a (id INTEGER PRIMARY KEY, name TEXT)")


def _add_column(db: sqlite_utils.Database) -> None:
    db.execute("ALTER TABLE a ADD COLUMN email TEXT")


def _broken(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE b (id INTEGER)")
    raise RuntimeError("power cut")


V1 = [Migration(1, "create a", _create_a)]
V2 = [*V1, Migration(2, "add email", _add_column)]


def test_database_is_wal_and_durable(tmp_path: Path) -> None:
    db = connect(tmp_path / "x.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_old_data_folder_migrates_forward(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    db = connect(path)
    assert migrate(db, "demo", V1) == (0, 1)
    db.execute("INSERT INTO a (name) VALUES ('kept')")
    db.conn.commit()
    db.close()
    db = connect(path)
    assert migrate(db, "demo", V2) == (1, 2)
    assert db.execute("SELECT name, email FROM a").fetchall() == [("kept", None)]
    assert migrate(db, "demo", V2) == (2, 2)


def test_newer_data_folder_is_refused(tmp_path: Path) -> None:
    db = connect(tmp_path / "x.db")
    migrate(db, "demo", V2)
    with pytest.raises(DataTooNewError, match="newer Cordboard"):
        migrate(db, "demo", V1)


def test_failed_step_rolls_back_and_leaves_version(tmp_path: Path) -> None:
    db = connect(tmp_path / "x.db")
    with pytest.raises(RuntimeError):
        migrate(db, "demo", [*V1, Migration(2, "broken", _broken)])
    assert schema_version(db, "demo") == 1
    assert not db["b"].exists()
    assert migrate(db, "demo", V2) == (1, 2)


def test_components_count_separately(tmp_path: Path) -> None:
    db = connect(tmp_path / "x.db")
    migrate(db, "core", CORE_MIGRATIONS)
    migrate(db, "demo", V1)
    assert schema_version(db, "core") == len(CORE_MIGRATIONS)
    assert schema_version(db, "demo") == 1
    assert schema_version(db, "other") == 0


def test_bad_version_sequence_is_refused(tmp_path: Path) -> None:
    db = connect(tmp_path / "x.db")
    with pytest.raises(StorageError, match="increasing"):
        migrate(db, "demo", [Migration(2, "x", _create_a), Migration(1, "y", _add_column)])


def test_corrupt_database_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StorageError, match="Cannot open database"):
        connect(path)
