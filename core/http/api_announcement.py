"""The prompts a user may choose as their announcement before connect (PRM-06).

``GET /api/announcement-prompts`` lists the organisation's prompts that have a recording (id
``org:<n>`` and name, by name) for any logged-in user: what the setting
``core.announcement_before_connect`` can name (the prompts' own list and recordings stay the
administrators', ``/api/prompts``).
"""

from __future__ import annotations

from aiohttp import web

from cordboard.core.calls.announcement import has_recording
from cordboard.core.http.access import api
from cordboard.core.http.keys import CORE_KEY
from cordboard.core.media import org_prompts

routes = web.RouteTableDef()


@routes.get("/api/announcement-prompts")
@api(access="user")
async def announcement_prompts(request: web.Request) -> web.Response:
    """The organisation's prompts with a recording: ``{"prompts": [{"id", "name"}, ...]}``."""
    core = request.app[CORE_KEY]
    prompts = await core.db.call(org_prompts.list_prompts)

    def recorded() -> list[dict[str, str]]:
        return [{"id": p.id, "name": p.name} for p in prompts if has_recording(core.data_dir, p.id)]

    return web.json_response({"prompts": await core.run_in_executor(recorded)})
