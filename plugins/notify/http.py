"""REST routes of the notify plugin, mounted at /api/notify/ (administrators only): the test mail
(BYD-28) and the test SMS, and their delivery queues."""

from __future__ import annotations

from typing import Any, Final

import voluptuous as vol
from aiohttp import web

from cordboard.core.config import validation as cv
from cordboard.core.http.access import api, request_body
from cordboard.core.http.api_common import plugin_service
from cordboard.core.http.errors import ApiError
from cordboard.plugins.notify.const import MAIL_KEY, QUEUE_LIST_LIMIT, SMS_KEY
from cordboard.plugins.notify.modem import SmsError
from cordboard.plugins.notify.service import Mailer
from cordboard.plugins.notify.sms import SmsService
from cordboard.plugins.notify.sms_pdu import normalize_number
from cordboard.plugins.notify.smtp import MailError

routes = web.RouteTableDef()
TEST_MAIL_BODY: Final = vol.Schema({vol.Required("to"): cv.email})
MAX_LIMIT: Final = 1000


def _phone_number(value: Any) -> str:
    try:
        return normalize_number(cv.string(value))
    except ValueError:
        raise vol.Invalid("expected a mobile number such as +4520123456 (or a national number)") from None


TEST_SMS_BODY: Final = vol.Schema({vol.Required("to"): _phone_number})


def _mailer(request: web.Request) -> Mailer:
    return plugin_service(request, MAIL_KEY, "The e-mail service is starting")


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


def _limit(request: web.Request) -> int:
    raw = request.query.get("limit", str(QUEUE_LIST_LIMIT))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ApiError(400, "invalid", "Invalid query", {"limit": f"a whole number from 1 to {MAX_LIMIT}"})
    return int(raw)


@routes.get("/queue")
@api(access="admin")
async def mail_queue(request: web.Request) -> web.Response:
    """The newest messages first (``?limit=``, 100 by default): recipients, subject, status
    (queued, sent, failed), attempts, the last error and when the next attempt is due."""
    records = await _mailer(request).recent(_limit(request))
    return web.json_response([r.as_dict() for r in records])


def _sms(request: web.Request) -> SmsService:
    return plugin_service(request, SMS_KEY, "The SMS service is starting")


@routes.post("/test-sms")
@api(access="admin", body=TEST_SMS_BODY)
async def test_sms(request: web.Request) -> web.Response:
    """Send a test SMS now through the GSM modem with the saved settings (not queued). 200 with the
    modem's message reference(s) when the network took it; 400 ``sms_not_configured`` when no
    modem is set; 504 ``sms_timeout`` when the modem does not answer; 502 ``sms_failed`` with the
    modem's reason in words (``+CMS ERROR: 38`` → network out of order, the SIM wants its PIN,
    the port cannot be opened)."""
    service = _sms(request)
    missing = service.settings.missing()
    if missing is not None:
        raise ApiError(400, "sms_not_configured", missing)
    try:
        result = await service.send_test(request_body(request)["to"])
    except SmsError as err:
        if err.timed_out:
            raise ApiError(504, "sms_timeout", err.reason) from None
        raise ApiError(502, "sms_failed", err.reason) from None
    return web.json_response(
        {"sent": True, "to": result.to, "references": list(result.references), "device": result.device}
    )


@routes.get("/sms-queue")
@api(access="admin")
async def sms_queue(request: web.Request) -> web.Response:
    """The newest SMS first (``?limit=``, 100 by default): number, text, status (queued, sent,
    failed), attempts, the modem's last error, its message reference(s) once sent and when the next
    attempt is due."""
    records = await _sms(request).recent(_limit(request))
    return web.json_response([r.as_dict() for r in records])
