"""The park positions and the calls waiting in them."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cordboard.core.calls.channel import Channel, ChannelHandler, InboundCall
from cordboard.core.calls.subscriptions import EVENT_NUMBER_DIALOGS
from cordboard.core.core import Core
from cordboard.core.sip.event_bodies import DialogInfo
from cordboard.plugins.park.const import (
    CONF_FIRST_NUMBER,
    CONF_POSITIONS,
    CONF_TIMEOUT,
    DOMAIN,
    RECALL_RING_S,
    RETRIEVE_RIGHT,
)

_LOGGER = logging.getLogger(__name__)


@dataclass(slots=True)
class Parked:
    channel: Channel
    parker: str
    """The number of the phone that parked the call (rung back when nobody takes it)."""
    parker_user_id: int | None
    since: float
    taker: asyncio.Future[Channel] = field(default_factory=lambda: asyncio.get_running_loop().create_future())
    over: asyncio.Future[None] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class ParkingLot:
    def __init__(self, core: Core, config: Mapping[str, Any]) -> None:
        self._core = core
        first = str(config[CONF_FIRST_NUMBER])
        width = len(first)
        self.numbers = [f"{int(first) + n:0{width}d}" for n in range(int(config[CONF_POSITIONS]))]
        self.timeout = float(config[CONF_TIMEOUT])
        self.parked: dict[str, Parked] = {}

    def handler(self, call: InboundCall) -> ChannelHandler | None:
        """Park a call transferred to a position; take the call parked there for anyone else."""
        if call.dialled not in self.numbers:
            return None
        if call.referred_by is not None:
            return functools.partial(self._park, position=call.dialled)
        return functools.partial(self._take, position=call.dialled)

    # -- parking ------------------------------------------------------------------------------
    async def _park(self, channel: Channel, *, position: str) -> None:
        parker = channel.call.referred_by or ""
        shown = (channel.call.caller, channel.call.caller_name)
        if position in self.parked:  # taken meanwhile: back to whoever wanted to park it
            _LOGGER.info(
                "Park position %s is taken: %s goes back to %s", position, channel.call.caller, parker
            )
            await self._recall(channel, parker, shown)
            return
        calls = self._core.calls
        account = calls.find_account(parker) if calls is not None else None
        parked = Parked(channel, parker, account.user_id if account else None, time.time())
        self.parked[position] = parked
        self._publish(position)
        _LOGGER.info("%s parked %s at %s", parker, channel.call.caller, position)
        try:
            await channel.hold()
            ended = asyncio.ensure_future(channel.wait_ended())
            waits: set[asyncio.Future[Any]] = {parked.taker, ended}
            done, _pending = await asyncio.wait(
                waits, timeout=self.timeout, return_when=asyncio.FIRST_COMPLETED
            )
            ended.cancel()
            if parked.taker in done:
                await channel.unhold()
                try:
                    await channel.bridge(parked.taker.result())
                finally:
                    parked.over.set_result(None)
                return
            if ended in done:
                return
            self._free(position, parked)
            await channel.unhold()
            _LOGGER.info("Nobody took %s from %s: ringing %s back", channel.call.caller, position, parker)
            await self._recall(channel, parker, shown)
        finally:
            self._free(position, parked)
            if not parked.over.done():
                parked.over.set_result(None)

    async def _recall(self, channel: Channel, parker: str, shown: tuple[str, str]) -> None:
        missed = await channel.transfer(
            parker, ring_s=RECALL_RING_S, caller_id=shown, metadata={"reason": "park recall"}
        )
        if missed is not None:
            await channel.play(["not_available", "goodbye"])

    # -- taking -------------------------------------------------------------------------------
    async def _take(self, channel: Channel, *, position: str) -> None:
        parked = self.parked.get(position)
        taker = channel.call.caller_user_id
        await channel.answer()
        if parked is None or parked.taker.done():
            await channel.play(["pickup_nothing", "goodbye"])
            return
        if taker is None or (
            parked.parker_user_id is not None
            and not self._core.rights.allows(RETRIEVE_RIGHT, taker, parked.parker_user_id)
        ):
            _LOGGER.info("%s may not take the call parked at %s", channel.call.caller, position)
            await channel.play(["feature_not_allowed", "goodbye"])
            return
        self._free(position, parked)
        parked.taker.set_result(channel)
        _LOGGER.info("%s took %s from %s", channel.call.caller, parked.channel.call.caller, position)
        await parked.over

    # -- state --------------------------------------------------------------------------------
    def _free(self, position: str, parked: Parked) -> None:
        if self.parked.get(position) is parked:
            del self.parked[position]
            self._publish(position)

    def _publish(self, position: str) -> None:
        parked = self.parked.get(position)
        attributes: dict[str, Any] = {"number": position}
        if parked is not None:
            attributes |= {
                "caller": parked.channel.call.caller,
                "caller_name": parked.channel.call.caller_name,
                "parked_by": parked.parker,
                "since": parked.since,
            }
        self._core.states.set(f"{DOMAIN}.{position}", "occupied" if parked else "free", attributes)
        self._core.bus.fire(EVENT_NUMBER_DIALOGS, {"number": position})

    def dialogs(self, position: str) -> list[DialogInfo]:
        """BYD-36: a busy-lamp key on the position is lit while a call waits there (confirmed, so
        that pressing it dials the position and takes the call)."""
        parked = self.parked.get(position)
        if parked is None:
            return []
        caller = parked.channel.call
        host = self._core.sip.advertise if self._core.sip is not None else ""
        return [
            DialogInfo(
                f"park-{position}",
                "confirmed",
                "recipient",
                remote_identity=f"sip:{caller.caller}@{host}",
                remote_name=caller.caller_name,
            )
        ]

    def publish_all(self) -> None:
        for position in self.numbers:
            self._publish(position)

    def remove_states(self) -> None:
        for position in self.numbers:
            self._core.states.remove(f"{DOMAIN}.{position}")
