"""The number registry's tables (storage component ``core.numbers``): ranges and aliases, and the
ownership checks the identity's user saves run inside their own transaction (NUM-01, NUM-07)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from typing import Any, Final

import sqlite_utils
import voluptuous as vol

from cordboard.core.exceptions import ConfigValidationError, Conflict, NotFound
from cordboard.core.http.errors import validated
from cordboard.core.numbers.model import KINDS, PURPOSES, NumberRange, Owner
from cordboard.core.storage.migrations import Migration, migrate

COMPONENT: Final = "core.numbers"
MAX_RANGE_SIZE: Final = 100_000
"""A range longer than this is almost surely a typo (and "show available numbers" lists them)."""
FUNCTION_BLOCKS: Final = (("1500", "1599", "groups"), ("1600", "1699", "ivr"), ("1700", "1799", "rules"))
"""NUM-03's default local plan inside the default extension range."""
DEFAULT_EXTENSION_RANGE: Final = ("1000", "1999")
_LOCAL_RE: Final = re.compile(r"^[0-9]{2,8}$")
_PUBLIC_RE: Final = re.compile(r"^\+[1-9][0-9]{6,14}$")


def _v1_ranges(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE number_ranges (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL,
            first TEXT NOT NULL,
            last TEXT NOT NULL,
            purpose TEXT NOT NULL,
            label TEXT NOT NULL DEFAULT '',
            ivr_dialable INTEGER NOT NULL DEFAULT 0,
            seeded INTEGER NOT NULL DEFAULT 0,
            created REAL NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE number_aliases (
            number TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            created REAL NOT NULL
        )"""
    )
    db.execute("CREATE INDEX number_aliases_user ON number_aliases (user_id)")
    # The plugins' numbers as last collected by the running Core (NumberService.refresh), so that
    # user saves from anywhere (API, CSV import, CLI) are checked against them.
    db.execute(
        """CREATE TABLE number_claims (
            number TEXT PRIMARY KEY,
            plugin TEXT NOT NULL,
            label TEXT NOT NULL DEFAULT ''
        )"""
    )
    start, end = _extension_range_setting(db)
    for first, last, purpose in seed_ranges(start, end):
        _insert(db, {"kind": "local", "first": first, "last": last, "purpose": purpose}, seeded=True)


MIGRATIONS: Final = (Migration(1, "number ranges and aliases", _v1_ranges),)


def ensure_schema(db: sqlite_utils.Database) -> None:
    migrate(db, COMPONENT, MIGRATIONS)


def _extension_range_setting(db: sqlite_utils.Database) -> tuple[str, str]:
    """The org's ``core.extension_range_start`` / ``_end`` (the setup wizard's numbering step)."""
    found = {"start": DEFAULT_EXTENSION_RANGE[0], "end": DEFAULT_EXTENSION_RANGE[1]}
    if db["setting_values"].exists():
        for key, value in db.execute(
            "SELECT key, value FROM setting_values WHERE scope = 'org' AND key IN "
            "('core.extension_range_start', 'core.extension_range_end')"
        ).fetchall():
            found["start" if key.endswith("start") else "end"] = str(json.loads(value))
    return found["start"], found["end"]


def seed_ranges(start: str, end: str) -> list[tuple[str, str, str]]:
    """The ranges a new installation gets from its extension range: user lines, with NUM-03's
    function blocks cut out of it when they fit (same length, inside the range)."""
    if len(start) != len(end) or not start.isdigit() or not end.isdigit() or start > end:
        return []
    blocks = [b for b in FUNCTION_BLOCKS if len(b[0]) == len(start) and start <= b[0] and b[1] <= end]
    ranges: list[tuple[str, str, str]] = []
    cursor = int(start)
    width = len(start)
    for first, last, purpose in blocks:
        if int(first) > cursor:
            ranges.append((f"{cursor:0{width}d}", f"{int(first) - 1:0{width}d}", "users"))
        ranges.append((first, last, purpose))
        cursor = int(last) + 1
    if cursor <= int(end):
        ranges.append((f"{cursor:0{width}d}", end, "users"))
    return ranges


# -- ranges ---------------------------------------------------------------------------------------
def _number(value: Any) -> str:
    text = str(value).strip().replace(" ", "")
    if not (_LOCAL_RE.match(text) or _PUBLIC_RE.match(text)):
        raise vol.Invalid("a local number of 2 to 8 digits, or a public number in E.164 (+4589401000)")
    return text


RANGE_SCHEMA: Final = vol.Schema(
    {
        vol.Required("kind"): vol.In(KINDS, msg="local or public"),
        vol.Required("first"): _number,
        vol.Required("last"): _number,
        vol.Optional("purpose", default="any"): vol.In(PURPOSES, msg=f"one of {', '.join(PURPOSES)}"),
        vol.Optional("label", default=""): vol.All(str, vol.Length(max=80, msg="at most 80 characters")),
        vol.Optional("ivr_dialable", default=False): bool,
    }
)


def validate_range(data: Mapping[str, Any]) -> dict[str, Any]:
    """A range as entered, checked field by field and as a whole (errors name the field)."""
    checked = validated(RANGE_SCHEMA, data, "The number range is invalid")
    first, last, kind = checked["first"], checked["last"], checked["kind"]
    public = kind == "public"
    for field in ("first", "last"):
        if checked[field].startswith("+") != public:
            expected = "a public number in E.164 (+...)" if public else "a local number (digits only)"
            raise ConfigValidationError("The number range is invalid", {field: f"expected {expected}"})
    if len(first) != len(last):
        raise ConfigValidationError(
            "The number range is invalid", {"last": "must have as many digits as first"}
        )
    if last < first:
        raise ConfigValidationError("The number range is invalid", {"last": "must not be below first"})
    if int(last.lstrip("+")) - int(first.lstrip("+")) + 1 > MAX_RANGE_SIZE:
        raise ConfigValidationError(
            "The number range is invalid", {"last": f"at most {MAX_RANGE_SIZE} numbers"}
        )
    return checked


def _row(row: Any) -> NumberRange:
    return NumberRange(
        id=row[0],
        kind=row[1],
        first=row[2],
        last=row[3],
        purpose=row[4],
        label=row[5],
        ivr_dialable=bool(row[6]),
        seeded=bool(row[7]),
    )


_RANGE_COLUMNS: Final = "id, kind, first, last, purpose, label, ivr_dialable, seeded"


def list_ranges(db: sqlite_utils.Database) -> list[NumberRange]:
    ensure_schema(db)
    rows = db.execute(f"SELECT {_RANGE_COLUMNS} FROM number_ranges").fetchall()
    return sorted((_row(r) for r in rows), key=lambda r: (r.kind, len(r.first), r.first))


def get_range(db: sqlite_utils.Database, range_id: int) -> NumberRange:
    ensure_schema(db)
    row = db.execute(f"SELECT {_RANGE_COLUMNS} FROM number_ranges WHERE id = ?", [range_id]).fetchone()
    if row is None:
        raise NotFound(f"No number range with id {range_id}")
    return _row(row)


def _refuse_overlap(db: sqlite_utils.Database, first: str, last: str, exclude_id: int | None) -> None:
    for other in list_ranges(db):
        if other.id == exclude_id or len(other.first) != len(first):
            continue
        if other.first.startswith("+") != first.startswith("+"):
            continue
        if first <= other.last and other.first <= last:
            raise Conflict(f"{first}-{last} overlaps the range {other.first}-{other.last}")


def _insert(db: sqlite_utils.Database, data: Mapping[str, Any], *, seeded: bool = False) -> int:
    cursor = db.execute(
        "INSERT INTO number_ranges (kind, first, last, purpose, label, ivr_dialable, seeded, created) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            data["kind"],
            data["first"],
            data["last"],
            data.get("purpose", "any"),
            data.get("label", ""),
            int(bool(data.get("ivr_dialable", False))),
            int(seeded),
            time.time(),
        ],
    )
    return int(cursor.lastrowid or 0)


def create_range(db: sqlite_utils.Database, data: Mapping[str, Any]) -> NumberRange:
    checked = validate_range(data)
    ensure_schema(db)
    with db.atomic():
        _refuse_overlap(db, checked["first"], checked["last"], None)
        return get_range(db, _insert(db, checked))


def update_range(db: sqlite_utils.Database, range_id: int, data: Mapping[str, Any]) -> NumberRange:
    """Change a range; numbers in use must stay inside some range (NUM-01)."""
    current = get_range(db, range_id)
    editable = ("kind", "first", "last", "purpose", "label", "ivr_dialable")
    checked = validate_range({k: v for k, v in {**current.as_dict(), **data}.items() if k in editable})
    with db.atomic():
        _refuse_overlap(db, checked["first"], checked["last"], range_id)
        db.execute(
            "UPDATE number_ranges SET kind = ?, first = ?, last = ?, purpose = ?, label = ?, "
            "ivr_dialable = ?, seeded = 0 WHERE id = ?",
            [
                checked["kind"],
                checked["first"],
                checked["last"],
                checked["purpose"],
                checked["label"],
                int(checked["ivr_dialable"]),
                range_id,
            ],
        )
        _refuse_stranded(db)
        return get_range(db, range_id)


def delete_range(db: sqlite_utils.Database, range_id: int) -> None:
    get_range(db, range_id)
    with db.atomic():
        db.execute("DELETE FROM number_ranges WHERE id = ?", [range_id])
        _refuse_stranded(db)


def _refuse_stranded(db: sqlite_utils.Database) -> None:
    """Inside a change's transaction: no user line or alias may be left outside every range."""
    ranges = list_ranges(db)
    for number, owner in _assigned(db):
        if not any(r.contains(number) for r in ranges):
            raise Conflict(f"{number} ({owner.describe()}) would be outside every number range")


def reseed(db: sqlite_utils.Database, start: str, end: str) -> bool:
    """The extension range setting changed: ranges nobody edited follow it. False when an admin
    has edited the ranges (or the new ranges would strand a number in use)."""
    ensure_schema(db)
    with db.atomic():
        ranges = list_ranges(db)
        if any(not r.seeded for r in ranges) or any(r.kind != "local" for r in ranges):
            return False
        db.execute("DELETE FROM number_ranges")
        for first, last, purpose in seed_ranges(start, end):
            _insert(db, {"kind": "local", "first": first, "last": last, "purpose": purpose}, seeded=True)
        _refuse_stranded(db)
        return True


# -- owners -----------------------------------------------------------------------------------------
def _assigned(db: sqlite_utils.Database) -> list[tuple[str, Owner]]:
    """Every number owned in the database: user lines (extensions) and aliases."""
    found = [
        (row[0], Owner("user", str(row[1]), f"{row[2]} {row[3]}".strip() or row[4]))
        for row in db.execute(
            "SELECT extension, id, first_name, last_name, username FROM users WHERE extension IS NOT NULL"
        ).fetchall()
    ]
    if db["number_aliases"].exists():
        found += [
            (row[0], Owner("alias", str(row[1]), f"{row[2]} {row[3]}".strip() or row[4]))
            for row in db.execute(
                "SELECT a.number, u.id, u.first_name, u.last_name, u.username FROM number_aliases a "
                "JOIN users u ON u.id = a.user_id"
            ).fetchall()
        ]
    return found


def owned_in_db(db: sqlite_utils.Database) -> dict[str, Owner]:
    ensure_schema(db)
    return dict(_assigned(db))


def stored_claims(db: sqlite_utils.Database) -> dict[str, Owner]:
    ensure_schema(db)
    rows = db.execute("SELECT number, plugin, label FROM number_claims").fetchall()
    return {row[0]: Owner("plugin", row[1], row[2]) for row in rows}


def save_claims(db: sqlite_utils.Database, claims: Mapping[str, Owner]) -> None:
    ensure_schema(db)
    with db.atomic():
        db.execute("DELETE FROM number_claims")
        for number, owner in claims.items():
            db.execute(
                "INSERT INTO number_claims (number, plugin, label) VALUES (?, ?, ?)",
                [number, owner.id, owner.label],
            )


def check_user_number(
    db: sqlite_utils.Database,
    number: str,
    *,
    user_id: int | None,
    field: str,
    claims: Mapping[str, Owner] | None = None,
) -> None:
    """Inside the transaction that gives ``number`` to a user (as extension or alias): it must lie in
    a range (NUM-01, a 400 naming ``field``) and belong to nobody else (NUM-07, a 409 naming the owner)."""
    ensure_schema(db)
    ranges = list_ranges(db)
    if ranges and not any(r.contains(number) for r in ranges):
        spans = ", ".join(f"{r.first}-{r.last}" for r in ranges[:6])
        raise ConfigValidationError(
            "The number is outside every number range",
            {field: f"{number} is outside every number range ({spans})"},
        )
    owner = (stored_claims(db) if claims is None else claims).get(number) or owned_in_db(db).get(number)
    if owner is None or (field == "extension" and owner.kind == "user" and owner.id == str(user_id)):
        return
    raise Conflict(f"{number} already belongs to {owner.describe()}")


def add_alias(db: sqlite_utils.Database, number: str, user_id: int) -> None:
    number = _number(number)
    with db.atomic():
        if db.execute("SELECT 1 FROM users WHERE id = ?", [user_id]).fetchone() is None:
            raise NotFound(f"No user with id {user_id}")
        check_user_number(db, number, user_id=None, field="number")
        db.execute(
            "INSERT INTO number_aliases (number, user_id, created) VALUES (?, ?, ?)",
            [number, user_id, time.time()],
        )


def aliases(db: sqlite_utils.Database) -> dict[str, int]:
    ensure_schema(db)
    return {
        row[0]: int(row[1]) for row in db.execute("SELECT number, user_id FROM number_aliases").fetchall()
    }


def remove_alias(db: sqlite_utils.Database, number: str) -> None:
    ensure_schema(db)
    with db.atomic():
        if not db.execute("DELETE FROM number_aliases WHERE number = ?", [number]).rowcount:
            raise NotFound(f"{number} is not an alias")
