"""system_info: real figures as states, a refresh service, a REST route; gone when disabled."""

from __future__ import annotations

import shutil

from aiohttp.test_utils import TestClient

from cordboard.core.const import __version__
from cordboard.core.core import Core


async def test_states_hold_real_figures(core: Core) -> None:
    assert core.plugins.loaded("system_info")
    assert core.states.get("system_info.version").state == __version__  # type: ignore[union-attr]
    disk = core.states.get("system_info.disk")
    assert disk is not None
    real = shutil.disk_usage(core.data_dir)
    assert disk.attributes["total"] == real.total
    assert abs(disk.attributes["free"] - real.free) < 512 * 1024 * 1024
    memory = core.states.get("system_info.memory")
    assert memory is not None and int(memory.state) > 0
    assert int(core.states.get("system_info.uptime").state) >= 0  # type: ignore[union-attr]


async def test_refresh_service_and_disk_warning_setting(core: Core) -> None:
    used = core.states.get("system_info.disk").attributes["used_percent"]  # type: ignore[union-attr]
    threshold = max(50, min(99, int(used)))
    await core.plugins.set_config("system_info", {"disk_warning_percent": threshold})
    result = await core.services.call("system_info", "refresh")
    assert result["version"] == __version__
    expected = "low" if used >= threshold else "ok"
    assert core.states.get("system_info.disk").state == expected  # type: ignore[union-attr]


async def test_rest_route_and_disable(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    resp = await api.get("/api/system_info/", headers=admin_headers)
    assert resp.status == 200
    body = await resp.json()
    assert body["version"] == __version__ and body["disk_total"] > 0
    assert (await api.get("/api/system_info/", headers=user_headers)).status == 403
    assert (await api.get("/api/system_info/")).status == 401
    resp = await api.post("/api/plugins/system_info/disable", headers=admin_headers)
    assert resp.status == 200
    assert core.states.entity_ids("system_info") == []
    assert not core.services.has("system_info", "refresh")
    resp = await api.get("/api/system_info/", headers=admin_headers)
    assert resp.status == 404
    assert (await resp.json())["error"]["code"] == "not_found"
