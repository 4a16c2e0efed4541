"""REST for calls: the call history (admins see all, users their own) and the live calls."""

from __future__ import annotations

import voluptuous as vol
from aiohttp import web

from cordboard.core.calls.history import list_calls
from cordboard.core.calls.model import CallResult
from cordboard.core.http.access import api, current_user
from cordboard.core.http.errors import validation_error
from cordboard.core.http.keys import CORE_KEY

routes = web.RouteTableDef()

QUERY = vol.Schema(
    {
        vol.Optional("user_id"): vol.Coerce(int),
        vol.Optional("result"): vol.In([r.value for r in CallResult]),
        vol.Optional("search"): vol.All(str, vol.Length(max=100)),
        vol.Optional("since"): vol.Coerce(float),
        vol.Optional("until"): vol.Coerce(float),
        vol.Optional("limit", default=100): vol.All(vol.Coerce(int), vol.Range(min=1, max=1000)),
        vol.Optional("offset", default=0): vol.All(vol.Coerce(int), vol.Range(min=0)),
    }
)


@routes.get("/api/calls")
@api(access="user")
async def get_calls(request: web.Request) -> web.Response:
    """Call history, newest first; filters: user_id (admins), result, search, since, until, limit, offset."""
    core = request.app[CORE_KEY]
    user = current_user(request)
    try:
        query = QUERY(dict(request.query))
    except vol.Invalid as err:
        raise validation_error(err, "Invalid filter") from None
    user_id = query.pop("user_id", None) if user.is_admin else user.id
    rows = await core.db.call(lambda db: list_calls(db, user_id=user_id, **query))
    return web.json_response(rows)


@routes.get("/api/calls/active")
@api(access="user")
async def get_active_calls(request: web.Request) -> web.Response:
    """Calls in progress; a user sees the ones they take part in."""
    core = request.app[CORE_KEY]
    user = current_user(request)
    calls = core.calls.calls.values() if core.calls is not None else []
    visible = [
        {**c.record.as_dict(), "state": c.state}
        for c in calls
        if user.is_admin or user.id in (c.record.caller_user_id, c.record.callee_user_id)
    ]
    return web.json_response(visible)
