"""diagnostics: the echo test, a line test number, a recorded echo test and the appliance's media
counters, on the Channel API."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any

import voluptuous as vol
from aiohttp import web

from cordboard.core.calls.channel import ChannelHandler, InboundCall
from cordboard.core.core import Core
from cordboard.core.plugin_api import NumberClaim, hookimpl


@hookimpl
def cordboard_config_schema() -> vol.Schema:
    from cordboard.plugins.diagnostics.schema import CONFIG_SCHEMA

    return CONFIG_SCHEMA


@contextlib.asynccontextmanager
async def _numbers(core: Core, config: Mapping[str, Any]) -> AsyncIterator[None]:
    from cordboard.core.const import ECHO_TEST_NUMBER
    from cordboard.plugins.diagnostics.const import (
        CONF_ECHO_TEST_NUMBER,
        CONF_LINE_TEST_NUMBER,
        CONF_RECORDED_ECHO_NUMBER,
        CONF_RECORDED_ECHO_SECONDS,
        LINE_TEST_KEY,
        RECORDED_ECHO_KEY,
    )

    core.data[ECHO_TEST_NUMBER] = config[CONF_ECHO_TEST_NUMBER]
    core.data[LINE_TEST_KEY] = config[CONF_LINE_TEST_NUMBER]
    core.data[RECORDED_ECHO_KEY] = (config[CONF_RECORDED_ECHO_NUMBER], config[CONF_RECORDED_ECHO_SECONDS])
    try:
        yield
    finally:
        core.data.pop(ECHO_TEST_NUMBER, None)
        core.data.pop(LINE_TEST_KEY, None)
        core.data.pop(RECORDED_ECHO_KEY, None)


@hookimpl
def cordboard_lifespan(core: Core, config: Mapping[str, Any]) -> AbstractAsyncContextManager[None]:
    return _numbers(core, config)


@hookimpl
def cordboard_route_call(core: Core, call: InboundCall) -> ChannelHandler | None:
    from cordboard.core.const import ECHO_TEST_NUMBER
    from cordboard.plugins.diagnostics.const import LINE_TEST_KEY, RECORDED_ECHO_FOLDER, RECORDED_ECHO_KEY
    from cordboard.plugins.diagnostics.echo_test import echo_test
    from cordboard.plugins.diagnostics.line_test import line_test
    from cordboard.plugins.diagnostics.recorded_echo import recorded_echo

    if call.dialled == core.data.get(ECHO_TEST_NUMBER):
        return echo_test
    if call.dialled == core.data.get(LINE_TEST_KEY):
        return line_test
    echo = core.data.get(RECORDED_ECHO_KEY)
    if echo is not None and call.dialled == echo[0]:
        return functools.partial(recorded_echo, seconds=echo[1], folder=core.data_dir / RECORDED_ECHO_FOLDER)
    return None


@hookimpl
def cordboard_http_routes() -> web.RouteTableDef:
    from cordboard.plugins.diagnostics.http import routes

    return routes


@hookimpl
def cordboard_number_claims(core: Core) -> list[NumberClaim]:
    from cordboard.core.const import ECHO_TEST_NUMBER
    from cordboard.plugins.diagnostics.const import LINE_TEST_KEY, RECORDED_ECHO_KEY

    found = [(core.data.get(ECHO_TEST_NUMBER), "Echo test"), (core.data.get(LINE_TEST_KEY), "Line test")]
    recorded = core.data.get(RECORDED_ECHO_KEY)
    if recorded is not None:
        found.append((recorded[0], "Recorded echo test"))
    return [NumberClaim(number, label) for number, label in found if number]
