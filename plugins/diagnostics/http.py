"""GET /api/diagnostics/media: the appliance's own media counters (channels open, late frames)."""

from __future__ import annotations

from aiohttp import web

from cordboard.core.plugin_api import CORE_KEY, api

routes = web.RouteTableDef()


@routes.get("/media")
@api(access="admin")
async def media(request: web.Request) -> web.Response:
    calls = request.app[CORE_KEY].calls
    return web.json_response(calls.media_stats.as_dict() if calls is not None else {})
