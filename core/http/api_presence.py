"""REST for presence (PRS-01..06, 09, 10; CAPA-08).

A user reads and changes their own presence (``/api/me/presence``), private shortcuts
(``/api/me/presence/shortcuts``) and planned activities (``/api/me/presence/plans``, PRS-06); an
admin does so for anyone (``/api/users/{id}/presence``), clears anyone's do-not-disturb and manages
the activities, roles and shared shortcuts (``/api/presence/...``), which every user may read.
"""

from __future__ import annotations

from typing import Final

from aiohttp import web

from cordboard.core.http.access import api, current_user, request_body
from cordboard.core.http.api_common import ID_PATTERN, path_id, self_or_admin, with_right
from cordboard.core.http.keys import CORE_KEY
from cordboard.core.presence.schema import (
    ACTIVITY_CREATE,
    ACTIVITY_UPDATE,
    PLAN_BODY,
    PRESENCE_BODY,
    ROLE_CREATE,
    ROLE_UPDATE,
    SHORTCUT_BODY,
)
from cordboard.core.presence.service import PresenceService

routes = web.RouteTableDef()
USER_PRESENCE: Final = "/api/users/" + ID_PATTERN % "user_id" + "/presence"
ACTIVITY: Final = "/api/presence/activities/" + ID_PATTERN % "activity_id"
ROLE: Final = "/api/presence/roles/" + ID_PATTERN % "role_id"
SHORTCUT: Final = "/api/presence/shortcuts/" + ID_PATTERN % "shortcut_id"
MY_SHORTCUT: Final = "/api/me/presence/shortcuts/" + ID_PATTERN % "shortcut_id"


def presence_of(request: web.Request) -> PresenceService:
    service = request.app[CORE_KEY].presence
    if service is None:
        raise web.HTTPServiceUnavailable(text="Presence is not running")
    return service


async def _presence_response(service: PresenceService, user_id: int) -> web.Response:
    return web.json_response(service.as_dict(service.get(user_id)))


# -- one's own presence, and an admin's view of anyone's ------------------------------------------


@routes.get("/api/me/presence")
@api(access="user")
async def get_my_presence(request: web.Request) -> web.Response:
    """The caller's presence: availability, activity, role, DND, diversion, end time, call state."""
    return await _presence_response(presence_of(request), current_user(request).id)


@routes.put("/api/me/presence")
@api(access="user", body=PRESENCE_BODY)
async def put_my_presence(request: web.Request) -> web.Response:
    """Change the caller's presence; fields left out stay. An activity sets its availability
    (PRS-02); an ``until`` makes the change timed: what was before comes back then."""
    service = presence_of(request)
    user_id = current_user(request).id
    await service.set_presence(user_id, request_body(request))
    return await _presence_response(service, user_id)


@routes.get(USER_PRESENCE)
@api(access="user")
async def get_user_presence(request: web.Request) -> web.Response:
    """A user's presence (with its diversion and end time): one's own, or anyone's for an admin.
    Colleagues see each other's status in the directory, as the right to see it allows (PRS-11)."""
    user_id = path_id(request, "user_id")
    self_or_admin(request, user_id, "see the presence of")
    service = presence_of(request)
    await request.app[CORE_KEY].identity.get_user(user_id)
    return await _presence_response(service, user_id)


@routes.put(USER_PRESENCE)
@api(access="user", body=PRESENCE_BODY)
async def put_user_presence(request: web.Request) -> web.Response:
    """Change a user's presence: one's own, or anyone's for an admin (403 otherwise)."""
    user_id = path_id(request, "user_id")
    self_or_admin(request, user_id, "change the presence of")
    service = presence_of(request)
    await service.set_presence(user_id, request_body(request))
    return await _presence_response(service, user_id)


@routes.delete(USER_PRESENCE + "/dnd")
@api(access="admin")
async def delete_user_dnd(request: web.Request) -> web.Response:
    """Clear a user's do-not-disturb (PRS-10, CAPA-08)."""
    service = presence_of(request)
    user_id = path_id(request, "user_id")
    await service.clear_dnd(user_id)
    return await _presence_response(service, user_id)


@routes.get(USER_PRESENCE + "/shortcuts")
@api(access="user")
async def list_user_shortcuts(request: web.Request) -> web.Response:
    """The shortcuts that may be applied for a user (the admin's first, then the user's own): one's
    own, or anyone's for an admin, who applies them on the user's page."""
    user_id = path_id(request, "user_id")
    self_or_admin(request, user_id, "see the presence of")
    await request.app[CORE_KEY].identity.get_user(user_id)
    shortcuts = presence_of(request).shortcuts(user_id, with_org=True)
    return web.json_response([s.as_dict() for s in shortcuts])


@routes.post(USER_PRESENCE + "/shortcuts/" + ID_PATTERN % "shortcut_id" + "/apply")
@api(access="user")
async def apply_user_shortcut(request: web.Request) -> web.Response:
    """Apply a shortcut for a user: one's own presence, or anyone's for an admin."""
    user_id = path_id(request, "user_id")
    self_or_admin(request, user_id, "change the presence of")
    service = presence_of(request)
    await service.apply_shortcut(user_id, path_id(request, "shortcut_id"))
    return await _presence_response(service, user_id)


@routes.get("/api/presence")
@api(access="admin")
async def list_presence(request: web.Request) -> web.Response:
    """Every user with their presence, by username (the admin's overview, e.g. who has DND)."""
    service = presence_of(request)
    users = await request.app[CORE_KEY].identity.list_users()
    return web.json_response(
        [
            {**service.as_dict(service.get(user.id)), "username": user.username, "name": user.full_name}
            for user in sorted(users, key=lambda u: u.username)
        ]
    )


# -- own shortcuts ------------------------------------------------------------------------------


@routes.get("/api/me/presence/shortcuts")
@api(access="user")
async def list_my_shortcuts(request: web.Request) -> web.Response:
    """The shortcuts the caller can apply: the admin's (scope org) first, then their own (scope user)."""
    shortcuts = presence_of(request).shortcuts(current_user(request).id, with_org=True)
    return web.json_response([s.as_dict() for s in shortcuts])


@routes.post("/api/me/presence/shortcuts")
@api(access="user", body=SHORTCUT_BODY)
async def create_my_shortcut(request: web.Request) -> web.Response:
    """Create a private shortcut (PRS-04)."""
    shortcut = await presence_of(request).save_shortcut(current_user(request).id, request_body(request))
    return web.json_response(shortcut.as_dict(), status=201)


@routes.put(MY_SHORTCUT)
@api(access="user", body=SHORTCUT_BODY)
async def put_my_shortcut(request: web.Request) -> web.Response:
    """Replace one of the caller's private shortcuts."""
    shortcut = await presence_of(request).save_shortcut(
        current_user(request).id, request_body(request), path_id(request, "shortcut_id")
    )
    return web.json_response(shortcut.as_dict())


@routes.delete(MY_SHORTCUT)
@api(access="user")
async def delete_my_shortcut(request: web.Request) -> web.Response:
    """Delete one of the caller's private shortcuts."""
    await presence_of(request).delete_shortcut(current_user(request).id, path_id(request, "shortcut_id"))
    return web.Response(status=204)


@routes.post(MY_SHORTCUT + "/apply")
@api(access="user")
async def apply_my_shortcut(request: web.Request) -> web.Response:
    """Apply one of the admin's shortcuts or one's own; with a duration, it undoes itself (PRS-05)."""
    service = presence_of(request)
    user_id = current_user(request).id
    await service.apply_shortcut(user_id, path_id(request, "shortcut_id"))
    return await _presence_response(service, user_id)


# -- the admin's activities, roles and shortcuts --------------------------------------------------


@routes.get("/api/presence/activities")
@api(access="user")
async def list_activities(request: web.Request) -> web.Response:
    """The activities users can choose (PRS-02), by id."""
    return web.json_response([a.as_dict() for a in presence_of(request).activities])


@routes.post("/api/presence/activities")
@api(access="admin", body=ACTIVITY_CREATE)
async def create_activity(request: web.Request) -> web.Response:
    """Create an activity; without an ``id`` it gets the next free number."""
    activity = await presence_of(request).save_activity(request_body(request))
    return web.json_response(activity.as_dict(), status=201)


@routes.put(ACTIVITY)
@api(access="admin", body=ACTIVITY_UPDATE)
async def put_activity(request: web.Request) -> web.Response:
    """Change an activity's name, show-as, prompt and labels; its users' states show the change."""
    activity = await presence_of(request).save_activity(
        request_body(request), path_id(request, "activity_id")
    )
    return web.json_response(activity.as_dict())


@routes.delete(ACTIVITY)
@api(access="admin")
async def delete_activity(request: web.Request) -> web.Response:
    """Delete an activity (409 while a shortcut uses it); users who had it set have none."""
    await presence_of(request).delete_activity(path_id(request, "activity_id"))
    return web.Response(status=204)


@routes.get("/api/presence/roles")
@api(access="user")
async def list_roles(request: web.Request) -> web.Response:
    """The presence roles users can choose (PRS-03), by id."""
    return web.json_response([r.as_dict() for r in presence_of(request).roles])


@routes.post("/api/presence/roles")
@api(access="admin", body=ROLE_CREATE)
async def create_role(request: web.Request) -> web.Response:
    """Create a presence role; without an ``id`` it gets the next free number."""
    role = await presence_of(request).save_role(request_body(request))
    return web.json_response(role.as_dict(), status=201)


@routes.put(ROLE)
@api(access="admin", body=ROLE_UPDATE)
async def put_role(request: web.Request) -> web.Response:
    """Rename a presence role or change its labels."""
    role = await presence_of(request).save_role(request_body(request), path_id(request, "role_id"))
    return web.json_response(role.as_dict())


@routes.delete(ROLE)
@api(access="admin")
async def delete_role(request: web.Request) -> web.Response:
    """Delete a presence role; users who had it set have none."""
    await presence_of(request).delete_role(path_id(request, "role_id"))
    return web.Response(status=204)


@routes.get("/api/presence/shortcuts")
@api(access="user")
async def list_shortcuts(request: web.Request) -> web.Response:
    """The admin's shortcuts, shown to every user (PRS-04)."""
    return web.json_response([s.as_dict() for s in presence_of(request).shortcuts(None)])


@routes.post("/api/presence/shortcuts")
@api(access="admin", body=SHORTCUT_BODY)
async def create_shortcut(request: web.Request) -> web.Response:
    """Create a shortcut every user sees (PRS-04)."""
    shortcut = await presence_of(request).save_shortcut(None, request_body(request))
    return web.json_response(shortcut.as_dict(), status=201)


@routes.put(SHORTCUT)
@api(access="admin", body=SHORTCUT_BODY)
async def put_shortcut(request: web.Request) -> web.Response:
    """Replace one of the shortcuts every user sees."""
    shortcut = await presence_of(request).save_shortcut(
        None, request_body(request), path_id(request, "shortcut_id")
    )
    return web.json_response(shortcut.as_dict())


@routes.delete(SHORTCUT)
@api(access="admin")
async def delete_shortcut(request: web.Request) -> web.Response:
    """Delete one of the shortcuts every user sees."""
    await presence_of(request).delete_shortcut(None, path_id(request, "shortcut_id"))
    return web.Response(status=204)


# -- future presence (PRS-06) ---------------------------------------------------------------------


@routes.get("/api/me/presence/plans")
@api(access="user")
async def list_my_plans(request: web.Request) -> web.Response:
    """The caller's planned activities that have not started yet, soonest first."""
    plans = presence_of(request).plans(current_user(request).id)
    return web.json_response([p.as_dict() for p in plans])


@routes.post("/api/me/presence/plans")
@api(access="user", body=PLAN_BODY)
async def create_my_plan(request: web.Request) -> web.Response:
    """Plan an activity from ``start`` to ``end`` (PRS-06): it is set at the start and removed at
    the end, when what was before comes back."""
    caller = current_user(request).id
    plan = await presence_of(request).add_plan(caller, request_body(request), caller)
    return web.json_response(plan.as_dict(), status=201)


@routes.delete("/api/me/presence/plans/" + ID_PATTERN % "plan_id")
@api(access="user")
async def delete_my_plan(request: web.Request) -> web.Response:
    """Drop one of the caller's planned activities that has not started."""
    await presence_of(request).delete_plan(path_id(request, "plan_id"), current_user(request).id)
    return web.Response(status=204)


@routes.get(USER_PRESENCE + "/plans")
@api(access="user")
async def list_user_plans(request: web.Request) -> web.Response:
    """A user's planned activities: one's own, anyone's for an admin, else with the right to view
    their future presence (PRS-07)."""
    user_id = path_id(request, "user_id")
    with_right(request, "view_future_presence", user_id, "see the planned presence of")
    await request.app[CORE_KEY].identity.get_user(user_id)
    return web.json_response([p.as_dict() for p in presence_of(request).plans(user_id)])


@routes.post(USER_PRESENCE + "/plans")
@api(access="user", body=PLAN_BODY)
async def create_user_plan(request: web.Request) -> web.Response:
    """Plan an activity for a user: one's own, anyone's for an admin, else with the right to edit
    their future presence (PRS-07)."""
    user_id = path_id(request, "user_id")
    caller = with_right(request, "edit_future_presence", user_id, "plan the presence of")
    plan = await presence_of(request).add_plan(user_id, request_body(request), caller.id)
    return web.json_response(plan.as_dict(), status=201)


@routes.delete(USER_PRESENCE + "/plans/" + ID_PATTERN % "plan_id")
@api(access="user")
async def delete_user_plan(request: web.Request) -> web.Response:
    """Drop a user's planned activity: one's own, anyone's for an admin, else with the right to
    edit their future presence (PRS-07)."""
    user_id = path_id(request, "user_id")
    with_right(request, "edit_future_presence", user_id, "change the planned presence of")
    await presence_of(request).delete_plan(path_id(request, "plan_id"), user_id)
    return web.Response(status=204)
