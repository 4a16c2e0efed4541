"""Key templates and users' key layouts (PROV-07/08, CAPA-05/31, CAPU-24): which function keys a
desk phone gets besides line 1.

A template has a name and keys from index 2 on (key 1 is always the user's own line, PROV-07);
each key has a kind (``line``, ``blf``, ``speed_dial``, ``dtmf``), a value (the line number, the
watched extension, the number to dial, the tones to send) and a label. An admin assigns a template
to users, or makes one the organisation's default for users without one. A user may pick a
template and keep keys of their own that override the template's by index (kind ``none`` leaves a
template's key empty). A phone's keys are line 1 plus the user's effective keys; a BLF key without
a label shows the watched user's name.

The tables belong to ``core.provisioning`` (its migration 2 in devices.py). Every function takes
the synchronous database: call them through ``core.db.call``.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any, Final

import sqlite_utils

from cordboard.core.exceptions import ConfigValidationError, Conflict, NotFound
from cordboard.core.provisioning.devices import ensure_schema
from cordboard.core.provisioning.vendor import FunctionKey

KINDS: Final = ("line", "blf", "speed_dial", "dtmf")
NONE: Final = "none"
"""The kind of a user's key that leaves the template's key at that index empty."""
MAX_INDEX: Final = 100
NAME_MAX: Final = 64
LABEL_MAX: Final = 24
VALUE_MAX: Final = 32
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
_NUMBER: Final = re.compile(r"^\+?[0-9*#]{1,32}$")
_DTMF: Final = re.compile(r"^[0-9*#A-Da-d]{1,32}$")
_LINE: Final = re.compile(r"^[1-9][0-9]?$")
_KEY_FIELDS: Final = frozenset(("index", "kind", "value", "label"))
_TEMPLATE_FIELDS: Final = frozenset(("name", "keys", "is_default", "push"))


# -- validation --------------------------------------------------------------------------------


def _extensions(db: sqlite_utils.Database) -> dict[str, str]:
    """Extension -> the user's full name (users with an extension)."""
    rows = db.execute(
        "SELECT extension, first_name, last_name FROM users WHERE extension IS NOT NULL AND extension != ''"
    ).fetchall()
    return {str(r[0]): f"{r[1]} {r[2]}" for r in rows}


def _key_errors(
    item: Any, extensions: dict[str, str], allow_none: bool
) -> tuple[dict[str, str], FunctionKey | None]:
    """The errors of one key (by field), or the key."""
    if not isinstance(item, dict):
        return {"": "expected a key with index, kind, value and label"}, None
    errors: dict[str, str] = {}
    for extra in sorted(set(item) - _KEY_FIELDS):
        errors[extra] = "unknown field"
    index = item.get("index")
    if isinstance(index, bool) or not isinstance(index, int):
        errors["index"] = f"expected a key number from 2 to {MAX_INDEX}"
    elif index == 1:
        errors["index"] = "key 1 is always the user's own line"
    elif not 2 <= index <= MAX_INDEX:
        errors["index"] = f"expected a key number from 2 to {MAX_INDEX}"
    kinds = (*KINDS, NONE) if allow_none else KINDS
    kind = item.get("kind")
    if not isinstance(kind, str) or kind not in kinds:
        errors["kind"] = f"unknown kind {kind!r}: expected one of {', '.join(kinds)}"
    value = item.get("value", "")
    if not isinstance(value, str):
        errors["value"] = "expected text"
        value = ""
    value = value.strip()
    if "kind" not in errors:
        if kind == NONE:
            value = ""
        elif kind == "blf":
            if not value:
                errors["value"] = "required: the extension to watch"
            elif value not in extensions:
                errors["value"] = f"no user has extension {value}"
        elif kind == "speed_dial" and not _NUMBER.match(value):
            errors["value"] = "expected a number to dial (digits, *, #, a leading +)"
        elif kind == "dtmf" and not _DTMF.match(value):
            errors["value"] = "expected tones to send (digits, *, #, A-D)"
        elif kind == "line" and not _LINE.match(value):
            errors["value"] = "expected a line number from 1 to 99"
    if len(value) > VALUE_MAX and "value" not in errors:
        errors["value"] = f"at most {VALUE_MAX} characters"
    label = item.get("label", "")
    if not isinstance(label, str):
        errors["label"] = "expected text"
        label = ""
    label = " ".join(label.split())
    if len(label) > LABEL_MAX:
        errors["label"] = f"at most {LABEL_MAX} characters (phones cut longer labels)"
    elif _CONTROL.search(label):
        errors["label"] = "no control characters"
    if errors:
        return errors, None
    assert isinstance(index, int) and isinstance(kind, str)
    return {}, FunctionKey(index, kind, value, label)


def check_keys(
    db: sqlite_utils.Database, raw: Any, *, allow_none: bool = False, field: str = "keys"
) -> list[FunctionKey]:
    """The keys of a template (``allow_none``: of a user's layout), sorted by index; every bad field
    is named ``keys.<row>.<field>`` (row: the position in the list, from 0) in one
    ConfigValidationError."""
    if not isinstance(raw, list):
        raise ConfigValidationError("Some keys are invalid", {field: "expected a list of keys"})
    if len(raw) > MAX_INDEX:
        raise ConfigValidationError("Some keys are invalid", {field: f"at most {MAX_INDEX - 1} keys"})
    extensions = _extensions(db)
    errors: dict[str, str] = {}
    keys: list[FunctionKey] = []
    seen: dict[int, int] = {}
    for row, item in enumerate(raw):
        key_errors, key = _key_errors(item, extensions, allow_none)
        # A key number given twice is named even when the row has other errors too.
        index = item.get("index") if isinstance(item, dict) and "index" not in key_errors else None
        if isinstance(index, int):
            if index in seen:
                key_errors["index"] = f"key {index} appears twice (also in row {seen[index] + 1})"
                key = None
            else:
                seen[index] = row
        for name, message in key_errors.items():
            errors[f"{field}.{row}.{name}" if name else f"{field}.{row}"] = message
        if key is not None:
            keys.append(key)
    if errors:
        raise ConfigValidationError("Some keys are invalid", errors)
    return sorted(keys, key=lambda k: k.index)


def _name(value: Any) -> str:
    if not isinstance(value, str) or not " ".join(value.split()):
        raise ConfigValidationError("The template needs a name", {"name": "required"})
    name = " ".join(value.split())
    if len(name) > NAME_MAX:
        raise ConfigValidationError("The name is too long", {"name": f"at most {NAME_MAX} characters"})
    if _CONTROL.search(name):
        raise ConfigValidationError("The name is invalid", {"name": "no control characters"})
    return name


def check_template(db: sqlite_utils.Database, raw: Any, *, partial: bool = False) -> dict[str, Any]:
    """A template body: ``name``, ``keys``, ``is_default`` (and ``push``, for the API); every bad
    field is named."""
    if not isinstance(raw, dict):
        raise ConfigValidationError("Expected a template", {"": "expected an object"})
    errors = {name: "unknown field" for name in sorted(set(raw) - _TEMPLATE_FIELDS)}
    result: dict[str, Any] = {}
    if "name" in raw or not partial:
        try:
            result["name"] = _name(raw.get("name"))
        except ConfigValidationError as err:
            errors.update(err.fields)
    if "keys" in raw or not partial:
        try:
            result["keys"] = check_keys(db, raw.get("keys", []))
        except ConfigValidationError as err:
            errors.update(err.fields)
    for flag in ("is_default", "push"):
        if flag in raw:
            if not isinstance(raw[flag], bool):
                errors[flag] = "expected true or false"
            else:
                result[flag] = raw[flag]
    if errors:
        raise ConfigValidationError("Some template fields are invalid", errors)
    return result


# -- the model ---------------------------------------------------------------------------------


def key_dict(key: FunctionKey) -> dict[str, Any]:
    return {"index": key.index, "kind": key.kind, "value": key.value, "label": key.label}


def _keys_json(keys: list[FunctionKey]) -> str:
    return json.dumps([key_dict(k) for k in keys])


def _keys_from(text: str) -> tuple[FunctionKey, ...]:
    return tuple(
        FunctionKey(int(k["index"]), str(k["kind"]), str(k["value"]), str(k.get("label", "")))
        for k in json.loads(text or "[]")
    )


@dataclass(frozen=True, slots=True)
class KeyTemplate:
    id: int
    name: str
    keys: tuple[FunctionKey, ...]
    is_default: bool
    created: float
    updated: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "keys": [key_dict(k) for k in self.keys],
            "is_default": self.is_default,
            "created": self.created,
            "updated": self.updated,
        }


class TemplateExists(Conflict):
    """Another template has this name."""

    field = "name"


_COLUMNS: Final = "id, name, keys, is_default, created, updated"


def _template(row: Any) -> KeyTemplate:
    return KeyTemplate(
        int(row[0]), str(row[1]), _keys_from(str(row[2])), bool(row[3]), float(row[4]), float(row[5])
    )


def list_templates(db: sqlite_utils.Database) -> list[KeyTemplate]:
    ensure_schema(db)
    rows = db.execute(f"SELECT {_COLUMNS} FROM key_templates ORDER BY name COLLATE NOCASE").fetchall()
    return [_template(r) for r in rows]


def get_template(db: sqlite_utils.Database, template_id: int) -> KeyTemplate:
    ensure_schema(db)
    row = db.execute(f"SELECT {_COLUMNS} FROM key_templates WHERE id = ?", [template_id]).fetchone()
    if row is None:
        raise NotFound(f"No key template with id {template_id}")
    return _template(row)


def _check_name_free(db: sqlite_utils.Database, name: str, template_id: int | None) -> None:
    row = db.execute("SELECT id FROM key_templates WHERE name = ? COLLATE NOCASE", [name]).fetchone()
    if row is not None and int(row[0]) != template_id:
        raise TemplateExists(f"A key template named {name!r} exists already")


def create_template(
    db: sqlite_utils.Database, *, name: str, keys: list[FunctionKey], is_default: bool = False
) -> KeyTemplate:
    ensure_schema(db)
    now = time.time()
    with db.atomic():
        _check_name_free(db, name, None)
        if is_default:
            db.execute("UPDATE key_templates SET is_default = 0")
        cursor = db.execute(
            "INSERT INTO key_templates (name, keys, is_default, created, updated) VALUES (?, ?, ?, ?, ?)",
            [name, _keys_json(keys), int(is_default), now, now],
        )
        template_id = int(cursor.lastrowid or 0)
    return get_template(db, template_id)


def update_template(db: sqlite_utils.Database, template_id: int, changes: dict[str, Any]) -> KeyTemplate:
    """Change name, keys or whether it is the default (one default at most)."""
    ensure_schema(db)
    with db.atomic():
        get_template(db, template_id)
        if "name" in changes:
            _check_name_free(db, changes["name"], template_id)
            db.execute("UPDATE key_templates SET name = ? WHERE id = ?", [changes["name"], template_id])
        if "keys" in changes:
            db.execute(
                "UPDATE key_templates SET keys = ? WHERE id = ?", [_keys_json(changes["keys"]), template_id]
            )
        if "is_default" in changes:
            if changes["is_default"]:
                db.execute("UPDATE key_templates SET is_default = 0")
            db.execute(
                "UPDATE key_templates SET is_default = ? WHERE id = ?",
                [int(changes["is_default"]), template_id],
            )
        db.execute("UPDATE key_templates SET updated = ? WHERE id = ?", [time.time(), template_id])
    return get_template(db, template_id)


def delete_template(db: sqlite_utils.Database, template_id: int) -> None:
    """Remove a template; its users fall back to the default (ON DELETE SET NULL)."""
    ensure_schema(db)
    with db.atomic():
        if db.execute("DELETE FROM key_templates WHERE id = ?", [template_id]).rowcount == 0:
            raise NotFound(f"No key template with id {template_id}")


def default_template(db: sqlite_utils.Database) -> KeyTemplate | None:
    ensure_schema(db)
    row = db.execute(f"SELECT {_COLUMNS} FROM key_templates WHERE is_default = 1 LIMIT 1").fetchone()
    return None if row is None else _template(row)


def users_of_template(db: sqlite_utils.Database, template_id: int) -> list[int]:
    """The users whose phones a template's change reaches: assigned to it, or (when it is the
    default) without a template of their own."""
    ensure_schema(db)
    template = get_template(db, template_id)
    if template.is_default:
        rows = db.execute(
            "SELECT u.id FROM users u LEFT JOIN user_keys k ON k.user_id = u.id "
            "WHERE k.template_id IS NULL OR k.template_id = ? ORDER BY u.id",
            [template_id],
        ).fetchall()
    else:
        rows = db.execute(
            "SELECT user_id FROM user_keys WHERE template_id = ? ORDER BY user_id", [template_id]
        ).fetchall()
    return [int(r[0]) for r in rows]


def template_user_counts(db: sqlite_utils.Database) -> dict[int, int]:
    """Template id -> the users assigned to it (not counting those on the default)."""
    ensure_schema(db)
    rows = db.execute(
        "SELECT template_id, COUNT(*) FROM user_keys WHERE template_id IS NOT NULL GROUP BY template_id"
    ).fetchall()
    return {int(r[0]): int(r[1]) for r in rows}


# -- users' layouts ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UserKeys:
    """A user's choice: their template (None: the default) and their own keys."""

    user_id: int
    template_id: int | None
    overrides: tuple[FunctionKey, ...]


def _check_user(db: sqlite_utils.Database, user_id: int) -> None:
    if db.execute("SELECT 1 FROM users WHERE id = ?", [user_id]).fetchone() is None:
        raise NotFound(f"No user with id {user_id}")


def get_user_keys(db: sqlite_utils.Database, user_id: int) -> UserKeys:
    ensure_schema(db)
    row = db.execute("SELECT template_id, keys FROM user_keys WHERE user_id = ?", [user_id]).fetchone()
    if row is None:
        return UserKeys(user_id, None, ())
    return UserKeys(user_id, None if row[0] is None else int(row[0]), _keys_from(str(row[1])))


def _check_template_id(db: sqlite_utils.Database, template_id: int | None) -> None:
    if (
        template_id is not None
        and db.execute("SELECT 1 FROM key_templates WHERE id = ?", [template_id]).fetchone() is None
    ):
        raise ConfigValidationError(
            "No such key template", {"template_id": f"no key template with id {template_id}"}
        )


def set_user_template(db: sqlite_utils.Database, user_id: int, template_id: int | None) -> UserKeys:
    """Assign a template (None: the organisation's default); the user's own keys stay."""
    ensure_schema(db)
    with db.atomic():
        _check_user(db, user_id)
        _check_template_id(db, template_id)
        db.execute(
            "INSERT INTO user_keys (user_id, template_id, keys, updated) VALUES (?, ?, '[]', ?) "
            "ON CONFLICT (user_id) DO UPDATE SET template_id = excluded.template_id, "
            "updated = excluded.updated",
            [user_id, template_id, time.time()],
        )
    return get_user_keys(db, user_id)


def set_user_layout(
    db: sqlite_utils.Database, user_id: int, template_id: int | None, overrides: list[FunctionKey]
) -> UserKeys:
    """The user's template and their own keys (replacing the ones stored)."""
    ensure_schema(db)
    with db.atomic():
        _check_user(db, user_id)
        _check_template_id(db, template_id)
        db.execute(
            "INSERT INTO user_keys (user_id, template_id, keys, updated) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET template_id = excluded.template_id, keys = excluded.keys, "
            "updated = excluded.updated",
            [user_id, template_id, _keys_json(overrides), time.time()],
        )
    return get_user_keys(db, user_id)


def effective_template(db: sqlite_utils.Database, user_id: int) -> KeyTemplate | None:
    """The user's template, else the organisation's default, else none."""
    choice = get_user_keys(db, user_id)
    if choice.template_id is not None:
        try:
            return get_template(db, choice.template_id)
        except NotFound:
            pass
    return default_template(db)


def effective_keys(db: sqlite_utils.Database, user_id: int) -> list[FunctionKey]:
    """The user's keys from 2 on: the template's, overridden by index by the user's own (``none``
    empties a key); a BLF key without a label shows the watched user's name. Keys whose BLF
    extension no longer exists are left out."""
    template = effective_template(db, user_id)
    by_index: dict[int, FunctionKey] = {
        k.index: k for k in (template.keys if template else ()) if k.index > 1
    }
    for key in get_user_keys(db, user_id).overrides:
        if key.index > 1:
            by_index[key.index] = key
    extensions = _extensions(db)
    keys: list[FunctionKey] = []
    for index in sorted(by_index):
        key = by_index[index]
        if key.kind == NONE:
            continue
        if key.kind == "blf":
            name = extensions.get(key.value)
            if name is None:
                continue
            if not key.label:
                key = FunctionKey(key.index, key.kind, key.value, name[:LABEL_MAX])
        keys.append(key)
    return keys


def layout_dict(db: sqlite_utils.Database, user_id: int) -> dict[str, Any]:
    """A user's layout as the API shows it: their choice, their own keys, the effective keys with
    line 1 first, the templates to pick from and the extensions a BLF key may watch."""
    _check_user(db, user_id)
    choice = get_user_keys(db, user_id)
    template = effective_template(db, user_id)
    default = default_template(db)
    row = db.execute("SELECT extension, username FROM users WHERE id = ?", [user_id]).fetchone()
    line_label = str(row[0] or row[1]) if row is not None else ""
    return {
        "user_id": user_id,
        "template_id": choice.template_id,
        "default_template_id": None if default is None else default.id,
        "effective_template_id": None if template is None else template.id,
        "overrides": [key_dict(k) for k in choice.overrides],
        "keys": [key_dict(FunctionKey(1, "line", "1", line_label))]
        + [key_dict(k) for k in effective_keys(db, user_id)],
        "template_keys": [key_dict(k) for k in (template.keys if template else ())],
        "templates": [{"id": t.id, "name": t.name, "is_default": t.is_default} for t in list_templates(db)],
        "extensions": [{"extension": ext, "name": name} for ext, name in sorted(_extensions(db).items())],
    }


__all__ = [
    "KINDS",
    "NONE",
    "KeyTemplate",
    "TemplateExists",
    "UserKeys",
    "check_keys",
    "check_template",
    "create_template",
    "default_template",
    "delete_template",
    "effective_keys",
    "effective_template",
    "get_template",
    "get_user_keys",
    "layout_dict",
    "list_templates",
    "set_user_layout",
    "set_user_template",
    "template_user_counts",
    "update_template",
    "users_of_template",
]
