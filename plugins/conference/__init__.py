"""conference: meet-me conference rooms on a range of numbers (BYD-17 basics), on the Channel API."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any

import voluptuous as vol

from cordboard.core.calls.channel import ChannelHandler, InboundCall
from cordboard.core.core import Core
from cordboard.core.plugin_api import NumberClaim, hookimpl
from cordboard.plugins.conference.const import ROOMS_KEY


@hookimpl
def cordboard_config_schema() -> vol.Schema:
    from cordboard.plugins.conference.schema import CONFIG_SCHEMA

    return CONFIG_SCHEMA


@contextlib.asynccontextmanager
async def _rooms(core: Core, config: Mapping[str, Any]) -> AsyncIterator[None]:
    from cordboard.plugins.conference.rooms import ConferenceRooms

    core.data[ROOMS_KEY] = ConferenceRooms(config)
    try:
        yield
    finally:
        core.data.pop(ROOMS_KEY, None)


@hookimpl
def cordboard_lifespan(core: Core, config: Mapping[str, Any]) -> AbstractAsyncContextManager[None]:
    return _rooms(core, config)


@hookimpl
def cordboard_route_call(core: Core, call: InboundCall) -> ChannelHandler | None:
    rooms = core.data.get(ROOMS_KEY)
    return rooms.handler(call.dialled) if rooms is not None else None


@hookimpl
def cordboard_number_claims(core: Core) -> list[NumberClaim]:
    rooms = core.data.get(ROOMS_KEY)
    return [NumberClaim(number, "Conference room") for number in rooms.numbers] if rooms is not None else []
