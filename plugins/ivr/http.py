"""REST routes of the ivr plugin, mounted at /api/ivr/ (administrators only)."""

from __future__ import annotations

from aiohttp import web

from cordboard.core.http.access import api
from cordboard.core.http.api_common import json_object, plugin_service
from cordboard.plugins.ivr.const import IVR_MENUS_KEY
from cordboard.plugins.ivr.service import IvrMenus

routes = web.RouteTableDef()
MENU = "/menus/{menu_id:[0-9]+}"


def _menus(request: web.Request) -> IvrMenus:
    return plugin_service(request, IVR_MENUS_KEY, "The IVR menus are starting")


def _menu_id(request: web.Request) -> int:
    return int(request.match_info["menu_id"])


@routes.get("/menus")
@api(access="admin")
async def list_menus(request: web.Request) -> web.Response:
    """Every IVR menu by number."""
    return web.json_response(_menus(request).described_all())


@routes.post("/menus")
@api(access="admin")
async def create_menu(request: web.Request) -> web.Response:
    """A new IVR menu; 400 names every bad field (a number someone has, an unknown key or prompt,
    a destination nothing reaches)."""
    menu = await _menus(request).create(await json_object(request))
    return web.json_response(menu.as_dict(), status=201)


@routes.get(MENU)
@api(access="admin")
async def get_menu(request: web.Request) -> web.Response:
    return web.json_response(_menus(request).get(_menu_id(request)).as_dict())


@routes.put(MENU)
@api(access="admin")
async def put_menu(request: web.Request) -> web.Response:
    """Replace a menu's fields (all of them, as for a new one)."""
    menu = await _menus(request).update(_menu_id(request), await json_object(request))
    return web.json_response(menu.as_dict())


@routes.delete(MENU)
@api(access="admin")
async def delete_menu(request: web.Request) -> web.Response:
    """Delete a menu: its number is free again."""
    await _menus(request).delete(_menu_id(request))
    return web.Response(status=204)
