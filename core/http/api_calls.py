"""REST for calls: the call history (admins see all, users their own), its CSV export, the live calls.

FEATURES.md CDR-01 (a user's own history), CDR-02 (the admin's history), CDR-03 (live calls),
CDR-08 (CSV export), ROLE-01 (a user never sees other users' calls).
"""

from __future__ import annotations

import csv
import io
import zoneinfo
from datetime import datetime
from typing import Any, Final

import voluptuous as vol
from aiohttp import web

from cordboard.core.calls.history import list_calls
from cordboard.core.calls.model import CallResult
from cordboard.core.http.access import AuthUser, api, current_user
from cordboard.core.http.errors import validation_error
from cordboard.core.http.keys import CORE_KEY
from cordboard.core.identity.fields import timezone

routes = web.RouteTableDef()

CSV_MAX_ROWS: Final = 100_000
CSV_COLUMNS: Final = (
    "started",
    "answered",
    "ended",
    "duration_s",
    "caller",
    "caller_name",
    "callee",
    "callee_name",
    "result",
    "sip_code",
    "reason",
    "id",
)
FILTERS: Final = {
    vol.Optional("user_id"): vol.Coerce(int),
    vol.Optional("result"): vol.In([r.value for r in CallResult]),
    vol.Optional("search"): vol.All(str, vol.Length(max=100)),
    vol.Optional("since"): vol.Coerce(float),
    vol.Optional("until"): vol.Coerce(float),
}
QUERY = vol.Schema(
    {
        **FILTERS,
        vol.Optional("limit", default=100): vol.All(vol.Coerce(int), vol.Range(min=1, max=1000)),
        vol.Optional("offset", default=0): vol.All(vol.Coerce(int), vol.Range(min=0)),
    }
)
TEXT_COLUMNS: Final = ("caller", "caller_name", "callee", "callee_name", "result", "sip_code", "reason")
CSV_QUERY = vol.Schema({**FILTERS, vol.Optional("tz", default="UTC"): timezone})


def _filters(request: web.Request, schema: vol.Schema) -> tuple[AuthUser, dict[str, Any]]:
    """The validated query; ``user_id`` is the caller's own id unless an admin chose one (or none)."""
    user = current_user(request)
    try:
        query = schema(dict(request.query))
    except vol.Invalid as err:
        raise validation_error(err, "Invalid filter") from None
    chosen = query.pop("user_id", None)
    query["user_id"] = chosen if user.is_admin else user.id
    return user, query


@routes.get("/api/calls")
@api(access="user")
async def get_calls(request: web.Request) -> web.Response:
    """Call history, newest first; filters: user_id (admins), result, search, since, until, limit, offset."""
    core = request.app[CORE_KEY]
    _, query = _filters(request, QUERY)
    rows = await core.db.call(lambda db: list_calls(db, **query))
    return web.json_response(rows)


def _time(value: float | None, zone: zoneinfo.ZoneInfo) -> str:
    if value is None:
        return ""
    return datetime.fromtimestamp(value, zone).isoformat(timespec="seconds")


def _cell(value: Any) -> str:
    """Text that a spreadsheet shows as text: a leading = @ or a non-number +/- would be a formula."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "@", "\t", "\r") or (
        text[:1] in ("+", "-") and not text[1:].replace(" ", "").isdigit()
    ):
        return "'" + text
    return text


def calls_csv(rows: list[dict[str, Any]], zone: zoneinfo.ZoneInfo) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                _time(row["started"], zone),
                _time(row["answered"], zone),
                _time(row["ended"], zone),
                f"{float(row['duration'] or 0):.0f}",
                *(_cell(row[k]) for k in TEXT_COLUMNS),
                row["id"],
            ]
        )
    return out.getvalue()


@routes.get("/api/calls.csv")
@api(access="user")
async def get_calls_csv(request: web.Request) -> web.Response:
    """The call history as CSV (CDR-08): the same filters and role rules as /api/calls, no paging.

    ``tz`` (an IANA name, default UTC) sets the time zone of the ISO 8601 times.
    """
    core = request.app[CORE_KEY]
    _, query = _filters(request, CSV_QUERY)
    zone = zoneinfo.ZoneInfo(query.pop("tz"))
    rows = await core.db.call(lambda db: list_calls(db, **query, limit=CSV_MAX_ROWS))
    return web.Response(
        text=calls_csv(rows, zone),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="cordboard-calls.csv"'},
    )


@routes.get("/api/calls/active")
@api(access="user")
async def get_active_calls(request: web.Request) -> web.Response:
    """Calls in progress; a user sees the ones they take part in."""
    core = request.app[CORE_KEY]
    user = current_user(request)
    calls = core.calls.calls.values() if core.calls is not None else []
    visible = [
        {**c.record.as_dict(), "state": c.state}
        for c in calls
        if user.is_admin or user.id in (c.record.caller_user_id, c.record.callee_user_id)
    ]
    return web.json_response(visible)
