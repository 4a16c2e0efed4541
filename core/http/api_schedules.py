"""REST for schedules (SCH-01..09): working hours per level, what applies at a time, the user's
night-mode override, and function-number schedules with their decision at a time.

Working hours of the organisation and of groups are the administrator's; a user's own hours too
(no CAPU row lets users set them), but users read their own and switch their night mode (SCH-05).
"""

from __future__ import annotations

from datetime import datetime

import voluptuous as vol
from aiohttp import web

from cordboard.core.http.access import api, current_user, request_body
from cordboard.core.http.api_common import ID_LIST, ID_PATTERN, object_id, path_id, self_or_admin
from cordboard.core.http.errors import ApiError
from cordboard.core.http.keys import CORE_KEY
from cordboard.core.schedules.evaluate import zone_info
from cordboard.core.schedules.service import ScheduleService

routes = web.RouteTableDef()
HOURS = "/api/working_hours"
SCHEDULE = "/api/schedules/" + ID_PATTERN % "schedule_id"
LEVEL_BODY = vol.Schema(dict)
"""{week, exceptions, extra}: each null or left out when not set at this level (see model.parse_level)."""
SCHEDULE_BODY = vol.Schema(dict)
NIGHT_MODE_BODY = vol.Schema({vol.Required("off"): bool}, extra=vol.PREVENT_EXTRA)


def _service(request: web.Request) -> ScheduleService:
    return request.app[CORE_KEY].schedules


def _at(request: web.Request, zone: str) -> datetime | None:
    """The ``at`` query (ISO 8601); without an offset it is read in ``zone``. None: now."""
    text = request.query.get("at")
    if not text:
        return None
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ApiError(
            400, "invalid", "Invalid time", {"at": "expected a time such as 2026-12-24T09:30"}
        ) from None
    return at if at.tzinfo is not None else at.replace(tzinfo=zone_info(zone))


async def _level(request: web.Request, scope: str, scope_id: int | None) -> web.Response:
    level = await _service(request).get_level(scope, scope_id)
    return web.json_response({"scope": scope, "scope_id": scope_id, **level.as_dict()})


async def _put_level(request: web.Request, scope: str, scope_id: int | None) -> web.Response:
    level = await _service(request).set_level(scope, scope_id, request_body(request))
    return web.json_response({"scope": scope, "scope_id": scope_id, **level.as_dict()})


@routes.get(HOURS + "/org")
@api(access="admin")
async def get_org_hours(request: web.Request) -> web.Response:
    """The organisation's working hours, exceptions and extra windows (SCH-01..03)."""
    return await _level(request, "org", None)


@routes.put(HOURS + "/org")
@api(access="admin", body=LEVEL_BODY)
async def put_org_hours(request: web.Request) -> web.Response:
    """Replace the organisation's working hours; a bad field is refused by name."""
    return await _put_level(request, "org", None)


@routes.get(HOURS + "/group/" + ID_PATTERN % "group_id")
@api(access="admin")
async def get_group_hours(request: web.Request) -> web.Response:
    """What one user group defines (null parts: inherited from the organisation)."""
    return await _level(request, "group", path_id(request, "group_id"))


@routes.put(HOURS + "/group/" + ID_PATTERN % "group_id")
@api(access="admin", body=LEVEL_BODY)
async def put_group_hours(request: web.Request) -> web.Response:
    return await _put_level(request, "group", path_id(request, "group_id"))


@routes.get(HOURS + "/user/" + ID_PATTERN % "user_id")
@api(access="user")
async def get_user_hours(request: web.Request) -> web.Response:
    """What one user defines (own account, or any as administrator)."""
    user_id = path_id(request, "user_id")
    self_or_admin(request, user_id, "read the working hours of")
    return await _level(request, "user", user_id)


@routes.put(HOURS + "/user/" + ID_PATTERN % "user_id")
@api(access="admin", body=LEVEL_BODY)
async def put_user_hours(request: web.Request) -> web.Response:
    """Set a user's own working hours (administrators only: no CAPU row gives it to users)."""
    return await _put_level(request, "user", path_id(request, "user_id"))


async def _status(request: web.Request, user_id: int) -> web.Response:
    service = _service(request)
    zone = (await service.user_hours(user_id)).working_time.zone
    status = await service.status(user_id, _at(request, zone))
    return web.json_response(status.as_dict())


@routes.get(HOURS + "/user/" + ID_PATTERN % "user_id" + "/status")
@api(access="user")
async def get_user_status(request: web.Request) -> web.Response:
    """Whether a user is in working hours and in night mode at ``?at=`` (default now), the next
    change, and where each part of their hours comes from (SCH-04)."""
    user_id = path_id(request, "user_id")
    self_or_admin(request, user_id, "read the working hours of")
    return await _status(request, user_id)


@routes.get("/api/me/working_hours/status")
@api(access="user")
async def get_my_status(request: web.Request) -> web.Response:
    """The caller's own working-hours status at ``?at=`` (default now)."""
    return await _status(request, current_user(request).id)


@routes.get("/api/me/night_mode")
@api(access="user")
async def get_my_night_mode(request: web.Request) -> web.Response:
    """The caller's night mode now and whether they turned it off (SCH-05)."""
    return await _status(request, current_user(request).id)


@routes.put("/api/me/night_mode")
@api(access="user", body=NIGHT_MODE_BODY)
async def put_my_night_mode(request: web.Request) -> web.Response:
    """``{"off": true}`` turns night mode off until ``{"off": false}`` turns it back on (SCH-05)."""
    status = await _service(request).set_night_mode_off(
        current_user(request).id, request_body(request)["off"]
    )
    return web.json_response(status.as_dict())


EXTEND_GROUPS_BODY = vol.Schema({vol.Required("group_ids"): ID_LIST}, extra=vol.PREVENT_EXTRA)
EXTEND_BODY = vol.Schema(
    {
        vol.Optional("scope", default="user"): vol.In(
            ("org", "group", "user"), msg="expected org, group or user"
        ),
        vol.Optional("scope_id"): object_id,
        vol.Required("minutes"): vol.All(
            int, vol.Range(min=5, max=720, msg="expected minutes from 5 to 720 (12 hours)")
        ),
    },
    extra=vol.PREVENT_EXTRA,
)


@routes.get(HOURS + "/extend_groups")
@api(access="admin")
async def get_extend_groups(request: web.Request) -> web.Response:
    """The user groups whose members may extend working hours (SCH-06, ROLE-09)."""
    return web.json_response({"group_ids": await _service(request).extend_groups()})


@routes.put(HOURS + "/extend_groups")
@api(access="admin", body=EXTEND_GROUPS_BODY)
async def put_extend_groups(request: web.Request) -> web.Response:
    group_ids = await _service(request).set_extend_groups(request_body(request)["group_ids"])
    return web.json_response({"group_ids": group_ids})


@routes.post(HOURS + "/extend")
@api(access="user", body=EXTEND_BODY)
async def extend_hours(request: web.Request) -> web.Response:
    """Extend today's working time of ``scope`` (default: the caller) by ``minutes`` (SCH-06);
    refused (403) without the right, or for a level that is not the caller's own or their group's."""
    caller = current_user(request)
    body = request_body(request)
    scope = body["scope"]
    scope_id = None if scope == "org" else body.get("scope_id", caller.id if scope == "user" else None)
    if scope == "group" and scope_id is None:
        raise ApiError(400, "invalid", "Which group?", {"scope_id": "required for a group"})
    added = await _service(request).extend_working_hours(caller, scope, scope_id, body["minutes"])
    return web.json_response({"scope": scope, "scope_id": scope_id, "added": added.as_dict()})


# -- function-number schedules (SCH-07..09) ----------------------------------------------------


@routes.get("/api/schedules")
@api(access="admin")
async def list_schedules(request: web.Request) -> web.Response:
    """All schedules, or those of ``?owner=`` (e.g. number:1600)."""
    schedules = await _service(request).list_schedules(request.query.get("owner") or None)
    return web.json_response([s.as_dict() for s in schedules])


@routes.post("/api/schedules")
@api(access="admin", body=SCHEDULE_BODY)
async def create_schedule(request: web.Request) -> web.Response:
    """Create a schedule: name, owner, ordered events (the first match decides), default event."""
    schedule = await _service(request).create_schedule(request_body(request))
    return web.json_response(schedule.as_dict(), status=201)


@routes.get(SCHEDULE)
@api(access="admin")
async def get_schedule(request: web.Request) -> web.Response:
    schedule = await _service(request).get_schedule(path_id(request, "schedule_id"))
    return web.json_response(schedule.as_dict())


@routes.put(SCHEDULE)
@api(access="admin", body=SCHEDULE_BODY)
async def put_schedule(request: web.Request) -> web.Response:
    """Replace a schedule; the order of ``events`` is the order they are checked in."""
    schedule = await _service(request).update_schedule(path_id(request, "schedule_id"), request_body(request))
    return web.json_response(schedule.as_dict())


@routes.delete(SCHEDULE)
@api(access="admin")
async def delete_schedule(request: web.Request) -> web.Response:
    await _service(request).delete_schedule(path_id(request, "schedule_id"))
    return web.Response(status=204)


@routes.get(SCHEDULE + "/decision")
@api(access="admin")
async def get_decision(request: web.Request) -> web.Response:
    """Which event decides at ``?at=`` (default now; without an offset, in the organisation's
    time zone), its action and when the decision next changes (SCH-07)."""
    service = _service(request)
    at = _at(request, await service.org_zone())
    decision = await service.decision(path_id(request, "schedule_id"), at)
    return web.json_response(decision.as_dict())
