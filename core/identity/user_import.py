"""CSV import of users: every row checked and planned first; applied all together or not at all."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import sqlite_utils

from cordboard.core.exceptions import ConfigValidationError, Conflict, CordboardError, NotFound
from cordboard.core.identity.users import create_user, get_user_by_username, update_user

IMPORT_COLUMNS: Final = ("username", "extension", "first_name", "last_name", "email", "sip_password")
REQUIRED_COLUMNS: Final = IMPORT_COLUMNS[:5]
PROFILE_COLUMNS: Final = ("extension", "first_name", "last_name", "email")


@dataclass(frozen=True, slots=True)
class RowChange:
    """What one CSV line does: create, update (with the changed fields) or nothing."""

    line: int
    username: str
    action: Literal["create", "update", "unchanged"]
    changes: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    sets_sip_password: bool = False

    def describe(self) -> str:
        if self.action == "create":
            return f"line {self.line}: create {self.username}"
        if self.action == "unchanged":
            return f"line {self.line}: {self.username} unchanged"
        parts = [f"{name} {old or '(none)'} -> {new}" for name, (old, new) in self.changes.items()]
        if self.sets_sip_password:
            parts.append("new SIP password")
        return f"line {self.line}: update {self.username}: {', '.join(parts)}"


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    message: str

    def describe(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(slots=True)
class ImportResult:
    changes: list[RowChange] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    applied: bool = False

    def counts(self) -> dict[str, int]:
        result = {"create": 0, "update": 0, "unchanged": 0}
        for change in self.changes:
            result[change.action] += 1
        return result


class _Rollback(Exception):
    """Raised inside the transaction to undo a dry run or a run with errors."""


def _error_text(err: CordboardError) -> str:
    if isinstance(err, ConfigValidationError) and err.fields:
        return "; ".join(f"{name}: {msg}" for name, msg in err.fields.items())
    return str(err)


def _apply_row(db: sqlite_utils.Database, line: int, row: dict[str, str]) -> RowChange:
    username = row["username"].strip().lower()
    sip_password = row.get("sip_password") or None
    profile: dict[str, Any] = {name: row[name].strip() for name in PROFILE_COLUMNS}
    try:
        existing = get_user_by_username(db, username)
    except NotFound:
        create_user(db, username=username, sip_password=sip_password, **profile)
        return RowChange(line, username, "create", sets_sip_password=sip_password is not None)
    diff: dict[str, tuple[str | None, str | None]] = {
        name: (getattr(existing, name), value)
        for name, value in profile.items()
        if (getattr(existing, name) or "") != value
    }
    update: dict[str, str] = {name: new for name, (_, new) in diff.items() if new is not None}
    if sip_password is not None:
        update["sip_password"] = sip_password
    if not update:
        return RowChange(line, username, "unchanged")
    update_user(db, existing.id, update)
    return RowChange(line, username, "update", diff, sets_sip_password=sip_password is not None)


def import_users(db: sqlite_utils.Database, csv_text: str, *, dry_run: bool) -> ImportResult:
    """Plan (and unless ``dry_run`` apply) a CSV of users; any bad row means nothing is applied.

    Rows are applied inside one transaction, so clashes between rows (two rows with one
    extension) are found too; a dry run or a run with errors is rolled back.
    """
    result = ImportResult()
    reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    unknown = [name for name in header if name not in IMPORT_COLUMNS]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            problems.append(f"unknown column(s) {', '.join(unknown)}")
        result.errors.append(RowError(1, f"{'; '.join(problems)} (expected {', '.join(IMPORT_COLUMNS)})"))
        return result
    reader.fieldnames = header
    try:
        with db.atomic():
            for row in reader:
                line = reader.line_num
                if None in row or any(row.get(name) is None for name in REQUIRED_COLUMNS):
                    result.errors.append(RowError(line, f"expected {len(header)} columns"))
                    continue
                try:
                    with db.atomic():
                        result.changes.append(_apply_row(db, line, row))
                except (ConfigValidationError, Conflict) as err:
                    result.errors.append(RowError(line, _error_text(err)))
            if dry_run or result.errors:
                raise _Rollback
    except _Rollback:
        return result
    except csv.Error as err:
        result.errors.append(RowError(reader.line_num, f"not valid CSV: {err}"))
        return result
    result.applied = True
    return result
