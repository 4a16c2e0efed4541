"""The pages a browser opens: the built web UI when present, otherwise the built-in setup and start pages."""

from __future__ import annotations

from aiohttp import web

from cordboard.core.http.access import api

routes = web.RouteTableDef()


def _page(name: str) -> web.FileResponse:
    from cordboard.core.http.server import FRONTEND_DIST, STATIC_DIR

    built = FRONTEND_DIST / "index.html"
    if built.is_file():
        return web.FileResponse(built, headers={"Cache-Control": "no-cache"})
    return web.FileResponse(STATIC_DIR / name, headers={"Cache-Control": "no-cache"})


@routes.get("/")
@api(access="public")
async def index(request: web.Request) -> web.FileResponse:
    """The web UI."""
    return _page("index.html")


@routes.get("/setup")
@api(access="public")
async def setup_page(request: web.Request) -> web.FileResponse:
    """The first-run page opened by the setup link."""
    return _page("setup.html")
