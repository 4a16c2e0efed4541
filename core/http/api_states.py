"""REST for live states and services: read states, list and call services."""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from aiohttp import web

from cordboard.core.http.access import api, current_user, request_body
from cordboard.core.http.errors import ApiError
from cordboard.core.http.keys import CORE_KEY
from cordboard.core.http.visibility import state_visible
from cordboard.core.json import to_jsonable

routes = web.RouteTableDef()
SERVICE_BODY = vol.Schema(dict)


@routes.get("/api/states")
@api(access="user")
async def list_states(request: web.Request) -> web.Response:
    """Current states; a user sees only states that concern them, an admin sees all."""
    core = request.app[CORE_KEY]
    user = current_user(request)
    domain = request.query.get("domain")
    states = [s.as_dict() for s in core.states.all(domain) if state_visible(s, user)]
    return web.json_response(sorted(states, key=lambda s: s["entity_id"]))


@routes.get("/api/states/{entity_id}")
@api(access="user")
async def get_state(request: web.Request) -> web.Response:
    """One entity's current state."""
    core = request.app[CORE_KEY]
    state = core.states.get(request.match_info["entity_id"])
    if state is None or not state_visible(state, current_user(request)):
        raise ApiError(404, "not_found", f"No entity {request.match_info['entity_id']}")
    return web.json_response(state.as_dict())


@routes.get("/api/services")
@api(access="user")
async def list_services(request: web.Request) -> web.Response:
    """Registered services by domain, with description and required role."""
    core = request.app[CORE_KEY]
    user = current_user(request)
    described = core.services.describe()
    if not user.is_admin:
        described = {
            domain: {n: s for n, s in services.items() if s["access"] == "user"}
            for domain, services in described.items()
        }
        described = {d: s for d, s in described.items() if s}
    return web.json_response(described)


@routes.post("/api/services/{domain}/{service}")
@api(access="user", body=SERVICE_BODY)
async def call_service(request: web.Request) -> web.Response:
    """Call a service with the JSON body as its data; the registry checks schema and role."""
    core = request.app[CORE_KEY]
    user = current_user(request)
    result: Any = await core.services.call(
        request.match_info["domain"],
        request.match_info["service"],
        request_body(request),
        user_id=str(user.id),
        is_admin=user.is_admin,
    )
    return web.json_response({"result": to_jsonable(result)})
