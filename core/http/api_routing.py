"""REST for routing rules (RTE-01..05) and the routing test tool (BYD-25).

Administrators manage the organisation's and the groups' rules and anyone's; a user manages their
own rules (``scope`` user, their id), with the destination types the admin allows them (RTE-05).
``POST /api/routing/explain`` answers, for a caller, a number and a time, which rules the call meets
and where it goes, without placing it: administrators for any number, users for calls to or from
their own numbers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

import voluptuous as vol
from aiohttp import web

from cordboard.core.exceptions import Unauthorized
from cordboard.core.http.access import api, current_user, request_body
from cordboard.core.http.api_common import ID_PATTERN, json_object, path_id
from cordboard.core.http.keys import CORE_KEY
from cordboard.core.routing.model import Rule

routes = web.RouteTableDef()
RULE_PATH: Final = "/api/routing/rules/" + ID_PATTERN % "rule_id"
ORDER: Final = vol.Schema({vol.Required("order"): [vol.All(int, vol.Range(min=1))]}, extra=vol.PREVENT_EXTRA)


def _when(value: Any) -> datetime:
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError:
        raise vol.Invalid("an ISO 8601 time such as 2026-12-07T09:30:00+01:00") from None
    if when.tzinfo is None:
        raise vol.Invalid("with its UTC offset, such as +01:00")
    return when


EXPLAIN: Final = vol.Schema(
    {
        vol.Required("caller"): vol.All(str, vol.Length(max=40)),
        vol.Required("number"): vol.All(str, vol.Length(min=1, max=40)),
        vol.Optional("at"): _when,
        vol.Optional("direction", default="incoming"): vol.In(
            ("incoming", "outgoing"), msg="incoming or outgoing"
        ),
    },
    extra=vol.PREVENT_EXTRA,
)


def _may_edit(request: web.Request, scope: Any, scope_id: Any) -> None:
    caller = current_user(request)
    if caller.is_admin:
        return
    if scope != "user" or scope_id != caller.id:
        raise Unauthorized("You may only manage your own routing rules")


@routes.get("/api/routing/rules")
@api(access="user")
async def list_rules(request: web.Request) -> web.Response:
    """Rules of one level (``?scope=org|group|user&scope_id=``), or all of them (admins); users see
    their own rules (the default for them)."""
    core = request.app[CORE_KEY]
    caller = current_user(request)
    scope = request.query.get("scope")
    scope_id = int(request.query["scope_id"]) if request.query.get("scope_id", "").isdigit() else None
    if not caller.is_admin:
        scope, scope_id = scope or "user", scope_id or caller.id
    if scope is not None:
        _may_edit(request, scope, scope_id)
    rules = await core.routing.rules(scope, scope_id)
    return web.json_response([r.as_dict() for r in rules])


@routes.post("/api/routing/rules")
@api(access="user")
async def create_rule(request: web.Request) -> web.Response:
    """A new rule at the end of its list: ``scope``, ``scope_id``, ``list`` (incoming, outgoing,
    fallback), ``tier`` (required or overridable, org and group rules), ``name``, ``enabled``,
    ``conditions`` and ``destinations`` (``kind``, ``after_s``, ``target``); errors name the field."""
    core = request.app[CORE_KEY]
    raw = await json_object(request)
    _may_edit(request, raw.get("scope"), raw.get("scope_id"))
    rule = await core.routing.create(raw)
    return web.json_response(rule.as_dict(), status=201)


async def _own_rule(request: web.Request) -> Rule:
    core = request.app[CORE_KEY]
    rule = await core.routing.get(path_id(request, "rule_id"))
    _may_edit(request, rule.scope, rule.scope_id)
    return rule


@routes.patch(RULE_PATH)
@api(access="user")
async def update_rule(request: web.Request) -> web.Response:
    """Change a rule's tier, name, switch, conditions or destinations (it stays on its level)."""
    core = request.app[CORE_KEY]
    rule = await _own_rule(request)
    raw = await json_object(request)
    return web.json_response((await core.routing.update(rule.id, raw)).as_dict())


@routes.delete(RULE_PATH)
@api(access="user")
async def delete_rule(request: web.Request) -> web.Response:
    core = request.app[CORE_KEY]
    rule = await _own_rule(request)
    await core.routing.delete(rule.id)
    return web.Response(status=204)


@routes.put("/api/routing/rules/order")
@api(access="user", body=ORDER)
async def order_rules(request: web.Request) -> web.Response:
    """RTE-02: the order of one level's list (every rule of it once, first checked first)."""
    core = request.app[CORE_KEY]
    ids: list[int] = request_body(request)["order"]
    if ids:
        first = await core.routing.get(ids[0])
        _may_edit(request, first.scope, first.scope_id)
    return web.json_response([r.as_dict() for r in await core.routing.reorder(ids)])


@routes.post("/api/routing/explain")
@api(access="user", body=EXPLAIN)
async def explain(request: web.Request) -> web.Response:
    """BYD-25: which rules a call from ``caller`` to ``number`` at ``at`` (default now) meets, the
    one it follows and its destinations in time; nothing is dialled."""
    core = request.app[CORE_KEY]
    body = request_body(request)
    caller = current_user(request)
    if not caller.is_admin:
        mine = {
            n
            for n, o in (await core.numbers.owners()).items()
            if o.kind in ("user", "alias") and o.id == str(caller.id)
        }
        concerned = body["number"] if body["direction"] == "incoming" else body["caller"]
        if concerned not in mine:
            raise Unauthorized("You may only test calls to or from your own numbers")
    found = await core.routing.explain(
        caller=body["caller"], number=body["number"], at=body.get("at"), direction=body["direction"]
    )
    return web.json_response(found.as_dict())
