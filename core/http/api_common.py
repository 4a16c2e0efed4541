"""Small helpers shared by the core's REST modules: path ids, id lists, the caller's remote address."""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from aiohttp import web

from cordboard.core.exceptions import Unauthorized
from cordboard.core.http.access import AuthUser, current_user
from cordboard.core.http.errors import ApiError
from cordboard.core.http.keys import CORE_KEY

ID_PATTERN = r"{%s:\d+}"


def path_id(request: web.Request, name: str) -> int:
    """An integer id from the route (the route pattern admits digits only)."""
    return int(request.match_info[name])


def object_id(value: Any) -> int:
    """A positive whole-number id; true and false are not ids."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise vol.Invalid(f"expected an id (a whole number of at least 1), got {value!r}")
    return value


ID_LIST = vol.All([object_id], vol.Length(max=10_000))


def remote_address(request: web.Request) -> str:
    return request.remote or "unknown"


def self_or_admin(request: web.Request, user_id: int, what: str) -> AuthUser:
    """The caller, who must be the user ``user_id`` or an administrator (ROLE-01, USR-10)."""
    caller = current_user(request)
    if not caller.is_admin and caller.id != user_id:
        raise Unauthorized(f"You may only {what} your own account")
    return caller


def with_right(request: web.Request, service: str, user_id: int, what: str) -> AuthUser:
    """The caller, who must be the user ``user_id``, an administrator, or in a group with the
    service right ``service`` over that user (ROLE-09; 403 otherwise)."""
    caller = current_user(request)
    if not caller.is_admin and not request.app[CORE_KEY].rights.allows(service, caller.id, user_id):
        raise Unauthorized(f"You may not {what} this user (a service right of your groups decides)")
    return caller


async def json_object(request: web.Request) -> dict[str, Any]:
    """The request's JSON body, which must be an object (400 otherwise), for routes that validate it
    themselves (whole-object checks that name nested fields)."""
    from cordboard.core.http.errors import ApiError

    try:
        data = await request.json()
    except ValueError:
        raise ApiError(400, "invalid_json", "The request needs a JSON body") from None
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", "The request needs a JSON object")
    return data


async def read_upload(request: web.Request, max_bytes: int, too_large: str) -> bytes:
    """The request body of an upload, refused with 413 (``too_large`` as the reason, also as the
    ``file`` field's error) as soon as it is known to be larger than ``max_bytes``."""
    if request.content_length is not None and request.content_length > max_bytes:
        raise ApiError(413, "too_large", too_large, {"file": too_large})
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(256 * 1024):
        size += len(chunk)
        if size > max_bytes:
            raise ApiError(413, "too_large", too_large, {"file": too_large})
        chunks.append(chunk)
    return b"".join(chunks)


def plugin_service(request: web.Request, key: str, starting: str) -> Any:
    """The object a plugin keeps in ``core.data`` under ``key`` for its routes; until the plugin
    has set it up, 503 ``not_ready`` with ``starting`` ("The mailboxes are starting")."""
    found = request.app[CORE_KEY].data.get(key)
    if found is None:
        raise ApiError(503, "not_ready", starting)
    return found
