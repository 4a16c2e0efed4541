"""The switches and announcements in memory (for the number registry and the routing of every
call) and their changes, which go to the database first and then to the number registry. A
switch's state change fires ``flow_switch.changed`` and is logged with who made it (AA-04)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from cordboard.core.calls.channel import Channel, ChannelHandler
from cordboard.core.core import Core
from cordboard.core.exceptions import NotFound
from cordboard.core.numbers.model import NumberClaim
from cordboard.plugins.flow_elements import storage
from cordboard.plugins.flow_elements.calls import announcement_call, switch_call
from cordboard.plugins.flow_elements.checks import checked_announcement, checked_switch
from cordboard.plugins.flow_elements.const import EVENT_SWITCH_CHANGED
from cordboard.plugins.flow_elements.model import Announcement, FlowSwitch

_LOGGER = logging.getLogger(__name__)


def _ordered(number: str) -> tuple[int, str]:
    return (len(number), number)


class FlowElements:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._switches: dict[int, FlowSwitch] = {}
        self._announcements: dict[int, Announcement] = {}
        self._saving = asyncio.Lock()
        """One change at a time: each is checked against the elements as the one before left them."""

    async def load(self) -> None:
        self._switches = {s.id: s for s in await self._core.db.call(storage.all_switches)}
        self._announcements = {a.id: a for a in await self._core.db.call(storage.all_announcements)}

    # -- reading ------------------------------------------------------------------------------
    def switches(self) -> list[FlowSwitch]:
        return sorted(self._switches.values(), key=lambda s: _ordered(s.number))

    def announcements(self) -> list[Announcement]:
        return sorted(self._announcements.values(), key=lambda a: _ordered(a.number))

    def switch(self, switch_id: int) -> FlowSwitch:
        found = self._switches.get(switch_id)
        if found is None:
            raise NotFound(f"No switch with id {switch_id}")
        return found

    def announcement(self, announcement_id: int) -> Announcement:
        found = self._announcements.get(announcement_id)
        if found is None:
            raise NotFound(f"No announcement with id {announcement_id}")
        return found

    def switch_at(self, number: str) -> FlowSwitch | None:
        return next((s for s in self._switches.values() if s.number == number), None)

    def announcement_at(self, number: str) -> Announcement | None:
        return next((a for a in self._announcements.values() if a.number == number), None)

    def claims(self) -> list[NumberClaim]:
        """NUM-07: every element's number is the plugin's, labelled with its name."""
        return [NumberClaim(s.number, f"Switch {s.name}") for s in self.switches()] + [
            NumberClaim(a.number, f"Announcement {a.name}") for a in self.announcements()
        ]

    def handler(self, dialled: str) -> ChannelHandler | None:
        """The call handler for an element's number, else None (not ours). The element is looked
        up again when the call comes, so that it follows the switch's state of that moment."""
        if self.switch_at(dialled) is None and self.announcement_at(dialled) is None:
            return None

        async def take(channel: Channel) -> None:
            switch = self.switch_at(dialled)
            if switch is not None:
                await switch_call(self._core, switch, channel)
                return
            announcement = self.announcement_at(dialled)
            if announcement is not None:
                await announcement_call(self._core, announcement, channel)

        return take

    def _taken(self, *, switch_id: int | None = None, announcement_id: int | None = None) -> dict[str, str]:
        """The plugin's numbers besides the element being saved, with who has them."""
        taken = {s.number: f"the switch {s.name}" for s in self._switches.values() if s.id != switch_id}
        taken.update(
            {
                a.number: f"the announcement {a.name}"
                for a in self._announcements.values()
                if a.id != announcement_id
            }
        )
        return taken

    # -- switches -----------------------------------------------------------------------------
    async def create_switch(self, data: Mapping[str, Any], *, by: str) -> FlowSwitch:
        async with self._saving:
            fields = await checked_switch(self._core, data, taken=self._taken())
            switch = await self._core.db.call(lambda db: storage.create_switch(db, fields, f"{by} (web)"))
            self._switches[switch.id] = switch
        _LOGGER.info("Switch %s (%s) created by %s, %s", switch.number, switch.name, by, _state(switch.on))
        await self._core.numbers.refresh()
        return switch

    async def update_switch(self, switch_id: int, data: Mapping[str, Any], *, by: str) -> FlowSwitch:
        """Change a switch's fields; an ``on`` that differs from its state sets it too."""
        async with self._saving:
            old = self.switch(switch_id)
            fields = await checked_switch(self._core, data, taken=self._taken(switch_id=switch_id))
            switch = await self._core.db.call(lambda db: storage.update_switch(db, switch_id, fields))
            self._switches[switch.id] = switch
        _LOGGER.info("Switch %s (%s) changed by %s", switch.number, switch.name, by)
        await self._core.numbers.refresh()
        if "on" in data and fields["on"] != old.on:
            switch = await self.set_state(switch_id, bool(fields["on"]), by=by, via="web")
        return switch

    async def set_state(
        self, switch_id: int, on: bool, *, by: str, via: str, user_id: int | None = None
    ) -> FlowSwitch:
        """AA-04: turn the switch on or off; ``by`` (a user name) and ``via`` (``web``, ``phone``)
        are logged, kept with the switch and told in ``flow_switch.changed``."""
        async with self._saving:
            old = self.switch(switch_id)
            changed_by = f"{by} ({via})"
            switch = await self._core.db.call(
                lambda db: storage.set_switch_state(db, switch_id, on, changed_by)
            )
            self._switches[switch.id] = switch
        _LOGGER.info(
            "Switch %s (%s) turned %s by %s via %s (was %s)",
            switch.number, switch.name, _state(on), by, via, _state(old.on),
        )  # fmt: skip
        self._core.bus.fire(
            EVENT_SWITCH_CHANGED,
            {
                "id": switch.id,
                "number": switch.number,
                "name": switch.name,
                "on": switch.on,
                "was_on": old.on,
                "user_id": user_id,
                "username": by,
                "via": via,
            },
        )
        return switch

    async def lock_switch(self, switch_id: int, locked: bool, *, by: str) -> FlowSwitch:
        """CAPA-14: a locked switch takes no calls until unlocked."""
        async with self._saving:
            self.switch(switch_id)
            switch = await self._core.db.call(lambda db: storage.set_switch_locked(db, switch_id, locked))
            self._switches[switch.id] = switch
        _LOGGER.info("Switch %s (%s) %s by %s", switch.number, switch.name, _locked(locked), by)
        return switch

    async def delete_switch(self, switch_id: int, *, by: str) -> None:
        async with self._saving:
            switch = self.switch(switch_id)
            await self._core.db.call(lambda db: storage.delete_switch(db, switch_id))
            del self._switches[switch_id]
        _LOGGER.info("Switch %s (%s) deleted by %s", switch.number, switch.name, by)
        await self._core.numbers.refresh()

    # -- announcements ------------------------------------------------------------------------
    async def create_announcement(self, data: Mapping[str, Any], *, by: str) -> Announcement:
        async with self._saving:
            fields = await checked_announcement(self._core, data, taken=self._taken())
            found = await self._core.db.call(lambda db: storage.create_announcement(db, fields))
            self._announcements[found.id] = found
        _LOGGER.info("Announcement %s (%s) created by %s", found.number, found.name, by)
        await self._core.numbers.refresh()
        return found

    async def update_announcement(
        self, announcement_id: int, data: Mapping[str, Any], *, by: str
    ) -> Announcement:
        async with self._saving:
            self.announcement(announcement_id)
            fields = await checked_announcement(
                self._core, data, taken=self._taken(announcement_id=announcement_id)
            )
            found = await self._core.db.call(
                lambda db: storage.update_announcement(db, announcement_id, fields)
            )
            self._announcements[found.id] = found
        _LOGGER.info("Announcement %s (%s) changed by %s", found.number, found.name, by)
        await self._core.numbers.refresh()
        return found

    async def lock_announcement(self, announcement_id: int, locked: bool, *, by: str) -> Announcement:
        async with self._saving:
            self.announcement(announcement_id)
            found = await self._core.db.call(
                lambda db: storage.set_announcement_locked(db, announcement_id, locked)
            )
            self._announcements[found.id] = found
        _LOGGER.info("Announcement %s (%s) %s by %s", found.number, found.name, _locked(locked), by)
        return found

    async def delete_announcement(self, announcement_id: int, *, by: str) -> None:
        async with self._saving:
            found = self.announcement(announcement_id)
            await self._core.db.call(lambda db: storage.delete_announcement(db, announcement_id))
            del self._announcements[announcement_id]
        _LOGGER.info("Announcement %s (%s) deleted by %s", found.number, found.name, by)
        await self._core.numbers.refresh()


def _state(on: bool) -> str:
    return "on" if on else "off"


def _locked(locked: bool) -> str:
    return "locked" if locked else "unlocked"
