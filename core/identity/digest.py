"""SIP digest credentials: the HA1 values stored instead of SIP passwords, and the SIP realm."""

from __future__ import annotations

import hashlib
from typing import Final, Literal

import sqlite_utils

DigestAlgorithm = Literal["MD5", "SHA-256"]
DEFAULT_REALM: Final = "cordboard"
REALM_META_KEY: Final = "sip_realm"


def ha1(username: str, realm: str, password: str, algorithm: DigestAlgorithm = "MD5") -> str:
    """Hex ``H(username:realm:password)`` (RFC 2617 / RFC 8760)."""
    data = f"{username}:{realm}:{password}".encode()
    if algorithm == "MD5":
        return hashlib.md5(data, usedforsecurity=False).hexdigest()
    if algorithm == "SHA-256":
        return hashlib.sha256(data).hexdigest()
    raise ValueError(f"unsupported digest algorithm {algorithm!r}")


def ha1_pair(username: str, realm: str, password: str) -> tuple[str, str]:
    """(HA1 MD5, HA1 SHA-256): the two values stored for a SIP password."""
    return ha1(username, realm, password, "MD5"), ha1(username, realm, password, "SHA-256")


def sip_realm(db: sqlite_utils.Database) -> str:
    """The SIP digest realm (meta ``sip_realm``, default ``cordboard``).

    Every HA1 depends on it: changing the realm means every SIP password must be set again.
    """
    row = db.execute("SELECT value FROM meta WHERE key = ?", [REALM_META_KEY]).fetchone()
    return str(row[0]) if row and row[0] else DEFAULT_REALM
