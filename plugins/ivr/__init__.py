"""ivr: IVR menus (IVR-01..04, IVR-07, IVR-08): a number that answers, plays a welcome prompt and
sends the caller where the key they press points, with their REST API for the admin page."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from aiohttp import web

from cordboard.core.calls.channel import ChannelHandler, InboundCall
from cordboard.core.core import Core
from cordboard.core.numbers.flow import FlowNode
from cordboard.core.plugin_api import Migration, NumberClaim, hookimpl
from cordboard.plugins.ivr.const import IVR_MENUS_KEY


@hookimpl
def cordboard_migrations() -> Sequence[Migration]:
    from cordboard.plugins.ivr.storage import MIGRATIONS

    return MIGRATIONS


@contextlib.asynccontextmanager
async def _ivr_menus(core: Core) -> AsyncIterator[None]:
    from cordboard.plugins.ivr.service import IvrMenus

    menus = IvrMenus(core)
    await menus.load()
    core.data[IVR_MENUS_KEY] = menus
    try:
        yield
    finally:
        core.data.pop(IVR_MENUS_KEY, None)


@hookimpl
def cordboard_lifespan(core: Core, config: Mapping[str, Any]) -> AbstractAsyncContextManager[None]:
    return _ivr_menus(core)


@hookimpl
def cordboard_http_routes() -> web.RouteTableDef:
    from cordboard.plugins.ivr.http import routes

    return routes


@hookimpl
def cordboard_number_claims(core: Core) -> list[NumberClaim]:
    menus = core.data.get(IVR_MENUS_KEY)
    return menus.claims() if menus is not None else []


@hookimpl
def cordboard_group_admin_pages(core: Core, group_ids: frozenset[int]) -> list[str]:
    """ROLE-04, IVR-06: the IVR menus page for a user in one of a menu's ``admin_groups``."""
    menus = core.data.get(IVR_MENUS_KEY)
    if menus is None or not any(group_ids.intersection(m.admin_groups) for m in menus.all()):
        return []
    return ["ivr"]


@hookimpl
def cordboard_route_call(core: Core, call: InboundCall) -> ChannelHandler | None:
    menus = core.data.get(IVR_MENUS_KEY)
    return menus.handler(call.dialled) if menus is not None else None


@hookimpl
def cordboard_number_flow(core: Core, number: str) -> FlowNode | None:
    from cordboard.plugins.ivr.flow import number_flow

    return number_flow(core, number)
