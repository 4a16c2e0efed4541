"""REST for a user's caller ID (CLI-01, CLI-05, CAPU-12): the numbers they may present, the one their
calls present, and whether it is hidden."""

from __future__ import annotations

from typing import Final

import voluptuous as vol
from aiohttp import web

from cordboard.core.calls.caller_id import choose, identity_of
from cordboard.core.http.access import api, current_user, request_body
from cordboard.core.http.keys import CORE_KEY

routes = web.RouteTableDef()
CHOICE: Final = vol.Schema(
    {vol.Optional("number"): vol.All(str, vol.Length(min=2, max=16)), vol.Optional("hidden"): bool},
    extra=vol.PREVENT_EXTRA,
)


@routes.get("/api/me/caller_id")
@api(access="user")
async def get_caller_id(request: web.Request) -> web.Response:
    """``number`` presented, ``hidden``, and the ``allowed`` numbers to choose from."""
    core = request.app[CORE_KEY]
    return web.json_response((await identity_of(core, current_user(request).id)).as_dict())


@routes.put("/api/me/caller_id")
@api(access="user", body=CHOICE)
async def put_caller_id(request: web.Request) -> web.Response:
    """Choose the presented ``number`` (one of ``allowed``) and/or ``hidden``; others are refused by field."""
    core = request.app[CORE_KEY]
    body = request_body(request)
    found = await choose(core, current_user(request).id, number=body.get("number"), hidden=body.get("hidden"))
    return web.json_response(found.as_dict())
