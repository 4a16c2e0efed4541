"""REST routes of the rule_numbers plugin, mounted at /api/rule_numbers/ (administrators only).
Where their calls go is the routing API's (rules of the list ``rule_numbers``)."""

from __future__ import annotations

from aiohttp import web

from cordboard.core.http.access import api
from cordboard.core.http.api_common import json_object, plugin_service
from cordboard.plugins.rule_numbers.const import RULE_NUMBERS_KEY
from cordboard.plugins.rule_numbers.service import RuleNumbers

routes = web.RouteTableDef()
NUMBER = "/numbers/{number_id:[0-9]+}"


def _numbers(request: web.Request) -> RuleNumbers:
    return plugin_service(request, RULE_NUMBERS_KEY, "The rule-based numbers are starting")


def _number_id(request: web.Request) -> int:
    return int(request.match_info["number_id"])


@routes.get("/numbers")
@api(access="admin")
async def list_numbers(request: web.Request) -> web.Response:
    """Every rule-based number, by number."""
    return web.json_response([n.as_dict() for n in _numbers(request).all()])


@routes.post("/numbers")
@api(access="admin")
async def create_number(request: web.Request) -> web.Response:
    """A new rule-based number; 400 names every bad field (a number outside the ranges for rules
    or someone else's, an unknown blocking group)."""
    created = await _numbers(request).create(await json_object(request))
    return web.json_response(created.as_dict(), status=201)


@routes.get(NUMBER)
@api(access="admin")
async def get_number(request: web.Request) -> web.Response:
    return web.json_response(_numbers(request).get(_number_id(request)).as_dict())


@routes.put(NUMBER)
@api(access="admin")
async def update_number(request: web.Request) -> web.Response:
    """Replace a rule-based number's fields (checked as for a new one)."""
    changed = await _numbers(request).update(_number_id(request), await json_object(request))
    return web.json_response(changed.as_dict())


@routes.delete(NUMBER)
@api(access="admin")
async def delete_number(request: web.Request) -> web.Response:
    """Delete a rule-based number: its number is free again; rules naming it stay until changed."""
    await _numbers(request).delete(_number_id(request))
    return web.Response(status=204)
