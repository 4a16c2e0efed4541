"""Core REST routes: health, plugins, states, services, OpenAPI, the error shape and bad input."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from cordboard.core.core import Core
from cordboard.core.http import health
from cordboard.core.http.openapi import build_spec


def assert_error(body: dict[str, Any], code: str) -> None:
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]


async def test_health_needs_no_login(api: TestClient) -> None:
    resp = await api.get("/api/health")
    assert resp.status == 200
    body = await resp.json()
    assert body["status"] == "ok" and body["state"] == "running" and body["needs_setup"] is True


async def test_health_reports_a_nearly_full_data_disk(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Image issue, bad input: a full data partition shows in health instead of failing silently."""
    real = shutil.disk_usage

    def nearly_full(path: object) -> object:
        usage = real(path)  # type: ignore[arg-type]
        return type(usage)(usage.total, usage.total - 50 * 1024 * 1024, 50 * 1024 * 1024)

    monkeypatch.setattr(health.shutil, "disk_usage", nearly_full)
    body = await (await api.get("/api/health")).json()
    assert body["status"] == "degraded"
    assert body["problems"] == ["The data folder's disk is almost full: 50 MB free"]
    monkeypatch.setattr(health.shutil, "disk_usage", real)
    body = await (await api.get("/api/health")).json()
    assert body["status"] == "ok" and body["problems"] == []


async def test_unknown_route_and_method_use_error_shape(
    api: TestClient, admin_headers: dict[str, str]
) -> None:
    resp = await api.get("/api/does/not/exist/at/all", headers=admin_headers)
    assert resp.status == 404
    assert_error(await resp.json(), "not_found")
    resp = await api.delete("/api/health")
    assert resp.status == 405
    assert_error(await resp.json(), "method_not_allowed")


async def test_bad_and_missing_tokens(api: TestClient) -> None:
    resp = await api.get("/api/plugins")
    assert resp.status == 401
    assert_error(await resp.json(), "unauthorized")
    resp = await api.get("/api/plugins", headers={"Authorization": "Bearer nonsense"})
    assert resp.status == 401
    resp = await api.get("/api/plugins", headers={"Authorization": "Bearer ' OR 1=1 --"})
    assert resp.status == 401


async def test_plugins_list_and_roles(
    api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    resp = await api.get("/api/plugins", headers=admin_headers)
    assert resp.status == 200
    plugins = {p["domain"]: p for p in await resp.json()}
    info = plugins["system_info"]
    assert info["enabled"] is True and info["status"] == "loaded" and info["builtin"] is True
    assert info["manifest"]["version"] == "1.0.0"
    names = {field["name"] for field in info["schema"]}
    assert names == {"scan_interval", "disk_warning_percent"}
    for method, path in [
        ("GET", "/api/plugins"),
        ("POST", "/api/plugins/system_info/disable"),
        ("GET", "/api/plugins/system_info/config"),
        ("PUT", "/api/plugins/system_info/config"),
    ]:
        resp = await api.request(method, path, headers=user_headers, json={})
        assert resp.status == 403, path
        assert_error(await resp.json(), "forbidden")


async def test_plugin_config_field_errors_save_nothing(
    core: Core, api: TestClient, admin_headers: dict[str, str]
) -> None:
    url = "/api/plugins/system_info/config"
    resp = await api.put(url, headers=admin_headers, json={"scan_interval": 2, "colour": "red"})
    assert resp.status == 400
    body = await resp.json()
    assert_error(body, "invalid")
    assert set(body["error"]["fields"]) == {"scan_interval", "colour"}
    assert "between 5 and 3600" in body["error"]["fields"]["scan_interval"]
    assert await core.settings.get_plugin_config("system_info") == {}
    resp = await api.put(url, headers=admin_headers, json={"scan_interval": 60})
    assert resp.status == 200
    resp = await api.get(url, headers=admin_headers)
    assert (await resp.json())["config"] == {"scan_interval": 60, "disk_warning_percent": 90}


async def test_plugin_enable_disable_and_unknown(api: TestClient, admin_headers: dict[str, str]) -> None:
    resp = await api.post("/api/plugins/system_info/disable", headers=admin_headers)
    assert (await resp.json())["status"] == "disabled"
    resp = await api.post("/api/plugins/system_info/enable", headers=admin_headers)
    assert (await resp.json())["status"] == "loaded"
    resp = await api.post("/api/plugins/nope/enable", headers=admin_headers)
    assert resp.status == 404
    assert_error(await resp.json(), "not_found")


async def test_bad_bodies_get_4xx_and_change_nothing(
    core: Core, api: TestClient, admin_headers: dict[str, str]
) -> None:
    url = "/api/plugins/system_info/config"
    headers = {**admin_headers, "Content-Type": "application/json"}
    for raw, code in [
        (b"{not json", "invalid_json"),
        (b"\xff\xfe\x00", "invalid_encoding"),
        (b"", "invalid_json"),
        (b"[1, 2]", "invalid"),
        (b'"text"', "invalid"),
    ]:
        resp = await api.put(url, data=raw, headers=headers)
        assert resp.status == 400, raw
        assert_error(await resp.json(), code)
    resp = await api.put(url, data=b'{"a": "' + b"x" * (2 * 1024 * 1024) + b'"}', headers=headers)
    assert resp.status == 413
    assert_error(await resp.json(), "too_large")
    assert await core.settings.get_plugin_config("system_info") == {}
    assert (await api.get("/api/health")).status == 200


async def test_states_filtered_for_users(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    me = await (await api.get("/api/auth/me", headers=user_headers)).json()
    core.states.set("extension.1001", "idle", {"user_id": me["id"]})
    core.states.set("extension.1002", "idle", {"user_id": me["id"] + 100})
    admin_view = {s["entity_id"] for s in await (await api.get("/api/states", headers=admin_headers)).json()}
    user_view = {s["entity_id"] for s in await (await api.get("/api/states", headers=user_headers)).json()}
    assert {"extension.1001", "extension.1002", "system_info.disk"} <= admin_view
    assert user_view == {"extension.1001"}
    assert (await api.get("/api/states/extension.1002", headers=user_headers)).status == 404
    resp = await api.get("/api/states/extension.1001", headers=user_headers)
    assert (await resp.json())["state"] == "idle"


async def test_services_call_validates_and_enforces_role(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    resp = await api.post("/api/services/system_info/refresh", headers=user_headers, json={})
    assert resp.status == 403
    resp = await api.post("/api/services/system_info/refresh", headers=admin_headers, json={})
    assert resp.status == 200
    assert (await resp.json())["result"]["disk_total"] > 0
    resp = await api.post("/api/services/system_info/missing", headers=admin_headers, json={})
    assert resp.status == 404
    services = await (await api.get("/api/services", headers=user_headers)).json()
    assert "system_info" not in services


async def test_openapi_describes_every_route(core: Core, api: TestClient) -> None:
    resp = await api.get("/api/openapi.json")
    assert resp.status == 200
    spec = await resp.json()
    assert spec["openapi"].startswith("3.1")
    app_routes = set()
    for route in api.app.router.routes():
        path = route.resource.canonical if route.resource else ""
        if path.startswith("/api/") and "{tail" not in path and route.method != "HEAD":
            app_routes.add((path, route.method.lower()))
    described = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    assert app_routes <= described
    assert ("/api/system_info/", "get") in described
    login = spec["paths"]["/api/auth/login"]["post"]
    assert login["security"] == [] and "requestBody" in login
    assert spec["paths"]["/api/plugins"]["get"]["x-access"] == "admin"
    for ops in spec["paths"].values():
        for op in ops.values():
            assert op["summary"], op
    assert build_spec(api.app) == spec
