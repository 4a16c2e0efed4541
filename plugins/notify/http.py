"""REST routes of the notify plugin, mounted at /api/notify/ (administrators only): the test mail
(BYD-28) and the delivery queue."""

from __future__ import annotations

from typing import Final

import voluptuous as vol
from aiohttp import web

from cordboard.core.config import validation as cv
from cordboard.core.http.access import api, request_body
from cordboard.core.http.errors import ApiError
from cordboard.core.http.keys import CORE_KEY
from cordboard.plugins.notify.const import MAIL_KEY, QUEUE_LIST_LIMIT
from cordboard.plugins.notify.service import Mailer
from cordboard.plugins.notify.smtp import MailError

routes = web.RouteTableDef()
TEST_MAIL_BODY: Final = vol.Schema({vol.Required("to"): cv.email})
MAX_LIMIT: Final = 1000


def _mailer(request: web.Request) -> Mailer:
    found = request.app[CORE_KEY].data.get(MAIL_KEY)
    if found is None:
        raise ApiError(503, "not_ready", "The e-mail service is starting")
    return found


@routes.post("/test-mail")
@api(access="admin", body=TEST_MAIL_BODY)
async def test_mail(request: web.Request) -> web.Response:
    """BYD-28: send a test mail now with the saved settings (not queued). 200 when the server took
    it; 502 ``mail_failed`` with the server's answer in words (wrong password, connection refused,
    TLS failure) when it did not, 400 ``mail_not_configured`` when the host or sender is missing."""
    mailer = _mailer(request)
    missing = mailer.settings.missing()
    if missing is not None:
        raise ApiError(400, "mail_not_configured", missing)
    try:
        result = await mailer.send_test(request_body(request)["to"])
    except MailError as err:
        raise ApiError(502, "mail_failed", err.reason) from None
    return web.json_response({"sent": True, "to": result.to, "server": result.server})


@routes.get("/queue")
@api(access="admin")
async def mail_queue(request: web.Request) -> web.Response:
    """The newest messages first (``?limit=``, 100 by default): recipients, subject, status
    (queued, sent, failed), attempts, the last error and when the next attempt is due."""
    raw = request.query.get("limit", str(QUEUE_LIST_LIMIT))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ApiError(400, "invalid", "Invalid query", {"limit": f"a whole number from 1 to {MAX_LIMIT}"})
    records = await _mailer(request).recent(int(raw))
    return web.json_response([r.as_dict() for r in records])
