"""REST for setting up a phone: what to type into a phone's SIP account screen, and its registrations.

FEATURES.md CAPU-14 / USR-10 (a user sees their own account), TERM-01 (a user's several phones),
ROLE-01 (a user never sees another user's setup; admins see anyone's). Never a password or HA1:
only whether a SIP password is set.
"""

from __future__ import annotations

from typing import Any, Final

import voluptuous as vol
from aiohttp import web

from cordboard.core.calls.preferences import SOFTPHONE
from cordboard.core.const import ECHO_TEST_NUMBER
from cordboard.core.http.access import api, current_user
from cordboard.core.http.api_common import self_or_admin
from cordboard.core.http.errors import validation_error
from cordboard.core.http.keys import CORE_KEY

routes = web.RouteTableDef()

TRANSPORTS: Final = ("udp", "tcp", "tls")
QUERY = vol.Schema({vol.Optional("user_id"): vol.All(vol.Coerce(int), vol.Range(min=1))})


def _server(request: web.Request) -> dict[str, Any]:
    """The SIP side of the answer; address and ports are null while SIP is not running."""
    core = request.app[CORE_KEY]
    sip = core.sip
    if sip is None:
        return {
            "running": False,
            "server": None,
            "ports": {},
            "realm": None,
            "digest_algorithms": list(core.config.digest_algorithms),
        }
    return {
        "running": True,
        "server": sip.advertise,
        "ports": {
            t: int(sip.transports.addresses[t][1]) for t in TRANSPORTS if t in sip.transports.addresses
        },
        "realm": sip.realm,
        "digest_algorithms": list(sip.digest_algorithms),
    }


def _websocket_urls(request: web.Request) -> list[str]:
    """Where browser softphones connect (SIP over WebSocket, core/http/sip_websocket.py): this
    page's own origin, and the HTTPS port's when the page came over HTTP (pages served over HTTPS
    may only open wss://)."""
    core = request.app[CORE_KEY]
    if core.sip is None:
        return []
    urls = [f"{'wss' if request.secure else 'ws'}://{request.host}/sip"]
    if not request.secure and core.http is not None and core.http.https_port:
        urls.append(f"wss://{request.url.host}:{core.http.https_port}/sip")
    return urls


@routes.get("/api/sip/setup")
@api(access="user")
async def get_sip_setup(request: web.Request) -> web.Response:
    """How to set up a phone for a user: server, ports, realm, digest algorithms, echo test number,
    and the WebSocket addresses for browser softphones (``websocket``; ``softphone`` says whether
    the user may use one, TERM-06).

    Without ``user_id`` the caller's own account; ``?user_id=`` names another user (administrators
    only). ``user`` says the user name and extension the phone uses and whether a SIP password is
    set (never the password); ``devices`` are the user's registered phones (the ``device.<id>``
    states, which the WebSocket keeps current).
    """
    core = request.app[CORE_KEY]
    caller = current_user(request)
    try:
        query = QUERY(dict(request.query))
    except vol.Invalid as err:
        raise validation_error(err, "Invalid query") from None
    user_id = query.get("user_id", caller.id)
    self_or_admin(request, user_id, "see the phone setup of")
    user = await core.identity.get_user(user_id)
    devices = [
        {"entity_id": s.entity_id, **s.attributes}
        for s in core.states.all("device")
        if str(s.attributes.get("user_id")) == str(user.id)
    ]
    devices.sort(key=lambda d: str(d.get("user_agent") or ""))
    return web.json_response(
        {
            **_server(request),
            "domain": core.sip.advertise if core.sip is not None else None,
            "echo_test_number": core.data.get(ECHO_TEST_NUMBER),
            "websocket": _websocket_urls(request),
            # TERM-06: whether this user may log in with a softphone in the browser at all.
            "softphone": bool(await core.settings.resolve(user.id, SOFTPHONE)),
            "user": {
                "id": user.id,
                "username": user.username,
                "extension": user.extension,
                "has_sip_password": user.has_sip_password,
                "locked": user.locked,
            },
            "devices": devices,
        }
    )
