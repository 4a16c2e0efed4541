"""REST for user groups: admins manage them and their ranking; users may read the list."""

from __future__ import annotations

import voluptuous as vol
from aiohttp import web

from cordboard.core.http.access import api, request_body
from cordboard.core.http.api_common import ID_LIST, ID_PATTERN, path_id
from cordboard.core.http.keys import CORE_KEY
from cordboard.core.identity import fields

routes = web.RouteTableDef()
GROUP = "/api/groups/" + ID_PATTERN % "group_id"

CREATE_BODY = vol.Schema(
    {vol.Required("name"): fields.name, vol.Optional("description", default=""): fields.description},
    extra=vol.PREVENT_EXTRA,
)
PATCH_BODY = vol.Schema(
    {vol.Optional("name"): fields.name, vol.Optional("description"): fields.description},
    extra=vol.PREVENT_EXTRA,
)
ORDER_BODY = vol.Schema({vol.Required("order"): ID_LIST}, extra=vol.PREVENT_EXTRA)
MEMBERS_BODY = vol.Schema({vol.Required("user_ids"): ID_LIST}, extra=vol.PREVENT_EXTRA)


@routes.get("/api/groups")
@api(access="user")
async def list_groups(request: web.Request) -> web.Response:
    """All user groups in the organisation's order (priority 1, the highest rank, first)."""
    groups = await request.app[CORE_KEY].identity.list_groups()
    return web.json_response([group.as_dict() for group in groups])


@routes.post("/api/groups")
@api(access="admin", body=CREATE_BODY)
async def create_group(request: web.Request) -> web.Response:
    """Create a group; it is ranked last."""
    body = request_body(request)
    group = await request.app[CORE_KEY].identity.create_group(body["name"], body["description"])
    return web.json_response(group.as_dict(), status=201)


@routes.put("/api/groups/order")
@api(access="admin", body=ORDER_BODY)
async def put_group_order(request: web.Request) -> web.Response:
    """Rank the groups in this order (first = priority 1); every group exactly once (SET-02)."""
    groups = await request.app[CORE_KEY].identity.reorder_groups(request_body(request)["order"])
    return web.json_response([group.as_dict() for group in groups])


@routes.get(GROUP)
@api(access="admin")
async def get_group(request: web.Request) -> web.Response:
    """One group with its members."""
    group = await request.app[CORE_KEY].identity.get_group(path_id(request, "group_id"))
    return web.json_response(group.as_dict())


@routes.patch(GROUP)
@api(access="admin", body=PATCH_BODY)
async def patch_group(request: web.Request) -> web.Response:
    """Rename a group or change its description."""
    group = await request.app[CORE_KEY].identity.update_group(
        path_id(request, "group_id"), request_body(request)
    )
    return web.json_response(group.as_dict())


@routes.delete(GROUP)
@api(access="admin")
async def delete_group(request: web.Request) -> web.Response:
    """Delete a group, its memberships and its settings; the ranking closes the gap."""
    await request.app[CORE_KEY].identity.delete_group(path_id(request, "group_id"))
    return web.Response(status=204)


@routes.put(GROUP + "/members")
@api(access="admin", body=MEMBERS_BODY)
async def put_group_members(request: web.Request) -> web.Response:
    """Replace the group's members with these user ids (USR-09)."""
    body = request_body(request)
    group = await request.app[CORE_KEY].identity.set_group_members(
        path_id(request, "group_id"), body["user_ids"]
    )
    return web.json_response(group.as_dict())
