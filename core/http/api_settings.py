"""REST for scoped settings: specs, values per level (org, group, user) and a user's effective values."""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from aiohttp import web

from cordboard.core.config.settings import SettingSpec, SettingsService
from cordboard.core.exceptions import Unauthorized
from cordboard.core.http.access import api, request_body
from cordboard.core.http.api_common import ID_PATTERN, path_id, self_or_admin
from cordboard.core.http.keys import CORE_KEY
from cordboard.core.http.schema_serialize import serialize_schema
from cordboard.core.json import to_jsonable

routes = web.RouteTableDef()
VALUES_BODY = vol.Schema({vol.All(str, vol.Length(max=200)): object})
"""{key: value, or null to clear the value at this level}."""
_FALLBACK_TYPES = {"scalar": "string", "bool": "boolean", "list": "list"}


def _serialize_validator(spec: SettingSpec) -> dict[str, Any]:
    fields = serialize_schema(vol.Schema({vol.Required("value"): spec.validator}))
    field = fields[0] if len(fields) == 1 and fields[0].get("name") == "value" else {}
    field = {k: v for k, v in field.items() if k not in ("name", "required")}
    if spec.kind == "bool":
        field = {"type": "boolean"}
    return field or {"type": _FALLBACK_TYPES[spec.kind]}


def _describe(spec: SettingSpec) -> dict[str, Any]:
    return {
        "key": spec.key,
        "kind": spec.kind,
        "scopes": [scope for scope in ("org", "group", "user") if spec.allows(scope)],
        "default": to_jsonable(spec.default),
        "description": spec.description,
        "user_editable": spec.user_editable,
        "validator": _serialize_validator(spec),
    }


def _registered(service: SettingsService, values: dict[str, Any]) -> dict[str, Any]:
    """Only keys with a spec: a plugin's org-only config is served under /api/plugins/<domain>/config."""
    return {key: value for key, value in values.items() if key in service.registry}


@routes.get("/api/settings")
@api(access="user")
async def list_settings(request: web.Request) -> web.Response:
    """Every setting: key, kind, allowed levels, default, description and form field."""
    service = request.app[CORE_KEY].settings
    return web.json_response([_describe(spec) for spec in service.registry.specs()])


@routes.get("/api/settings/org")
@api(access="admin")
async def get_org_settings(request: web.Request) -> web.Response:
    """The values set for the organisation."""
    service = request.app[CORE_KEY].settings
    return web.json_response(_registered(service, await service.get("org")))


@routes.put("/api/settings/org")
@api(access="admin", body=VALUES_BODY)
async def put_org_settings(request: web.Request) -> web.Response:
    """Set (or with null clear) organisation values; all or nothing."""
    service = request.app[CORE_KEY].settings
    return web.json_response(_registered(service, await service.set_many("org", None, request_body(request))))


@routes.get("/api/settings/group/" + ID_PATTERN % "group_id")
@api(access="admin")
async def get_group_settings(request: web.Request) -> web.Response:
    """The values set for one user group."""
    service = request.app[CORE_KEY].settings
    return web.json_response(_registered(service, await service.get("group", path_id(request, "group_id"))))


@routes.put("/api/settings/group/" + ID_PATTERN % "group_id")
@api(access="admin", body=VALUES_BODY)
async def put_group_settings(request: web.Request) -> web.Response:
    """Set (or with null clear) values for one user group; all or nothing."""
    service = request.app[CORE_KEY].settings
    values = await service.set_many("group", path_id(request, "group_id"), request_body(request))
    return web.json_response(_registered(service, values))


@routes.get("/api/settings/user/" + ID_PATTERN % "user_id")
@api(access="user")
async def get_user_settings(request: web.Request) -> web.Response:
    """The values set for one user (own account, or any as administrator)."""
    user_id = path_id(request, "user_id")
    self_or_admin(request, user_id, "read the settings of")
    service = request.app[CORE_KEY].settings
    return web.json_response(_registered(service, await service.get("user", user_id)))


@routes.put("/api/settings/user/" + ID_PATTERN % "user_id")
@api(access="user", body=VALUES_BODY)
async def put_user_settings(request: web.Request) -> web.Response:
    """Set (or with null clear) values for one user; a user may set only user-editable keys of their own."""
    user_id = path_id(request, "user_id")
    caller = self_or_admin(request, user_id, "change the settings of")
    service = request.app[CORE_KEY].settings
    body = request_body(request)
    if not caller.is_admin:
        refused = sorted(
            k for k in body if k in service.registry and not service.registry.get(k).user_editable
        )
        if refused:
            raise Unauthorized(f"Only an administrator may change {', '.join(refused)}")
    return web.json_response(_registered(service, await service.set_many("user", user_id, body)))


@routes.get("/api/settings/effective/" + ID_PATTERN % "user_id")
@api(access="user")
async def get_effective_settings(request: web.Request) -> web.Response:
    """Every setting's effective value for a user and where it comes from (user, group:<id>, org, default)."""
    user_id = path_id(request, "user_id")
    self_or_admin(request, user_id, "read the settings of")
    effective = await request.app[CORE_KEY].settings.effective(user_id)
    return web.json_response(
        {key: {"value": to_jsonable(r.value), "source": r.source} for key, r in effective.items()}
    )
