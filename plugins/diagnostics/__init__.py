"""diagnostics: a line test number and the appliance's media counters, on the Channel API."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any

import voluptuous as vol
from aiohttp import web

from cordboard.core.calls.channel import ChannelHandler, InboundCall
from cordboard.core.core import Core
from cordboard.core.plugin_api import hookimpl


@hookimpl
def cordboard_config_schema() -> vol.Schema:
    from cordboard.plugins.diagnostics.schema import CONFIG_SCHEMA

    return CONFIG_SCHEMA


@contextlib.asynccontextmanager
async def _numbers(core: Core, config: Mapping[str, Any]) -> AsyncIterator[None]:
    from cordboard.plugins.diagnostics.const import CONF_LINE_TEST_NUMBER, LINE_TEST_KEY

    core.data[LINE_TEST_KEY] = config[CONF_LINE_TEST_NUMBER]
    try:
        yield
    finally:
        core.data.pop(LINE_TEST_KEY, None)


@hookimpl
def cordboard_lifespan(core: Core, config: Mapping[str, Any]) -> AbstractAsyncContextManager[None]:
    return _numbers(core, config)


@hookimpl
def cordboard_route_call(core: Core, call: InboundCall) -> ChannelHandler | None:
    from cordboard.plugins.diagnostics.const import LINE_TEST_KEY
    from cordboard.plugins.diagnostics.line_test import line_test

    return line_test if call.dialled == core.data.get(LINE_TEST_KEY) else None


@hookimpl
def cordboard_http_routes() -> web.RouteTableDef:
    from cordboard.plugins.diagnostics.http import routes

    return routes
