"""The rows of one plugin's function numbers (hunt groups, IVR menus, group inboxes): one table
with an ``id`` and a unique ``number``, read, added, changed and deleted the same way. A save that
lost a race for a unique column is told as that field's error; a missing row as NotFound."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlite_utils

from cordboard.core.exceptions import ConfigValidationError, NotFound

RowT = TypeVar("RowT")


@dataclass(frozen=True, slots=True)
class FunctionNumberTable(Generic[RowT]):
    table: str
    columns: tuple[str, ...]
    """Read in this order and given to ``read``; the first is ``id``."""
    read: Callable[[Any], RowT]
    what: str
    """What a row is, in the error texts: "hunt group" (No hunt group with id 3)."""
    unique: tuple[str, ...] = ()
    """Unique columns besides ``number``, named when another save took the value."""

    def all(self, db: sqlite_utils.Database) -> list[RowT]:
        rows = db.execute(f"SELECT {', '.join(self.columns)} FROM {self.table} ORDER BY number").fetchall()
        return [self.read(row) for row in rows]

    def get(self, db: sqlite_utils.Database, row_id: int) -> RowT:
        row = db.execute(
            f"SELECT {', '.join(self.columns)} FROM {self.table} WHERE id = ?", [row_id]
        ).fetchone()
        if row is None:
            raise NotFound(f"No {self.what} with id {row_id}")
        return self.read(row)

    def create(self, db: sqlite_utils.Database, values: Mapping[str, Any]) -> RowT:
        """Add a checked row from its column ``values``."""
        try:
            with db.atomic():
                cursor = db.execute(
                    f"INSERT INTO {self.table} ({', '.join(values)}) "
                    f"VALUES ({', '.join('?' for _ in values)})",
                    list(values.values()),
                )
        except sqlite3.IntegrityError as err:
            raise self._clash(err) from None
        assert cursor.lastrowid is not None
        return self.get(db, cursor.lastrowid)

    def update(self, db: sqlite_utils.Database, row_id: int, values: Mapping[str, Any]) -> RowT:
        self.get(db, row_id)
        assignments = ", ".join(f"{name} = ?" for name in values)
        try:
            with db.atomic():
                db.execute(f"UPDATE {self.table} SET {assignments} WHERE id = ?", [*values.values(), row_id])
        except sqlite3.IntegrityError as err:
            raise self._clash(err) from None
        return self.get(db, row_id)

    def delete(self, db: sqlite_utils.Database, row_id: int) -> None:
        self.get(db, row_id)
        with db.atomic():
            db.execute(f"DELETE FROM {self.table} WHERE id = ?", [row_id])

    def _clash(self, err: sqlite3.IntegrityError) -> ConfigValidationError:
        """Another save took the number (or another unique value) since this one was checked."""
        field = next((name for name in self.unique if f"{self.table}.{name}" in str(err)), "number")
        return ConfigValidationError(f"The {self.what} is invalid", {field: f"another {self.what} has it"})
