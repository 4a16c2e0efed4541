"""Music on hold through the API (MOH-01..03, CAPA-26): classes and their files, for administrators.

``GET /api/moh`` lists every class with its files (name, seconds, size); ``POST /api/moh/classes``
creates a class and ``DELETE /api/moh/classes/{class}`` deletes one (never "default"), clearing
the ``core.music_on_hold`` values that chose it. ``POST /api/moh/classes/{class}/files?filename=``
with an audio file as the body adds it (any format PyAV reads, converted once to 16 kHz mono WAV;
refused with the reason: not audio, too long, too large, no such class); ``GET`` of a file streams
it for listening (range requests work) and ``DELETE`` removes it. Users may list the class names
(``GET /api/moh/classes``) to choose the music their held callers hear.
"""

from __future__ import annotations

import json
from typing import Any

import voluptuous as vol
from aiohttp import web

from cordboard.core.exceptions import NotFound
from cordboard.core.http.access import api, request_body
from cordboard.core.http.api_common import read_upload
from cordboard.core.http.errors import ApiError
from cordboard.core.http.keys import CORE_KEY
from cordboard.core.media.audio_file import AudioFileError
from cordboard.core.media.moh_library import (
    MAX_SECONDS,
    MAX_UPLOAD_BYTES,
    MOH_SETTING,
    MusicFile,
    MusicLibrary,
    TooLarge,
    TooLong,
    check_class_name,
)

routes = web.RouteTableDef()
CLASS_BODY = vol.Schema({vol.Required("name"): vol.All(str, vol.Length(max=200))})
_TOO_LARGE = f"A music file may be at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MB"


def _library(request: web.Request) -> MusicLibrary:
    return MusicLibrary(request.app[CORE_KEY].data_dir)


def _class_name(request: web.Request) -> str:
    """The class of the route; a malformed name is refused naming the field."""
    return check_class_name(request.match_info["music_class"])


def _file(item: MusicFile) -> dict[str, Any]:
    return {"name": item.name, "seconds": item.seconds, "size": item.size}


@routes.get("/api/moh/classes")
@api(access="user")
async def list_class_names(request: web.Request) -> web.Response:
    """The names of the music-on-hold classes (for choosing the music held callers hear)."""
    core = request.app[CORE_KEY]
    return web.json_response({"classes": await core.run_in_executor(_library(request).classes)})


@routes.get("/api/moh")
@api(access="admin")
async def list_classes(request: web.Request) -> web.Response:
    """Every class with its files in playing order, the organisation's choice and the upload limits."""
    core = request.app[CORE_KEY]
    library = _library(request)

    def listing() -> list[dict[str, Any]]:
        return [
            {"name": name, "files": [_file(f) for f in library.files(name)]} for name in library.classes()
        ]

    return web.json_response(
        {
            "classes": await core.run_in_executor(listing),
            "org_class": await core.settings.org_value(MOH_SETTING),
            "max_bytes": MAX_UPLOAD_BYTES,
            "max_seconds": MAX_SECONDS,
        }
    )


@routes.post("/api/moh/classes")
@api(access="admin", body=CLASS_BODY)
async def create_class(request: web.Request) -> web.Response:
    """Create an empty class (it plays the built-in melody until a file is added)."""
    name = check_class_name(request_body(request)["name"])
    core = request.app[CORE_KEY]
    await core.run_in_executor(_library(request).create, name)
    return web.json_response({"name": name, "files": []}, status=201)


@routes.delete("/api/moh/classes/{music_class}")
@api(access="admin")
async def delete_class(request: web.Request) -> web.Response:
    """Delete a class and its files; whoever chose it hears the choice of the level above again."""
    name = _class_name(request)
    core = request.app[CORE_KEY]
    await core.run_in_executor(_library(request).delete, name)
    chosen = await core.db.call(
        lambda db: db.execute(
            "SELECT scope, scope_id FROM setting_values WHERE key = ? AND value = ?",
            [MOH_SETTING, json.dumps(name)],
        ).fetchall()
    )
    for scope, scope_id in chosen:
        await core.settings.clear(scope, scope_id or None, MOH_SETTING)
    return web.json_response({"name": name, "settings_cleared": len(chosen)})


@routes.post("/api/moh/classes/{music_class}/files")
@api(access="admin")
async def add_file(request: web.Request) -> web.Response:
    """Add the audio file in the request body to a class (``?filename=`` names it; same name replaces)."""
    name = _class_name(request)
    upload_name = request.query.get("filename", "") or "music"
    if len(upload_name) > 255:
        raise ApiError(400, "invalid", "The file name is too long", {"filename": "at most 255 characters"})
    core = request.app[CORE_KEY]
    library = _library(request)
    if not await core.run_in_executor(library.exists, name):  # before receiving the whole file
        raise NotFound(f"No music-on-hold class {name!r}")
    data = await read_upload(request, MAX_UPLOAD_BYTES, _TOO_LARGE)
    try:
        added = await core.run_in_executor(library.add, name, upload_name, data)
    except TooLarge as err:
        raise ApiError(413, "too_large", str(err), {"file": str(err)}) from None
    except TooLong as err:
        raise ApiError(400, "too_long", str(err), {"file": str(err)}) from None
    except AudioFileError as err:
        raise ApiError(400, "invalid", str(err), {"file": str(err)}) from None
    return web.json_response({"music_class": name, **_file(added)}, status=201)


@routes.get("/api/moh/classes/{music_class}/files/{file_name}")
@api(access="admin")
async def get_file(request: web.Request) -> web.StreamResponse:
    """A file of a class as stored (16 kHz mono WAV for uploads), for listening in the browser."""
    core = request.app[CORE_KEY]
    path = await core.run_in_executor(
        _library(request).path, _class_name(request), request.match_info["file_name"]
    )
    content_type = "audio/wav" if path.suffix.lower() == ".wav" else "application/octet-stream"
    return web.FileResponse(path, headers={"Content-Type": content_type, "Cache-Control": "no-store"})


@routes.delete("/api/moh/classes/{music_class}/files/{file_name}")
@api(access="admin")
async def delete_file(request: web.Request) -> web.Response:
    """Delete a file from a class (a class left without files plays the built-in melody)."""
    name = _class_name(request)
    file_name = request.match_info["file_name"]
    core = request.app[CORE_KEY]
    await core.run_in_executor(_library(request).remove, name, file_name)
    return web.json_response({"music_class": name, "name": file_name, "deleted": True})
