"""Middlewares: authentication, role enforcement, JSON body validation and the one error shape."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Final

import voluptuous as vol
from aiohttp import web

from cordboard.core.context import Context, current_context
from cordboard.core.exceptions import (
    ConfigValidationError,
    Conflict,
    CordboardError,
    NotFound,
    ServiceNotFound,
    TooManyAttempts,
    Unauthorized,
)
from cordboard.core.http.access import (
    REQUEST_BODY,
    REQUEST_USER,
    AuthUser,
    access_of,
    body_schema_of,
)
from cordboard.core.http.errors import ApiError, error_response, invalid_fields
from cordboard.core.http.keys import CORE_KEY

_LOGGER = logging.getLogger(__name__)
SESSION_COOKIE: Final = "cordboard_session"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def bearer_token(request: web.Request) -> str | None:
    """The token from ``Authorization: Bearer`` or, for the browser, the session cookie."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.cookies.get(SESSION_COOKIE) or None


async def authenticate(request: web.Request) -> AuthUser | None:
    token = bearer_token(request)
    if token is None:
        return None
    return await request.app[CORE_KEY].identity.authenticate_token(token)


async def check_access(request: web.Request, handler: Any) -> None:
    """Enforce the handler's declared access level; sets the request's user.

    Static files (the built web UI's ``/assets`` and the built-in ``/static``) are public.
    """
    resource = request.match_info.route.resource
    access = "public" if isinstance(resource, web.StaticResource) else access_of(handler)
    user = await authenticate(request) if access != "public" or bearer_token(request) else None
    if user is not None:
        request[REQUEST_USER] = user
    if access == "public":
        return
    if user is None:
        raise ApiError(401, "unauthorized", "Log in first: this needs a valid session or bearer token")
    if access == "admin" and not user.is_admin:
        raise ApiError(403, "forbidden", "This needs an administrator")


async def parse_body(request: web.Request, schema: vol.Schema) -> Any:
    raw = await request.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "invalid_encoding", "The request body is not UTF-8 text") from None
    try:
        data = json.loads(text) if text.strip() else None
    except json.JSONDecodeError as err:
        raise ApiError(400, "invalid_json", f"The request body is not valid JSON: {err.msg}") from None
    if data is None:
        raise ApiError(400, "invalid_json", "The request needs a JSON body")
    try:
        return schema(data)
    except vol.Invalid as err:
        raise ApiError(400, "invalid", "Some fields are invalid", invalid_fields(err)) from None


@web.middleware
async def api_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Map every failure under /api to the error shape; run access checks and body validation."""
    unmatched = request.match_info.http_exception
    if unmatched is not None:
        if not request.path.startswith("/api/"):
            raise unmatched
        message = "No such API route" if unmatched.status == 404 else unmatched.reason
        return error_response(unmatched.status, unmatched.reason.lower().replace(" ", "_"), message)
    route_handler = request.match_info.handler
    token = current_context.set(Context())
    try:
        await check_access(request, route_handler)
        if REQUEST_USER in request:
            current_context.set(Context(user_id=request[REQUEST_USER].context_id))
        schema = body_schema_of(route_handler)
        if schema is not None:
            request[REQUEST_BODY] = await parse_body(request, schema)
        return await handler(request)
    except ApiError as err:
        return error_response(err.status, err.code, err.message, err.fields)
    except ConfigValidationError as err:
        return error_response(400, "invalid", err.message, err.fields)
    except vol.Invalid as err:
        return error_response(400, "invalid", "Some fields are invalid", invalid_fields(err))
    except TooManyAttempts as err:
        response = error_response(429, "too_many_attempts", str(err))
        response.headers["Retry-After"] = str(err.retry_after)
        return response
    except (NotFound, ServiceNotFound) as err:
        return error_response(404, "not_found", str(err))
    except Conflict as err:
        return error_response(409, "conflict", str(err))
    except Unauthorized as err:
        return error_response(403, "forbidden", str(err))
    except CordboardError as err:
        return error_response(400, "error", str(err))
    except web.HTTPRequestEntityTooLarge as err:
        return error_response(413, "too_large", f"The request body is too large: {err.text}")
    except web.HTTPException as err:
        if err.status < 400 or not request.path.startswith("/api/"):
            raise
        return error_response(err.status, err.reason.lower().replace(" ", "_"), err.text or err.reason)
    except Exception:
        _LOGGER.exception("Unhandled error in %s %s", request.method, request.path)
        return error_response(500, "internal_error", "Internal error; the log has the details")
    finally:
        current_context.reset(token)
