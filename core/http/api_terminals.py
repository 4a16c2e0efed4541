"""REST for users' terminals (TERM-01..03, TERM-09, CAPU-11, CAPU-13): which of a user's phones and
numbers ring, how (at once or one by one), and when. Users manage their own; administrators anyone's."""

from __future__ import annotations

from aiohttp import web

from cordboard.core.http.access import api, current_user
from cordboard.core.http.api_common import ID_PATTERN, json_object, path_id, self_or_admin
from cordboard.core.http.keys import CORE_KEY

routes = web.RouteTableDef()
USER_TERMINALS = "/api/users/" + ID_PATTERN % "user_id" + "/terminals"


@routes.get("/api/me/terminals")
@api(access="user")
async def get_my_terminals(request: web.Request) -> web.Response:
    """The caller's terminals: ``mode`` (simultaneous or sequential) and ``terminals`` in order."""
    core = request.app[CORE_KEY]
    return web.json_response(core.terminals.plan_of(current_user(request).id).as_dict())


@routes.put("/api/me/terminals")
@api(access="user")
async def put_my_terminals(request: web.Request) -> web.Response:
    """Replace the caller's terminals: ``mode`` and up to five ``terminals`` (``kind`` phones, listed
    once, or number; ``number``, ``label``, ``enabled``, ``delay_s``, ``ring_s``, ``when`` always,
    working_hours or outside_working_hours); errors name the field (``terminals.2.number``)."""
    core = request.app[CORE_KEY]
    plan = await core.terminals.set_plan(current_user(request).id, await json_object(request))
    return web.json_response(plan.as_dict())


@routes.get(USER_TERMINALS)
@api(access="user")
async def get_user_terminals(request: web.Request) -> web.Response:
    """A user's terminals (administrators, or the user themself)."""
    core = request.app[CORE_KEY]
    user_id = path_id(request, "user_id")
    self_or_admin(request, user_id, "see the terminals of")
    await core.identity.get_user(user_id)
    return web.json_response(core.terminals.plan_of(user_id).as_dict())


@routes.put(USER_TERMINALS)
@api(access="user")
async def put_user_terminals(request: web.Request) -> web.Response:
    """Replace a user's terminals (administrators, or the user themself)."""
    core = request.app[CORE_KEY]
    user_id = path_id(request, "user_id")
    self_or_admin(request, user_id, "change the terminals of")
    plan = await core.terminals.set_plan(user_id, await json_object(request))
    return web.json_response(plan.as_dict())


THIRD_PARTY = "/api/users/" + ID_PATTERN % "user_id" + "/third_party"


@routes.get(THIRD_PARTY)
@api(access="admin")
async def get_third_party(request: web.Request) -> web.Response:
    """TERM-05: the user's third-party SIP account (user name and kind; null when none)."""
    core = request.app[CORE_KEY]
    user_id = path_id(request, "user_id")
    await core.identity.get_user(user_id)
    return web.json_response(await core.terminals.third_party(user_id))


@routes.put(THIRD_PARTY)
@api(access="admin")
async def put_third_party(request: web.Request) -> web.Response:
    """Create or replace it: ``username``, ``password`` (strong; never returned), ``kind`` analogue
    or desk. Its registrations ring with the user's phones; a taken user name is 409."""
    core = request.app[CORE_KEY]
    user_id = path_id(request, "user_id")
    return web.json_response(await core.terminals.set_third_party(user_id, await json_object(request)))


@routes.delete(THIRD_PARTY)
@api(access="admin")
async def delete_third_party(request: web.Request) -> web.Response:
    core = request.app[CORE_KEY]
    await core.terminals.delete_third_party(path_id(request, "user_id"))
    return web.Response(status=204)
