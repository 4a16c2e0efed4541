"""REST for feature codes (FC-15): every code with the digits it answers to and what a person dials;
admins change the digits (clashes refused by field)."""

from __future__ import annotations

import voluptuous as vol
from aiohttp import web

from cordboard.core.http.access import api, request_body
from cordboard.core.http.keys import CORE_KEY

routes = web.RouteTableDef()

CODE_BODY = vol.Schema(
    {vol.Required("code"): vol.Any(None, vol.All(str, vol.Length(max=8)))}, extra=vol.PREVENT_EXTRA
)


@routes.get("/api/feature-codes")
@api(access="user")
async def list_codes(request: web.Request) -> web.Response:
    """Every registered code (a user sees them too: they dial them)."""
    features = request.app[CORE_KEY].features
    return web.json_response({"codes": [code.as_dict() for code in features.codes()]})


@routes.put("/api/feature-codes/{key:[a-z0-9_.]+}")
@api(access="admin", body=CODE_BODY)
async def put_code(request: web.Request) -> web.Response:
    """``{"code": "22"}`` gives a code new digits, ``{"code": null}`` its default ones back."""
    features = request.app[CORE_KEY].features
    active = await features.set_code(request.match_info["key"], request_body(request)["code"])
    return web.json_response(active.as_dict())
