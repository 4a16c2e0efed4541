"""REST routes of the hunt_groups plugin, mounted at /api/hunt_groups/. Administrators may do
everything; the members of a hunt group's ``admin_groups`` (ROLE-04) may read and change that
group, but neither create nor delete one, nor choose its group administrators or blocking groups."""

from __future__ import annotations

from aiohttp import web

from cordboard.core.http.access import api
from cordboard.core.http.api_common import json_object, plugin_service
from cordboard.core.http.group_admins import administered, checked_change, require_group_admin
from cordboard.plugins.hunt_groups.const import HUNT_GROUPS_KEY
from cordboard.plugins.hunt_groups.service import HuntGroups

routes = web.RouteTableDef()
GROUP = "/groups/{group_id:[0-9]+}"


def _groups(request: web.Request) -> HuntGroups:
    return plugin_service(request, HUNT_GROUPS_KEY, "The hunt groups are starting")


def _group_id(request: web.Request) -> int:
    return int(request.match_info["group_id"])


@routes.get("/groups")
@api(access="user")
async def list_groups(request: web.Request) -> web.Response:
    """Every hunt group by number, each with its members in the order they are rung (a group
    administrator's: those they administer)."""
    groups = _groups(request)
    found = await administered(request, groups.all(), lambda g: g.admin_groups)
    return web.json_response([await groups.described(g) for g in found])


@routes.post("/groups")
@api(access="admin")
async def create_group(request: web.Request) -> web.Response:
    """A new hunt group; 400 names every bad field (a number someone has, an unknown user group)."""
    groups = _groups(request)
    group = await groups.create(await json_object(request))
    return web.json_response(await groups.described(group), status=201)


@routes.get(GROUP)
@api(access="user")
async def get_group(request: web.Request) -> web.Response:
    groups = _groups(request)
    group = groups.get(_group_id(request))
    await require_group_admin(request, group.admin_groups)
    return web.json_response(await groups.described(group))


@routes.put(GROUP)
@api(access="user")
async def put_group(request: web.Request) -> web.Response:
    """Replace a hunt group's fields (all of them, as for a new one). A group administrator who
    leaves out ``admin_groups`` or ``blocking_groups`` keeps them; other values are refused (403)."""
    groups = _groups(request)
    current = groups.get(_group_id(request))
    data = await checked_change(
        request,
        current.admin_groups,
        await json_object(request),
        # Opening hours too: a group administrator cannot list the schedules (ROLE-05 is theirs).
        kept={"blocking_groups": list(current.blocking_groups), "schedule_id": current.schedule_id},
    )
    group = await groups.update(current.id, data)
    return web.json_response(await groups.described(group))


@routes.delete(GROUP)
@api(access="admin")
async def delete_group(request: web.Request) -> web.Response:
    """Delete a hunt group: its number is free again."""
    await _groups(request).delete(_group_id(request))
    return web.Response(status=204)
