"""One plugin's function numbers in memory (hunt groups, IVR menus, rule-based numbers): read from
memory by the number registry and the routing of every call, changed one at a time (each checked
against the others as the change before left them), in the database first, then in the registry."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from cordboard.core.exceptions import NotFound

if TYPE_CHECKING:
    from collections.abc import Awaitable

    import sqlite_utils

    from cordboard.core.core import Core

_LOGGER = logging.getLogger(__name__)


class NumberedItem(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def number(self) -> str: ...

    @property
    def name(self) -> str: ...


ItemT = TypeVar("ItemT", bound=NumberedItem)


Checker = Callable[..., "Awaitable[dict[str, Any]]"]
"""A plugin's check of one item as given (``checks.checked_group(core, data, *, others)``): its
fields, checked against the PBX and ``others`` (the plugin's items besides the one being saved)."""


@dataclass(frozen=True, slots=True)
class FunctionNumberStorage(Generic[ItemT]):
    """A plugin's storage functions for its items (each runs in the database thread)."""

    read_all: Callable[[sqlite_utils.Database], list[ItemT]]
    add: Callable[[sqlite_utils.Database, Mapping[str, Any]], ItemT]
    change: Callable[[sqlite_utils.Database, int, Mapping[str, Any]], ItemT]
    remove: Callable[[sqlite_utils.Database, int], None]


class FunctionNumbers(Generic[ItemT]):
    """The items of one plugin; ``what`` names one in texts ("hunt group", "IVR menu")."""

    def __init__(self, core: Core, storage: FunctionNumberStorage[ItemT], check: Checker, what: str) -> None:
        self._core = core
        self._storage = storage
        self._check = check
        self._what = what
        self._title = what[:1].upper() + what[1:]
        self._items: dict[int, ItemT] = {}
        self._saving = asyncio.Lock()

    async def load(self) -> None:
        self._items = {i.id: i for i in await self._core.db.call(self._storage.read_all)}

    def all(self) -> list[ItemT]:
        return sorted(self._items.values(), key=lambda i: (len(i.number), i.number))

    def get(self, item_id: int) -> ItemT:
        item = self._items.get(item_id)
        if item is None:
            raise NotFound(f"No {self._what} with id {item_id}")
        return item

    def by_number(self, number: str) -> ItemT | None:
        return next((i for i in self._items.values() if i.number == number), None)

    def _others(self, item_id: int | None) -> Sequence[ItemT]:
        return [i for i in self._items.values() if i.id != item_id]

    async def create(self, data: Mapping[str, Any]) -> ItemT:
        async with self._saving:
            fields = await self._check(self._core, data, others=self._others(None))
            item = await self._core.db.call(lambda db: self._storage.add(db, fields))
            self._items[item.id] = item
        _LOGGER.info("%s %s (%s) created", self._title, item.number, item.name)
        await self._core.numbers.refresh()
        return item

    async def update(self, item_id: int, data: Mapping[str, Any]) -> ItemT:
        async with self._saving:
            self.get(item_id)
            fields = await self._check(self._core, data, others=self._others(item_id))
            item = await self._core.db.call(lambda db: self._storage.change(db, item_id, fields))
            self._items[item.id] = item
        _LOGGER.info("%s %s (%s) changed", self._title, item.number, item.name)
        await self._core.numbers.refresh()
        return item

    async def delete(self, item_id: int) -> None:
        async with self._saving:
            item = self.get(item_id)
            await self._core.db.call(lambda db: self._storage.remove(db, item_id))
            del self._items[item_id]
        _LOGGER.info("%s %s (%s) deleted", self._title, item.number, item.name)
        await self._core.numbers.refresh()
