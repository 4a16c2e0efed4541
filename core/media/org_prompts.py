"""The organisation's own prompts (PRM-01..03, PRM-05): names and descriptions in SQLite.

A row of ``org_prompts`` is one prompt; its id for playback and settings is ``org:<row id>``
(prompts.py ``org_prompt_id``). Rows use AUTOINCREMENT, so the id of a deleted prompt is never
handed out again. The recordings themselves (one WAV per language) are files in the data folder,
kept by ``PromptLibrary``; which languages a prompt has is read from there. The table belongs to
the storage component ``core.prompts`` with its own migrations, run on first use (``ensure_schema``)
so that the core's migration list stays the core's.

Every function takes the synchronous database: call them through ``core.db.call``.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any, Final

import sqlite_utils
import voluptuous as vol

from cordboard.core.bus import EventType
from cordboard.core.config import validation as cv
from cordboard.core.exceptions import ConfigValidationError, Conflict, NotFound
from cordboard.core.http.errors import invalid_fields
from cordboard.core.media.prompts import org_number, org_prompt_id
from cordboard.core.storage.migrations import Migration, migrate

COMPONENT: Final = "core.prompts"
NAME_MAX: Final = 80
DESCRIPTION_MAX: Final = 1000
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
EVENT_PROMPTS_CHANGED: Final[EventType[dict[str, str]]] = EventType("prompts.changed")
"""A prompt was created, edited, deleted, or one of its recordings changed: ``prompt_id``, ``action``."""


def _v1_org_prompts(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE org_prompts (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            description TEXT NOT NULL,
            created REAL NOT NULL,
            updated REAL NOT NULL
        )"""
    )


MIGRATIONS: Final = (Migration(1, "the organisation's own prompts", _v1_org_prompts),)


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create or upgrade the table (cheap when it is current: one query)."""
    migrate(db, COMPONENT, MIGRATIONS)


def prompt_name(value: Any) -> str:
    """What a prompt is called in lists and dropdowns: 1 to 80 characters on one line."""
    text = " ".join(cv.string(value).split())
    if not text:
        raise vol.Invalid("required")
    if len(text) > NAME_MAX:
        raise vol.Invalid(f"at most {NAME_MAX} characters")
    return text


def prompt_description(value: Any) -> str:
    """What the prompt says and what it is for (PRM-02): required, at most 1000 characters."""
    text = cv.string(value).strip()
    if not text:
        raise vol.Invalid("required: say what the prompt says and what it is for")
    if len(text) > DESCRIPTION_MAX:
        raise vol.Invalid(f"at most {DESCRIPTION_MAX} characters")
    if _CONTROL.search(text.replace("\n", "").replace("\r", "").replace("\t", "")):
        raise vol.Invalid("no control characters")
    return text


CREATE_SCHEMA: Final = vol.Schema(
    {vol.Required("name"): prompt_name, vol.Required("description"): prompt_description},
    extra=vol.PREVENT_EXTRA,
)
UPDATE_SCHEMA: Final = vol.Schema(
    {vol.Optional("name"): prompt_name, vol.Optional("description"): prompt_description},
    extra=vol.PREVENT_EXTRA,
)


class PromptNameTaken(Conflict):
    """Another prompt of the organisation has this name (names are unique, ignoring case)."""

    field = "name"


@dataclass(frozen=True, slots=True)
class OrgPrompt:
    """One of the organisation's prompts (without its recordings)."""

    number: int
    name: str
    description: str
    created: float
    updated: float

    @property
    def id(self) -> str:
        """The prompt id for playback and settings: ``org:<number>``."""
        return org_prompt_id(self.number)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": "org",
            "name": self.name,
            "description": self.description,
            "created": self.created,
            "updated": self.updated,
        }


def validate(schema: vol.Schema, data: Any) -> dict[str, Any]:
    """``data`` checked by ``schema``; ConfigValidationError names every bad field."""
    try:
        return dict(schema(data))
    except vol.Invalid as err:
        raise ConfigValidationError("Some prompt fields are invalid", invalid_fields(err)) from None


def number_of(prompt_id: str) -> int:
    """The row id in ``org:<n>``; NotFound for any other id."""
    number = org_number(prompt_id)
    if number is None:
        raise NotFound(f"No prompt of the organisation with id {prompt_id!r}")
    return number


def _row(row: Any) -> OrgPrompt:
    return OrgPrompt(int(row[0]), str(row[1]), str(row[2]), float(row[3]), float(row[4]))


_COLUMNS: Final = "id, name, description, created, updated"


def get_prompt(db: sqlite_utils.Database, prompt_id: str) -> OrgPrompt:
    ensure_schema(db)
    row = db.execute(f"SELECT {_COLUMNS} FROM org_prompts WHERE id = ?", [number_of(prompt_id)]).fetchone()
    if row is None:
        raise NotFound(f"No prompt of the organisation with id {prompt_id!r}")
    return _row(row)


def list_prompts(db: sqlite_utils.Database) -> list[OrgPrompt]:
    """Every prompt of the organisation, by name."""
    ensure_schema(db)
    rows = db.execute(f"SELECT {_COLUMNS} FROM org_prompts ORDER BY name COLLATE NOCASE, id").fetchall()
    return [_row(row) for row in rows]


def check_name(db: sqlite_utils.Database, name: str, exclude: int = -1) -> None:
    """PromptNameTaken when another prompt is called ``name`` (ignoring case)."""
    ensure_schema(db)
    if db.execute("SELECT 1 FROM org_prompts WHERE name = ? AND id != ?", [name, exclude]).fetchone():
        raise PromptNameTaken(f"A prompt named “{name}” exists already; choose another name")


def create_prompt(db: sqlite_utils.Database, data: dict[str, Any]) -> OrgPrompt:
    """Insert a prompt from validated ``CREATE_SCHEMA`` data; its recordings are written after."""
    ensure_schema(db)
    now = time.time()
    with db.atomic():
        check_name(db, data["name"])
        cursor = db.execute(
            "INSERT INTO org_prompts (name, description, created, updated) VALUES (?, ?, ?, ?)",
            [data["name"], data["description"], now, now],
        )
    return get_prompt(db, org_prompt_id(int(cursor.lastrowid or 0)))


def update_prompt(db: sqlite_utils.Database, prompt_id: str, changes: dict[str, Any]) -> OrgPrompt:
    """Rename a prompt or change its description (validated ``UPDATE_SCHEMA`` data)."""
    with db.atomic():
        prompt = get_prompt(db, prompt_id)
        if "name" in changes:
            check_name(db, changes["name"], prompt.number)
        if changes:
            columns = sorted(changes)
            db.execute(
                f"UPDATE org_prompts SET {', '.join(f'{c} = ?' for c in columns)}, updated = ? WHERE id = ?",
                [*(changes[c] for c in columns), time.time(), prompt.number],
            )
    return get_prompt(db, prompt_id)


def delete_prompt(db: sqlite_utils.Database, prompt_id: str) -> OrgPrompt:
    """Delete a prompt's row (its recordings are deleted after); returns what it was."""
    with db.atomic():
        prompt = get_prompt(db, prompt_id)
        db.execute("DELETE FROM org_prompts WHERE id = ?", [prompt.number])
    return prompt


__all__ = [
    "COMPONENT",
    "CREATE_SCHEMA",
    "EVENT_PROMPTS_CHANGED",
    "MIGRATIONS",
    "UPDATE_SCHEMA",
    "OrgPrompt",
    "PromptNameTaken",
    "create_prompt",
    "delete_prompt",
    "ensure_schema",
    "get_prompt",
    "list_prompts",
    "update_prompt",
    "validate",
]
