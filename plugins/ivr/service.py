"""The IVR menus in memory (for the number registry and the routing of every call) and their
changes (``FunctionNumbers``)."""

from __future__ import annotations

from cordboard.core.calls.channel import Channel, ChannelHandler
from cordboard.core.core import Core
from cordboard.core.numbers.function_number_service import FunctionNumbers, FunctionNumberStorage
from cordboard.core.numbers.model import NumberClaim
from cordboard.plugins.ivr import storage
from cordboard.plugins.ivr.checks import checked_menu
from cordboard.plugins.ivr.menu_calls import take_call
from cordboard.plugins.ivr.model import IvrMenu

_STORAGE = FunctionNumberStorage(
    storage.all_menus, storage.create_menu, storage.update_menu, storage.delete_menu
)


class IvrMenus(FunctionNumbers[IvrMenu]):
    def __init__(self, core: Core) -> None:
        super().__init__(core, _STORAGE, checked_menu, "IVR menu")

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
        menu = self.by_number(dialled)
        if menu is None:
            return None

        async def run_menu(channel: Channel) -> None:
            await take_call(self._core, menu, channel)

        return run_menu
