"""REST routes of the hunt_groups plugin, mounted at /api/hunt_groups/ (administrators only)."""

from __future__ import annotations

from aiohttp import web

from cordboard.core.http.access import api
from cordboard.core.http.api_common import json_object, plugin_service
from cordboard.plugins.hunt_groups.const import HUNT_GROUPS_KEY
from cordboard.plugins.hunt_groups.service import HuntGroups

routes = web.RouteTableDef()
GROUP = "/groups/{group_id:[0-9]+}"


def _groups(request: web.Request) -> HuntGroups:
    return plugin_service(request, HUNT_GROUPS_KEY, "The hunt groups are starting")


def _group_id(request: web.Request) -> int:
    return int(request.match_info["group_id"])


@routes.get("/groups")
@api(access="admin")
async def list_groups(request: web.Request) -> web.Response:
    """Every hunt group by number, each with its members in the order they are rung."""
    return web.json_response(await _groups(request).described_all())


@routes.post("/groups")
@api(access="admin")
async def create_group(request: web.Request) -> web.Response:
    """A new hunt group; 400 names every bad field (a number someone has, an unknown user group)."""
    groups = _groups(request)
    group = await groups.create(await json_object(request))
    return web.json_response(await groups.described(group), status=201)


@routes.get(GROUP)
@api(access="admin")
async def get_group(request: web.Request) -> web.Response:
    groups = _groups(request)
    return web.json_response(await groups.described(groups.get(_group_id(request))))


@routes.put(GROUP)
@api(access="admin")
async def put_group(request: web.Request) -> web.Response:
    """Replace a hunt group's fields (all of them, as for a new one)."""
    groups = _groups(request)
    group = await groups.update(_group_id(request), await json_object(request))
    return web.json_response(await groups.described(group))


@routes.delete(GROUP)
@api(access="admin")
async def delete_group(request: web.Request) -> web.Response:
    """Delete a hunt group: its number is free again."""
    await _groups(request).delete(_group_id(request))
    return web.Response(status=204)
