"""Helpers shared by the CLI commands: open the data folder's database, read secret files."""

from __future__ import annotations

import sys
from pathlib import Path

import sqlite_utils

from cordboard.core.const import CORE_COMPONENT, DATABASE_FILE
from cordboard.core.exceptions import CordboardError
from cordboard.core.storage.core_schema import CORE_MIGRATIONS
from cordboard.core.storage.db import connect
from cordboard.core.storage.migrations import migrate


def open_database(data_dir: Path) -> sqlite_utils.Database:
    """Open (and migrate) the database of ``data_dir``; safe while Cordboard runs on it (WAL)."""
    db = connect(data_dir / DATABASE_FILE)
    migrate(db, CORE_COMPONENT, CORE_MIGRATIONS)
    return db


def read_secret(path: Path, what: str) -> str:
    """Read a password from a file ('-' for standard input), without the trailing newline."""
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except OSError as err:
        raise CordboardError(f"Cannot read the {what} file {path}: {err.strerror}") from None
    except UnicodeDecodeError:
        raise CordboardError(f"The {what} file {path} is not UTF-8 text") from None
    secret = text.rstrip("\r\n")
    if not secret:
        raise CordboardError(f"The {what} file {path} is empty")
    return secret
