"""The pages a browser opens: the built web UI when present, otherwise the built-in setup and start pages.

The web UI routes on the client (History API), so every GET path outside ``/api``, ``/assets`` and
``/static`` answers with the built ``index.html`` (or a file at the top of ``frontend/dist``, such
as the icon). Without a build, ``/`` and ``/setup`` serve the built-in pages and other paths 404.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from cordboard.core.http.access import api

routes = web.RouteTableDef()
CLIENT_ROUTE = r"/{path:(?!(?:api|assets|static)(?:/|$)).+}"
"""Any path except the API, the built assets and the built-in static files."""


def _dist() -> Path:
    from cordboard.core.http.server import FRONTEND_DIST

    return FRONTEND_DIST


def _page(name: str) -> web.FileResponse:
    from cordboard.core.http.server import STATIC_DIR

    built = _dist() / "index.html"
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


@routes.get(CLIENT_ROUTE)
@api(access="public")
async def client_route(request: web.Request) -> web.FileResponse:
    """A page of the web UI (routed in the browser), or a file at the top of the built UI."""
    dist = _dist()
    if not (dist / "index.html").is_file():
        raise web.HTTPNotFound()
    name = request.match_info["path"]
    if "/" not in name and not name.startswith(".") and name != "index.html":
        candidate = dist / name
        if candidate.is_file():
            return web.FileResponse(candidate, headers={"Cache-Control": "no-cache"})
    return web.FileResponse(dist / "index.html", headers={"Cache-Control": "no-cache"})
