"""REST for the dial plan (admins): conversion rules (CNV), number types (BAR-01), blocking groups
(BAR-04) and the decision for a number a user dials (``POST /api/dialplan/test``: emergency,
conversion, type, barring, blocking groups, limits), the same the trunks take before a call goes
out."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Final

import sqlite_utils
import voluptuous as vol
from aiohttp import web

from cordboard.core.dialplan import storage
from cordboard.core.dialplan.blocking import validate_blocking_group
from cordboard.core.dialplan.conversion import validate_rule
from cordboard.core.dialplan.numbers import validate_type
from cordboard.core.http.access import api, request_body
from cordboard.core.http.api_common import ID_PATTERN, json_object, path_id
from cordboard.core.http.keys import CORE_KEY

if TYPE_CHECKING:
    from cordboard.core.core import Core

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


async def _conversion(core: Core, raw: dict[str, Any]) -> dict[str, Any]:
    return validate_rule(raw, await core.dialplan.special_numbers())


async def _number_type(_core: Core, raw: dict[str, Any]) -> dict[str, Any]:
    return validate_type(raw)


async def _blocking_group(core: Core, raw: dict[str, Any]) -> dict[str, Any]:
    return validate_blocking_group(raw, [t.name for t in core.dialplan.types])


async def _saved(
    request: web.Request,
    validate: Callable[[Core, dict[str, Any]], Awaitable[dict[str, Any]]],
    save: Callable[[sqlite_utils.Database, dict[str, Any], int | None], Any],
    id_name: str | None = None,
) -> web.Response:
    """Create (no ``id_name``: 201) or replace one item of the dial plan, which then reloads."""
    core = request.app[CORE_KEY]
    item_id = path_id(request, id_name) if id_name else None
    data = await validate(core, await json_object(request))
    saved = await core.db.call(lambda db: save(db, data, item_id))
    await core.dialplan.reload()
    return web.json_response(saved.as_dict(), status=201 if item_id is None else 200)


async def _deleted(
    request: web.Request, delete: Callable[[sqlite_utils.Database, int], Any], id_name: str
) -> web.Response:
    core = request.app[CORE_KEY]
    item_id = path_id(request, id_name)
    await core.db.call(lambda db: delete(db, item_id))
    await core.dialplan.reload()
    return web.Response(status=204)


@routes.post("/api/dialplan/conversions")
@api(access="admin")
async def create_conversion(request: web.Request) -> web.Response:
    """A conversion rule: ``prefix``, ``digits`` (null: any), ``intervals`` (["07-15", ...]),
    ``rewrite``, ``label``. Rules that would convert an emergency number are refused (CNV-06)."""
    return await _saved(request, _conversion, storage.save_conversion)


@routes.put(CONVERSION)
@api(access="admin")
async def update_conversion(request: web.Request) -> web.Response:
    return await _saved(request, _conversion, storage.save_conversion, "rule_id")


@routes.delete(CONVERSION)
@api(access="admin")
async def delete_conversion(request: web.Request) -> web.Response:
    return await _deleted(request, storage.delete_conversion, "rule_id")


@routes.post("/api/dialplan/number_types")
@api(access="admin")
async def create_type(request: web.Request) -> web.Response:
    """A number type: ``name``, ``prefixes`` (after conversion, e.g. "+4590"), ``barred`` (refused
    for everyone), ``released`` (callable while international calls are blocked)."""
    return await _saved(request, _number_type, storage.save_type)


@routes.put(TYPE)
@api(access="admin")
async def update_type(request: web.Request) -> web.Response:
    return await _saved(request, _number_type, storage.save_type, "type_id")


@routes.delete(TYPE)
@api(access="admin")
async def delete_type(request: web.Request) -> web.Response:
    return await _deleted(request, storage.delete_type, "type_id")


@routes.post("/api/dialplan/blocking_groups")
@api(access="admin")
async def create_blocking_group(request: web.Request) -> web.Response:
    """A blocking group (BAR-04): ``name``, ``number_types`` (names of number types),
    ``international`` (block every international number), ``prefixes``; IVR menus and hunt groups
    in it may not send callers to the numbers it blocks."""
    return await _saved(request, _blocking_group, storage.save_blocking_group)


@routes.put(BLOCKING_GROUP)
@api(access="admin")
async def update_blocking_group(request: web.Request) -> web.Response:
    return await _saved(request, _blocking_group, storage.save_blocking_group, "group_id")


@routes.delete(BLOCKING_GROUP)
@api(access="admin")
async def delete_blocking_group(request: web.Request) -> web.Response:
    """The group goes; the function numbers that named it are no longer limited by it."""
    return await _deleted(request, storage.delete_blocking_group, "group_id")


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
