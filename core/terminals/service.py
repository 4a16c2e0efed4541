"""TerminalService (``core.terminals``): each user's terminals and ring mode, kept in memory for the
calls (a call to a user whose plan is the default costs nothing) and in SQLite (component
``core.terminals``)."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

import sqlite_utils

from cordboard.core.storage.migrations import Migration, migrate
from cordboard.core.terminals.model import TerminalPlan, plan_from, validate_plan

if TYPE_CHECKING:
    from cordboard.core.core import Core

COMPONENT: Final = "core.terminals"


def _v1(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE user_terminals (
            user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            mode TEXT NOT NULL,
            terminals TEXT NOT NULL,
            updated REAL NOT NULL
        )"""
    )


def _v2_fallback(db: sqlite_utils.Database) -> None:
    db.execute("ALTER TABLE user_terminals ADD COLUMN fallback TEXT")


MIGRATIONS: Final = (
    Migration(1, "users' terminals", _v1),
    Migration(2, "each user's fallback destination (RTE-10)", _v2_fallback),
)


def _load(db: sqlite_utils.Database) -> dict[int, TerminalPlan]:
    migrate(db, COMPONENT, MIGRATIONS)
    rows = db.execute("SELECT user_id, mode, terminals, fallback FROM user_terminals").fetchall()
    return {
        int(r[0]): plan_from(int(r[0]), {"mode": r[1], "terminals": json.loads(r[2]), "fallback": r[3]})
        for r in rows
    }


class TerminalService:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._plans: dict[int, TerminalPlan] = {}

    async def start(self) -> None:
        from cordboard.core.terminals import third_party

        self._plans = await self._core.db.call(_load)
        await self._core.db.call(third_party.ensure_schema)
        sip = getattr(self._core, "sip", None)
        if sip is not None:  # TERM-05: the users' third-party accounts register beside them
            sip.accounts.sources.append(third_party.sip_accounts)
            await sip.accounts.reload()

    async def third_party(self, user_id: int) -> dict[str, Any] | None:
        from cordboard.core.terminals import third_party

        return await self._core.db.call(lambda db: third_party.get_account(db, user_id))

    async def set_third_party(self, user_id: int, raw: Mapping[str, Any]) -> dict[str, Any]:
        from cordboard.core.terminals import third_party

        saved = await self._core.db.call(lambda db: third_party.set_account(db, user_id, raw))
        await self._reload_sip()
        return saved

    async def delete_third_party(self, user_id: int) -> None:
        from cordboard.core.terminals import third_party

        await self._core.db.call(lambda db: third_party.delete_account(db, user_id))
        await self._reload_sip()

    async def _reload_sip(self) -> None:
        sip = getattr(self._core, "sip", None)
        if sip is not None:
            await sip.accounts.reload()

    def plan_of(self, user_id: int) -> TerminalPlan:
        """The user's plan (the default one when they never set theirs)."""
        return self._plans.get(user_id) or TerminalPlan(user_id)

    async def set_plan(self, user_id: int, raw: Mapping[str, Any]) -> TerminalPlan:
        await self._core.identity.get_user(user_id)  # NotFound for an unknown user
        owners = await self._core.numbers.owners()
        own = [n for n, o in owners.items() if o.kind in ("user", "alias") and o.id == str(user_id)]
        data = validate_plan(raw, own_numbers=own)

        def save(db: sqlite_utils.Database) -> None:
            with db.atomic():
                db.execute(
                    "INSERT INTO user_terminals (user_id, mode, terminals, fallback, updated) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT(user_id) DO UPDATE SET mode = excluded.mode, "
                    "terminals = excluded.terminals, fallback = excluded.fallback, "
                    "updated = excluded.updated",
                    [user_id, data["mode"], json.dumps(data["terminals"]), data["fallback"], time.time()],
                )

        await self._core.db.call(save)
        plan = plan_from(user_id, data)
        self._plans[user_id] = plan
        return plan
