"""Users and user groups: the synchronous repository over the users, user_groups and group_members tables.

Every function takes a ``sqlite_utils.Database`` so the CLI can use it without a running core; the
async ``IdentityService`` runs the same functions on the database thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import sqlite_utils
import voluptuous as vol

from cordboard.core.config import validation as cv
from cordboard.core.exceptions import ConfigValidationError, Conflict, NotFound
from cordboard.core.http.errors import validated
from cordboard.core.identity import fields
from cordboard.core.identity.digest import ha1_pair, sip_realm
from cordboard.core.identity.passwords import hash_secret, verify_secret

_LOGGER = logging.getLogger(__name__)

SIP_PASSWORD_MIN: Final = 12
REQUIRED_FIELDS: Final = ("username", "first_name", "last_name", "email")


def sip_password(value: Any) -> str:
    """A SIP password: 12 to 128 characters (phones are attacked for toll fraud, so longer than a web one)."""
    if not isinstance(value, str):
        raise vol.Invalid("expected text")
    if len(value) < SIP_PASSWORD_MIN:
        raise vol.Invalid(f"a SIP password has at least {SIP_PASSWORD_MIN} characters")
    if len(value) > 128:
        raise vol.Invalid("a SIP password has at most 128 characters")
    return value


PROFILE_VALIDATORS: Final[dict[str, Any]] = {
    "username": cv.username,
    "first_name": fields.name,
    "last_name": fields.name,
    "email": cv.email,
    "phone": fields.phone,
    "mobile": fields.phone,
    "extension": fields.optional_extension,
    "language": fields.language,
    "timezone": fields.optional_timezone,
    "role": fields.role,
}
"""Fields that create_user and update_user accept (update_user also takes ``locked`` and ``sip_password``)."""

CREATE_SCHEMA: Final = vol.Schema(
    {
        **{
            (vol.Required(key) if key in REQUIRED_FIELDS else vol.Optional(key)): validator
            for key, validator in PROFILE_VALIDATORS.items()
        },
        vol.Optional("password"): cv.password,
        vol.Optional("pin"): cv.pin,
        vol.Optional("sip_password"): sip_password,
    },
    extra=vol.PREVENT_EXTRA,
)
UPDATE_SCHEMA: Final = vol.Schema(
    {
        **{vol.Optional(key): validator for key, validator in PROFILE_VALIDATORS.items()},
        vol.Optional("locked"): cv.boolean,
        vol.Optional("sip_password"): sip_password,
    },
    extra=vol.PREVENT_EXTRA,
)
GROUP_SCHEMA: Final = vol.Schema(
    {vol.Optional("name"): fields.name, vol.Optional("description"): fields.description},
    extra=vol.PREVENT_EXTRA,
)
_USER_COLUMNS: Final = (
    "id, username, first_name, last_name, email, phone, mobile, extension, language, timezone, role, "
    "locked, created, updated, password_hash IS NOT NULL, pin_hash IS NOT NULL, ha1_md5 IS NOT NULL"
)
_SEARCH_COLUMNS: Final = ("username", "first_name", "last_name", "email", "phone", "mobile", "extension")


@dataclass(frozen=True, slots=True)
class User:
    """A user as the rest of Cordboard sees it: never any secret or hash."""

    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    phone: str | None
    mobile: str | None
    extension: str | None
    language: str
    timezone: str | None
    role: str
    locked: bool
    created: float
    updated: float
    groups: list[int] = field(default_factory=list)
    """Ids of the user's groups, highest-ranked group (priority 1) first."""
    has_password: bool = False
    has_pin: bool = False
    has_sip_password: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def aor(self, domain: str) -> str:
        return user_aor(self.username, domain)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "username": self.username,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
            "phone": self.phone,
            "mobile": self.mobile,
            "extension": self.extension,
            "language": self.language,
            "timezone": self.timezone,
            "role": self.role,
            "locked": self.locked,
            "created": self.created,
            "updated": self.updated,
            "groups": list(self.groups),
            "has_password": self.has_password,
            "has_pin": self.has_pin,
            "has_sip_password": self.has_sip_password,
        }


@dataclass(frozen=True, slots=True)
class Group:
    """A user group; ``priority`` 1 is the highest rank in the organisation's ordered list (SET-02)."""

    id: int
    name: str
    description: str
    priority: int
    members: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "priority": self.priority,
            "members": list(self.members),
        }


def user_aor(username: str, domain: str) -> str:
    """The SIP address-of-record derived from the username (USR-03): ``sip:anna@pbx.local``."""
    return f"sip:{username}@{domain}"


# -- validation helpers -------------------------------------------------------------------------


def _validate_one(field_name: str, validator: Any, value: Any) -> Any:
    try:
        return validator(value)
    except vol.Invalid as err:
        raise ConfigValidationError(
            f"Invalid {field_name.replace('_', ' ')}", {field_name: err.msg}
        ) from None


def _check_unique(
    db: sqlite_utils.Database, *, username: str | None, extension: str | None, exclude_id: int | None
) -> None:
    other = -1 if exclude_id is None else exclude_id
    if username is not None:
        row = db.execute("SELECT 1 FROM users WHERE username = ? AND id != ?", [username, other]).fetchone()
        if row:
            raise Conflict(f"username {username} is already taken")
    if extension is not None:
        row = db.execute(
            "SELECT username FROM users WHERE extension = ? AND id != ?", [extension, other]
        ).fetchone()
        if row:
            raise Conflict(f"extension {extension} already belongs to {row[0]}")
        # NUM-01/NUM-07: inside a number range, and not an alias or a plugin's number.
        from cordboard.core.numbers.storage import check_user_number

        check_user_number(db, extension, user_id=exclude_id, field="extension")


def _refuse_last_admin(db: sqlite_utils.Database, user: User, action: str) -> None:
    """ROLE-02: never leave the system without an unlocked administrator."""
    if not user.is_admin or user.locked:
        return
    (others,) = db.execute(
        "SELECT COUNT(*) FROM users WHERE role = 'admin' AND locked = 0 AND id != ?", [user.id]
    ).fetchone()
    if others == 0:
        raise Conflict(
            f"{user.username} is the last administrator who is not locked; "
            f"make another user an administrator before you {action} this one"
        )


def _delete_scoped_settings(db: sqlite_utils.Database, scope: str, scope_id: int) -> None:
    db.execute("DELETE FROM setting_values WHERE scope = ? AND scope_id = ?", [scope, str(scope_id)])


# -- reading users ------------------------------------------------------------------------------


def _memberships(db: sqlite_utils.Database, user_ids: Sequence[int] | None) -> dict[int, list[int]]:
    sql = "SELECT gm.user_id, gm.group_id FROM group_members gm JOIN user_groups g ON g.id = gm.group_id"
    params: list[Any] = []
    if user_ids is not None:
        sql += f" WHERE gm.user_id IN ({', '.join('?' for _ in user_ids)})"
        params = list(user_ids)
    result: dict[int, list[int]] = {}
    for user_id, group_id in db.execute(sql + " ORDER BY g.priority", params).fetchall():
        result.setdefault(int(user_id), []).append(int(group_id))
    return result


def _user_from_row(row: Sequence[Any], groups: list[int]) -> User:
    return User(
        id=int(row[0]),
        username=row[1],
        first_name=row[2],
        last_name=row[3],
        email=row[4],
        phone=row[5],
        mobile=row[6],
        extension=row[7],
        language=row[8],
        timezone=row[9],
        role=row[10],
        locked=bool(row[11]),
        created=float(row[12]),
        updated=float(row[13]),
        groups=groups,
        has_password=bool(row[14]),
        has_pin=bool(row[15]),
        has_sip_password=bool(row[16]),
    )


def level_missing(db: sqlite_utils.Database, scope: str, scope_id: int | None) -> str | None:
    """Why a level (the organisation, a group, a user) that something is attached to does not
    exist, in words for a field error (``no group with id 7``); None when it exists."""
    if scope == "org":
        return None if scope_id is None else "the organisation's level has no id"
    table = {"group": "user_groups", "user": "users"}[scope]
    if scope_id is None or db.execute(f"SELECT 1 FROM {table} WHERE id = ?", [scope_id]).fetchone() is None:
        return f"no {scope} with id {scope_id}"
    return None


def get_user(db: sqlite_utils.Database, user_id: int) -> User:
    """The user with this id; raises NotFound."""
    row = db.execute(f"SELECT {_USER_COLUMNS} FROM users WHERE id = ?", [user_id]).fetchone()
    if row is None:
        raise NotFound(f"No user with id {user_id}")
    return _user_from_row(row, _memberships(db, [int(row[0])]).get(int(row[0]), []))


def get_user_by_username(db: sqlite_utils.Database, username: str) -> User:
    """The user with this username (case-insensitive); raises NotFound."""
    row = db.execute(
        f"SELECT {_USER_COLUMNS} FROM users WHERE username = ?", [username.strip().lower()]
    ).fetchone()
    if row is None:
        raise NotFound(f"No user named {username}")
    return _user_from_row(row, _memberships(db, [int(row[0])]).get(int(row[0]), []))


def list_users(db: sqlite_utils.Database, search: str | None = None) -> list[User]:
    """All users by username; ``search`` keeps those where every word appears in some text field."""
    sql = f"SELECT {_USER_COLUMNS} FROM users"
    params: list[Any] = []
    terms = (search or "").split()
    if terms:
        clauses = []
        for term in terms:
            pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            clauses.append(
                "(" + " OR ".join(f"COALESCE({col}, '') LIKE ? ESCAPE '\\'" for col in _SEARCH_COLUMNS) + ")"
            )
            params.extend([pattern] * len(_SEARCH_COLUMNS))
        sql += " WHERE " + " AND ".join(clauses)
    rows = db.execute(sql + " ORDER BY username", params).fetchall()
    groups = _memberships(db, None)
    return [_user_from_row(row, groups.get(int(row[0]), [])) for row in rows]


def admin_count(db: sqlite_utils.Database, *, include_locked: bool = True) -> int:
    sql = "SELECT COUNT(*) FROM users WHERE role = 'admin'" + ("" if include_locked else " AND locked = 0")
    return int(db.execute(sql).fetchone()[0])


def password_hash_for(db: sqlite_utils.Database, username: str) -> tuple[User, str | None] | None:
    """The user and their password hash, for the log-in check only; None if the username is unknown."""
    row = db.execute(
        "SELECT id, password_hash FROM users WHERE username = ?", [username.strip().lower()]
    ).fetchone()
    if row is None:
        return None
    return get_user(db, int(row[0])), row[1]


def password_hash_of(db: sqlite_utils.Database, user_id: int) -> str | None:
    row = db.execute("SELECT password_hash FROM users WHERE id = ?", [user_id]).fetchone()
    if row is None:
        raise NotFound(f"No user with id {user_id}")
    return None if row[0] is None else str(row[0])


def verify_pin(db: sqlite_utils.Database, user_id: int, pin: str) -> bool:
    """Whether ``pin`` is the user's PIN (voicemail by phone, hot-desk log-in); False if none is set."""
    row = db.execute("SELECT pin_hash FROM users WHERE id = ?", [user_id]).fetchone()
    if row is None:
        raise NotFound(f"No user with id {user_id}")
    return verify_secret(pin, row[0])


# -- writing users ------------------------------------------------------------------------------


def create_user(
    db: sqlite_utils.Database,
    *,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    password: str | None = None,
    pin: str | None = None,
    sip_password: str | None = None,
    extension: str | None = None,
    role: str = "user",
    phone: str | None = None,
    mobile: str | None = None,
    language: str | None = None,
    timezone: str | None = None,
    groups: Iterable[int] = (),
) -> User:
    """Create a user (USR-01: username, first and last name and e-mail are required).

    Invalid fields raise ConfigValidationError naming each field; a taken username or extension
    raises Conflict.
    """
    raw: dict[str, Any] = {
        "username": username,
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
        "phone": phone,
        "mobile": mobile,
        "extension": extension,
        "language": language,
        "timezone": timezone,
        "role": role,
        "password": password,
        "pin": pin,
        "sip_password": sip_password,
    }
    data = validated(
        CREATE_SCHEMA,
        {k: v for k, v in raw.items() if v is not None and not (k in REQUIRED_FIELDS and v == "")},
        "Some user fields are invalid",
    )
    group_ids = list(dict.fromkeys(int(g) for g in groups))
    password_hash = hash_secret(data["password"]) if "password" in data else None
    pin_hash = hash_secret(data["pin"]) if "pin" in data else None
    now = time.time()
    with db.atomic():
        _check_unique(db, username=data["username"], extension=data.get("extension"), exclude_id=None)
        _check_groups_exist(db, group_ids, "groups")
        ha1_md5 = ha1_sha256 = None
        if "sip_password" in data:
            ha1_md5, ha1_sha256 = ha1_pair(data["username"], sip_realm(db), data["sip_password"])
        cursor = db.execute(
            "INSERT INTO users (username, first_name, last_name, email, phone, mobile, extension, language, "
            "timezone, role, password_hash, pin_hash, ha1_md5, ha1_sha256, locked, created, updated) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
            [
                data["username"],
                data["first_name"],
                data["last_name"],
                data["email"],
                data.get("phone"),
                data.get("mobile"),
                data.get("extension"),
                data.get("language", fields.DEFAULT_LANGUAGE),
                data.get("timezone"),
                data.get("role", "user"),
                password_hash,
                pin_hash,
                ha1_md5,
                ha1_sha256,
                now,
                now,
            ],
        )
        user_id = int(cursor.lastrowid or 0)
        for group_id in group_ids:
            db.execute("INSERT INTO group_members (group_id, user_id) VALUES (?, ?)", [group_id, user_id])
        return get_user(db, user_id)


def update_user(db: sqlite_utils.Database, user_id: int, changes: Mapping[str, Any]) -> User:
    """Change some profile fields (validated like create_user), ``locked`` or ``sip_password``.

    A new username invalidates the SIP digest values (the username is part of HA1): they are
    recomputed when ``sip_password`` is in the same change, and cleared otherwise.
    """
    data = validated(UPDATE_SCHEMA, changes, "Some user fields are invalid")
    with db.atomic():
        user = get_user(db, user_id)
        if data.get("role", user.role) != "admin":
            _refuse_last_admin(db, user, "demote")
        if data.get("locked", user.locked):
            _refuse_last_admin(db, user, "lock")
        _check_unique(
            db,
            username=data["username"] if data.get("username", user.username) != user.username else None,
            extension=data["extension"] if data.get("extension", user.extension) != user.extension else None,
            exclude_id=user_id,
        )
        secret = data.pop("sip_password", None)
        columns: dict[str, Any] = {k: v for k, v in data.items() if getattr(user, k) != v}
        new_username = columns.get("username", user.username)
        if secret is not None:
            columns["ha1_md5"], columns["ha1_sha256"] = ha1_pair(new_username, sip_realm(db), secret)
        elif "username" in columns and user.has_sip_password:
            _LOGGER.warning(
                "User %s renamed to %s: the SIP password must be set again", user.username, new_username
            )
            columns["ha1_md5"] = columns["ha1_sha256"] = None
        if "locked" in columns:
            columns["locked"] = int(columns["locked"])
        if not columns:
            return user
        columns["updated"] = time.time()
        assignments = ", ".join(f"{col} = ?" for col in columns)
        db.execute(f"UPDATE users SET {assignments} WHERE id = ?", [*columns.values(), user_id])
        if data.get("locked"):
            db.execute("DELETE FROM sessions WHERE user_id = ?", [user_id])
        return get_user(db, user_id)


def set_password(
    db: sqlite_utils.Database, user_id: int, password: str, *, keep_token_hash: str | None = None
) -> None:
    """Set the web password (USR-04) and end the user's sessions, except the one given."""
    value = _validate_one("password", cv.password, password)
    hashed = hash_secret(value)
    with db.atomic():
        _update_columns(db, user_id, {"password_hash": hashed})
        db.execute(
            "DELETE FROM sessions WHERE user_id = ? AND token_hash != ?", [user_id, keep_token_hash or ""]
        )


def set_pin(db: sqlite_utils.Database, user_id: int, pin: str) -> None:
    """Set the numeric PIN for voicemail and hot-desking (USR-04)."""
    hashed = hash_secret(_validate_one("pin", cv.pin, pin))
    with db.atomic():
        _update_columns(db, user_id, {"pin_hash": hashed})


def set_sip_password(db: sqlite_utils.Database, user_id: int, password: str) -> None:
    """Store the SIP password as its MD5 and SHA-256 digest HA1 values, never in clear."""
    value = _validate_one("sip_password", sip_password, password)
    with db.atomic():
        user = get_user(db, user_id)
        md5, sha256 = ha1_pair(user.username, sip_realm(db), value)
        _update_columns(db, user_id, {"ha1_md5": md5, "ha1_sha256": sha256})


def sip_ha1(db: sqlite_utils.Database, username: str) -> tuple[str, str] | None:
    """(HA1 MD5, HA1 SHA-256) of an unlocked user with a SIP password, for the registrar; else None."""
    row = db.execute(
        "SELECT ha1_md5, ha1_sha256 FROM users WHERE username = ? AND locked = 0 AND ha1_md5 IS NOT NULL",
        [username.strip().lower()],
    ).fetchone()
    return (row[0], row[1]) if row else None


def _update_columns(db: sqlite_utils.Database, user_id: int, columns: Mapping[str, Any]) -> None:
    assignments = ", ".join(f"{col} = ?" for col in columns)
    cursor = db.execute(
        f"UPDATE users SET {assignments}, updated = ? WHERE id = ?", [*columns.values(), time.time(), user_id]
    )
    if cursor.rowcount == 0:
        raise NotFound(f"No user with id {user_id}")


def lock_user(db: sqlite_utils.Database, user_id: int) -> User:
    """Lock a user (USR-08): log-in refused, sessions ended; refused for the last unlocked admin."""
    return update_user(db, user_id, {"locked": True})


def unlock_user(db: sqlite_utils.Database, user_id: int) -> User:
    """Unlock a user (USR-08): everything works again, nothing has to be set up anew."""
    return update_user(db, user_id, {"locked": False})


def delete_user(db: sqlite_utils.Database, user_id: int) -> None:
    """Delete a user, their sessions, memberships and settings; refused for the last unlocked admin."""
    with db.atomic():
        user = get_user(db, user_id)
        _refuse_last_admin(db, user, "delete")
        db.execute("DELETE FROM sessions WHERE user_id = ?", [user_id])
        db.execute("DELETE FROM group_members WHERE user_id = ?", [user_id])
        _delete_scoped_settings(db, "user", user_id)
        db.execute("DELETE FROM users WHERE id = ?", [user_id])


# -- groups -------------------------------------------------------------------------------------


def _check_groups_exist(db: sqlite_utils.Database, group_ids: Sequence[int], field_name: str) -> None:
    known = {int(r[0]) for r in db.execute("SELECT id FROM user_groups").fetchall()}
    missing = [g for g in group_ids if g not in known]
    if missing:
        raise ConfigValidationError(
            "Unknown user group", {field_name: f"no group with id {', '.join(map(str, missing))}"}
        )


def _check_users_exist(db: sqlite_utils.Database, user_ids: Sequence[int], field_name: str) -> None:
    known = {int(r[0]) for r in db.execute("SELECT id FROM users").fetchall()}
    missing = [u for u in user_ids if u not in known]
    if missing:
        raise ConfigValidationError(
            "Unknown user", {field_name: f"no user with id {', '.join(map(str, missing))}"}
        )


def _check_group_name(db: sqlite_utils.Database, name: str, exclude_id: int) -> None:
    if db.execute("SELECT 1 FROM user_groups WHERE name = ? AND id != ?", [name, exclude_id]).fetchone():
        raise Conflict(f"a group named {name} already exists")


def get_group(db: sqlite_utils.Database, group_id: int) -> Group:
    row = db.execute(
        "SELECT id, name, description, priority FROM user_groups WHERE id = ?", [group_id]
    ).fetchone()
    if row is None:
        raise NotFound(f"No user group with id {group_id}")
    members = [
        int(r[0])
        for r in db.execute(
            "SELECT user_id FROM group_members WHERE group_id = ? ORDER BY user_id", [group_id]
        ).fetchall()
    ]
    return Group(int(row[0]), row[1], row[2], int(row[3]), members)


def list_groups(db: sqlite_utils.Database) -> list[Group]:
    """All groups in the organisation's order: priority 1 (highest rank) first."""
    members: dict[int, list[int]] = {}
    for group_id, user_id in db.execute(
        "SELECT group_id, user_id FROM group_members ORDER BY user_id"
    ).fetchall():
        members.setdefault(int(group_id), []).append(int(user_id))
    rows = db.execute(
        "SELECT id, name, description, priority FROM user_groups ORDER BY priority, id"
    ).fetchall()
    return [Group(int(r[0]), r[1], r[2], int(r[3]), members.get(int(r[0]), [])) for r in rows]


def create_group(db: sqlite_utils.Database, name: str, description: str = "") -> Group:
    """Create a group ranked last (SET-02: priority 1 is the highest)."""
    data = validated(
        GROUP_SCHEMA.extend({vol.Required("name"): fields.name}),
        {"name": name, "description": description},
        "Some group fields are invalid",
    )
    with db.atomic():
        _check_group_name(db, data["name"], -1)
        (last,) = db.execute("SELECT COALESCE(MAX(priority), 0) FROM user_groups").fetchone()
        cursor = db.execute(
            "INSERT INTO user_groups (name, description, priority) VALUES (?, ?, ?)",
            [data["name"], data.get("description", ""), int(last) + 1],
        )
        return get_group(db, int(cursor.lastrowid or 0))


def update_group(db: sqlite_utils.Database, group_id: int, changes: Mapping[str, Any]) -> Group:
    """Rename a group or change its description."""
    data = validated(GROUP_SCHEMA, changes, "Some group fields are invalid")
    with db.atomic():
        get_group(db, group_id)
        if "name" in data:
            _check_group_name(db, data["name"], group_id)
        if data:
            assignments = ", ".join(f"{col} = ?" for col in data)
            db.execute(f"UPDATE user_groups SET {assignments} WHERE id = ?", [*data.values(), group_id])
        return get_group(db, group_id)


def _renumber(db: sqlite_utils.Database, ordered_ids: Sequence[int]) -> None:
    for priority, group_id in enumerate(ordered_ids, start=1):
        db.execute("UPDATE user_groups SET priority = ? WHERE id = ?", [priority, group_id])


def delete_group(db: sqlite_utils.Database, group_id: int) -> None:
    """Delete a group, its memberships and its settings; the others close the gap in the ranking."""
    with db.atomic():
        get_group(db, group_id)
        db.execute("DELETE FROM group_members WHERE group_id = ?", [group_id])
        _delete_scoped_settings(db, "group", group_id)
        db.execute("DELETE FROM user_groups WHERE id = ?", [group_id])
        _renumber(db, [g.id for g in list_groups(db)])


def reorder_groups(db: sqlite_utils.Database, group_ids: Sequence[int]) -> list[Group]:
    """Rank the groups in this order (first = priority 1); it must list every group exactly once."""
    with db.atomic():
        current = {g.id for g in list_groups(db)}
        if len(group_ids) != len(set(group_ids)) or set(group_ids) != current:
            raise ConfigValidationError(
                "The new order must list every group exactly once",
                {"order": f"expected each of {sorted(current)} exactly once"},
            )
        _renumber(db, group_ids)
        return list_groups(db)


def set_group_members(db: sqlite_utils.Database, group_id: int, user_ids: Iterable[int]) -> Group:
    """Replace the group's members (USR-09: the same table the user page edits)."""
    wanted = list(dict.fromkeys(int(u) for u in user_ids))
    with db.atomic():
        get_group(db, group_id)
        _check_users_exist(db, wanted, "user_ids")
        db.execute("DELETE FROM group_members WHERE group_id = ?", [group_id])
        for user_id in wanted:
            db.execute("INSERT INTO group_members (group_id, user_id) VALUES (?, ?)", [group_id, user_id])
        return get_group(db, group_id)


def set_user_groups(db: sqlite_utils.Database, user_id: int, group_ids: Iterable[int]) -> User:
    """Replace the user's groups (USR-09: the same table the group page edits)."""
    wanted = list(dict.fromkeys(int(g) for g in group_ids))
    with db.atomic():
        get_user(db, user_id)
        _check_groups_exist(db, wanted, "groups")
        db.execute("DELETE FROM group_members WHERE user_id = ?", [user_id])
        for group_id in wanted:
            db.execute("INSERT INTO group_members (group_id, user_id) VALUES (?, ?)", [group_id, user_id])
        return get_user(db, user_id)
