"""REST routes of system_info, mounted at /api/system_info/."""

from __future__ import annotations

from aiohttp import web

from cordboard.core.http.access import api
from cordboard.core.http.api_common import plugin_service
from cordboard.plugins.system_info.runtime import SYSTEM_INFO_KEY

routes = web.RouteTableDef()


@routes.get("/")
@api(access="admin")
async def get_system_info(request: web.Request) -> web.Response:
    """The appliance's version, uptime, disk and memory, freshly measured."""
    info = plugin_service(request, SYSTEM_INFO_KEY, "System information is starting")
    return web.json_response((await info.refresh()).as_dict())
