"""REST for the number registry (NUM-01..08, CAPA-02/16): ranges, who owns each number, the free
numbers of a range ("show available numbers"), the number proposed for a new line or function
number, and aliases of users' lines. Admins only: numbers are the organisation's plan."""

from __future__ import annotations

from typing import Any, Final

import voluptuous as vol
from aiohttp import web

from cordboard.core.exceptions import ConfigValidationError
from cordboard.core.http.access import api, request_body
from cordboard.core.http.api_common import ID_PATTERN, path_id
from cordboard.core.http.keys import CORE_KEY
from cordboard.core.numbers import flow, storage
from cordboard.core.numbers.model import KINDS, PURPOSES

routes = web.RouteTableDef()
RANGE: Final = "/api/numbers/ranges/" + ID_PATTERN % "range_id"
PATCH_RANGE: Final = vol.Schema(
    {
        vol.Optional("kind"): vol.In(KINDS, msg="local or public"),
        vol.Optional("first"): str,
        vol.Optional("last"): str,
        vol.Optional("purpose"): vol.In(PURPOSES, msg=f"one of {', '.join(PURPOSES)}"),
        vol.Optional("label"): str,
        vol.Optional("ivr_dialable"): bool,
    },
    extra=vol.PREVENT_EXTRA,
)
ALIAS: Final = vol.Schema(
    {vol.Required("number"): str, vol.Required("user_id"): vol.All(int, vol.Range(min=1))},
    extra=vol.PREVENT_EXTRA,
)
AVAILABLE_LIMIT: Final = 500


def _query_int(request: web.Request, name: str, default: int | None = None) -> int | None:
    text = request.query.get(name)
    if text is None:
        return default
    if not text.isdigit():
        raise ConfigValidationError("Invalid query", {name: "expected a whole number"})
    return int(text)


@routes.get("/api/numbers/ranges")
@api(access="admin")
async def list_ranges(request: web.Request) -> web.Response:
    """The number ranges (NUM-01), each with how many of its numbers are in use."""
    core = request.app[CORE_KEY]
    owners = await core.numbers.owners()
    ranges = await core.numbers.ranges()
    return web.json_response(
        [{**r.as_dict(), "in_use": sum(1 for n in owners if r.contains(n))} for r in ranges]
    )


@routes.post("/api/numbers/ranges")
@api(access="admin", body=storage.RANGE_SCHEMA)
async def create_range(request: web.Request) -> web.Response:
    """Add a range: ``kind`` local or public, ``first``/``last`` (same length; public ones in E.164),
    ``purpose`` (users, groups, ivr, rules, any), ``label``, ``ivr_dialable``. Overlaps: 409."""
    core = request.app[CORE_KEY]
    body = request_body(request)
    created = await core.db.call(lambda db: storage.create_range(db, body))
    return web.json_response({**created.as_dict(), "in_use": 0}, status=201)


@routes.patch(RANGE)
@api(access="admin", body=PATCH_RANGE)
async def update_range(request: web.Request) -> web.Response:
    """Change a range; refused (409) when a number in use would end up outside every range."""
    core = request.app[CORE_KEY]
    range_id = path_id(request, "range_id")
    changes = request_body(request)
    updated = await core.db.call(lambda db: storage.update_range(db, range_id, changes))
    return web.json_response(updated.as_dict())


@routes.delete(RANGE)
@api(access="admin")
async def delete_range(request: web.Request) -> web.Response:
    """Delete a range; refused (409) while numbers in it are in use."""
    core = request.app[CORE_KEY]
    range_id = path_id(request, "range_id")
    await core.db.call(lambda db: storage.delete_range(db, range_id))
    return web.Response(status=204)


@routes.get("/api/numbers")
@api(access="admin")
async def list_numbers(request: web.Request) -> web.Response:
    """Every number in use and its one owner (NUM-07): users' lines, aliases, plugins' numbers;
    ``conflicts`` are plugin claims dropped because the number was someone else's."""
    core = request.app[CORE_KEY]
    owners = await core.numbers.owners()
    numbers = [{"number": n, **o.as_dict(), "owner": o.describe()} for n, o in sorted(owners.items())]
    return web.json_response({"numbers": numbers, "conflicts": core.numbers.conflicts})


@routes.get("/api/numbers/available")
@api(access="admin")
async def available_numbers(request: web.Request) -> web.Response:
    """NUM-02: free numbers of one range (``?range_id=``) or of the ranges for ``?purpose=``, in
    order, at most ``?limit=`` (100, up to 500)."""
    core = request.app[CORE_KEY]
    purpose = request.query.get("purpose")
    if purpose is not None and purpose not in PURPOSES:
        raise ConfigValidationError("Invalid query", {"purpose": f"one of {', '.join(PURPOSES)}"})
    limit = min(_query_int(request, "limit", 100) or 1, AVAILABLE_LIMIT)
    free = await core.numbers.available(
        range_id=_query_int(request, "range_id"), purpose=purpose, limit=limit
    )
    return web.json_response({"numbers": free})


@routes.get("/api/numbers/next")
@api(access="admin")
async def next_number(request: web.Request) -> web.Response:
    """NUM-03: the number proposed for a new user line (``?for=users``) or function number
    (``groups``, ``ivr``, ``rules``); null when the matching ranges are full."""
    core = request.app[CORE_KEY]
    purpose = request.query.get("for", "users")
    if purpose not in PURPOSES:
        raise ConfigValidationError("Invalid query", {"for": f"one of {', '.join(PURPOSES)}"})
    return web.json_response({"number": await core.numbers.next_free(purpose)})


@routes.post("/api/numbers/aliases")
@api(access="admin", body=ALIAS)
async def add_alias(request: web.Request) -> web.Response:
    """NUM-05/08: ``number`` becomes an alias of the user's line (dialling it rings the user)."""
    core = request.app[CORE_KEY]
    body: dict[str, Any] = request_body(request)
    await core.numbers.add_alias(body["number"], body["user_id"])
    return web.json_response(body, status=201)


@routes.delete("/api/numbers/aliases/{number:[+0-9]{2,16}}")
@api(access="admin")
async def remove_alias(request: web.Request) -> web.Response:
    """NUM-08: withdraw an alias; the number is free again."""
    core = request.app[CORE_KEY]
    await core.numbers.remove_alias(request.match_info["number"])
    return web.Response(status=204)


@routes.get("/api/numbers/flows")
@api(access="admin")
async def flow_starts(request: web.Request) -> web.Response:
    """AA-02: the numbers worth starting a call-flow tree from (the plugins' function numbers:
    IVR menus, hunt groups, park positions ...), each with its plugin and label."""
    core = request.app[CORE_KEY]
    return web.json_response({"numbers": flow.start_numbers(core)})


@routes.get("/api/numbers/{number:[+0-9*#A-Za-z._-]{1,40}}/flow")
@api(access="admin")
async def number_flow(request: web.Request) -> web.Response:
    """AA-02: where calls to the number go: its node (``number``, ``kind``, ``label``, ``note``) and
    ``edges`` (``label``, ``target``, ``kind``, ``note``, ``expandable``). With ``?depth=N`` (up to
    10) the expandable edges carry their target's ``node`` down N levels ("Expand all"); a number
    already on the way down is a node of kind ``loop`` without edges."""
    core = request.app[CORE_KEY]
    depth = _query_int(request, "depth", 0) or 0
    if depth > flow.MAX_DEPTH:
        raise ConfigValidationError("Invalid query", {"depth": f"0 to {flow.MAX_DEPTH}"})
    return web.json_response(await flow.tree(core, request.match_info["number"], depth))
