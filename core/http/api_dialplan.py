"""REST for the dial plan (admins): conversion rules (CNV), number types (BAR-01), blocking groups
(BAR-04) and the decision for a number a user dials (``POST /api/dialplan/test``: emergency,
conversion, type, barring, blocking groups, limits), the same the trunks take before a call goes
out."""

from __future__ import annotations

from typing import Final

import voluptuous as vol
from aiohttp import web

from cordboard.core.dialplan import storage
from cordboard.core.dialplan.blocking import validate_blocking_group
from cordboard.core.dialplan.conversion import validate_rule
from cordboard.core.dialplan.numbers import validate_type
from cordboard.core.http.access import api, request_body
from cordboard.core.http.api_common import ID_PATTERN, json_object, path_id
from cordboard.core.http.keys import CORE_KEY

routes = web.RouteTableDef()
CONVERSION: Final = "/api/dialplan/conversions/" + ID_PATTERN % "rule_id"
TYPE: Final = "/api/dialplan/number_types/" + ID_PATTERN % "type_id"
BLOCKING_GROUP: Final = "/api/dialplan/blocking_groups/" + ID_PATTERN % "group_id"
TEST: Final = vol.Schema(
    {
        vol.Required("number"): vol.All(str, vol.Length(min=1, max=32)),
        vol.Optional("user_id"): vol.All(int, vol.Range(min=1)),
        vol.Optional("blocking_groups", default=list): [vol.All(int, vol.Range(min=1))],
    },
    extra=vol.PREVENT_EXTRA,
)


@routes.get("/api/dialplan")
@api(access="admin")
async def get_dialplan(request: web.Request) -> web.Response:
    """Conversion rules, number types, blocking groups and the emergency and special numbers in effect."""
    core = request.app[CORE_KEY]
    plan = core.dialplan
    return web.json_response(
        {
            "conversions": [r.as_dict() for r in plan.conversions],
            "number_types": [t.as_dict() for t in plan.types],
            "blocking_groups": [g.as_dict() for g in plan.blocking_groups],
            "special_numbers": await plan.special_numbers(),
        }
    )


@routes.post("/api/dialplan/conversions")
@api(access="admin")
async def create_conversion(request: web.Request) -> web.Response:
    """A conversion rule: ``prefix``, ``digits`` (null: any), ``intervals`` (["07-15", ...]),
    ``rewrite``, ``label``. Rules that would convert an emergency number are refused (CNV-06)."""
    core = request.app[CORE_KEY]
    data = validate_rule(await json_object(request), await core.dialplan.special_numbers())
    rule = await core.db.call(lambda db: storage.save_conversion(db, data))
    await core.dialplan.reload()
    return web.json_response(rule.as_dict(), status=201)


@routes.put(CONVERSION)
@api(access="admin")
async def update_conversion(request: web.Request) -> web.Response:
    core = request.app[CORE_KEY]
    rule_id = path_id(request, "rule_id")
    data = validate_rule(await json_object(request), await core.dialplan.special_numbers())
    rule = await core.db.call(lambda db: storage.save_conversion(db, data, rule_id))
    await core.dialplan.reload()
    return web.json_response(rule.as_dict())


@routes.delete(CONVERSION)
@api(access="admin")
async def delete_conversion(request: web.Request) -> web.Response:
    core = request.app[CORE_KEY]
    rule_id = path_id(request, "rule_id")
    await core.db.call(lambda db: storage.delete_conversion(db, rule_id))
    await core.dialplan.reload()
    return web.Response(status=204)


@routes.post("/api/dialplan/number_types")
@api(access="admin")
async def create_type(request: web.Request) -> web.Response:
    """A number type: ``name``, ``prefixes`` (after conversion, e.g. "+4590"), ``barred`` (refused
    for everyone), ``released`` (callable while international calls are blocked)."""
    core = request.app[CORE_KEY]
    data = validate_type(await json_object(request))
    created = await core.db.call(lambda db: storage.save_type(db, data))
    await core.dialplan.reload()
    return web.json_response(created.as_dict(), status=201)


@routes.put(TYPE)
@api(access="admin")
async def update_type(request: web.Request) -> web.Response:
    core = request.app[CORE_KEY]
    type_id = path_id(request, "type_id")
    data = validate_type(await json_object(request))
    updated = await core.db.call(lambda db: storage.save_type(db, data, type_id))
    await core.dialplan.reload()
    return web.json_response(updated.as_dict())


@routes.delete(TYPE)
@api(access="admin")
async def delete_type(request: web.Request) -> web.Response:
    core = request.app[CORE_KEY]
    type_id = path_id(request, "type_id")
    await core.db.call(lambda db: storage.delete_type(db, type_id))
    await core.dialplan.reload()
    return web.Response(status=204)


@routes.post("/api/dialplan/blocking_groups")
@api(access="admin")
async def create_blocking_group(request: web.Request) -> web.Response:
    """A blocking group (BAR-04): ``name``, ``number_types`` (names of number types),
    ``international`` (block every international number), ``prefixes``; IVR menus and hunt groups
    in it may not send callers to the numbers it blocks."""
    core = request.app[CORE_KEY]
    data = validate_blocking_group(await json_object(request), [t.name for t in core.dialplan.types])
    created = await core.db.call(lambda db: storage.save_blocking_group(db, data))
    await core.dialplan.reload()
    return web.json_response(created.as_dict(), status=201)


@routes.put(BLOCKING_GROUP)
@api(access="admin")
async def update_blocking_group(request: web.Request) -> web.Response:
    core = request.app[CORE_KEY]
    group_id = path_id(request, "group_id")
    data = validate_blocking_group(await json_object(request), [t.name for t in core.dialplan.types])
    updated = await core.db.call(lambda db: storage.save_blocking_group(db, data, group_id))
    await core.dialplan.reload()
    return web.json_response(updated.as_dict())


@routes.delete(BLOCKING_GROUP)
@api(access="admin")
async def delete_blocking_group(request: web.Request) -> web.Response:
    """The group goes; the function numbers that named it are no longer limited by it."""
    core = request.app[CORE_KEY]
    group_id = path_id(request, "group_id")
    await core.db.call(lambda db: storage.delete_blocking_group(db, group_id))
    await core.dialplan.reload()
    return web.Response(status=204)


@routes.post("/api/dialplan/test")
@api(access="admin", body=TEST)
async def test_number(request: web.Request) -> web.Response:
    """What happens when the user (``user_id``; none: the organisation's settings) dials ``number``,
    or a function number in the blocking groups ``blocking_groups`` sends a caller there."""
    core = request.app[CORE_KEY]
    body = request_body(request)
    caller = await core.identity.get_user(body["user_id"]) if "user_id" in body else None

    class _Caller:
        user_id = caller.id if caller else None

    decision = await core.dialplan.outbound(_Caller(), body["number"].strip(), body["blocking_groups"])
    return web.json_response(decision.as_dict())
