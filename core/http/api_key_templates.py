"""REST for key templates and users' key layouts (PROV-08, CAPA-05/31, CAPU-24).

Admins manage templates (``/api/key-templates``) and assign one to a user
(``/api/users/{id}/key-template``); a user reads and changes their own layout (``/api/me/keys``):
pick one of the templates and set keys of their own, which override the template's by index. Key 1
is always the user's own line. Saving with ``"push": true`` resyncs the registered phones of the
users concerned (SIP NOTIFY check-sync), as ``POST /api/devices/{mac}/resync`` does for one phone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from aiohttp import web

from cordboard.core.exceptions import ConfigValidationError
from cordboard.core.http.access import api, current_user
from cordboard.core.http.api_common import ID_PATTERN, path_id
from cordboard.core.http.errors import ApiError
from cordboard.core.http.keys import CORE_KEY
from cordboard.core.provisioning import key_templates as kt

if TYPE_CHECKING:
    from cordboard.core.core import Core

routes = web.RouteTableDef()
TEMPLATE: Final = "/api/key-templates/" + ID_PATTERN % "template_id"
USER_TEMPLATE: Final = "/api/users/" + ID_PATTERN % "user_id" + "/key-template"
_LAYOUT_FIELDS: Final = frozenset(("template_id", "keys", "push"))


async def _json(request: web.Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        raise ApiError(400, "invalid_json", "The request needs a JSON body") from None


def _template_id(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigValidationError("Invalid template", {"template_id": "expected a template id or null"})
    return value


async def _push(core: Core, user_ids: list[int]) -> list[str]:
    """Resync the registered phones of these users; the MACs reached."""
    if core.provisioning is None or not user_ids:
        return []
    return await core.provisioning.resync_users(user_ids)


async def _template_dict(core: Core, template: kt.KeyTemplate) -> dict[str, Any]:
    counts = await core.db.call(kt.template_user_counts)
    return {**template.as_dict(), "users": counts.get(template.id, 0)}


@routes.get("/api/key-templates")
@api(access="admin")
async def list_key_templates(request: web.Request) -> web.Response:
    """Every key template with its keys and how many users are assigned to it (CAPA-31)."""
    core = request.app[CORE_KEY]
    templates = await core.db.call(kt.list_templates)
    counts = await core.db.call(kt.template_user_counts)
    return web.json_response([{**t.as_dict(), "users": counts.get(t.id, 0)} for t in templates])


@routes.post("/api/key-templates")
@api(access="admin")
async def create_key_template(request: web.Request) -> web.Response:
    """Create a template: ``name``, ``keys`` (rows of ``index`` 2.., ``kind``, ``value``, ``label``),
    ``is_default``; every bad field is named (``keys.<row>.<field>``)."""
    core = request.app[CORE_KEY]
    raw = await _json(request)
    body = await core.db.call(lambda db: kt.check_template(db, raw))
    body.pop("push", None)
    template = await core.db.call(lambda db: kt.create_template(db, **body))
    return web.json_response(await _template_dict(core, template), status=201)


@routes.get(TEMPLATE)
@api(access="admin")
async def get_key_template(request: web.Request) -> web.Response:
    """One key template, with the ids of the users it reaches."""
    core = request.app[CORE_KEY]
    template_id = path_id(request, "template_id")
    template = await core.db.call(lambda db: kt.get_template(db, template_id))
    users = await core.db.call(lambda db: kt.users_of_template(db, template_id))
    return web.json_response({**await _template_dict(core, template), "user_ids": users})


@routes.put(TEMPLATE)
@api(access="admin")
async def put_key_template(request: web.Request) -> web.Response:
    """Change name, keys or default; ``"push": true`` resyncs the registered phones of the users it
    reaches (``resynced``: their MACs)."""
    core = request.app[CORE_KEY]
    template_id = path_id(request, "template_id")
    raw = await _json(request)
    changes = await core.db.call(lambda db: kt.check_template(db, raw, partial=True))
    push = changes.pop("push", False)
    template = await core.db.call(lambda db: kt.update_template(db, template_id, changes))
    resynced: list[str] = []
    if push:
        users = await core.db.call(lambda db: kt.users_of_template(db, template_id))
        resynced = await _push(core, users)
    return web.json_response({**await _template_dict(core, template), "resynced": resynced})


@routes.delete(TEMPLATE)
@api(access="admin")
async def delete_key_template(request: web.Request) -> web.Response:
    """Remove a template; its users get the organisation's default (their own keys stay)."""
    core = request.app[CORE_KEY]
    template_id = path_id(request, "template_id")
    await core.db.call(lambda db: kt.delete_template(db, template_id))
    return web.Response(status=204)


@routes.get(USER_TEMPLATE)
@api(access="admin")
async def get_user_key_template(request: web.Request) -> web.Response:
    """A user's layout: their template (null: the default), own keys and effective keys (CAPA-05)."""
    core = request.app[CORE_KEY]
    user_id = path_id(request, "user_id")
    return web.json_response(await core.db.call(lambda db: kt.layout_dict(db, user_id)))


@routes.put(USER_TEMPLATE)
@api(access="admin")
async def put_user_key_template(request: web.Request) -> web.Response:
    """Assign a template to a user (``{"template_id": N}``, null for the default); ``"push": true``
    resyncs their registered phones (CAPA-05)."""
    core = request.app[CORE_KEY]
    user_id = path_id(request, "user_id")
    raw = await _json(request)
    if not isinstance(raw, dict) or set(raw) - {"template_id", "push"} or "template_id" not in raw:
        raise ApiError(400, "invalid", 'Send {"template_id": id or null}', {"template_id": "required"})
    template_id = _template_id(raw["template_id"])
    await core.identity.get_user(user_id)
    await core.db.call(lambda db: kt.set_user_template(db, user_id, template_id))
    layout = await core.db.call(lambda db: kt.layout_dict(db, user_id))
    layout["resynced"] = await _push(core, [user_id]) if raw.get("push") is True else []
    return web.json_response(layout)


@routes.get("/api/me/keys")
@api(access="user")
async def get_my_keys(request: web.Request) -> web.Response:
    """The caller's key layout: template, own keys, the effective keys (key 1 is their line), the
    templates to choose from and the extensions a BLF key may watch (CAPU-24)."""
    core = request.app[CORE_KEY]
    user_id = current_user(request).id
    return web.json_response(await core.db.call(lambda db: kt.layout_dict(db, user_id)))


@routes.put("/api/me/keys")
@api(access="user")
async def put_my_keys(request: web.Request) -> web.Response:
    """Pick a template (``template_id``, null for the default) and set own ``keys`` (index 2..;
    kind ``none`` empties a template's key); key 1 cannot be changed. The caller's registered
    phones are resynced."""
    core = request.app[CORE_KEY]
    user_id = current_user(request).id
    raw = await _json(request)
    if not isinstance(raw, dict):
        raise ConfigValidationError("Expected a layout", {"": "expected an object"})
    errors = {name: "unknown field" for name in sorted(set(raw) - _LAYOUT_FIELDS)}
    if errors:
        raise ConfigValidationError("Some fields are invalid", errors)
    current = await core.db.call(lambda db: kt.get_user_keys(db, user_id))
    template_id = _template_id(raw["template_id"]) if "template_id" in raw else current.template_id
    if "keys" in raw:
        keys_raw = raw["keys"]
        overrides = await core.db.call(lambda db: kt.check_keys(db, keys_raw, allow_none=True))
    else:
        overrides = list(current.overrides)
    await core.db.call(lambda db: kt.set_user_layout(db, user_id, template_id, overrides))
    layout = await core.db.call(lambda db: kt.layout_dict(db, user_id))
    layout["resynced"] = await _push(core, [user_id]) if raw.get("push", True) is True else []
    return web.json_response(layout)
