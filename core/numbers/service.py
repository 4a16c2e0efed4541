"""NumberService (``core.numbers``): the one registry of dialable numbers and their owners.

Users' lines (extensions) and aliases live in SQLite; plugins' numbers (conference rooms, the
diagnostics codes, later IVRs and queues) come from ``cordboard_number_claims`` and are collected
again whenever a plugin loads or unloads. A number has exactly one owner (NUM-07): a user save
that would take a claimed or assigned number is refused naming the owner, and a plugin claim on a
number that is already someone's is dropped with a log line and listed as a conflict.

Routing asks it synchronously: ``resolve(number)`` turns an alias into the line it points to
(NUM-05), ``plugin_of(number)`` says which plugin claimed a number.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cordboard.core.numbers import storage
from cordboard.core.numbers.model import FUNCTION_PURPOSES, NumberClaim, NumberRange, Owner

if TYPE_CHECKING:
    from cordboard.core.core import Core

_LOGGER = logging.getLogger(__name__)


class NumberService:
    def __init__(self, core: Core) -> None:
        self._core = core
        self.claims: dict[str, Owner] = {}
        """Numbers plugins claimed, after dropping the ones that clash."""
        self.conflicts: list[dict[str, str]] = []
        """Plugin claims that were dropped: number, plugin, and who owns the number."""
        self.listed: dict[str, NumberClaim] = {}
        """NUM-11: the claimed function numbers that contact searches list (``contact_name``), by
        number; those set to "exclude from contact searches" are not here (but still routed)."""
        self._aliases: dict[str, str] = {}
        """Alias -> the extension of the user it points to."""
        self._unlisten: list[Callable[[], None]] = []

    async def start(self) -> None:
        from cordboard.core.config.settings import EVENT_SETTINGS_CHANGED
        from cordboard.core.identity.service import EVENT_USER_DELETED, EVENT_USER_UPDATED
        from cordboard.core.plugin_manager import EVENT_PLUGIN_LOADED, EVENT_PLUGIN_UNLOADED

        await self._core.db.call(storage.ensure_schema)
        await self.refresh()
        bus = self._core.bus
        for event in (EVENT_PLUGIN_LOADED, EVENT_PLUGIN_UNLOADED, EVENT_USER_UPDATED, EVENT_USER_DELETED):
            self._unlisten.append(bus.listen(event, self._changed))
        self._unlisten.append(bus.listen(EVENT_SETTINGS_CHANGED, self._settings_changed))

    def stop(self) -> None:
        for unlisten in self._unlisten:
            unlisten()
        self._unlisten.clear()

    async def _changed(self, _event: Any) -> None:
        await self.refresh()

    async def _settings_changed(self, event: Any) -> None:
        keys = event.data.get("keys", [])
        if event.data.get("scope") != "org" or not any(
            str(k).startswith("core.extension_range") for k in keys
        ):
            return
        settings = self._core.settings
        start = str(await settings.org_value("core.extension_range_start"))
        end = str(await settings.org_value("core.extension_range_end"))
        try:
            if await self._core.db.call(lambda db: storage.reseed(db, start, end)):
                _LOGGER.info("Number ranges follow the new extension range %s-%s", start, end)
        except Exception as err:  # a number in use would be stranded: keep the ranges as they are
            _LOGGER.warning("Number ranges not changed to %s-%s: %s", start, end, err)

    async def refresh(self) -> None:
        """Collect the plugins' claims again and reload the aliases."""
        owned = await self._core.db.call(storage.owned_in_db)
        alias_users = await self._core.db.call(storage.aliases)
        extensions = {owner.id: number for number, owner in owned.items() if owner.kind == "user"}
        self._aliases = {a: extensions[str(uid)] for a, uid in alias_users.items() if str(uid) in extensions}
        claims: dict[str, Owner] = {}
        listed: dict[str, NumberClaim] = {}
        conflicts: list[dict[str, str]] = []
        for domain, found in self._collect_claims():
            for claim in found:
                holder = owned.get(claim.number) or claims.get(claim.number)
                if holder is not None and not (holder.kind == "plugin" and holder.id == domain):
                    _LOGGER.error(
                        "The %s plugin claims %s, which belongs to %s: the claim is ignored",
                        domain,
                        claim.number,
                        holder.describe(),
                    )
                    conflicts.append({"number": claim.number, "plugin": domain, "owner": holder.describe()})
                    continue
                claims[claim.number] = Owner("plugin", domain, claim.label)
                if claim.contact_name:
                    listed[claim.number] = claim
        self.claims, self.conflicts, self.listed = claims, conflicts, listed
        await self._core.db.call(lambda db: storage.save_claims(db, claims))

    def _collect_claims(self) -> list[tuple[str, list[NumberClaim]]]:
        plugins = getattr(self._core, "plugins", None)
        if plugins is None:
            return []
        return [
            (domain, [c if isinstance(c, NumberClaim) else NumberClaim(str(c)) for c in result or []])
            for domain, result in plugins.answers(
                "cordboard_number_claims", "listing its numbers", core=self._core
            )
        ]

    # -- routing ----------------------------------------------------------------------------
    def resolve(self, number: str) -> str:
        """The line a dialled number reaches: an alias's user's extension, else the number."""
        return self._aliases.get(number, number)

    def plugin_of(self, number: str) -> str | None:
        owner = self.claims.get(number)
        return owner.id if owner is not None else None

    # -- admin --------------------------------------------------------------------------------
    async def ranges(self) -> list[NumberRange]:
        return await self._core.db.call(storage.list_ranges)

    async def owners(self) -> dict[str, Owner]:
        """Every owned number: users' lines and aliases, and the plugins' claims."""
        owned = await self._core.db.call(storage.owned_in_db)
        return {**self.claims, **owned}

    async def owner_of(self, number: str) -> Owner | None:
        return (await self.owners()).get(number)

    async def available(
        self, *, range_id: int | None = None, purpose: str | None = None, limit: int = 100
    ) -> list[str]:
        """NUM-02: numbers of the ranges (one, or those for ``purpose``) that nobody owns, in order."""
        owners = await self.owners()
        ranges = await self.ranges()
        if range_id is not None:
            ranges = [r for r in ranges if r.id == range_id]
        elif purpose is not None:
            ranges = [r for r in ranges if r.purpose in (purpose, "any")]
        free: list[str] = []
        for number_range in ranges:
            for number in number_range.numbers():
                if number not in owners:
                    free.append(number)
                    if len(free) >= limit:
                        return free
        return free

    async def next_free(self, purpose: str) -> str | None:
        """NUM-03: the number the UI proposes for a new user line or function number."""
        wanted = FUNCTION_PURPOSES.get(purpose, "users")
        found = await self.available(purpose=wanted, limit=1)
        return found[0] if found else None

    async def add_alias(self, number: str, user_id: int) -> None:
        await self._core.db.call(lambda db: storage.add_alias(db, number, user_id))
        await self.refresh()

    async def remove_alias(self, number: str) -> None:
        await self._core.db.call(lambda db: storage.remove_alias(db, number))
        await self.refresh()
