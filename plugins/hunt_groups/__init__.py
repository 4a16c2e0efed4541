"""hunt_groups: numbers that ring the users of chosen user groups, in parallel or one after another,
then a fallback number (HG-01..05, HG-08, FC-16), with their REST API for the admin page."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Coroutine, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from aiohttp import web

from cordboard.core.calls.channel import ChannelHandler, InboundCall
from cordboard.core.core import Core
from cordboard.core.numbers.flow import FlowNode
from cordboard.core.plugin_api import Migration, NumberClaim, hookimpl
from cordboard.plugins.hunt_groups.const import HUNT_GROUPS_KEY


@hookimpl
def cordboard_migrations() -> Sequence[Migration]:
    from cordboard.plugins.hunt_groups.storage import MIGRATIONS

    return MIGRATIONS


@contextlib.asynccontextmanager
async def _hunt_groups(core: Core) -> AsyncIterator[None]:
    from cordboard.plugins.hunt_groups.service import HuntGroups

    groups = HuntGroups(core)
    await groups.load()
    core.data[HUNT_GROUPS_KEY] = groups
    try:
        yield
    finally:
        core.data.pop(HUNT_GROUPS_KEY, None)


@hookimpl
def cordboard_lifespan(core: Core, config: Mapping[str, Any]) -> AbstractAsyncContextManager[None]:
    return _hunt_groups(core)


@hookimpl
def cordboard_http_routes() -> web.RouteTableDef:
    from cordboard.plugins.hunt_groups.http import routes

    return routes


@hookimpl
def cordboard_number_claims(core: Core) -> list[NumberClaim]:
    groups = core.data.get(HUNT_GROUPS_KEY)
    return groups.claims() if groups is not None else []


@hookimpl
def cordboard_group_admin_pages(core: Core, group_ids: frozenset[int]) -> list[str]:
    """ROLE-04: the hunt groups page for a user in one of a hunt group's ``admin_groups``."""
    groups = core.data.get(HUNT_GROUPS_KEY)
    if groups is None or not any(group_ids.intersection(g.admin_groups) for g in groups.all()):
        return []
    return ["hunt-groups"]


@hookimpl
def cordboard_route_call(core: Core, call: InboundCall) -> ChannelHandler | None:
    groups = core.data.get(HUNT_GROUPS_KEY)
    return groups.handler(call.dialled) if groups is not None else None


@hookimpl
def cordboard_number_flow(core: Core, number: str) -> Coroutine[Any, Any, FlowNode] | None:
    from cordboard.plugins.hunt_groups.flow import number_flow

    return number_flow(core, number)
