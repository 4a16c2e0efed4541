"""REST for free seating and open extensions (PROV-06/09/12, CAPA-04, CAPU-20).

Admins put a phone in free-seating mode (``PUT /api/devices/{mac}/free-seat``), log a user out of
one (``DELETE /api/devices/{mac}/seat``), and open a user's extension for the next unknown phone
(``/api/provisioning/open-extension``). A user sees the phone they sit at and logs out of it
(``/api/me/seat``). Logging in happens on the phone (the hot_desk plugin's code, with the PIN).
"""

from __future__ import annotations

from typing import Any, Final

import voluptuous as vol
from aiohttp import web

from cordboard.core.http.access import api, current_user, request_body
from cordboard.core.http.api_devices import _device_dict, _mac, _service
from cordboard.core.http.errors import ApiError
from cordboard.core.http.keys import CORE_KEY
from cordboard.core.provisioning.devices import Device
from cordboard.core.provisioning.open_extension import OPEN_SCHEMA

routes = web.RouteTableDef()
FREE_SEAT_BODY: Final = vol.Schema({vol.Required("enabled"): bool}, extra=vol.PREVENT_EXTRA)
OPEN_EXTENSION: Final = "/api/provisioning/open-extension"


@routes.put("/api/devices/{mac}/free-seat")
@api(access="admin", body=FREE_SEAT_BODY)
async def put_free_seat(request: web.Request) -> web.Response:
    """Free seating on or off (PROV-09): either way the phone's user leaves it; on, it gets its own
    seat account, which may only dial the log-in code. The phone is resynced when registered."""
    service = _service(request)
    mac = _mac(request)
    await service.get_device(mac)
    device = await service.hot_desk.set_free_seat(mac, bool(request_body(request)["enabled"]))
    return web.json_response(await _device_dict(request, device))


@routes.delete("/api/devices/{mac}/seat")
@api(access="admin")
async def delete_seat(request: web.Request) -> web.Response:
    """Log whoever sits at the free-seat phone out; it returns to its seat account."""
    service = _service(request)
    mac = _mac(request)
    device = await service.get_device(mac)
    if not device.free_seat:
        raise ApiError(409, "not_free_seat", "Free seating is off for this phone")
    device = await service.hot_desk.logout(mac, "by an admin")
    return web.json_response(await _device_dict(request, device))


def _seat_dict(device: Device | None) -> dict[str, Any] | None:
    if device is None:
        return None
    return {
        "mac": device.mac,
        "vendor": device.vendor,
        "model": device.model,
        "description": device.description or device.last_ip,
        "since": device.seated_at,
    }


@routes.get("/api/me/seat")
@api(access="user")
async def get_my_seat(request: web.Request) -> web.Response:
    """The free-seat phone the caller is logged in on (``seat``: null when none), and whether hot
    desking is available (``enabled``: the hot_desk plugin runs)."""
    service = _service(request)
    seat = await service.hot_desk.seat_of(current_user(request).id)
    return web.json_response({"seat": _seat_dict(seat), "enabled": service.hot_desk.active})


@routes.delete("/api/me/seat")
@api(access="user")
async def delete_my_seat(request: web.Request) -> web.Response:
    """Log out of the free-seat phone one sits at (404 when one sits nowhere)."""
    service = _service(request)
    device = await service.hot_desk.logout_user(current_user(request).id, "on the user portal")
    if device is None:
        raise ApiError(404, "not_seated", "You are not logged in on a free-seat phone")
    return web.json_response({"seat": None, "mac": device.mac})


async def _window_dict(request: web.Request) -> dict[str, Any]:
    core = request.app[CORE_KEY]
    opened = _service(request).open_extension
    window = opened.current()
    if window is None:
        return {"window": None}
    user = await core.identity.get_user(window.user_id)
    data = window.as_dict(opened.now())
    data["user"] = {
        "id": user.id,
        "username": user.username,
        "name": user.full_name,
        "extension": user.extension,
    }
    return {"window": data}


@routes.get(OPEN_EXTENSION)
@api(access="admin")
async def get_open_extension(request: web.Request) -> web.Response:
    """The open window (PROV-12), ``window``: null when none is open."""
    return web.json_response(await _window_dict(request))


@routes.post(OPEN_EXTENSION)
@api(access="admin", body=OPEN_SCHEMA)
async def open_extension(request: web.Request) -> web.Response:
    """Open a user's extension for provisioning (PROV-12, CAPA-04): for ``minutes`` (1-240, default
    15) the next unknown phone that fetches its configuration is assigned to ``user_id`` (line 1),
    then the window closes. Replaces a window already open."""
    core = request.app[CORE_KEY]
    body = request_body(request)
    user = await core.identity.get_user(body["user_id"])
    if user.locked:
        raise ApiError(409, "locked", "The user is locked", {"user_id": "the user is locked"})
    _service(request).open_extension.open(user.id, body["minutes"])
    return web.json_response(await _window_dict(request), status=201)


@routes.delete(OPEN_EXTENSION)
@api(access="admin")
async def close_open_extension(request: web.Request) -> web.Response:
    """Close the window early."""
    _service(request).open_extension.close()
    return web.Response(status=204)
