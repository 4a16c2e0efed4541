"""REST for the users CSV: export in the import format, and import with a dry-run preview (ADM-03)."""

from __future__ import annotations

import csv
import io
from typing import Any, Final

import sqlite_utils
import voluptuous as vol
from aiohttp import web

from cordboard.core.exceptions import NotFound
from cordboard.core.http.access import api, request_body
from cordboard.core.http.errors import ApiError
from cordboard.core.http.keys import CORE_KEY
from cordboard.core.identity.service import EVENT_USER_CREATED, EVENT_USER_UPDATED
from cordboard.core.identity.user_import import IMPORT_COLUMNS, ImportResult, import_users
from cordboard.core.identity.users import get_user_by_username, list_users

routes = web.RouteTableDef()
MAX_CSV_CHARS: Final = 900_000
IMPORT_BODY = vol.Schema(
    {
        vol.Required("csv"): vol.All(str, vol.Length(max=MAX_CSV_CHARS)),
        vol.Optional("dry_run", default=True): bool,
    },
    extra=vol.PREVENT_EXTRA,
)


def export_csv(db: sqlite_utils.Database) -> str:
    """Every user as one CSV row in the import columns; secrets are never exported."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(IMPORT_COLUMNS)
    for user in list_users(db):
        writer.writerow(
            [user.username, user.extension or "", user.first_name, user.last_name, user.email, ""]
        )
    return out.getvalue()


def _as_json(result: ImportResult) -> dict[str, Any]:
    return {
        "changes": [
            {
                "line": change.line,
                "username": change.username,
                "action": change.action,
                "changes": {name: [old, new] for name, (old, new) in change.changes.items()},
                "sets_sip_password": change.sets_sip_password,
            }
            for change in result.changes
        ],
        "errors": [{"line": err.line, "message": err.message} for err in result.errors],
        "applied": result.applied,
    }


@routes.get("/api/users/export.csv")
@api(access="admin")
async def export_users(request: web.Request) -> web.Response:
    """All users as CSV in the import format (username, extension, names, e-mail; sip_password empty)."""
    text = await request.app[CORE_KEY].db.call(export_csv)
    return web.Response(
        text=text,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="cordboard-users.csv"'},
    )


@routes.post("/api/users/import")
@api(access="admin", body=IMPORT_BODY)
async def import_users_route(request: web.Request) -> web.Response:
    """Import users from CSV: a dry run lists the changes and errors; a real run applies all or nothing."""
    core = request.app[CORE_KEY]
    body = request_body(request)
    csv_text: str = body["csv"]
    dry_run: bool = body["dry_run"]
    result = await core.db.call(lambda db: import_users(db, csv_text, dry_run=dry_run))
    if result.errors and not dry_run:
        fields = {f"line {err.line}": err.message for err in result.errors}
        message = f"{len(result.errors)} line(s) of the CSV are invalid; nothing was imported"
        raise ApiError(400, "invalid", message, fields)
    if result.applied:
        touched = [c for c in result.changes if c.action != "unchanged"]

        def ids(db: sqlite_utils.Database) -> list[tuple[int, str]]:
            found: list[tuple[int, str]] = []
            for change in touched:
                try:
                    found.append((get_user_by_username(db, change.username).id, change.action))
                except NotFound:
                    continue
            return found

        for user_id, action in await core.db.call(ids):
            event = EVENT_USER_CREATED if action == "create" else EVENT_USER_UPDATED
            core.bus.fire(event, {"user_id": user_id})
    return web.json_response(_as_json(result))
