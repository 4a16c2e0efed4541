"""GET /api/openapi.json: an OpenAPI 3.1 description built from the live route table."""

from __future__ import annotations

import inspect
import re
from typing import Any

from aiohttp import web

from cordboard.core.const import __version__
from cordboard.core.http.access import access_of, api, body_schema_of
from cordboard.core.http.keys import CORE_KEY
from cordboard.core.http.schema_serialize import json_schema

routes = web.RouteTableDef()

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        }
    },
}
_ERROR_REF = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _operation(handler: Any, method: str, path: str) -> dict[str, Any]:
    doc = inspect.getdoc(handler) or ""
    summary, _, description = doc.partition("\n")
    access = access_of(handler)
    op: dict[str, Any] = {
        "operationId": f"{method.lower()}_{re.sub(r'[^a-z0-9]+', '_', path.lower()).strip('_')}",
        "summary": summary.strip() or handler.__name__,
        "x-access": access,
        "responses": {
            "200": {"description": "Success"},
            "400": {"description": "Invalid input", **_ERROR_REF},
            "404": {"description": "Not found", **_ERROR_REF},
        },
    }
    if description.strip():
        op["description"] = description.strip()
    if access == "public":
        op["security"] = []
    else:
        op["responses"]["401"] = {"description": "Not logged in", **_ERROR_REF}
        op["responses"]["403"] = {"description": "Role not allowed", **_ERROR_REF}
    params = re.findall(r"{(\w+)(?::[^}]*)?}", path)
    if params:
        op["parameters"] = [
            {"name": p, "in": "path", "required": True, "schema": {"type": "string"}} for p in params
        ]
    schema = body_schema_of(handler)
    if schema is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": json_schema(schema)}},
        }
    return op


def build_spec(app: web.Application) -> dict[str, Any]:
    """The spec for every /api/ route of ``app`` and of each loaded plugin."""
    paths: dict[str, dict[str, Any]] = {}

    def add(method: str, path: str, handler: Any) -> None:
        if method in ("HEAD", "*") or not path.startswith("/api/") or "{tail" in path:
            return
        clean = re.sub(r"{(\w+):[^}]*}", r"{\1}", path)
        paths.setdefault(clean, {})[method.lower()] = _operation(handler, method, clean)

    for route in app.router.routes():
        add(route.method, route.resource.canonical if route.resource else "", route.handler)
    core = app.get(CORE_KEY)
    if core is not None:
        for record in core.plugins.all():
            router = core.plugins.router(record.domain)
            if router is None:
                continue
            for route in router.routes():
                tail = route.resource.canonical if route.resource else "/"
                add(route.method, f"/api/{record.domain}{tail}", route.handler)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Cordboard API", "version": __version__},
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": {"Error": ERROR_SCHEMA},
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "cordboard_session"},
            },
        },
        "security": [{"bearer": []}, {"session": []}],
    }


@routes.get("/api/openapi.json")
@api(access="public")
async def get_openapi(request: web.Request) -> web.Response:
    """This API's OpenAPI 3.1 description."""
    return web.json_response(build_spec(request.app))
