"""Who may use which gated service against whom (ROLE-09), answered from memory."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from cordboard.core.bus import Event, EventType
from cordboard.core.exceptions import NotFound
from cordboard.core.rights import storage
from cordboard.core.rights.model import SERVICES, Grant

if TYPE_CHECKING:
    from cordboard.core.core import Core

_LOGGER = logging.getLogger(__name__)
EVENT_RIGHTS_CHANGED = EventType[dict[str, Any]]("rights.changed")


class RightsService:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._grants: dict[str, list[Grant]] = {}
        self._groups: dict[int, frozenset[int]] = {}
        self._admins: frozenset[int] = frozenset()
        self._unlisten: list[Any] = []

    async def start(self) -> None:
        from cordboard.core.core import EVENT_EXTERNAL_CHANGE
        from cordboard.core.identity.service import MEMBERSHIP_EVENTS

        await self._core.db.call(storage.ensure_schema)
        await self.reload()
        for event in (*MEMBERSHIP_EVENTS, EVENT_EXTERNAL_CHANGE):
            self._unlisten.append(self._core.bus.listen(str(event), self._changed))

    async def stop(self) -> None:
        for remove in self._unlisten:
            remove()
        self._unlisten.clear()

    async def _changed(self, event: Event[Any]) -> None:
        await self.reload()

    async def reload(self) -> None:
        """The grants and every user's groups as the database has them now."""
        grants = await self._core.db.call(storage.load_grants)
        users = await self._core.identity.list_users()
        by_service: dict[str, list[Grant]] = {name: [] for name in SERVICES}
        for grant in grants:
            by_service.setdefault(grant.service, []).append(grant)
        self._grants = by_service
        self._groups = {u.id: frozenset(u.groups) for u in users}
        self._admins = frozenset(u.id for u in users if u.is_admin)

    # -- questions ----------------------------------------------------------------------------
    def allows(self, service: str, actor_id: int, target_id: int) -> bool:
        """Whether user ``actor_id`` may use ``service`` against user ``target_id``: always on
        themselves and for administrators, else when a grant to every user or to one of the actor's
        groups covers the target."""
        if actor_id == target_id or actor_id in self._admins:
            return True
        actor_groups = self._groups.get(actor_id, frozenset())
        target_groups = self._groups.get(target_id, frozenset())
        for grant in self._grants.get(service, ()):
            if (grant.group_id is None or grant.group_id in actor_groups) and grant.covers(
                target_id, target_groups
            ):
                return True
        return False

    def groups_of(self, user_id: int) -> frozenset[int]:
        return self._groups.get(user_id, frozenset())

    def group_mates(self, user_id: int) -> set[int]:
        """The other users who share a group with ``user_id`` (from the memberships kept here)."""
        groups = self.groups_of(user_id)
        return {other for other, theirs in self._groups.items() if other != user_id and groups & theirs}

    def fellow_holders(self, service: str, user_id: int) -> set[int]:
        """``user_id`` and the members of those of their groups that hold a grant of ``service``
        (an attendant group's receptionists, PQ-07)."""
        holding = {g.group_id for g in self._grants.get(service, ()) if g.group_id in self.groups_of(user_id)}
        return {user_id} | {other for other, theirs in self._groups.items() if theirs & holding}

    def allows_scope(self, service: str, actor_id: int, scope: str, scope_id: int | None) -> bool:
        """Whether a grant gives ``actor_id`` the service over exactly this scope (a list that is
        the organisation's or one group's, e.g. in the company directory, DIR-02)."""
        if actor_id in self._admins:
            return True
        actor_groups = self._groups.get(actor_id, frozenset())
        return any(
            (grant.group_id is None or grant.group_id in actor_groups)
            and (grant.scope, grant.scope_id) == (scope, None if scope == "org" else scope_id)
            for grant in self._grants.get(service, ())
        )

    def grants(self, service: str) -> list[Grant]:
        if service not in SERVICES:
            raise NotFound(f"No service {service!r}")
        return list(self._grants.get(service, ()))

    async def set_grants(
        self, service: str, grants: Sequence[Mapping[str, Any]], actor: str | None = None
    ) -> list[Grant]:
        if service not in SERVICES:
            raise NotFound(f"No service {service!r}")
        wanted = [
            Grant(service, g["group_id"], g["scope"], None if g["scope"] == "org" else g["scope_id"])
            for g in grants
        ]
        await self._core.db.call(lambda db: storage.replace_grants(db, service, wanted))
        await self.reload()
        _LOGGER.info("Service right %s now has %d grant(s)", service, len(wanted))
        from cordboard.core.context import Context

        self._core.bus.fire(EVENT_RIGHTS_CHANGED, {"service": service}, Context(user_id=actor))
        return self.grants(service)
