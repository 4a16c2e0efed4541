"""REST for the firmware URLs per phone model (issue 9: "firmware URL optional"), admins only.

``GET /api/provisioning/firmware``: the entries and the vendors they may name (the enabled
provisioning plugins). ``PUT`` replaces the list; a bad field is named ``entries.<row>.<field>``
(only http:// and https:// URLs, one entry per vendor and model). Phones get the URL in their
vendor's own setting on their next fetch, or at once after a resync.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aiohttp import web

from cordboard.core.http.access import api, request_body
from cordboard.core.http.api_devices import _service
from cordboard.core.provisioning.firmware import BODY_SCHEMA, check_entries
from cordboard.core.provisioning.service import ProvisioningService

routes = web.RouteTableDef()
PATH = "/api/provisioning/firmware"


async def _answer(service: ProvisioningService) -> dict[str, Any]:
    return {
        "entries": [asdict(e) for e in await service.firmware.entries()],
        "vendors": sorted(v.vendor for v in service.vendors()),
    }


@routes.get(PATH)
@api(access="admin")
async def get_firmware(request: web.Request) -> web.Response:
    """The firmware URL of each vendor's model that has one (``entries``), and the ``vendors``."""
    return web.json_response(await _answer(_service(request)))


@routes.put(PATH)
@api(access="admin", body=BODY_SCHEMA)
async def put_firmware(request: web.Request) -> web.Response:
    """Replace the entries: ``{"entries": [{"vendor", "model", "url"}, ...]}`` (an empty list removes
    every URL: the phones keep the firmware they have)."""
    service = _service(request)
    entries = check_entries(request_body(request), (v.vendor for v in service.vendors()))
    await service.firmware.replace(entries)
    return web.json_response(await _answer(service))
