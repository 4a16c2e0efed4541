"""flow_elements: virtual switches (AA-04) and announcements (AA-03) with their own numbers
(CAPA-14), the switch code ``*29*NUMBER*`` / ``**29*NUMBER*``, their nodes in the call-flow tree
(AA-02) and their REST API for the admin page."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from aiohttp import web

from cordboard.core.calls.channel import ChannelHandler, InboundCall
from cordboard.core.core import Core
from cordboard.core.features.model import FeatureCode
from cordboard.core.numbers.flow import FlowNode
from cordboard.core.plugin_api import Migration, NumberClaim, hookimpl
from cordboard.plugins.flow_elements.const import FLOW_ELEMENTS_KEY


@hookimpl
def cordboard_migrations() -> Sequence[Migration]:
    from cordboard.plugins.flow_elements.storage import MIGRATIONS

    return MIGRATIONS


@contextlib.asynccontextmanager
async def _flow_elements(core: Core) -> AsyncIterator[None]:
    from cordboard.plugins.flow_elements.service import FlowElements

    elements = FlowElements(core)
    await elements.load()
    core.data[FLOW_ELEMENTS_KEY] = elements
    try:
        yield
    finally:
        core.data.pop(FLOW_ELEMENTS_KEY, None)


@hookimpl
def cordboard_lifespan(core: Core, config: Mapping[str, Any]) -> AbstractAsyncContextManager[None]:
    return _flow_elements(core)


@hookimpl
def cordboard_http_routes() -> web.RouteTableDef:
    from cordboard.plugins.flow_elements.http import routes

    return routes


@hookimpl
def cordboard_number_claims(core: Core) -> list[NumberClaim]:
    elements = core.data.get(FLOW_ELEMENTS_KEY)
    return elements.claims() if elements is not None else []


@hookimpl
def cordboard_group_admin_pages(core: Core, group_ids: frozenset[int]) -> list[str]:
    """ROLE-04: the switches & announcements page for a user in an element's ``admin_groups``."""
    elements = core.data.get(FLOW_ELEMENTS_KEY)
    if elements is None:
        return []
    held = [s.admin_groups for s in elements.switches()] + [a.admin_groups for a in elements.announcements()]
    return ["flow-elements"] if any(group_ids.intersection(groups) for groups in held) else []


@hookimpl
def cordboard_route_call(core: Core, call: InboundCall) -> ChannelHandler | None:
    elements = core.data.get(FLOW_ELEMENTS_KEY)
    return elements.handler(call.dialled) if elements is not None else None


@hookimpl
def cordboard_number_flow(core: Core, number: str) -> FlowNode | None:
    from cordboard.plugins.flow_elements.flow import number_flow

    return number_flow(core, number)


@hookimpl
def cordboard_feature_codes(core: Core) -> list[FeatureCode]:
    from cordboard.plugins.flow_elements.const import CODE_KEY, DEFAULT_CODE
    from cordboard.plugins.flow_elements.phone import set_switch

    return [
        FeatureCode(
            CODE_KEY,
            DEFAULT_CODE,
            "Virtual switch on / off",
            "AA-04",
            set_switch,
            on_fields=("switch",),
            off_fields=("switch",),
            description="*29*NUMBER* turns the virtual switch at NUMBER on, **29*NUMBER* turns it off; "
            "for administrators and the members of the switch's operator groups.",
        )
    ]
