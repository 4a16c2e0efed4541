"""REST for calls: the call history (admins see all, users their own), its CSV export, the live calls.

FEATURES.md CDR-01 (a user's own history), CDR-02 (the admin's history), CDR-03 (live calls),
CDR-04 (a user's notes on their calls, and calls removed from their own list), CDR-08 (CSV export),
ROLE-01 (a user never sees other users' calls).
"""

from __future__ import annotations

import csv
import io
import zoneinfo
from datetime import datetime
from typing import Any, Final

import sqlite_utils
import voluptuous as vol
from aiohttp import web

from cordboard.core.calls.history import (
    NOTE_MAX,
    call_notes,
    list_calls,
    list_own_calls,
    remove_from_own_list,
    set_call_note,
)
from cordboard.core.calls.model import CallResult
from cordboard.core.exceptions import NotFound
from cordboard.core.http.access import AuthUser, api, current_user, request_body
from cordboard.core.http.errors import ApiError, validation_error
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
    "route",
    "id",
)
FILTERS: Final = {
    vol.Optional("user_id"): vol.Coerce(int),
    vol.Optional("result"): vol.In([r.value for r in CallResult]),
    vol.Optional("search"): vol.All(str, vol.Length(max=100)),
    vol.Optional("since"): vol.Coerce(float),
    vol.Optional("until"): vol.Coerce(float),
    # The person's own list (CDR-04: without the calls they removed, with their notes); always for
    # users, and an administrator's "My calls".
    vol.Optional("mine"): vol.Boolean(),
}
QUERY = vol.Schema(
    {
        **FILTERS,
        vol.Optional("limit", default=100): vol.All(vol.Coerce(int), vol.Range(min=1, max=1000)),
        vol.Optional("offset", default=0): vol.All(vol.Coerce(int), vol.Range(min=0)),
    }
)
TEXT_COLUMNS: Final = (
    "caller",
    "caller_name",
    "callee",
    "callee_name",
    "result",
    "sip_code",
    "reason",
    "route",
)
CSV_QUERY = vol.Schema({**FILTERS, vol.Optional("tz", default="UTC"): timezone})


def _filters(request: web.Request, schema: vol.Schema) -> tuple[AuthUser, dict[str, Any]]:
    """The validated query; ``user_id`` is the caller's own id unless an admin chose one (or none),
    and ``mine`` is true for users (their own list) and when an admin asks for theirs."""
    user = current_user(request)
    try:
        query = schema(dict(request.query))
    except vol.Invalid as err:
        raise validation_error(err, "Invalid filter") from None
    chosen = query.pop("user_id", None)
    query["mine"] = bool(query.get("mine")) or not user.is_admin
    query["user_id"] = user.id if query["mine"] else chosen
    return user, query


def _history(db: sqlite_utils.Database, query: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of a query: the person's own list with their ``note``, or the central journal with
    every user's ``notes`` (user_id, username, note)."""
    filters = dict(query)
    if filters.pop("mine"):
        return list_own_calls(db, **filters)
    rows = list_calls(db, **filters)
    notes = call_notes(db, [row["id"] for row in rows])
    return [{**row, "notes": notes.get(row["id"], [])} for row in rows]


@routes.get("/api/calls")
@api(access="user")
async def get_calls(request: web.Request) -> web.Response:
    """Call history, newest first; filters: user_id (admins), mine, result, search, since, until,
    limit, offset. A user's own list leaves out the calls they removed and has their ``note``."""
    core = request.app[CORE_KEY]
    _, query = _filters(request, QUERY)
    rows = await core.db.call(lambda db: _history(db, query))
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
    query["limit"] = CSV_MAX_ROWS
    rows = await core.db.call(lambda db: _history(db, query))
    return web.Response(
        text=calls_csv(rows, zone),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="cordboard-calls.csv"'},
    )


@routes.get("/api/calls/active")
@api(access="user")
async def get_active_calls(request: web.Request) -> web.Response:
    """Calls in progress, the appliance's own (a transfer's target, a hunt group's member) too; a
    user sees the ones they take part in. ``transferable``: ``POST .../transfer`` serves it."""
    core = request.app[CORE_KEY]
    user = current_user(request)
    b2bua = core.calls
    if b2bua is None:
        return web.json_response([])
    visible = [
        {**c.record.as_dict(), "state": c.state, "transferable": c.state == "answered" and c.b is not None}
        for c in b2bua.calls.values()
        if user.is_admin or user.id in (c.record.caller_user_id, c.record.callee_user_id)
    ]
    visible += [  # calls the appliance placed (a transfer's target ringing, a hunt group's member)
        {**d.record.as_dict(), "state": d.state, "transferable": False}
        for d in b2bua.dialer.calls.values()
        if d.history and (user.is_admin or user.id in (d.record.callee_user_id, d.party_user_id))
    ]
    return web.json_response(visible)


NOTE_BODY = vol.Schema({vol.Required("note"): vol.All(str, vol.Length(max=NOTE_MAX))})
TRANSFER_BODY = vol.Schema(
    {
        vol.Required("target"): vol.All(str, vol.Strip, vol.Length(min=1, max=32)),
        vol.Optional("party"): vol.In(("caller", "callee"), msg="caller or callee"),
    },
    extra=vol.PREVENT_EXTRA,
)


@routes.post("/api/calls/{call_id}/transfer")
@api(access="user", body=TRANSFER_BODY)
async def transfer_call(request: web.Request) -> web.Response:
    """Blind transfer of a live call between phones (PKP-10): ``{"target": "1003", "party":
    "caller" | "callee"}`` sends that party (by default the one the requesting user talks with)
    to ``target`` and hangs up the other phone. Administrators may transfer any call, users their
    own. 202 once under way; 404 an unknown call or number, 409 a call not answered or driven by a
    plugin, 403 a number the other phone's user may not call, 503 a phone that would not be taken over."""
    from cordboard.core.calls.transfer import transfer_party

    core = request.app[CORE_KEY]
    user = current_user(request)
    body = request_body(request)
    calls = core.calls
    call = calls.calls.get(request.match_info["call_id"]) if calls is not None else None
    record = call.record if call is not None else None
    if (
        calls is None
        or call is None
        or record is None
        or not (user.is_admin or user.id in (record.caller_user_id, record.callee_user_id))
    ):
        raise NotFound("No such call in progress")
    if call.state != "answered" or call.relay is None or call.a is None or call.b is None:
        raise ApiError(409, "conflict", "Only an answered call between two phones can be transferred here")
    party = body.get("party") or ("callee" if user.id == record.caller_user_id else "caller")
    refused = await transfer_party(calls, call, "a" if party == "caller" else "b", body["target"])
    if refused is not None:
        status, reason = refused
        raise ApiError(status, "transfer_refused", reason, {"target": reason})
    return web.json_response({"id": record.id, "party": party, "target": body["target"]}, status=202)


@routes.put("/api/calls/{call_id}/note")
@api(access="user", body=NOTE_BODY)
async def put_call_note(request: web.Request) -> web.Response:
    """Set the caller's own note on a call of their list (CDR-04); an empty note removes it.

    Only a call the person made or received and has not removed: any other is 404, for administrators
    too (a note is the person's own; administrators read everyone's in the journal).
    """
    core = request.app[CORE_KEY]
    user = current_user(request)
    call_id = request.match_info["call_id"]
    note = str(request_body(request)["note"]).strip()
    done = await core.db.call(lambda db: set_call_note(db, call_id=call_id, user_id=user.id, note=note))
    if not done:
        raise NotFound("No such call in your call list")
    return web.json_response({"id": call_id, "note": note})


@routes.delete("/api/calls/{call_id}/mine")
@api(access="user")
async def delete_own_call(request: web.Request) -> web.Response:
    """Remove a call from the person's own list, with their note (CDR-04); the central journal that
    administrators read keeps it. A call not in the person's list is 404."""
    core = request.app[CORE_KEY]
    user = current_user(request)
    call_id = request.match_info["call_id"]
    done = await core.db.call(lambda db: remove_from_own_list(db, call_id=call_id, user_id=user.id))
    if not done:
        raise NotFound("No such call in your call list")
    return web.Response(status=204)
