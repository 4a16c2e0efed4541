"""REST for plugins: list with manifest and schema, enable and disable, read and save config."""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from aiohttp import web

from cordboard.core.core import Core
from cordboard.core.exceptions import NotFound, PluginError
from cordboard.core.http.access import api, request_body
from cordboard.core.http.errors import ApiError
from cordboard.core.http.keys import CORE_KEY
from cordboard.core.http.schema_serialize import serialize_schema
from cordboard.core.plugin_manager import PluginRecord

routes = web.RouteTableDef()
CONFIG_BODY = vol.Schema(dict)


def _record(core: Core, domain: str) -> PluginRecord:
    try:
        return core.plugins.get(domain)
    except PluginError as err:
        raise NotFound(str(err)) from None


def _describe(core: Core, record: PluginRecord) -> dict[str, Any]:
    data = record.as_dict()
    try:
        data["schema"] = serialize_schema(core.plugins.config_schema(record.domain))
    except Exception as err:  # a broken third-party plugin must not break the list
        data["schema"] = []
        data["error"] = data["error"] or f"Cannot read settings schema: {err}"
    return data


@routes.get("/api/plugins")
@api(access="admin")
async def list_plugins(request: web.Request) -> web.Response:
    """Every installed plugin with its manifest, settings schema, enabled flag and status."""
    core = request.app[CORE_KEY]
    return web.json_response([_describe(core, r) for r in core.plugins.all()])


@routes.get("/api/plugins/{domain}")
@api(access="admin")
async def get_plugin(request: web.Request) -> web.Response:
    """One plugin with its manifest, schema and status."""
    core = request.app[CORE_KEY]
    return web.json_response(_describe(core, _record(core, request.match_info["domain"])))


@routes.post("/api/plugins/{domain}/enable")
@api(access="admin")
async def enable_plugin(request: web.Request) -> web.Response:
    """Enable a plugin now; its dependencies must be enabled."""
    core = request.app[CORE_KEY]
    domain = request.match_info["domain"]
    _record(core, domain)
    try:
        record = await core.plugins.enable(domain)
    except PluginError as err:
        raise ApiError(409, "conflict", str(err)) from None
    return web.json_response(_describe(core, record))


@routes.post("/api/plugins/{domain}/disable")
@api(access="admin")
async def disable_plugin(request: web.Request) -> web.Response:
    """Disable a plugin now; plugins that depend on it must be disabled first."""
    core = request.app[CORE_KEY]
    domain = request.match_info["domain"]
    _record(core, domain)
    try:
        record = await core.plugins.disable(domain)
    except PluginError as err:
        raise ApiError(409, "conflict", str(err)) from None
    return web.json_response(_describe(core, record))


@routes.get("/api/plugins/{domain}/config")
@api(access="admin")
async def get_plugin_config(request: web.Request) -> web.Response:
    """The plugin's organisation-level settings (defaults filled in) and its form schema."""
    core = request.app[CORE_KEY]
    record = _record(core, request.match_info["domain"])
    return web.json_response(
        {
            "config": await core.plugins.get_config(record.domain),
            "schema": serialize_schema(core.plugins.config_schema(record.domain)),
        }
    )


@routes.put("/api/plugins/{domain}/config")
@api(access="admin", body=CONFIG_BODY)
async def put_plugin_config(request: web.Request) -> web.Response:
    """Save the plugin's settings; invalid fields give 400 with field errors and nothing is saved."""
    core = request.app[CORE_KEY]
    record = _record(core, request.match_info["domain"])
    config = await core.plugins.set_config(record.domain, request_body(request))
    return web.json_response({"config": config, "status": record.status.value})
