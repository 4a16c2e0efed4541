"""GET /api/health: liveness for installers, monitoring and the image's boot test (no log-in)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Final

from aiohttp import web

from cordboard.core.const import __version__
from cordboard.core.http.access import api
from cordboard.core.http.keys import CORE_KEY

routes = web.RouteTableDef()

MB: Final = 1024 * 1024


def disk_problems(data_dir: Path, low_disk_mb: int) -> list[str]:
    """What is wrong with the data folder's disk, in words an installer can act on.

    Said before SQLite starts refusing writes: a full disk fails transactions cleanly (nothing
    committed is lost), but calls would go unrecorded and settings unsaved.
    """
    try:
        usage = shutil.disk_usage(data_dir)
    except OSError as err:
        return [f"The data folder cannot be read: {err.strerror}"]
    if usage.free < low_disk_mb * MB:
        return [f"The data folder's disk is almost full: {usage.free // MB} MB free"]
    return []


@routes.get("/api/health")
@api(access="public")
async def get_health(request: web.Request) -> web.Response:
    """Whether Cordboard is up ("ok", or "degraded" with the problems), its version, and whether
    first-run setup is still open."""
    core = request.app[CORE_KEY]
    problems = disk_problems(core.data_dir, core.config.low_disk_warning_mb)
    return web.json_response(
        {
            "status": "degraded" if problems else "ok",
            "problems": problems,
            "version": __version__,
            "state": core.state.value,
            "needs_setup": await core.identity.needs_setup(),
        }
    )
