"""GET /api/health: liveness for installers, monitoring and the image's boot test (no log-in)."""

from __future__ import annotations

from aiohttp import web

from cordboard.core.const import __version__
from cordboard.core.http.access import api
from cordboard.core.http.keys import CORE_KEY

routes = web.RouteTableDef()


@routes.get("/api/health")
@api(access="public")
async def get_health(request: web.Request) -> web.Response:
    """Whether Cordboard is up, its version, and whether first-run setup is still open."""
    core = request.app[CORE_KEY]
    return web.json_response(
        {
            "status": "ok",
            "version": __version__,
            "state": core.state.value,
            "needs_setup": await core.identity.needs_setup(),
        }
    )
