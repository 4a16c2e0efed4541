"""REST for users: admins manage every account; a user reads and edits only their own (USR-10)."""

from __future__ import annotations

from typing import Any, Final

import voluptuous as vol
from aiohttp import web

from cordboard.core.config import validation as cv
from cordboard.core.exceptions import Unauthorized
from cordboard.core.http.access import api, request_body
from cordboard.core.http.api_common import ID_LIST, ID_PATTERN, path_id, remote_address, self_or_admin
from cordboard.core.http.keys import CORE_KEY
from cordboard.core.http.middleware import bearer_token
from cordboard.core.identity.users import CREATE_SCHEMA, UPDATE_SCHEMA, sip_password

routes = web.RouteTableDef()
USER = "/api/users/" + ID_PATTERN % "user_id"
ADMIN_ONLY_FIELDS: Final = ("role", "locked", "username", "extension", "sip_password")
"""Fields a user may not change on their own account."""

CREATE_BODY = CREATE_SCHEMA.extend({vol.Optional("groups"): ID_LIST})
PATCH_BODY = UPDATE_SCHEMA
PASSWORD_BODY = vol.Schema(
    {
        vol.Required("password"): cv.password,
        vol.Optional("current_password"): vol.All(str, vol.Length(max=1024)),
    },
    extra=vol.PREVENT_EXTRA,
)
PIN_BODY = vol.Schema({vol.Required("pin"): cv.pin}, extra=vol.PREVENT_EXTRA)
SIP_PASSWORD_BODY = vol.Schema({vol.Required("sip_password"): sip_password}, extra=vol.PREVENT_EXTRA)
GROUPS_BODY = vol.Schema(ID_LIST)


@routes.get("/api/users")
@api(access="admin")
async def list_users(request: web.Request) -> web.Response:
    """All users; ``?search=`` keeps those where every word appears in a name, number or address."""
    found = await request.app[CORE_KEY].identity.list_users(request.query.get("search"))
    return web.json_response([user.as_dict() for user in found])


@routes.post("/api/users")
@api(access="admin", body=CREATE_BODY)
async def create_user(request: web.Request) -> web.Response:
    """Create a user; username, first and last name and e-mail are required (USR-01)."""
    user = await request.app[CORE_KEY].identity.create_user(**request_body(request))
    return web.json_response(user.as_dict(), status=201)


@routes.get(USER)
@api(access="user")
async def get_user(request: web.Request) -> web.Response:
    """One user; a user may read only their own account."""
    user_id = path_id(request, "user_id")
    self_or_admin(request, user_id, "read")
    return web.json_response((await request.app[CORE_KEY].identity.get_user(user_id)).as_dict())


@routes.patch(USER)
@api(access="user", body=PATCH_BODY)
async def patch_user(request: web.Request) -> web.Response:
    """Change profile fields; a user may edit their own, but not role, lock, username or extension."""
    user_id = path_id(request, "user_id")
    caller = self_or_admin(request, user_id, "edit")
    changes: dict[str, Any] = request_body(request)
    if not caller.is_admin:
        refused = sorted(key for key in changes if key in ADMIN_ONLY_FIELDS)
        if refused:
            raise Unauthorized(f"Only an administrator may change {', '.join(refused)}")
    user = await request.app[CORE_KEY].identity.update_user(user_id, changes)
    return web.json_response(user.as_dict())


@routes.delete(USER)
@api(access="admin")
async def delete_user(request: web.Request) -> web.Response:
    """Delete a user with their sessions, memberships and settings; never the last administrator."""
    await request.app[CORE_KEY].identity.delete_user(path_id(request, "user_id"))
    return web.Response(status=204)


@routes.post(USER + "/lock")
@api(access="admin")
async def lock_user(request: web.Request) -> web.Response:
    """Lock a user: web log-in, sessions, registration and calls are refused (USR-08)."""
    user = await request.app[CORE_KEY].identity.lock_user(path_id(request, "user_id"))
    return web.json_response(user.as_dict())


@routes.post(USER + "/unlock")
@api(access="admin")
async def unlock_user(request: web.Request) -> web.Response:
    """Unlock a user; everything works again without re-provisioning (USR-08)."""
    user = await request.app[CORE_KEY].identity.unlock_user(path_id(request, "user_id"))
    return web.json_response(user.as_dict())


@routes.put(USER + "/password")
@api(access="user", body=PASSWORD_BODY)
async def put_password(request: web.Request) -> web.Response:
    """Set the web password; for one's own account the current password is needed too."""
    core = request.app[CORE_KEY]
    user_id = path_id(request, "user_id")
    caller = self_or_admin(request, user_id, "change the password of")
    body = request_body(request)
    keep: str | None = None
    if caller.id == user_id:
        if "current_password" not in body:
            raise Unauthorized("Send your current password to change it")
        await core.identity.confirm_password(user_id, body["current_password"], remote_address(request))
        keep = bearer_token(request)
    await core.identity.set_password(user_id, body["password"], keep_token=keep)
    return web.Response(status=204)


@routes.put(USER + "/pin")
@api(access="user", body=PIN_BODY)
async def put_pin(request: web.Request) -> web.Response:
    """Set the numeric PIN for voicemail and hot-desking (own account, or any as administrator)."""
    user_id = path_id(request, "user_id")
    self_or_admin(request, user_id, "change the PIN of")
    await request.app[CORE_KEY].identity.set_pin(user_id, request_body(request)["pin"])
    return web.Response(status=204)


@routes.put(USER + "/sip_password")
@api(access="admin", body=SIP_PASSWORD_BODY)
async def put_sip_password(request: web.Request) -> web.Response:
    """Set the SIP password; only its digest HA1 values are stored."""
    user_id = path_id(request, "user_id")
    await request.app[CORE_KEY].identity.set_sip_password(user_id, request_body(request)["sip_password"])
    return web.Response(status=204)


@routes.put(USER + "/groups")
@api(access="admin", body=GROUPS_BODY)
async def put_user_groups(request: web.Request) -> web.Response:
    """Replace the user's groups with this list of group ids (USR-09)."""
    body: Any = request_body(request)
    user = await request.app[CORE_KEY].identity.set_user_groups(path_id(request, "user_id"), body)
    return web.json_response(user.as_dict())
