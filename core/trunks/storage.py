"""The trunks' tables (storage component ``core.trunks``): trunks, their encrypted passwords and
the outbound routes. Passwords are Fernet tokens under the data folder's key (as users' SIP
passwords for provisioning, core/provisioning/secrets.py); nothing here returns one to the API."""

from __future__ import annotations

import json
import time
from typing import Any, Final

import sqlite_utils
from cryptography.fernet import Fernet, InvalidToken

from cordboard.core.exceptions import ConfigValidationError, Conflict, NotFound
from cordboard.core.storage.migrations import Migration, migrate
from cordboard.core.trunks.model import OutboundRoute, Trunk, check_complete

COMPONENT: Final = "core.trunks"


def _v1(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE trunks (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE,
            config TEXT NOT NULL,
            password TEXT NOT NULL DEFAULT '',
            created REAL NOT NULL,
            updated REAL NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE outbound_routes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            prefix TEXT NOT NULL UNIQUE,
            trunks TEXT NOT NULL,
            created REAL NOT NULL
        )"""
    )


def _v2_number_types(db: sqlite_utils.Database) -> None:
    """Routes by the dial plan's number type as well as by prefix: unique per (prefix, type)."""
    db.execute(
        """CREATE TABLE outbound_routes_v2 (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            prefix TEXT NOT NULL DEFAULT '',
            number_type TEXT NOT NULL DEFAULT '',
            trunks TEXT NOT NULL,
            created REAL NOT NULL,
            UNIQUE (prefix, number_type)
        )"""
    )
    db.execute(
        "INSERT INTO outbound_routes_v2 (id, prefix, trunks, created) "
        "SELECT id, prefix, trunks, created FROM outbound_routes"
    )
    db.execute("DROP TABLE outbound_routes")
    db.execute("ALTER TABLE outbound_routes_v2 RENAME TO outbound_routes")


MIGRATIONS: Final = (
    Migration(1, "trunks and outbound routes", _v1),
    Migration(2, "outbound routes by number type", _v2_number_types),
)


def ensure_schema(db: sqlite_utils.Database) -> None:
    migrate(db, COMPONENT, MIGRATIONS)


def _trunk(row: tuple[Any, ...]) -> Trunk:
    config = json.loads(row[2])
    known = {k: v for k, v in config.items() if k in Trunk.__dataclass_fields__}
    return Trunk(id=int(row[0]), name=str(row[1]), **known)


def load_trunks(db: sqlite_utils.Database) -> list[Trunk]:
    ensure_schema(db)
    rows = db.execute("SELECT id, name, config FROM trunks ORDER BY id").fetchall()
    return [_trunk(r) for r in rows]


def get_trunk(db: sqlite_utils.Database, trunk_id: int) -> Trunk:
    ensure_schema(db)
    row = db.execute("SELECT id, name, config FROM trunks WHERE id = ?", [trunk_id]).fetchone()
    if row is None:
        raise NotFound(f"No trunk {trunk_id}")
    return _trunk(row)


def _config(trunk: Trunk) -> str:
    data = trunk.as_dict()
    data.pop("id")
    data.pop("name")
    return json.dumps(data)


def _check(trunk: Trunk) -> None:
    errors = check_complete(trunk)
    if errors:
        raise ConfigValidationError("The trunk is incomplete", errors)


def create_trunk(db: sqlite_utils.Database, fernet: Fernet, data: dict[str, Any]) -> Trunk:
    ensure_schema(db)
    password = data.pop("password", "")
    trunk = Trunk(**data)
    _check(trunk)
    now = time.time()
    with db.atomic():
        if db.execute("SELECT 1 FROM trunks WHERE name = ?", [trunk.name]).fetchone():
            raise Conflict(f"A trunk named {trunk.name!r} exists already")
        cursor = db.execute(
            "INSERT INTO trunks (name, config, password, created, updated) VALUES (?, ?, ?, ?, ?)",
            [trunk.name, _config(trunk), _encrypt(fernet, password), now, now],
        )
        trunk.id = int(cursor.lastrowid or 0)
    return trunk


def update_trunk(db: sqlite_utils.Database, fernet: Fernet, trunk_id: int, changes: dict[str, Any]) -> Trunk:
    trunk = get_trunk(db, trunk_id)
    password = changes.pop("password", None)
    for key, value in changes.items():
        setattr(trunk, key, value)
    _check(trunk)
    with db.atomic():
        db.execute(
            "UPDATE trunks SET config = ?, updated = ? WHERE id = ?", [_config(trunk), time.time(), trunk_id]
        )
        if password is not None:
            db.execute("UPDATE trunks SET password = ? WHERE id = ?", [_encrypt(fernet, password), trunk_id])
    return trunk


def delete_trunk(db: sqlite_utils.Database, trunk_id: int) -> Trunk:
    trunk = get_trunk(db, trunk_id)
    with db.atomic():
        db.execute("DELETE FROM trunks WHERE id = ?", [trunk_id])
        for route in routes(db):
            if trunk.name in route.trunks:
                left = [t for t in route.trunks if t != trunk.name]
                if left:
                    db.execute(
                        "UPDATE outbound_routes SET trunks = ? WHERE id = ?", [json.dumps(left), route.id]
                    )
                else:
                    db.execute("DELETE FROM outbound_routes WHERE id = ?", [route.id])
    return trunk


def password_of(db: sqlite_utils.Database, fernet: Fernet, name: str) -> str:
    ensure_schema(db)
    row = db.execute("SELECT password FROM trunks WHERE name = ?", [name]).fetchone()
    if row is None or not row[0]:
        return ""
    try:
        return fernet.decrypt(str(row[0]).encode("ascii")).decode()
    except (InvalidToken, ValueError):
        return ""


def _encrypt(fernet: Fernet, password: str) -> str:
    return fernet.encrypt(password.encode()).decode("ascii") if password else ""


def routes(db: sqlite_utils.Database) -> list[OutboundRoute]:
    ensure_schema(db)
    rows = db.execute(
        "SELECT id, prefix, trunks, number_type FROM outbound_routes ORDER BY number_type, prefix"
    ).fetchall()
    return [OutboundRoute(str(r[1]), tuple(json.loads(r[2])), int(r[0]), str(r[3])) for r in rows]


def save_route(
    db: sqlite_utils.Database,
    prefix: str,
    trunks: list[str],
    route_id: int | None = None,
    number_type: str = "",
) -> OutboundRoute:
    ensure_schema(db)
    if not prefix and not number_type:
        raise ConfigValidationError(
            "The route matches nothing", {"prefix": "a prefix or a number type is needed"}
        )
    known = {t.name for t in load_trunks(db)}
    unknown = [t for t in trunks if t not in known]
    if unknown:
        raise ConfigValidationError("Unknown trunk", {"trunks": f"no trunk named {', '.join(unknown)}"})
    with db.atomic():
        clash = db.execute(
            "SELECT id FROM outbound_routes WHERE prefix = ? AND number_type = ?", [prefix, number_type]
        ).fetchone()
        if clash is not None and int(clash[0]) != route_id:
            raise Conflict(f"A route for {number_type or prefix!r} exists already")
        if route_id is None:
            cursor = db.execute(
                "INSERT INTO outbound_routes (prefix, number_type, trunks, created) VALUES (?, ?, ?, ?)",
                [prefix, number_type, json.dumps(trunks), time.time()],
            )
            route_id = int(cursor.lastrowid or 0)
        elif not db.execute(
            "UPDATE outbound_routes SET prefix = ?, number_type = ?, trunks = ? WHERE id = ?",
            [prefix, number_type, json.dumps(trunks), route_id],
        ).rowcount:
            raise NotFound(f"No outbound route {route_id}")
    return OutboundRoute(prefix, tuple(trunks), route_id, number_type)


def delete_route(db: sqlite_utils.Database, route_id: int) -> None:
    ensure_schema(db)
    with db.atomic():
        if not db.execute("DELETE FROM outbound_routes WHERE id = ?", [route_id]).rowcount:
            raise NotFound(f"No outbound route {route_id}")


__all__ = [
    "COMPONENT",
    "create_trunk",
    "delete_route",
    "delete_trunk",
    "ensure_schema",
    "get_trunk",
    "load_trunks",
    "password_of",
    "routes",
    "save_route",
    "update_trunk",
]
