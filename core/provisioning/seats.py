"""Seat SIP accounts of free-seat phones (PROV-09): one per phone, never a user.

A free-seat phone with nobody logged in registers with its seat account, whose only use is to
dial the hot-desk log-in code (the ``hot_desk`` plugin refuses every other call from it, and every
call to it). Its password is random, kept encrypted with the provisioning key like the users'
retrievable SIP passwords (secrets.py) and handed out only in the configuration of the phone it
belongs to; its digest HA1 values are stored for the registrar. The account's SIP id is the seat
row's id negated, so it can never be a user's id in the location service.

The user name starts with a digit, which no user name may (``cv.username``): ``0seat<mac>``.

Every function takes the synchronous database: call them through ``core.db.call``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Final

import sqlite_utils
from cryptography.fernet import Fernet, InvalidToken

from cordboard.core.identity.digest import ha1_pair, sip_realm
from cordboard.core.provisioning.devices import ensure_schema
from cordboard.core.provisioning.secrets import generate_password
from cordboard.core.sip.accounts import SipAccount

USERNAME_PREFIX: Final = "0seat"
DISPLAY_NAME: Final = "Free seat"


@dataclass(frozen=True, slots=True)
class Seat:
    """A free-seat phone's own SIP account (its password stays encrypted until ``password``)."""

    id: int
    mac: str
    username: str

    @property
    def sip_id(self) -> int:
        """The account's id for SIP (registrar, location service): negative, never a user's."""
        return -self.id


def username_for(mac: str) -> str:
    return f"{USERNAME_PREFIX}{mac}"


def create_seat(db: sqlite_utils.Database, fernet: Fernet, mac: str) -> Seat:
    """The phone's seat account, made with a new random password unless it has one."""
    ensure_schema(db)
    with db.atomic():
        seat = find_seat(db, mac)
        if seat is not None:
            return seat
        password = generate_password()
        username = username_for(mac)
        md5, sha256 = ha1_pair(username, sip_realm(db), password)
        token = fernet.encrypt(password.encode()).decode("ascii")
        db.execute(
            "INSERT INTO seats (mac, username, token, ha1_md5, ha1_sha256, created) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [mac, username, token, md5, sha256, time.time()],
        )
    found = find_seat(db, mac)
    assert found is not None
    return found


def delete_seat(db: sqlite_utils.Database, mac: str) -> None:
    ensure_schema(db)
    with db.atomic():
        db.execute("DELETE FROM seats WHERE mac = ?", [mac])


def find_seat(db: sqlite_utils.Database, mac: str) -> Seat | None:
    ensure_schema(db)
    row = db.execute("SELECT id, mac, username FROM seats WHERE mac = ?", [mac]).fetchone()
    return None if row is None else Seat(int(row[0]), str(row[1]), str(row[2]))


def seat_by_sip_id(db: sqlite_utils.Database, sip_id: int) -> Seat | None:
    """The seat whose SIP account id is ``sip_id`` (negative), None for any other id."""
    if sip_id >= 0:
        return None
    ensure_schema(db)
    row = db.execute("SELECT id, mac, username FROM seats WHERE id = ?", [-sip_id]).fetchone()
    return None if row is None else Seat(int(row[0]), str(row[1]), str(row[2]))


def password(db: sqlite_utils.Database, fernet: Fernet, mac: str) -> str | None:
    """The seat's password (for the phone's configuration); None without a seat or a readable token."""
    ensure_schema(db)
    row = db.execute("SELECT token FROM seats WHERE mac = ?", [mac]).fetchone()
    if row is None:
        return None
    try:
        return fernet.decrypt(str(row[0]).encode("ascii")).decode()
    except (InvalidToken, ValueError):
        return None


def set_free_seat(db: sqlite_utils.Database, mac: str, on: bool) -> None:
    """Free seating on or off: either way nobody sits at the phone afterwards (no assigned user)."""
    ensure_schema(db)
    with db.atomic():
        db.execute(
            "UPDATE devices SET free_seat = ?, user_id = NULL, seated_at = NULL, updated = ? WHERE mac = ?",
            [int(on), time.time(), mac],
        )


def set_seated(db: sqlite_utils.Database, mac: str, user_id: int | None) -> None:
    """``user_id`` sits at the free-seat phone ``mac`` (None: nobody); they leave any other seat."""
    ensure_schema(db)
    now = time.time()
    with db.atomic():
        if user_id is not None:
            db.execute(
                "UPDATE devices SET user_id = NULL, seated_at = NULL, updated = ? "
                "WHERE free_seat = 1 AND user_id = ? AND mac != ?",
                [now, user_id, mac],
            )
        db.execute(
            "UPDATE devices SET user_id = ?, seated_at = ?, updated = ? WHERE mac = ? AND free_seat = 1",
            [user_id, now if user_id is not None else None, now, mac],
        )


def sip_accounts(db: sqlite_utils.Database) -> list[SipAccount]:
    """Every seat account as the SIP layer sees accounts (an extra source of ``SipAccounts``)."""
    ensure_schema(db)
    rows = db.execute(
        "SELECT s.id, s.username, s.ha1_md5, s.ha1_sha256 FROM seats s JOIN devices d ON d.mac = s.mac "
        "WHERE d.free_seat = 1"
    ).fetchall()
    return [SipAccount(-int(r[0]), str(r[1]), None, DISPLAY_NAME, str(r[2]), str(r[3]), False) for r in rows]
