"""SIP accounts: an in-memory view of users for the registrar and call routing, kept fresh from events."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlite_utils

from cordboard.core.bus import Event
from cordboard.core.core import EVENT_EXTERNAL_CHANGE

if TYPE_CHECKING:
    from cordboard.core.core import Core

_LOGGER = logging.getLogger(__name__)
_RELOAD_EVENTS = ("user.created", "user.updated", "user.deleted", EVENT_EXTERNAL_CHANGE)


@dataclass(frozen=True, slots=True)
class SipAccount:
    """What SIP needs of a user; the digest values never leave the core."""

    user_id: int
    username: str
    extension: str | None
    display_name: str
    ha1_md5: str | None
    ha1_sha256: str | None
    locked: bool
    device_kind: str = ""
    """A user's third-party account (TERM-05): ``analogue`` or ``desk``, shown on its devices."""

    def ha1(self, algorithm: str) -> str | None:
        base = algorithm.upper().removesuffix("-SESS")
        return self.ha1_sha256 if base == "SHA-256" else self.ha1_md5 if base == "MD5" else None


def load_accounts(db: sqlite_utils.Database) -> list[SipAccount]:
    rows = db.execute(
        "SELECT id, username, extension, first_name, last_name, ha1_md5, ha1_sha256, locked FROM users"
    ).fetchall()
    return [
        SipAccount(row[0], row[1], row[2], f"{row[3]} {row[4]}".strip(), row[5], row[6], bool(row[7]))
        for row in rows
    ]


class SipAccounts:
    """Lookups by username, extension and id without touching the database on the SIP hot path."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self._by_username: dict[str, SipAccount] = {}
        self._by_extension: dict[str, SipAccount] = {}
        self._by_id: dict[int, SipAccount] = {}
        self._unsubscribe: list[Callable[[], None]] = []
        self._reload_task: asyncio.Task[None] | None = None
        self.on_change: list[Callable[[dict[int, SipAccount], dict[int, SipAccount]], None]] = []
        """Called with (old, new) accounts by id after every reload (e.g. to drop locked users' bindings)."""
        self.sources: list[Callable[[sqlite_utils.Database], list[SipAccount]]] = []
        """Accounts that are not users (free-seat phones' seat accounts, negative ids), read with them."""

    async def start(self) -> None:
        await self.reload()
        for name in _RELOAD_EVENTS:
            self._unsubscribe.append(self._core.bus.listen(name, self._schedule_reload))

    def stop(self) -> None:
        for remove in self._unsubscribe:
            remove()
        self._unsubscribe.clear()

    def _schedule_reload(self, event: Event[Any]) -> None:
        if self._reload_task is None or self._reload_task.done():
            self._reload_task = self._core.create_task(self.reload(), "reload SIP accounts")

    async def reload(self) -> None:
        sources = [load_accounts, *self.sources]
        accounts = await self._core.db.call(lambda db: [a for source in sources for a in source(db)])
        old = self._by_id
        # A user's own account comes first: a third-party account of theirs (same id and
        # extension) is found by its user name only.
        by_id: dict[int, SipAccount] = {}
        by_extension: dict[str, SipAccount] = {}
        for account in accounts:
            by_id.setdefault(account.user_id, account)
            if account.extension:
                by_extension.setdefault(account.extension, account)
        self._by_id, self._by_extension = by_id, by_extension
        self._by_username = {a.username.lower(): a for a in accounts}
        for callback in self.on_change:
            try:
                callback(old, self._by_id)
            except Exception:
                _LOGGER.exception("SIP account change handler failed")

    def by_username(self, username: str) -> SipAccount | None:
        return self._by_username.get(username.lower())

    def by_extension(self, extension: str) -> SipAccount | None:
        return self._by_extension.get(extension)

    def by_id(self, user_id: int) -> SipAccount | None:
        return self._by_id.get(user_id)

    def find(self, user_part: str) -> SipAccount | None:
        """The account a dialled user part names: an extension or a username."""
        return self.by_extension(user_part) or self.by_username(user_part)


__all__ = ["SipAccount", "SipAccounts", "load_accounts"]
