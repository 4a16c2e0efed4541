"""REST for service rights (ROLE-09): per gated service, the groups whose members may use it and the
users they may use it against."""

from __future__ import annotations

from aiohttp import web

from cordboard.core.http.access import api, current_user, request_body
from cordboard.core.http.keys import CORE_KEY
from cordboard.core.rights.model import GRANTS_BODY, SERVICES

routes = web.RouteTableDef()


@routes.get("/api/rights")
@api(access="admin")
async def list_rights(request: web.Request) -> web.Response:
    """Every gated service with its catalogue row and grants."""
    rights = request.app[CORE_KEY].rights
    return web.json_response(
        [
            {"service": s.name, "feature": s.feature, "grants": [g.as_dict() for g in rights.grants(s.name)]}
            for s in SERVICES.values()
        ]
    )


@routes.put("/api/rights/{service:[a-z_]+}")
@api(access="admin", body=GRANTS_BODY)
async def put_rights(request: web.Request) -> web.Response:
    """Replace a service's grants: ``{"grants": [{"group_id": 3 | null, "scope": "org" | "group" |
    "user", "scope_id": ...}]}`` (group_id null: every user); a bad group or user is named by field."""
    rights = request.app[CORE_KEY].rights
    actor = current_user(request).context_id
    grants = await rights.set_grants(request.match_info["service"], request_body(request)["grants"], actor)
    return web.json_response(
        {"service": request.match_info["service"], "grants": [g.as_dict() for g in grants]}
    )
