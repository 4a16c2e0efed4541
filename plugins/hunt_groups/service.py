"""The hunt groups in memory (for the number registry and the routing of every call) and their
changes, which go to the database first and then to the number registry."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from cordboard.core.calls.channel import Channel, ChannelHandler
from cordboard.core.core import Core
from cordboard.core.exceptions import NotFound
from cordboard.core.numbers.model import NumberClaim
from cordboard.plugins.hunt_groups import storage
from cordboard.plugins.hunt_groups.checks import checked_group
from cordboard.plugins.hunt_groups.hunting import take_call
from cordboard.plugins.hunt_groups.members import members_of
from cordboard.plugins.hunt_groups.model import HuntGroup

_LOGGER = logging.getLogger(__name__)


class HuntGroups:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._groups: dict[int, HuntGroup] = {}
        self._saving = asyncio.Lock()
        """One change at a time: each is checked against the groups as the one before left them."""

    async def load(self) -> None:
        self._groups = {g.id: g for g in await self._core.db.call(storage.all_groups)}

    # -- reading ------------------------------------------------------------------------------
    def all(self) -> list[HuntGroup]:
        return sorted(self._groups.values(), key=lambda g: (len(g.number), g.number))

    def get(self, group_id: int) -> HuntGroup:
        group = self._groups.get(group_id)
        if group is None:
            raise NotFound(f"No hunt group with id {group_id}")
        return group

    def claims(self) -> list[NumberClaim]:
        """NUM-07: every group's number is the plugin's, labelled with the group's name."""
        return [
            NumberClaim(
                g.number,
                f"Hunt group {g.name}",
                contact_name="" if g.exclude_from_search else g.name,  # NUM-11
                function="hunt_group",
            )
            for g in self.all()
        ]

    def handler(self, dialled: str) -> ChannelHandler | None:
        """The call handler for a group's number, else None (not ours)."""
        group = next((g for g in self._groups.values() if g.number == dialled), None)
        if group is None:
            return None

        async def hunt(channel: Channel) -> None:
            await take_call(self._core, group, channel)

        return hunt

    async def described(self, group: HuntGroup) -> dict[str, Any]:
        """The group for the API, with its members in the order they are rung (HG-02)."""
        members = await members_of(self._core, group)
        return {**group.as_dict(), "members": [m.as_dict() for m in members]}

    # -- changes ------------------------------------------------------------------------------
    def _others(self, group_id: int | None) -> Sequence[HuntGroup]:
        return [g for g in self._groups.values() if g.id != group_id]

    async def create(self, data: Mapping[str, Any]) -> HuntGroup:
        async with self._saving:
            fields = await checked_group(self._core, data, others=self._others(None))
            group = await self._core.db.call(lambda db: storage.create_group(db, fields))
            self._groups[group.id] = group
        _LOGGER.info("Hunt group %s (%s) created", group.number, group.name)
        await self._core.numbers.refresh()
        return group

    async def update(self, group_id: int, data: Mapping[str, Any]) -> HuntGroup:
        async with self._saving:
            self.get(group_id)
            fields = await checked_group(self._core, data, others=self._others(group_id))
            group = await self._core.db.call(lambda db: storage.update_group(db, group_id, fields))
            self._groups[group.id] = group
        _LOGGER.info("Hunt group %s (%s) changed", group.number, group.name)
        await self._core.numbers.refresh()
        return group

    async def delete(self, group_id: int) -> None:
        async with self._saving:
            group = self.get(group_id)
            await self._core.db.call(lambda db: storage.delete_group(db, group_id))
            del self._groups[group_id]
        _LOGGER.info("Hunt group %s (%s) deleted", group.number, group.name)
        await self._core.numbers.refresh()
