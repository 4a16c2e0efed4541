"""The rule-based numbers in memory (for the number registry and the routing of every call) and
their changes, which go to the database first and then to the number registry."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from cordboard.core.calls.channel import Channel, ChannelHandler
from cordboard.core.core import Core
from cordboard.core.exceptions import NotFound
from cordboard.core.numbers.model import NumberClaim
from cordboard.plugins.rule_numbers import storage
from cordboard.plugins.rule_numbers.calls import take_call
from cordboard.plugins.rule_numbers.checks import checked_rule_number
from cordboard.plugins.rule_numbers.model import RuleNumber

_LOGGER = logging.getLogger(__name__)


class RuleNumbers:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._numbers: dict[int, RuleNumber] = {}
        self._saving = asyncio.Lock()
        """One change at a time: each is checked against the numbers as the one before left them."""

    async def load(self) -> None:
        self._numbers = {n.id: n for n in await self._core.db.call(storage.all_numbers)}

    def all(self) -> list[RuleNumber]:
        return sorted(self._numbers.values(), key=lambda n: (len(n.number), n.number))

    def get(self, number_id: int) -> RuleNumber:
        found = self._numbers.get(number_id)
        if found is None:
            raise NotFound(f"No rule-based number with id {number_id}")
        return found

    def by_number(self, number: str) -> RuleNumber | None:
        return next((n for n in self._numbers.values() if n.number == number), None)

    def claims(self) -> list[NumberClaim]:
        """NUM-07: every rule-based number is the plugin's, labelled with its name."""
        return [NumberClaim(n.number, f"Rule-based number {n.name}", function="rules") for n in self.all()]

    def handler(self, dialled: str) -> ChannelHandler | None:
        """The call handler for a rule-based number, else None (not ours)."""
        found = self.by_number(dialled)
        if found is None:
            return None

        async def route(channel: Channel) -> None:
            await take_call(self._core, found, channel)

        return route

    # -- changes ------------------------------------------------------------------------------
    def _others(self, number_id: int | None) -> Sequence[RuleNumber]:
        return [n for n in self._numbers.values() if n.id != number_id]

    async def create(self, data: Mapping[str, Any]) -> RuleNumber:
        async with self._saving:
            fields = await checked_rule_number(self._core, data, others=self._others(None))
            created = await self._core.db.call(lambda db: storage.create_number(db, fields))
            self._numbers[created.id] = created
        _LOGGER.info("Rule-based number %s (%s) created", created.number, created.name)
        await self._core.numbers.refresh()
        return created

    async def update(self, number_id: int, data: Mapping[str, Any]) -> RuleNumber:
        async with self._saving:
            self.get(number_id)
            fields = await checked_rule_number(self._core, data, others=self._others(number_id))
            changed = await self._core.db.call(lambda db: storage.update_number(db, number_id, fields))
            self._numbers[changed.id] = changed
        _LOGGER.info("Rule-based number %s (%s) changed", changed.number, changed.name)
        await self._core.numbers.refresh()
        return changed

    async def delete(self, number_id: int) -> None:
        async with self._saving:
            gone = self.get(number_id)
            await self._core.db.call(lambda db: storage.delete_number(db, number_id))
            del self._numbers[number_id]
        _LOGGER.info("Rule-based number %s (%s) deleted", gone.number, gone.name)
        await self._core.numbers.refresh()
