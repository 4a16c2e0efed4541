"""REST routes of the ivr plugin, mounted at /api/ivr/. Administrators may do everything; the
members of a menu's ``admin_groups`` (ROLE-04, IVR-06) may read and change that menu, but neither
create nor delete one, nor choose its group administrators, blocking groups or schedule."""

from __future__ import annotations

from aiohttp import web

from cordboard.core.http.access import api
from cordboard.core.http.api_common import json_object, plugin_service
from cordboard.core.http.group_admins import administered, checked_change, require_group_admin
from cordboard.plugins.ivr.const import IVR_MENUS_KEY
from cordboard.plugins.ivr.service import IvrMenus

routes = web.RouteTableDef()
MENU = "/menus/{menu_id:[0-9]+}"


def _menus(request: web.Request) -> IvrMenus:
    return plugin_service(request, IVR_MENUS_KEY, "The IVR menus are starting")


def _menu_id(request: web.Request) -> int:
    return int(request.match_info["menu_id"])


@routes.get("/menus")
@api(access="user")
async def list_menus(request: web.Request) -> web.Response:
    """Every IVR menu by number (a group administrator's: those they administer)."""
    menus = await administered(request, _menus(request).all(), lambda m: m.admin_groups)
    return web.json_response([m.as_dict() for m in menus])


@routes.post("/menus")
@api(access="admin")
async def create_menu(request: web.Request) -> web.Response:
    """A new IVR menu; 400 names every bad field (a number someone has, an unknown key or prompt,
    a destination nothing reaches)."""
    menu = await _menus(request).create(await json_object(request))
    return web.json_response(menu.as_dict(), status=201)


@routes.get(MENU)
@api(access="user")
async def get_menu(request: web.Request) -> web.Response:
    menu = _menus(request).get(_menu_id(request))
    await require_group_admin(request, menu.admin_groups)
    return web.json_response(menu.as_dict())


@routes.put(MENU)
@api(access="user")
async def put_menu(request: web.Request) -> web.Response:
    """Replace a menu's fields (all of them, as for a new one). A group administrator who leaves
    out ``admin_groups``, ``blocking_groups`` or ``schedule_id`` keeps them; other values are
    refused (403)."""
    menus = _menus(request)
    current = menus.get(_menu_id(request))
    data = await checked_change(
        request,
        current.admin_groups,
        await json_object(request),
        # Opening hours too: a group administrator cannot list the schedules.
        kept={"blocking_groups": list(current.blocking_groups), "schedule_id": current.schedule_id},
    )
    menu = await menus.update(current.id, data)
    return web.json_response(menu.as_dict())


@routes.delete(MENU)
@api(access="admin")
async def delete_menu(request: web.Request) -> web.Response:
    """Delete a menu: its number is free again."""
    await _menus(request).delete(_menu_id(request))
    return web.Response(status=204)
