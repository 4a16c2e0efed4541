"""The device list (PROV-05/06/10/13): desk phones by MAC in SQLite, with their vendor, model,
firmware, last address, description, assigned user (line 1), source and last provisioning fetch.

The table belongs to the storage component ``core.provisioning`` with its own migrations, run on
first use (``ensure_schema``), like the organisation's prompts. A phone's state is derived: a user
assigned is "assigned", none is "not_provisioned"; a phone in free-seating mode (PROV-09, hot_desk.py)
is "seated" while a user is logged in on it and "free_seat" while nobody is.

Every function takes the synchronous database: call them through ``core.db.call``.
"""

from __future__ import annotations

import csv
import io
import re
import time
from dataclasses import dataclass
from typing import Any, Final, Literal

import sqlite_utils
import voluptuous as vol

from cordboard.core.config import validation as cv
from cordboard.core.exceptions import ConfigValidationError, Conflict, NotFound
from cordboard.core.http.errors import invalid_fields
from cordboard.core.storage.migrations import Migration, migrate

COMPONENT: Final = "core.provisioning"
SOURCES: Final = ("pnp", "http", "manual", "zeroconf", "csv")
DESCRIPTION_MAX: Final = 200
MODEL_MAX: Final = 64
CSV_MAX_ROWS: Final = 5000
STATE_ASSIGNED: Final = "assigned"
STATE_NOT_PROVISIONED: Final = "not_provisioned"
STATE_SEATED: Final = "seated"
STATE_FREE_SEAT: Final = "free_seat"
DeviceState = Literal["assigned", "not_provisioned", "seated", "free_seat"]
_MAC_SEPARATORS: Final = re.compile(r"[:\-. ]")
_MAC_RE: Final = re.compile(r"^[0-9a-f]{12}$")
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")


def _v1_devices(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE devices (
            mac TEXT PRIMARY KEY,
            vendor TEXT NOT NULL DEFAULT '',
            model TEXT NOT NULL DEFAULT '',
            firmware TEXT NOT NULL DEFAULT '',
            last_ip TEXT NOT NULL DEFAULT '',
            description TEXT NOT NULL DEFAULT '',
            user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            source TEXT NOT NULL,
            first_seen REAL,
            last_seen REAL,
            last_fetch TEXT NOT NULL DEFAULT '',
            created REAL NOT NULL,
            updated REAL NOT NULL
        )"""
    )
    db.execute("CREATE INDEX devices_user ON devices (user_id)")
    # The SIP passwords of users with a provisioned phone, encrypted (secrets.py): the identity
    # keeps only HA1 values, and a phone needs the password itself.
    db.execute(
        """CREATE TABLE sip_secrets (
            user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            token TEXT NOT NULL,
            updated REAL NOT NULL
        )"""
    )


def _v2_key_templates(db: sqlite_utils.Database) -> None:
    # Key templates (PROV-08, key_templates.py): the keys from 2 on as JSON rows; at most one is
    # the organisation's default. A user's layout names their template (NULL: the default) and
    # their own keys, which override the template's by index.
    db.execute(
        """CREATE TABLE key_templates (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            keys TEXT NOT NULL DEFAULT '[]',
            is_default INTEGER NOT NULL DEFAULT 0,
            created REAL NOT NULL,
            updated REAL NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE user_keys (
            user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            template_id INTEGER REFERENCES key_templates(id) ON DELETE SET NULL,
            keys TEXT NOT NULL DEFAULT '[]',
            updated REAL NOT NULL
        )"""
    )
    db.execute("CREATE INDEX user_keys_template ON user_keys (template_id)")


def _v3_free_seating(db: sqlite_utils.Database) -> None:
    # Free seating (PROV-06/09, hot_desk.py): a free-seat phone's user_id is whoever is logged in
    # on it (NULL: nobody), since seated_at. Each free-seat phone has a seat SIP account of its
    # own (seats.py), with a random password kept encrypted like the users' and its digest HA1s;
    # its id, negated, is the account's id in the SIP location service.
    db.execute("ALTER TABLE devices ADD COLUMN free_seat INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE devices ADD COLUMN seated_at REAL")
    db.execute(
        """CREATE TABLE seats (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            mac TEXT NOT NULL UNIQUE REFERENCES devices(mac) ON DELETE CASCADE,
            username TEXT NOT NULL UNIQUE,
            token TEXT NOT NULL,
            ha1_md5 TEXT NOT NULL,
            ha1_sha256 TEXT NOT NULL,
            created REAL NOT NULL
        )"""
    )


MIGRATIONS: Final = (
    Migration(1, "desk phones and their users' retrievable SIP passwords", _v1_devices),
    Migration(2, "key templates and users' key layouts", _v2_key_templates),
    Migration(
        3, "free seating: free-seat phones, who sits at them and their seat SIP accounts", _v3_free_seating
    ),
)


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create or upgrade the tables (cheap when they are current: one query)."""
    migrate(db, COMPONENT, MIGRATIONS)


# -- validators --------------------------------------------------------------------------------


def normalise_mac(value: Any) -> str:
    """Twelve lower-case hex digits: ``00:04:13:A1:B2:C3``, ``0004-13a1-b2c3`` and ``000413a1b2c3`` are
    the same phone; anything else is refused (vol.Invalid)."""
    if not isinstance(value, str):
        raise vol.Invalid("expected a MAC address such as 00:04:13:a1:b2:c3")
    text = _MAC_SEPARATORS.sub("", value.strip()).lower()
    if not _MAC_RE.match(text):
        raise vol.Invalid("expected a MAC address such as 00:04:13:a1:b2:c3 (12 hex digits)")
    if text in ("000000000000", "ffffffffffff") or int(text[1], 16) & 1:
        raise vol.Invalid("expected the MAC address of one phone (not a group or broadcast address)")
    return text


def mac_or_none(value: str) -> str | None:
    try:
        return normalise_mac(value)
    except vol.Invalid:
        return None


def _text(limit: int) -> Any:
    def check(value: Any) -> str:
        text = " ".join(cv.string(value).split())
        if len(text) > limit:
            raise vol.Invalid(f"at most {limit} characters")
        if _CONTROL.search(text):
            raise vol.Invalid("no control characters")
        return text

    return check


description = _text(DESCRIPTION_MAX)
model = _text(MODEL_MAX)


def _user_id(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise vol.Invalid("expected a user id or null")
    return value


CREATE_SCHEMA: Final = vol.Schema(
    {
        vol.Required("mac"): normalise_mac,
        vol.Optional("model", default=""): model,
        vol.Optional("vendor", default=""): _text(32),
        vol.Optional("description", default=""): description,
        vol.Optional("user_id"): _user_id,
    },
    extra=vol.PREVENT_EXTRA,
)
UPDATE_SCHEMA: Final = vol.Schema(
    {
        vol.Optional("description"): description,
        vol.Optional("model"): model,
        vol.Optional("user_id"): _user_id,
    },
    extra=vol.PREVENT_EXTRA,
)


def validate(schema: vol.Schema, data: Any) -> dict[str, Any]:
    """``data`` checked by ``schema``; ConfigValidationError names every bad field."""
    try:
        return dict(schema(data))
    except vol.Invalid as err:
        raise ConfigValidationError("Some device fields are invalid", invalid_fields(err)) from None


# -- the model ---------------------------------------------------------------------------------


class DeviceExists(Conflict):
    """A phone with this MAC is already in the list."""

    field = "mac"


@dataclass(frozen=True, slots=True)
class Device:
    """One desk phone of the device list."""

    mac: str
    vendor: str
    model: str
    firmware: str
    last_ip: str
    description: str
    user_id: int | None
    source: str
    first_seen: float | None
    last_seen: float | None
    last_fetch: str
    """The last provisioning fetch: ``<time> <path> <result>`` (e.g. ``served``, ``refused``)."""
    created: float
    updated: float
    free_seat: bool = False
    """Free seating (PROV-09): no fixed user; ``user_id`` is the user logged in on it, if any."""
    seated_at: float | None = None

    @property
    def state(self) -> DeviceState:
        if self.free_seat:
            return STATE_SEATED if self.user_id is not None else STATE_FREE_SEAT
        return STATE_ASSIGNED if self.user_id is not None else STATE_NOT_PROVISIONED

    def as_dict(self) -> dict[str, Any]:
        return {
            "mac": self.mac,
            "vendor": self.vendor,
            "model": self.model,
            "firmware": self.firmware,
            "ip": self.last_ip,
            "description": self.description or self.last_ip,
            "user_id": self.user_id,
            "state": self.state,
            "source": self.source,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "last_fetch": self.last_fetch,
            "created": self.created,
            "updated": self.updated,
            "free_seat": self.free_seat,
            "seated_at": self.seated_at,
        }


_COLUMNS: Final = (
    "mac, vendor, model, firmware, last_ip, description, user_id, source, first_seen, last_seen, "
    "last_fetch, created, updated"
)
_SELECT: Final = f"{_COLUMNS}, free_seat, seated_at"


def _row(row: Any) -> Device:
    return Device(
        str(row[0]),
        str(row[1]),
        str(row[2]),
        str(row[3]),
        str(row[4]),
        str(row[5]),
        None if row[6] is None else int(row[6]),
        str(row[7]),
        None if row[8] is None else float(row[8]),
        None if row[9] is None else float(row[9]),
        str(row[10]),
        float(row[11]),
        float(row[12]),
        bool(row[13]),
        None if row[14] is None else float(row[14]),
    )


def list_devices(db: sqlite_utils.Database) -> list[Device]:
    ensure_schema(db)
    return [_row(r) for r in db.execute(f"SELECT {_SELECT} FROM devices ORDER BY mac").fetchall()]


def find_device(db: sqlite_utils.Database, mac: str) -> Device | None:
    ensure_schema(db)
    row = db.execute(f"SELECT {_SELECT} FROM devices WHERE mac = ?", [mac]).fetchone()
    return None if row is None else _row(row)


def get_device(db: sqlite_utils.Database, mac: str) -> Device:
    device = find_device(db, mac)
    if device is None:
        raise NotFound(f"No phone with MAC {mac}")
    return device


def _check_user(db: sqlite_utils.Database, user_id: int | None) -> None:
    if user_id is not None and db.execute("SELECT 1 FROM users WHERE id = ?", [user_id]).fetchone() is None:
        raise ConfigValidationError("No such user", {"user_id": f"no user with id {user_id}"})


def add_device(
    db: sqlite_utils.Database,
    *,
    mac: str,
    source: str,
    vendor: str = "",
    model: str = "",
    firmware: str = "",
    ip: str = "",
    description: str = "",
    user_id: int | None = None,
    seen: bool = False,
) -> Device:
    """Add a phone; DeviceExists when the MAC is already listed."""
    ensure_schema(db)
    if source not in SOURCES:
        raise ValueError(f"unknown device source {source!r}")
    now = time.time()
    with db.atomic():
        if find_device(db, mac) is not None:
            raise DeviceExists(f"A phone with MAC {mac} is already in the list")
        _check_user(db, user_id)
        seen_at = now if seen else None
        db.execute(
            f"INSERT INTO devices ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?)",
            [mac, vendor, model, firmware, ip, description, user_id, source, seen_at, seen_at, now, now],
        )
    return get_device(db, mac)


def update_device(db: sqlite_utils.Database, mac: str, changes: dict[str, Any]) -> Device:
    """Change description, model or the assigned user (None: no user)."""
    ensure_schema(db)
    with db.atomic():
        device = get_device(db, mac)
        if "user_id" in changes:
            _check_user(db, changes["user_id"])
            if device.free_seat and changes["user_id"] is not None:
                raise ConfigValidationError(
                    "A free-seat phone has no fixed user",
                    {"user_id": "users log in on a free-seat phone; turn free seating off to assign one"},
                )
        columns = {k: v for k, v in changes.items() if k in ("description", "model", "user_id")}
        if "user_id" in columns:
            columns["seated_at"] = None
        if columns:
            assignments = ", ".join(f"{col} = ?" for col in columns)
            db.execute(
                f"UPDATE devices SET {assignments}, updated = ? WHERE mac = ?",
                [*columns.values(), time.time(), mac],
            )
    return get_device(db, mac)


def delete_device(db: sqlite_utils.Database, mac: str) -> None:
    ensure_schema(db)
    with db.atomic():
        if db.execute("DELETE FROM devices WHERE mac = ?", [mac]).rowcount == 0:
            raise NotFound(f"No phone with MAC {mac}")


def record_seen(
    db: sqlite_utils.Database,
    mac: str,
    *,
    ip: str,
    vendor: str = "",
    model: str = "",
    firmware: str = "",
    fetch: str | None = None,
) -> Device:
    """The phone was heard from (a plug-and-play request or a provisioning fetch): its address and
    whatever it said about itself; empty values leave what is stored."""
    ensure_schema(db)
    now = time.time()
    with db.atomic():
        db.execute(
            "UPDATE devices SET last_ip = ?, last_seen = ?, first_seen = COALESCE(first_seen, ?), "
            "vendor = CASE WHEN ? != '' THEN ? ELSE vendor END, "
            "model = CASE WHEN ? != '' THEN ? ELSE model END, "
            "firmware = CASE WHEN ? != '' THEN ? ELSE firmware END, "
            "last_fetch = COALESCE(?, last_fetch), updated = ? WHERE mac = ?",
            [ip, now, now, vendor, vendor, model, model, firmware, firmware, fetch, now, mac],
        )
    return get_device(db, mac)


def devices_of_user(db: sqlite_utils.Database, user_id: int) -> list[Device]:
    ensure_schema(db)
    rows = db.execute(f"SELECT {_SELECT} FROM devices WHERE user_id = ? ORDER BY mac", [user_id]).fetchall()
    return [_row(r) for r in rows]


# -- CSV import (PROV-13) ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CsvRow:
    line: int
    mac: str
    model: str
    description: str


def parse_csv(text: str) -> list[CsvRow]:
    """Rows of ``mac,model,description`` (a header row naming them is optional); every bad row is
    named in one ConfigValidationError (``line <n>``)."""
    reader = csv.reader(io.StringIO(text))
    rows: list[CsvRow] = []
    errors: dict[str, str] = {}
    seen: set[str] = set()
    for number, cells in enumerate(reader, start=1):
        if not cells or all(not c.strip() for c in cells):
            continue
        if number == 1 and cells[0].strip().lower() == "mac":
            continue
        if len(rows) >= CSV_MAX_ROWS:
            errors[f"line {number}"] = f"at most {CSV_MAX_ROWS} phones per file"
            break
        padded = [*cells, "", ""][:3]
        try:
            mac = normalise_mac(padded[0])
            row = CsvRow(number, mac, model(padded[1]), description(padded[2]))
        except vol.Invalid as err:
            errors[f"line {number}"] = err.msg
            continue
        if mac in seen:
            errors[f"line {number}"] = f"MAC {mac} appears twice"
            continue
        seen.add(mac)
        rows.append(row)
    if errors:
        raise ConfigValidationError("Some rows of the file are invalid", errors)
    return rows


def import_rows(db: sqlite_utils.Database, rows: list[CsvRow]) -> tuple[int, int]:
    """Add the phones not yet listed, update model and description of those listed; (added, updated)."""
    ensure_schema(db)
    added = updated = 0
    now = time.time()
    with db.atomic():
        for row in rows:
            if find_device(db, row.mac) is None:
                db.execute(
                    f"INSERT INTO devices ({_COLUMNS}) VALUES (?, '', ?, '', '', ?, NULL, 'csv', NULL, NULL, "
                    "'', ?, ?)",
                    [row.mac, row.model, row.description, now, now],
                )
                added += 1
            else:
                db.execute(
                    "UPDATE devices SET model = CASE WHEN ? != '' THEN ? ELSE model END, "
                    "description = CASE WHEN ? != '' THEN ? ELSE description END, updated = ? WHERE mac = ?",
                    [row.model, row.model, row.description, row.description, now, row.mac],
                )
                updated += 1
    return added, updated
