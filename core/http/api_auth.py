"""REST for log-in, log-out, the caller's own account and first-run setup."""

from __future__ import annotations

import logging
from typing import Any

import voluptuous as vol
from aiohttp import web

from cordboard.core.config import validation as cv
from cordboard.core.core import Core
from cordboard.core.http.access import api, current_user, request_body
from cordboard.core.http.api_common import remote_address
from cordboard.core.http.keys import CORE_KEY
from cordboard.core.http.middleware import SESSION_COOKIE, bearer_token
from cordboard.core.identity.sessions import SESSION_TTL_S
from cordboard.core.identity.users import User

_LOGGER = logging.getLogger(__name__)
routes = web.RouteTableDef()
_SECRET = vol.All(str, vol.Length(max=1024))
LOGIN_BODY = vol.Schema(
    {vol.Required("username"): vol.All(str, vol.Length(max=256)), vol.Required("password"): _SECRET},
    extra=vol.PREVENT_EXTRA,
)
SETUP_BODY = vol.Schema(
    {
        vol.Required("token"): vol.All(str, vol.Length(max=256)),
        vol.Required("username"): cv.username,
        vol.Required("password"): cv.password,
        vol.Required("first_name"): cv.string,
        vol.Required("last_name"): cv.string,
        vol.Required("email"): cv.string,
    },
    extra=vol.PREVENT_EXTRA,
)


async def _session_response(
    request: web.Request, core: Core, token: str, user: User, status: int = 200
) -> web.Response:
    expires = await core.identity.session_expires(token)
    body: dict[str, Any] = {"token": token, "expires": expires, "user": user.as_dict()}
    response = web.json_response(body, status=status)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=SESSION_TTL_S,
        path="/",
        httponly=True,
        samesite="Strict",
        secure=request.secure,
    )
    return response


@routes.post("/api/auth/login")
@api(access="public", body=LOGIN_BODY)
async def login(request: web.Request) -> web.Response:
    """Log in with username and password; returns a bearer token and sets the session cookie."""
    core = request.app[CORE_KEY]
    body = request_body(request)
    client = request.headers.get("User-Agent", "")
    token, user = await core.identity.login(
        body["username"], body["password"], remote_address(request), client=client
    )
    return await _session_response(request, core, token, user)


@routes.post("/api/auth/logout")
@api(access="user")
async def logout(request: web.Request) -> web.Response:
    """End the current session and clear the session cookie."""
    token = bearer_token(request)
    if token is not None:
        await request.app[CORE_KEY].identity.logout(token)
    response = web.json_response({"logged_out": True})
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


@routes.get("/api/auth/me")
@api(access="user")
async def me(request: web.Request) -> web.Response:
    """The logged-in user's own account, and ``administers``: the admin pages they may use as a
    group administrator (ROLE-04; none for administrators, who use them all)."""
    core = request.app[CORE_KEY]
    user = await core.identity.get_user(current_user(request).id)
    pages: set[str] = set()
    if user.role != "admin" and user.groups:
        groups = frozenset(user.groups)
        try:
            answers = core.plugins.pm.hook.cordboard_group_admin_pages(core=core, group_ids=groups)
        except Exception:  # a broken plugin must not keep a user out of the web UI
            _LOGGER.exception("A plugin failed answering the group administrator pages of %s", user.username)
            answers = []
        for answer in answers:
            pages.update(answer or ())
    return web.json_response({**user.as_dict(), "administers": sorted(pages)})


@routes.get("/api/setup")
@api(access="public")
async def get_setup(request: web.Request) -> web.Response:
    """Whether first-run setup is still open (no administrator exists)."""
    return web.json_response({"needs_setup": await request.app[CORE_KEY].identity.needs_setup()})


@routes.post("/api/setup")
@api(access="public", body=SETUP_BODY)
async def post_setup(request: web.Request) -> web.Response:
    """Create the first administrator with the one-time setup token, and log them in."""
    core = request.app[CORE_KEY]
    body = dict(request_body(request))
    token = body.pop("token")
    user = await core.identity.setup(token, **body)
    session, user = await core.identity.login(user.username, body["password"], remote_address(request))
    return await _session_response(request, core, session, user, status=201)
