"""Dispatches /api/<domain>/... to the routes of the enabled plugin that owns ``domain``."""

from __future__ import annotations

from aiohttp import web

from cordboard.core.http.access import REQUEST_BODY, api, body_schema_of
from cordboard.core.http.errors import ApiError
from cordboard.core.http.keys import CORE_KEY
from cordboard.core.http.middleware import check_access, parse_body


@api(access="public")
async def dispatch_plugin_route(request: web.Request) -> web.StreamResponse:
    """Route a request to a plugin; a disabled or unknown plugin answers 404."""
    core = request.app[CORE_KEY]
    domain = request.match_info["domain"]
    router = core.plugins.router(domain)
    if router is None:
        raise ApiError(404, "not_found", f"No enabled plugin serves /api/{domain}/")
    sub_request = request.clone(rel_url="/" + request.match_info["tail"])
    match = await router.resolve(sub_request)
    if match.http_exception is not None:
        raise ApiError(match.http_exception.status, "not_found", f"No such route in plugin {domain}")
    handler = match.handler
    await check_access(request, handler)
    schema = body_schema_of(handler)
    if schema is not None:
        request[REQUEST_BODY] = await parse_body(request, schema)
    match.add_app(request.app)
    # The plugin handler reads its own path parameters: ``match_info`` is computed once and
    # cached (aiohttp's reify), and this request's was read above for the domain.
    request._match_info = match
    request._cache.pop("match_info", None)
    return await handler(request)
