"""REST for the SIP trunks (BYD-01..03), admins only: trunks (the password is write-only and never
returned), their live state, and the outbound routes (prefix -> trunks in order)."""

from __future__ import annotations

from typing import Any, Final

from aiohttp import web
from cryptography.fernet import Fernet

from cordboard.core.core import Core
from cordboard.core.http.access import api, request_body
from cordboard.core.http.api_common import ID_PATTERN, path_id
from cordboard.core.http.keys import CORE_KEY
from cordboard.core.trunks import storage
from cordboard.core.trunks.model import CREATE, PATCH, ROUTE, Trunk

routes = web.RouteTableDef()
TRUNK: Final = "/api/trunks/" + ID_PATTERN % "trunk_id"
ROUTE_PATH: Final = "/api/trunks/routes/" + ID_PATTERN % "route_id"


async def _fernet(core: Core) -> Fernet:
    if core.trunks is not None:
        return core.trunks.fernet
    from cordboard.core.provisioning.secrets import load_key

    return await core.run_in_executor(load_key, core.data_dir)


def _view(core: Core, trunk: Trunk, has_password: bool | None = None) -> dict[str, Any]:
    state = core.states.get(f"trunk.{trunk.name}")
    data = trunk.as_dict()
    data["state"] = state.state if state is not None else "unregistered"
    data["last_error"] = state.attributes.get("last_error", "") if state is not None else ""
    if has_password is not None:
        data["has_password"] = has_password
    return data


async def _reload(core: Core) -> None:
    if core.trunks is not None:
        await core.trunks.reload()


@routes.get("/api/trunks")
@api(access="admin")
async def list_trunks(request: web.Request) -> web.Response:
    """Every trunk with its state (``registered``, ``failed``, ``unregistered``; IP trunks ``up``
    or ``down``) and last error; never the password."""
    core = request.app[CORE_KEY]
    trunks = await core.db.call(storage.load_trunks)
    return web.json_response([_view(core, t) for t in trunks])


@routes.post("/api/trunks")
@api(access="admin", body=CREATE)
async def create_trunk(request: web.Request) -> web.Response:
    """Add a trunk: ``name``, ``kind`` (register or ip), ``host``, ``port``, ``transport``,
    ``username``/``auth_username``/``password`` (register), ``addresses`` (ip), ``outbound_proxy``,
    ``from_domain``, ``caller_ids``, ``default_caller_id``, ``allow_anonymous``, ``called_from``
    (request_uri, to, p_called_party_id), ``default_destination``, ``country_code``,
    ``national_prefix``, ``priority``, ``enabled``, ``options_interval``. A clash of names: 409."""
    core = request.app[CORE_KEY]
    body = dict(request_body(request))
    fernet = await _fernet(core)
    created = await core.db.call(lambda db: storage.create_trunk(db, fernet, body))
    await _reload(core)
    return web.json_response(_view(core, created), status=201)


@routes.get(TRUNK)
@api(access="admin")
async def get_trunk(request: web.Request) -> web.Response:
    core = request.app[CORE_KEY]
    trunk_id = path_id(request, "trunk_id")
    trunk = await core.db.call(lambda db: storage.get_trunk(db, trunk_id))
    return web.json_response(_view(core, trunk))


@routes.patch(TRUNK)
@api(access="admin", body=PATCH)
async def update_trunk(request: web.Request) -> web.Response:
    """Change a trunk; a ``password`` replaces the stored one (omit it to keep it)."""
    core = request.app[CORE_KEY]
    trunk_id = path_id(request, "trunk_id")
    changes = dict(request_body(request))
    fernet = await _fernet(core)
    updated = await core.db.call(lambda db: storage.update_trunk(db, fernet, trunk_id, changes))
    await _reload(core)
    return web.json_response(_view(core, updated))


@routes.delete(TRUNK)
@api(access="admin")
async def delete_trunk(request: web.Request) -> web.Response:
    """Delete a trunk (it unregisters first); it leaves the outbound routes it was in."""
    core = request.app[CORE_KEY]
    trunk_id = path_id(request, "trunk_id")
    await core.db.call(lambda db: storage.delete_trunk(db, trunk_id))
    await _reload(core)
    return web.Response(status=204)


@routes.get("/api/trunks/routes")
@api(access="admin")
async def list_routes(request: web.Request) -> web.Response:
    """Outbound routes: a number of the dial plan's ``number_type`` (Mobile, Premium ...), else one
    starting with ``prefix`` (the longest match wins), goes out over ``trunks`` in order; numbers
    no route matches use every enabled trunk by priority."""
    core = request.app[CORE_KEY]
    return web.json_response([r.as_dict() for r in await core.db.call(storage.routes)])


@routes.post("/api/trunks/routes")
@api(access="admin", body=ROUTE)
async def create_route(request: web.Request) -> web.Response:
    core = request.app[CORE_KEY]
    body = request_body(request)
    route = await core.db.call(
        lambda db: storage.save_route(
            db, body["prefix"], list(body["trunks"]), number_type=body["number_type"]
        )
    )
    await _reload(core)
    return web.json_response(route.as_dict(), status=201)


@routes.put(ROUTE_PATH)
@api(access="admin", body=ROUTE)
async def update_route(request: web.Request) -> web.Response:
    core = request.app[CORE_KEY]
    route_id = path_id(request, "route_id")
    body = request_body(request)
    route = await core.db.call(
        lambda db: storage.save_route(
            db, body["prefix"], list(body["trunks"]), route_id, number_type=body["number_type"]
        )
    )
    await _reload(core)
    return web.json_response(route.as_dict())


@routes.delete(ROUTE_PATH)
@api(access="admin")
async def delete_route(request: web.Request) -> web.Response:
    core = request.app[CORE_KEY]
    route_id = path_id(request, "route_id")
    await core.db.call(lambda db: storage.delete_route(db, route_id))
    await _reload(core)
    return web.Response(status=204)
