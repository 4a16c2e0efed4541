"""REST for desk phones and their provisioning (PROV-03..06, PROV-10/11/13, BYD-07/08), admins only.

``/api/devices``: the phone list with registration status (from the SIP location service, the
``device.*`` registration states), adding by MAC, assigning a user (line 1), description, deleting,
resync (SIP NOTIFY check-sync) and CSV import. ``/api/provisioning``: the provisioning URLs with the
current ticket, and renewing the ticket (PROV-04).
"""

from __future__ import annotations

from typing import Any, Final

import voluptuous as vol
from aiohttp import web

from cordboard.core.http.access import api, request_body
from cordboard.core.http.errors import ApiError
from cordboard.core.http.keys import CORE_KEY
from cordboard.core.provisioning import devices as db_devices
from cordboard.core.provisioning import settings as prov_settings
from cordboard.core.provisioning.devices import Device
from cordboard.core.provisioning.service import ProvisioningService

routes = web.RouteTableDef()
DEVICE: Final = "/api/devices/{mac}"
RESYNC_BODY: Final = vol.Schema({vol.Optional("reboot", default=False): bool}, extra=vol.PREVENT_EXTRA)
CSV_MAX_BYTES: Final = 512 * 1024
PASSWORD_NOTICE: Final = (
    "The user had no SIP password the appliance can hand to a phone, so a new one was generated and "
    "set. Phones of this user that were set up by hand stop registering until they get the new "
    "password: set one on the user's page and type it into those phones."
)


def _service(request: web.Request) -> ProvisioningService:
    service = request.app[CORE_KEY].provisioning
    if service is None:
        raise ApiError(503, "unavailable", "Provisioning is not running")
    return service


def _mac(request: web.Request) -> str:
    try:
        return db_devices.normalise_mac(request.match_info["mac"])
    except vol.Invalid as err:
        raise ApiError(400, "invalid", "Not a MAC address", {"mac": err.msg}) from None


async def _device_dict(request: web.Request, device: Device) -> dict[str, Any]:
    core = request.app[CORE_KEY]
    data = device.as_dict()
    data["user"] = None
    if device.user_id is not None:
        user = await core.identity.get_user(device.user_id)
        data["user"] = {
            "id": user.id,
            "username": user.username,
            "name": user.full_name,
            "extension": user.extension,
        }
    data["registration"] = _service(request).registration(device)
    return data


@routes.get("/api/devices")
@api(access="admin")
async def list_devices(request: web.Request) -> web.Response:
    """Every phone: MAC, vendor, model, firmware, IP, description, user, state, registration (PROV-05)."""
    service = _service(request)
    return web.json_response([await _device_dict(request, d) for d in await service.list_devices()])


@routes.post("/api/devices")
@api(access="admin")
async def add_device(request: web.Request) -> web.Response:
    """Add a phone by MAC (with model, description and optionally its user) before it asks (PROV-10)."""
    service = _service(request)
    try:
        raw = await request.json()
    except ValueError:
        raise ApiError(400, "invalid_json", "The request needs a JSON body") from None
    body = db_devices.validate(db_devices.CREATE_SCHEMA, raw)
    user_id = body.pop("user_id", None)
    device = await service.add_device(source="manual", **body)
    answer: dict[str, Any] = {}
    if user_id is not None:
        result = await service.update_device(device.mac, {"user_id": user_id})
        device = result.device
        if result.generated_password:
            answer["notice"] = PASSWORD_NOTICE
        answer["sip_password_generated"] = result.generated_password
    return web.json_response({**await _device_dict(request, device), **answer}, status=201)


@routes.get(DEVICE)
@api(access="admin")
async def get_device(request: web.Request) -> web.Response:
    """One phone of the list, with its user and registration."""
    service = _service(request)
    return web.json_response(await _device_dict(request, await service.get_device(_mac(request))))


@routes.patch(DEVICE)
@api(access="admin")
async def patch_device(request: web.Request) -> web.Response:
    """Assign a user to line 1 (``user_id``, null to free the phone), change description or model.

    A user without a SIP password the appliance can hand out gets a new one (``sip_password_generated``
    and ``notice`` say so: their hand-configured phones need it). The phone picks up the change on its
    next fetch, or at once after ``POST .../resync``.
    """
    service = _service(request)
    mac = _mac(request)
    try:
        raw = await request.json()
    except ValueError:
        raise ApiError(400, "invalid_json", "The request needs a JSON body") from None
    changes = db_devices.validate(db_devices.UPDATE_SCHEMA, raw)
    await service.get_device(mac)
    result = await service.update_device(mac, changes)
    answer = await _device_dict(request, result.device)
    answer["sip_password_generated"] = result.generated_password
    if result.generated_password:
        answer["notice"] = PASSWORD_NOTICE
    return web.json_response(answer)


@routes.delete(DEVICE)
@api(access="admin")
async def delete_device(request: web.Request) -> web.Response:
    """Remove a phone and its MAC binding (CAPA-07); it is refused (or added again by auto-add)."""
    await _service(request).delete_device(_mac(request))
    return web.Response(status=204)


@routes.post(DEVICE + "/resync")
@api(access="admin", body=RESYNC_BODY)
async def resync_device(request: web.Request) -> web.Response:
    """Ask the phone to fetch its configuration now (SIP NOTIFY ``Event: check-sync``, PROV-11);
    ``{"reboot": true}`` asks it to restart. 409 when the phone is not registered."""
    service = _service(request)
    device = await service.get_device(_mac(request))
    sent = service.resync(device, reboot=bool(request_body(request)["reboot"]))
    if not sent:
        raise ApiError(409, "not_registered", "The phone is not registered: it cannot be reached")
    return web.json_response({"contacts": sent}, status=202)


@routes.post("/api/devices/import")
@api(access="admin")
async def import_devices(request: web.Request) -> web.Response:
    """Add phones from CSV rows ``mac,model,description`` (PROV-13); every bad row is named (400)."""
    raw = await request.read()
    if len(raw) > CSV_MAX_BYTES:
        raise ApiError(413, "too_large", f"At most {CSV_MAX_BYTES // 1024} KB of CSV")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApiError(400, "invalid_encoding", "The file is not UTF-8 text") from None
    added, updated = await _service(request).import_csv(text)
    return web.json_response({"added": added, "updated": updated})


@routes.get("/api/provisioning")
@api(access="admin")
async def get_provisioning(request: web.Request) -> web.Response:
    """The provisioning URL with the current ticket (for DHCP option 66 and the phones' settings), per
    vendor plugin; the same over HTTPS (``https_url``, null while HTTPS is off; BYD-08); whether
    plug-and-play listens, and the settings."""
    core = request.app[CORE_KEY]
    service = _service(request)
    base = service.base_url()
    vendors = sorted(service.vendors(), key=lambda v: v.vendor)
    settings = {
        key: await core.settings.org_value(key)
        for key in (prov_settings.AUTO_ADD, prov_settings.PNP, prov_settings.NTP_SERVER, prov_settings.SCHEME)
    }
    settings[prov_settings.PHONE_ADMIN_PASSWORD + "_set"] = bool(
        await core.settings.org_value(prov_settings.PHONE_ADMIN_PASSWORD)
    )
    return web.json_response(
        {
            "url": base,
            "https_url": service.https_base_url(),
            "vendors": {v.vendor: base for v in vendors},
            "pnp": {"listening": service.pnp is not None, "address": service.address},
            "settings": settings,
        }
    )


@routes.post("/api/provisioning/renew-ticket")
@api(access="admin")
async def renew_ticket(request: web.Request) -> web.Response:
    """A new secret provisioning URL; every old URL is refused from now on (PROV-04)."""
    service = _service(request)
    await service.renew_ticket()
    return web.json_response({"url": service.base_url(), "https_url": service.https_base_url()})
