"""The provisioning server (BYD-08): ``GET /provision/<ticket>/<path>``, the files desk phones fetch.

Public (phones have no session): the ticket in the URL is the secret. A wrong or old ticket gets a
bare 404 (no hint that the path exists), a malformed path 400, an unknown phone 403 unless auto-add
is on; see ProvisioningService.fetch. Served over the appliance's HTTP port and its HTTPS port (the
same application; a file that names other files names them under the scheme it was fetched over).
"""

from __future__ import annotations

from aiohttp import web

from cordboard.core.http.access import api
from cordboard.core.http.keys import CORE_KEY

routes = web.RouteTableDef()
_SUSPICIOUS = ("..", "%2e", "%2E", "%2f", "%2F", "%5c", "%5C", "\\", "//")


@routes.get("/provision/{ticket}/{path:.*}")
@api(access="public")
async def provision_file(request: web.Request) -> web.Response:
    """One configuration file for the phone asking (PROV-01..04)."""
    core = request.app[CORE_KEY]
    provisioning = core.provisioning
    if provisioning is None:
        raise web.HTTPNotFound()
    ticket = request.match_info["ticket"]
    path = request.match_info["path"]
    raw_tail = request.raw_path.split("?", 1)[0][len("/provision/") :].partition("/")[2]
    if any(s in raw_tail for s in _SUSPICIOUS):
        path = "../" + path  # refused as a bad path once the ticket is checked
    sockname = request.transport.get_extra_info("sockname") if request.transport is not None else None
    local = (str(sockname[0]), int(sockname[1])) if sockname else (core.config.http_bind, 0)
    result = await provisioning.fetch(
        ticket,
        path,
        ip=request.remote or "unknown",
        user_agent=request.headers.get("User-Agent", "")[:300],
        local=local,
        scheme=request.scheme,
    )
    headers = {"Content-Type": result.content_type, "Cache-Control": "no-store"}
    return web.Response(status=result.status, body=result.body, headers=headers)
