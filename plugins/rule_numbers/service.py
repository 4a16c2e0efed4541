"""The rule-based numbers in memory (for the number registry and the routing of every call) and
their changes (``FunctionNumbers``)."""

from __future__ import annotations

from cordboard.core.calls.channel import Channel, ChannelHandler
from cordboard.core.core import Core
from cordboard.core.numbers.function_number_service import FunctionNumbers, FunctionNumberStorage
from cordboard.core.numbers.model import NumberClaim
from cordboard.plugins.rule_numbers import storage
from cordboard.plugins.rule_numbers.calls import take_call
from cordboard.plugins.rule_numbers.checks import checked_rule_number
from cordboard.plugins.rule_numbers.model import RuleNumber

_STORAGE = FunctionNumberStorage(
    storage.all_numbers, storage.create_number, storage.update_number, storage.delete_number
)


class RuleNumbers(FunctionNumbers[RuleNumber]):
    def __init__(self, core: Core) -> None:
        super().__init__(core, _STORAGE, checked_rule_number, "rule-based number")

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
