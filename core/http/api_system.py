"""The appliance's system update through the web API (BYD-20), for administrators.

``POST /api/system/update`` streams an uploaded ``root.ext4.zst`` to ``<data>/updates/incoming``
(never whole in memory, at most ``MAX_UPDATE_BYTES``), hashing it on the way; it must match the
given sha256 and be a complete zstd frame holding ext4 (the checks of ``cordboard system
update``). A good file is renamed to ``<data>/updates/ready.ext4.zst``; a bad one is deleted.

Cordboard runs unprivileged and cannot write a root slot. On the appliance image the root-run
``cordboard-update.path`` unit sees the ready file and starts ``cordboard system apply-ready``,
which writes the slot, reports in ``<data>/updates/status.json`` and reboots into the new slot
on trial (GRUB falls back if it does not come up healthy). ``GET /api/system/update`` reads that.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
from pathlib import Path
from typing import Any, BinaryIO, Final

from aiohttp import BodyPartReader, web

from cordboard.core.const import __version__
from cordboard.core.exceptions import CordboardError
from cordboard.core.http.access import api
from cordboard.core.http.errors import ApiError
from cordboard.core.http.keys import CORE_KEY
from cordboard.core.storage.atomic import atomic_write
from cordboard.core.system.update import (
    READY_FILE,
    READY_INFO,
    STATUS_FILE,
    UPDATES_DIR,
    SystemPaths,
    check_image,
    check_signature,
    is_appliance,
    known_slots,
    parse_sha256,
    read_json,
    signature_path,
    write_json_atomic,
)

routes = web.RouteTableDef()
MAX_UPDATE_BYTES: Final = 2 * 1024**3
"""The largest update file accepted (a root.ext4.zst is about 260 MB)."""
INCOMING: Final = "incoming"
READ_CHUNK: Final = 256 * 1024
SYSTEM_PATHS: SystemPaths = SystemPaths()
"""Where the running system's GRUB environment and kernel command line are (tests point elsewhere)."""
_UPLOAD_LOCK: Final = asyncio.Lock()


def _updates_dir(request: web.Request) -> Path:
    return Path(request.app[CORE_KEY].data_dir) / UPDATES_DIR


def _too_large() -> ApiError:
    return ApiError(413, "too_large", f"The update file is larger than {MAX_UPDATE_BYTES} bytes")


async def _copy(chunks: Any, out: BinaryIO, digest: Any) -> int:
    """Write what ``chunks`` yields to ``out``, hashing it; refuse more than the cap."""
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > MAX_UPDATE_BYTES:
            raise _too_large()
        digest.update(chunk)
        await asyncio.to_thread(out.write, chunk)
    return size


async def _part_chunks(part: BodyPartReader) -> Any:
    while chunk := await part.read_chunk(READ_CHUNK):
        yield chunk


async def _receive(request: web.Request, incoming: Path) -> tuple[str, int, dict[str, str]]:
    """Stream the upload into ``incoming``; returns its sha256, size and the text fields."""
    digest = hashlib.sha256()
    fields: dict[str, str] = {}
    size = -1
    length = request.content_length
    if length is not None and length > MAX_UPDATE_BYTES + 64 * 1024:
        raise _too_large()
    with incoming.open("wb") as out:
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader):
                    continue
                if part.name == "file":
                    if size >= 0:
                        raise ApiError(400, "invalid", "Send one update file")
                    size = await _copy(_part_chunks(part), out, digest)
                elif part.name == "signature":
                    fields["signature"] = base64.b64encode((await part.read(decode=True))[:4096]).decode()
                elif part.name in ("sha256", "manifest"):
                    fields[part.name] = (await part.read(decode=True))[: 64 * 1024].decode("utf-8", "replace")
                else:
                    await part.release()
        else:
            fields["sha256"] = request.query.get("sha256", request.headers.get("X-Sha256", ""))
            size = await _copy(request.content.iter_chunked(READ_CHUNK), out, digest)
        if size < 0:
            raise ApiError(400, "invalid", "The form has no update file (field 'file')", {"file": "required"})
        if length is not None and not request.content_type.startswith("multipart/") and size != length:
            raise ApiError(400, "truncated", "The upload ended early")
        await asyncio.to_thread(out.flush)
        await asyncio.to_thread(os.fsync, out.fileno())
    return digest.hexdigest(), size, fields


def _manifest_info(text: str | None) -> dict[str, str]:
    if not text:
        return {}
    try:
        manifest = json.loads(text)
    except ValueError:
        raise ApiError(400, "invalid", "The manifest is not JSON", {"manifest": "not JSON"}) from None
    if not isinstance(manifest, dict):
        return {}
    info = {"version": manifest.get("cordboard_version"), "build_id": manifest.get("build_id")}
    return {k: str(v) for k, v in info.items() if v}


@routes.post("/api/system/update")
@api(access="admin")
async def upload_update(request: web.Request) -> web.Response:
    """Upload a root.ext4.zst (multipart: ``file``, ``sha256`` (hex or the .sha256 file),
    optional ``manifest``; or the raw body with ``?sha256=``). 202 once it is checked and ready."""
    updates = _updates_dir(request)
    if _UPLOAD_LOCK.locked():
        raise ApiError(409, "conflict", "Another update is being uploaded")
    async with _UPLOAD_LOCK:
        current = read_json(updates / STATUS_FILE) or {}
        if current.get("state") == "applying" or (updates / READY_FILE).exists():
            raise ApiError(409, "conflict", "An update is already waiting or being applied")
        await asyncio.to_thread(updates.mkdir, parents=True, exist_ok=True)
        incoming = updates / INCOMING
        try:
            actual, size, fields = await _receive(request, incoming)
            try:
                expected = parse_sha256(fields.get("sha256", ""))
            except CordboardError as err:
                raise ApiError(400, "invalid", str(err), {"sha256": "not a sha256 checksum"}) from None
            if actual != expected:
                message = f"The file's sha256 is {actual}, not {expected}: it is damaged or not that file"
                raise ApiError(400, "checksum_mismatch", message, {"file": "sha256 does not match"})
            info = _manifest_info(fields.get("manifest"))
            try:
                await asyncio.to_thread(check_image, incoming, True)
            except CordboardError as err:
                raise ApiError(400, "not_an_update", str(err).replace(INCOMING, "The file")) from None
            signature = base64.b64decode(fields["signature"]) if fields.get("signature") else None
            try:  # root checks again before writing; this check only answers the admin at once
                check_signature(actual, signature)
            except CordboardError as err:
                raise ApiError(400, "bad_signature", str(err), {"signature": str(err)}) from None
            ready_signature = signature_path(updates / READY_FILE)
            if signature:
                atomic_write(ready_signature, signature)
            else:
                ready_signature.unlink(missing_ok=True)
            write_json_atomic(updates / READY_INFO, {"sha256": actual, "size": size, **info})
            (updates / STATUS_FILE).unlink(missing_ok=True)
            os.replace(incoming, updates / READY_FILE)
        except BaseException:
            incoming.unlink(missing_ok=True)
            raise
    return web.json_response(_state(updates), status=202)


def _state(updates: Path) -> dict[str, Any]:
    appliance = is_appliance(SYSTEM_PATHS)
    slots: dict[str, Any] = {}
    if appliance:
        try:
            slots = known_slots(updates.parent, SYSTEM_PATHS)
        except CordboardError as err:
            slots = {"error": str(err)}
    status = read_json(updates / STATUS_FILE)
    ready = read_json(updates / READY_INFO) if (updates / READY_FILE).exists() else None
    state, reason = "none", None
    if status is not None and status.get("state") == "applying":
        state = "applying"
    elif ready is not None:
        state = "ready"
    elif status is not None and status.get("state") == "failed":
        state, reason = "failed", str(status.get("message") or "The update failed")
    elif status is not None and status.get("state") == "applied":
        target = status.get("target")
        running = slots.get("running")
        if not appliance or running is None or running != target:
            if appliance and target and slots.get("trial") != target:
                state = "failed"
                reason = f"Slot {target} did not come up healthy; the appliance went back to slot {running}"
            else:
                state = "applied-waiting-for-reboot"
    return {
        "state": state,
        "reason": reason,
        "version": __version__,
        "appliance": appliance,
        "note": None if appliance else "not an appliance: an uploaded update is not applied here",
        "running_slot": slots.get("running"),
        "default_slot": slots.get("default"),
        "trial_slot": slots.get("trial"),
        "ready": ready,
        "last": status,
        "max_bytes": MAX_UPDATE_BYTES,
    }


@routes.delete("/api/system/update")
@api(access="admin")
async def discard_update(request: web.Request) -> web.Response:
    """Drop an uploaded update that waits (on the appliance it is usually taken at once)."""
    updates = _updates_dir(request)
    async with _UPLOAD_LOCK:
        current = read_json(updates / STATUS_FILE) or {}
        if current.get("state") == "applying":
            raise ApiError(409, "conflict", "The update is being applied and cannot be discarded now")
        (updates / READY_FILE).unlink(missing_ok=True)
        signature_path(updates / READY_FILE).unlink(missing_ok=True)
        (updates / READY_INFO).unlink(missing_ok=True)
    return web.json_response(await asyncio.to_thread(_state, updates))


@routes.get("/api/system/update")
@api(access="admin")
async def update_state(request: web.Request) -> web.Response:
    """none / ready / applying / applied-waiting-for-reboot / failed (with reason), the running and
    default slot, and the running version."""
    return web.json_response(await asyncio.to_thread(_state, _updates_dir(request)))
