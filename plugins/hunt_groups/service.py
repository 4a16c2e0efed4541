"""The hunt groups in memory (for the number registry and the routing of every call) and their
changes (``FunctionNumbers``)."""

from __future__ import annotations

from typing import Any

from cordboard.core.calls.channel import Channel, ChannelHandler
from cordboard.core.core import Core
from cordboard.core.numbers.function_number_service import FunctionNumbers, FunctionNumberStorage
from cordboard.core.numbers.model import NumberClaim
from cordboard.plugins.hunt_groups import storage
from cordboard.plugins.hunt_groups.checks import checked_group
from cordboard.plugins.hunt_groups.hunting import take_call
from cordboard.plugins.hunt_groups.members import members_of
from cordboard.plugins.hunt_groups.model import HuntGroup

_STORAGE = FunctionNumberStorage(
    storage.all_groups, storage.create_group, storage.update_group, storage.delete_group
)


class HuntGroups(FunctionNumbers[HuntGroup]):
    def __init__(self, core: Core) -> None:
        super().__init__(core, _STORAGE, checked_group, "hunt group")

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
        group = self.by_number(dialled)
        if group is None:
            return None

        async def hunt(channel: Channel) -> None:
            await take_call(self._core, group, channel)

        return hunt

    async def described(self, group: HuntGroup) -> dict[str, Any]:
        """The group for the API, with its members in the order they are rung (HG-02)."""
        members = await members_of(self._core, group)
        return {**group.as_dict(), "members": [m.as_dict() for m in members]}
