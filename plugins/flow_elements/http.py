"""REST routes of the flow_elements plugin, mounted at /api/flow_elements/: the switches (AA-04)
with their state and lock, and the announcements (AA-03) with their lock (CAPA-14: create, number,
lock, unlock, delete). Administrators may do everything; the members of an element's
``admin_groups`` (ROLE-04) may read, change, switch and lock that element, not create or delete."""

from __future__ import annotations

from aiohttp import web

from cordboard.core.http.access import api, current_user, request_body
from cordboard.core.http.api_common import json_object, plugin_service
from cordboard.core.http.group_admins import administered, checked_change, require_group_admin
from cordboard.plugins.flow_elements.const import FLOW_ELEMENTS_KEY
from cordboard.plugins.flow_elements.schema import LOCK_SCHEMA, STATE_SCHEMA
from cordboard.plugins.flow_elements.service import FlowElements

routes = web.RouteTableDef()
SWITCH = "/switches/{element_id:[0-9]+}"
ANNOUNCEMENT = "/announcements/{element_id:[0-9]+}"


def _elements(request: web.Request) -> FlowElements:
    found: FlowElements = plugin_service(
        request, FLOW_ELEMENTS_KEY, "The switches and announcements are starting"
    )
    return found


def _id(request: web.Request) -> int:
    return int(request.match_info["element_id"])


def _by(request: web.Request) -> str:
    return current_user(request).username


# -- switches ---------------------------------------------------------------------------------
@routes.get("/switches")
@api(access="user")
async def list_switches(request: web.Request) -> web.Response:
    """Every switch by number, with its state (a group administrator's: those they administer)."""
    switches = await administered(request, _elements(request).switches(), lambda s: s.admin_groups)
    return web.json_response([s.as_dict() for s in switches])


@routes.post("/switches")
@api(access="admin")
async def create_switch(request: web.Request) -> web.Response:
    """A new switch; 400 names every bad field (a number someone has, a destination nothing
    reaches, an unknown user group)."""
    switch = await _elements(request).create_switch(await json_object(request), by=_by(request))
    return web.json_response(switch.as_dict(), status=201)


@routes.get(SWITCH)
@api(access="user")
async def get_switch(request: web.Request) -> web.Response:
    switch = _elements(request).switch(_id(request))
    await require_group_admin(request, switch.admin_groups)
    return web.json_response(switch.as_dict())


@routes.put(SWITCH)
@api(access="user")
async def put_switch(request: web.Request) -> web.Response:
    """Replace a switch's fields (all of them, as for a new one)."""
    elements = _elements(request)
    current = elements.switch(_id(request))
    data = await checked_change(request, current.admin_groups, await json_object(request))
    switch = await elements.update_switch(current.id, data, by=_by(request))
    return web.json_response(switch.as_dict())


@routes.post(SWITCH + "/state")
@api(access="user", body=STATE_SCHEMA)
async def set_switch_state(request: web.Request) -> web.Response:
    """AA-04: ``{"on": true}`` turns the switch on, ``{"on": false}`` off."""
    await require_group_admin(request, _elements(request).switch(_id(request)).admin_groups)
    on = bool(request_body(request)["on"])
    user = current_user(request)
    switch = await _elements(request).set_state(
        _id(request), on, by=user.username, via="web", user_id=user.id
    )
    return web.json_response(switch.as_dict())


@routes.post(SWITCH + "/lock")
@api(access="user", body=LOCK_SCHEMA)
async def lock_switch(request: web.Request) -> web.Response:
    """CAPA-14: ``{"locked": true}`` locks the switch (it takes no calls), false unlocks it."""
    await require_group_admin(request, _elements(request).switch(_id(request)).admin_groups)
    locked = bool(request_body(request)["locked"])
    switch = await _elements(request).lock_switch(_id(request), locked, by=_by(request))
    return web.json_response(switch.as_dict())


@routes.delete(SWITCH)
@api(access="admin")
async def delete_switch(request: web.Request) -> web.Response:
    await _elements(request).delete_switch(_id(request), by=_by(request))
    return web.Response(status=204)


# -- announcements ----------------------------------------------------------------------------
@routes.get("/announcements")
@api(access="user")
async def list_announcements(request: web.Request) -> web.Response:
    found = await administered(request, _elements(request).announcements(), lambda a: a.admin_groups)
    return web.json_response([a.as_dict() for a in found])


@routes.post("/announcements")
@api(access="admin")
async def create_announcement(request: web.Request) -> web.Response:
    """A new announcement; 400 names every bad field (a number someone has, an unknown prompt, a
    next number nothing reaches)."""
    found = await _elements(request).create_announcement(await json_object(request), by=_by(request))
    return web.json_response(found.as_dict(), status=201)


@routes.get(ANNOUNCEMENT)
@api(access="user")
async def get_announcement(request: web.Request) -> web.Response:
    found = _elements(request).announcement(_id(request))
    await require_group_admin(request, found.admin_groups)
    return web.json_response(found.as_dict())


@routes.put(ANNOUNCEMENT)
@api(access="user")
async def put_announcement(request: web.Request) -> web.Response:
    elements = _elements(request)
    current = elements.announcement(_id(request))
    data = await checked_change(request, current.admin_groups, await json_object(request))
    found = await elements.update_announcement(current.id, data, by=_by(request))
    return web.json_response(found.as_dict())


@routes.post(ANNOUNCEMENT + "/lock")
@api(access="user", body=LOCK_SCHEMA)
async def lock_announcement(request: web.Request) -> web.Response:
    await require_group_admin(request, _elements(request).announcement(_id(request)).admin_groups)
    locked = bool(request_body(request)["locked"])
    found = await _elements(request).lock_announcement(_id(request), locked, by=_by(request))
    return web.json_response(found.as_dict())


@routes.delete(ANNOUNCEMENT)
@api(access="admin")
async def delete_announcement(request: web.Request) -> web.Response:
    await _elements(request).delete_announcement(_id(request), by=_by(request))
    return web.Response(status=204)
