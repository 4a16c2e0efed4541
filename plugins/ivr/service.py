"""The IVR menus in memory (for the number registry and the routing of every call) and their
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
from cordboard.plugins.ivr import storage
from cordboard.plugins.ivr.checks import checked_menu
from cordboard.plugins.ivr.menu_calls import take_call
from cordboard.plugins.ivr.model import IvrMenu

_LOGGER = logging.getLogger(__name__)


class IvrMenus:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._menus: dict[int, IvrMenu] = {}
        self._saving = asyncio.Lock()
        """One change at a time: each is checked against the menus as the one before left them."""

    async def load(self) -> None:
        self._menus = {m.id: m for m in await self._core.db.call(storage.all_menus)}

    # -- reading ------------------------------------------------------------------------------
    def all(self) -> list[IvrMenu]:
        return sorted(self._menus.values(), key=lambda m: (len(m.number), m.number))

    def get(self, menu_id: int) -> IvrMenu:
        menu = self._menus.get(menu_id)
        if menu is None:
            raise NotFound(f"No IVR menu with id {menu_id}")
        return menu

    def claims(self) -> list[NumberClaim]:
        """NUM-07: every menu's number is the plugin's, labelled with the menu's name."""
        return [
            NumberClaim(
                m.number,
                f"IVR {m.name}",
                contact_name="" if m.exclude_from_search else m.name,  # NUM-11
                function="ivr",
            )
            for m in self.all()
        ]

    def handler(self, dialled: str) -> ChannelHandler | None:
        """The call handler for a menu's number, else None (not ours)."""
        menu = next((m for m in self._menus.values() if m.number == dialled), None)
        if menu is None:
            return None

        async def run_menu(channel: Channel) -> None:
            await take_call(self._core, menu, channel)

        return run_menu

    # -- changes ------------------------------------------------------------------------------
    def _others(self, menu_id: int | None) -> Sequence[IvrMenu]:
        return [m for m in self._menus.values() if m.id != menu_id]

    async def create(self, data: Mapping[str, Any]) -> IvrMenu:
        async with self._saving:
            fields = await checked_menu(self._core, data, others=self._others(None))
            menu = await self._core.db.call(lambda db: storage.create_menu(db, fields))
            self._menus[menu.id] = menu
        _LOGGER.info("IVR menu %s (%s) created", menu.number, menu.name)
        await self._core.numbers.refresh()
        return menu

    async def update(self, menu_id: int, data: Mapping[str, Any]) -> IvrMenu:
        async with self._saving:
            self.get(menu_id)
            fields = await checked_menu(self._core, data, others=self._others(menu_id))
            menu = await self._core.db.call(lambda db: storage.update_menu(db, menu_id, fields))
            self._menus[menu.id] = menu
        _LOGGER.info("IVR menu %s (%s) changed", menu.number, menu.name)
        await self._core.numbers.refresh()
        return menu

    async def delete(self, menu_id: int) -> None:
        async with self._saving:
            menu = self.get(menu_id)
            await self._core.db.call(lambda db: storage.delete_menu(db, menu_id))
            del self._menus[menu_id]
        _LOGGER.info("IVR menu %s (%s) deleted", menu.number, menu.name)
        await self._core.numbers.refresh()
