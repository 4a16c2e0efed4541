"""rule_numbers: rule-based numbers (RBN-01..05) with their own numbers (1700-1799 by default),
whose calls go on only by the organisation's rules for rule-based numbers (the routing list
``rule_numbers``), their nodes in the call-flow tree (AA-02) and their REST API for the admin
page."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from aiohttp import web

from cordboard.core.calls.channel import ChannelHandler, InboundCall
from cordboard.core.core import Core
from cordboard.core.numbers.flow import FlowNode
from cordboard.core.plugin_api import Migration, NumberClaim, hookimpl
from cordboard.plugins.rule_numbers.const import RULE_NUMBERS_KEY


@hookimpl
def cordboard_migrations() -> Sequence[Migration]:
    from cordboard.plugins.rule_numbers.storage import MIGRATIONS

    return MIGRATIONS


@contextlib.asynccontextmanager
async def _rule_numbers(core: Core) -> AsyncIterator[None]:
    from cordboard.plugins.rule_numbers.service import RuleNumbers

    numbers = RuleNumbers(core)
    await numbers.load()
    core.data[RULE_NUMBERS_KEY] = numbers
    try:
        yield
    finally:
        core.data.pop(RULE_NUMBERS_KEY, None)


@hookimpl
def cordboard_lifespan(core: Core, config: Mapping[str, Any]) -> AbstractAsyncContextManager[None]:
    return _rule_numbers(core)


@hookimpl
def cordboard_http_routes() -> web.RouteTableDef:
    from cordboard.plugins.rule_numbers.http import routes

    return routes


@hookimpl
def cordboard_number_claims(core: Core) -> list[NumberClaim]:
    numbers = core.data.get(RULE_NUMBERS_KEY)
    return numbers.claims() if numbers is not None else []


@hookimpl
def cordboard_route_call(core: Core, call: InboundCall) -> ChannelHandler | None:
    numbers = core.data.get(RULE_NUMBERS_KEY)
    return numbers.handler(call.dialled) if numbers is not None else None


@hookimpl
def cordboard_number_flow(core: Core, number: str) -> Awaitable[FlowNode] | None:
    from cordboard.plugins.rule_numbers.flow import number_flow

    return number_flow(core, number)
