"""park: numbered park positions (PKP-04, BYD-36) on the Channel API: a phone transfers a call to a
free position, any phone with the right dials the position to take it, and a call nobody takes in
time rings back the phone that parked it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any

import voluptuous as vol

from cordboard.core.calls.channel import ChannelHandler, InboundCall
from cordboard.core.core import Core
from cordboard.core.numbers.flow import FlowNode
from cordboard.core.plugin_api import NumberClaim, hookimpl
from cordboard.core.sip.event_bodies import DialogInfo
from cordboard.plugins.park.const import LOT_KEY


@hookimpl
def cordboard_config_schema() -> vol.Schema:
    from cordboard.plugins.park.schema import CONFIG_SCHEMA

    return CONFIG_SCHEMA


@contextlib.asynccontextmanager
async def _lot(core: Core, config: Mapping[str, Any]) -> AsyncIterator[None]:
    from cordboard.plugins.park.lot import ParkingLot

    lot = ParkingLot(core, config)
    core.data[LOT_KEY] = lot
    lot.publish_all()
    try:
        yield
    finally:
        core.data.pop(LOT_KEY, None)
        lot.remove_states()


@hookimpl
def cordboard_lifespan(core: Core, config: Mapping[str, Any]) -> AbstractAsyncContextManager[None]:
    return _lot(core, config)


@hookimpl
def cordboard_route_call(core: Core, call: InboundCall) -> ChannelHandler | None:
    lot = core.data.get(LOT_KEY)
    return lot.handler(call) if lot is not None else None


@hookimpl
def cordboard_number_claims(core: Core) -> list[NumberClaim]:
    lot = core.data.get(LOT_KEY)
    return [NumberClaim(number, "Park position") for number in lot.numbers] if lot is not None else []


@hookimpl
def cordboard_number_dialogs(core: Core, number: str) -> list[DialogInfo] | None:
    lot = core.data.get(LOT_KEY)
    return lot.dialogs(number) if lot is not None and number in lot.numbers else None


@hookimpl
def cordboard_number_flow(core: Core, number: str) -> FlowNode | None:
    """AA-02: a park position is where the tree ends (a parked call is taken by dialling it)."""
    lot = core.data.get(LOT_KEY)
    if lot is None or number not in lot.numbers:
        return None
    return FlowNode(number, "park", "Park position", note="dial it to take the parked call")
