"""night_mode: the feature codes that turn a user's night-mode override on and off (FC-08, SCH-05);
working hours and night mode themselves are the core's (cordboard.core.schedules)."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any

import voluptuous as vol

from cordboard.core.calls.channel import ChannelHandler, InboundCall
from cordboard.core.core import Core
from cordboard.core.plugin_api import NumberClaim, hookimpl


@hookimpl
def cordboard_config_schema() -> vol.Schema:
    from cordboard.plugins.night_mode.schema import CONFIG_SCHEMA

    return CONFIG_SCHEMA


@contextlib.asynccontextmanager
async def _codes(core: Core, config: Mapping[str, Any]) -> AsyncIterator[None]:
    from cordboard.plugins.night_mode.const import CODES_KEY, CONF_OFF_CODE, CONF_ON_CODE, Codes

    core.data[CODES_KEY] = Codes(config[CONF_OFF_CODE], config[CONF_ON_CODE])
    try:
        yield
    finally:
        core.data.pop(CODES_KEY, None)


@hookimpl
def cordboard_lifespan(core: Core, config: Mapping[str, Any]) -> AbstractAsyncContextManager[None]:
    return _codes(core, config)


@hookimpl
def cordboard_number_claims(core: Core) -> list[NumberClaim]:
    from cordboard.plugins.night_mode.const import CODES_KEY

    codes = core.data.get(CODES_KEY)
    if codes is None:
        return []
    return [NumberClaim(codes.off, "Night mode off"), NumberClaim(codes.on, "Night mode on")]


@hookimpl
def cordboard_route_call(core: Core, call: InboundCall) -> ChannelHandler | None:
    from cordboard.plugins.night_mode import phone
    from cordboard.plugins.night_mode.const import CODES_KEY

    codes = core.data.get(CODES_KEY)
    off = None if codes is None or not call.dialled else codes.match(call.dialled)
    if off is None:
        return None
    return functools.partial(phone.switch, core=core, off=off)
