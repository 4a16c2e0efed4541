"""Who may call a route: declared on the handler, enforced by the server's middleware (never only the UI)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeVar

import voluptuous as vol
from aiohttp import web

Access = Literal["public", "user", "admin"]
_H = TypeVar("_H", bound=Callable[..., Any])

ACCESS_ATTR = "_cordboard_access"
BODY_ATTR = "_cordboard_body"


@dataclass(frozen=True, slots=True)
class AuthUser:
    """The authenticated caller of a request or WebSocket."""

    id: int
    username: str
    is_admin: bool

    @property
    def context_id(self) -> str:
        return str(self.id)


REQUEST_USER: Final[web.RequestKey[AuthUser]] = web.RequestKey("cordboard_user", AuthUser)
REQUEST_BODY: Final[web.RequestKey[Any]] = web.RequestKey("cordboard_body", object)


def api(access: Access = "admin", body: vol.Schema | None = None) -> Callable[[_H], _H]:
    """Declare a route's access level and, optionally, the schema its JSON body must meet.

    Routes without this decorator are admin-only: a forgotten declaration fails closed.
    """

    def decorate(handler: _H) -> _H:
        setattr(handler, ACCESS_ATTR, access)
        if body is not None:
            setattr(handler, BODY_ATTR, body)
        return handler

    return decorate


def access_of(handler: Any) -> Access:
    return getattr(handler, ACCESS_ATTR, "admin")


def body_schema_of(handler: Any) -> vol.Schema | None:
    return getattr(handler, BODY_ATTR, None)


def current_user(request: web.Request) -> AuthUser:
    """The caller of a route that is not public."""
    user = request.get(REQUEST_USER)
    if user is None:
        raise web.HTTPUnauthorized()
    return user


def request_body(request: web.Request) -> dict[str, Any]:
    """The JSON body, already validated against the route's schema."""
    return request[REQUEST_BODY]
