"""REST routes of the directory plugin, mounted at /api/directory/ (contract in the module docstrings)."""

from __future__ import annotations

from typing import Any, Final

import voluptuous as vol
from aiohttp import web

from cordboard.core.exceptions import ConfigValidationError
from cordboard.core.http.access import AuthUser, api, current_user, request_body
from cordboard.core.http.api_common import json_object, plugin_service
from cordboard.core.http.keys import CORE_KEY
from cordboard.plugins.directory.book import BOOKS, Directory
from cordboard.plugins.directory.const import DIRECTORY_KEY, SCOPES
from cordboard.plugins.directory.csv_import import FIELDS, check_filename, preview

routes = web.RouteTableDef()
IMPORT_BODY: Final = vol.Schema(
    {
        vol.Required("filename"): vol.All(str, vol.Length(min=1, max=255)),
        vol.Required("text"): vol.All(str, vol.Length(max=2_000_000, msg="at most 2 MB")),
        vol.Optional("columns", default=None): vol.Any(
            None, [vol.Any("", vol.In(FIELDS, msg="not a contact field"))]
        ),
        vol.Optional("has_header", default=None): vol.Any(None, bool),
        vol.Optional("scope"): vol.In(SCOPES, msg=f"one of {', '.join(SCOPES)}"),
        vol.Optional("scope_id"): vol.Any(None, int),
        vol.Optional("apply", default=False): bool,
    },
    extra=vol.PREVENT_EXTRA,
)


async def _directory(request: web.Request) -> Directory:
    """The directory, with the users (names, groups) as they are now: another process, such as
    ``cordboard user add``, may have changed them without an event reaching this one."""
    found = plugin_service(request, DIRECTORY_KEY, "The directory is starting")
    await found.reload_users()
    return found


def _list_named(requester: AuthUser, scope: Any, scope_id: Any) -> tuple[str, int | None]:
    """The list a request names (``scope``, ``scope_id``); the requester's own by default."""
    scope = scope or "user"
    if scope not in SCOPES:
        raise ConfigValidationError("Invalid list", {"scope": f"one of {', '.join(SCOPES)}"})
    if scope == "org":
        return "org", None
    if scope_id in (None, ""):
        if scope == "user":
            return "user", requester.id
        raise ConfigValidationError("Invalid list", {"scope_id": f"which {scope}"})
    try:
        return scope, int(scope_id)
    except (TypeError, ValueError):
        raise ConfigValidationError("Invalid list", {"scope_id": "expected a whole number"}) from None


@routes.get("/contacts")
@api(access="user")
async def list_contacts(request: web.Request) -> web.Response:
    """The contacts on one list (``scope``, ``scope_id``; the requester's own by default)."""
    requester = current_user(request)
    directory = await _directory(request)
    scope, scope_id = _list_named(requester, request.query.get("scope"), request.query.get("scope_id"))
    directory.check_list_access(requester, scope, scope_id)
    return web.json_response([directory.as_dict(c, requester) for c in directory.list_of(scope, scope_id)])


@routes.post("/contacts")
@api(access="user")
async def create_contact(request: web.Request) -> web.Response:
    requester = current_user(request)
    data = await json_object(request)
    scope, scope_id = _list_named(requester, data.get("scope"), data.get("scope_id"))
    directory = await _directory(request)
    created = await directory.create(requester, scope, scope_id, data)
    return web.json_response(directory.as_dict(created, requester), status=201)


@routes.put("/contacts/{contact_id:[0-9]+}")
@api(access="user")
async def update_contact(request: web.Request) -> web.Response:
    requester = current_user(request)
    directory = await _directory(request)
    changed = await directory.update(
        requester, int(request.match_info["contact_id"]), await json_object(request)
    )
    return web.json_response(directory.as_dict(changed, requester))


@routes.delete("/contacts/{contact_id:[0-9]+}")
@api(access="user")
async def delete_contact(request: web.Request) -> web.Response:
    await (await _directory(request)).delete(current_user(request), int(request.match_info["contact_id"]))
    return web.Response(status=204)


@routes.get("/lists")
@api(access="user")
async def list_editable_lists(request: web.Request) -> web.Response:
    """The lists the requester may add contacts to (``scope``, ``scope_id``, ``name`` of a group)."""
    core = request.app[CORE_KEY]
    groups = {g.id: g.name for g in await core.identity.list_groups()}
    directory = await _directory(request)
    return web.json_response(directory.editable_lists(current_user(request), groups))


@routes.get("/entries")
@api(access="user")
async def list_entries(request: web.Request) -> web.Response:
    """The address book the requester sees: colleagues and contacts matching ``q`` (``book``:
    all, company or own)."""
    book = request.query.get("book") or "all"
    if book not in BOOKS:
        raise ConfigValidationError("Invalid query", {"book": f"one of {', '.join(BOOKS)}"})
    entries, total = (await _directory(request)).entries(current_user(request), request.query.get("q"), book)
    return web.json_response({"entries": entries, "total": total})


@routes.post("/contacts/import")
@api(access="user", body=IMPORT_BODY)
async def import_contacts(request: web.Request) -> web.Response:
    """Preview a CSV file's contacts (``apply`` false), or save its good rows on a list."""
    requester = current_user(request)
    body = request_body(request)
    check_filename(body["filename"])
    scope, scope_id = _list_named(requester, body.get("scope"), body.get("scope_id"))
    directory = await _directory(request)
    directory.check_list_access(requester, scope, scope_id)
    found = preview(body["text"], body["columns"], body["has_header"])
    created = 0
    if body["apply"] and found.good:
        created = len(await directory.create_many(requester, scope, scope_id, found.good))
    return web.json_response(found.as_dict(created))
