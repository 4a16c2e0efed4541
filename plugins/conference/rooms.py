"""The rooms: which numbers are rooms, and what a caller hears on the way in (PIN, greeting)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cordboard.core.calls.channel import Channel, ChannelHandler
from cordboard.core.calls.conference import Conference
from cordboard.plugins.conference.const import (
    CONF_FIRST_NUMBER,
    CONF_MAX_PARTICIPANTS,
    CONF_PIN,
    CONF_ROOMS,
    PIN_ATTEMPTS,
)


class ConferenceRooms:
    """Rooms ``first_number`` .. ``first_number + rooms - 1`` (numbers keep their digit count)."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        first = config[CONF_FIRST_NUMBER]
        width = len(first)
        self.numbers = [str(int(first) + n).zfill(width) for n in range(config[CONF_ROOMS])]
        self.pin: str | None = config.get(CONF_PIN)
        self.max_participants: int = config[CONF_MAX_PARTICIPANTS]
        self.rooms: dict[str, Conference] = {}

    def handler(self, dialled: str) -> ChannelHandler | None:
        if dialled not in self.numbers:
            return None

        async def enter(channel: Channel) -> None:
            await self.enter(dialled, channel)

        return enter

    def room(self, number: str) -> Conference:
        room = self.rooms.get(number)
        if room is None:
            room = self.rooms[number] = Conference(number, max_members=self.max_participants)
        return room

    async def enter(self, number: str, channel: Channel) -> None:
        await channel.answer()
        if self.pin is not None and not await self._pin_ok(channel):
            await channel.play(["goodbye"])
            return
        room = self.room(number)
        if room.full:
            await channel.play(["not_available", "goodbye"])
            return
        await channel.play(["conference_enter"])
        if not len(room):  # asked after the greeting: whoever joined meanwhile counts
            await channel.play(["conference_alone"])
        try:
            await channel.join(room)
        finally:
            if not len(room):
                self.rooms.pop(number, None)

    async def _pin_ok(self, channel: Channel) -> bool:
        for _attempt in range(PIN_ATTEMPTS):
            if await channel.ask("enter_pin", 12) == self.pin:
                return True
            await channel.play(["wrong_pin"])
        return False
