"""The pages: the built web UI for every client-side route when frontend/dist exists, else built-in pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from cordboard.core.http import server


@pytest.fixture
def dist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "dist"
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_text("<!doctype html><title>built ui</title>")
    (folder / "assets" / "app.js").write_text("console.log('app')")
    (folder / "icon.svg").write_text("<svg/>")
    monkeypatch.setattr(server, "FRONTEND_DIST", folder)
    return folder


@pytest.fixture
async def built_api(core, aiohttp_client, dist: Path) -> TestClient:
    return await aiohttp_client(server.build_app(core))


async def test_client_routes_serve_the_built_index(built_api: TestClient) -> None:
    for path in ("/", "/setup", "/users", "/users/12", "/plugins/system_info", "/login"):
        resp = await built_api.get(path)
        assert resp.status == 200, path
        assert "built ui" in await resp.text()
        assert resp.headers["Cache-Control"] == "no-cache"


async def test_assets_api_and_top_level_files_are_not_the_index(built_api: TestClient) -> None:
    resp = await built_api.get("/assets/app.js")
    assert resp.status == 200 and "console.log" in await resp.text()
    assert (await built_api.get("/assets/missing.js")).status == 404
    resp = await built_api.get("/icon.svg")
    assert await resp.text() == "<svg/>"
    resp = await built_api.get("/api/nothing-here")
    assert resp.status == 404 and "error" in await resp.json()
    assert (await built_api.get("/api/health")).status == 200
    assert (await built_api.get("/static/style.css")).status == 200


async def test_without_a_build_the_builtin_pages_serve(
    api: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server, "FRONTEND_DIST", tmp_path / "missing")
    resp = await api.get("/setup")
    assert resp.status == 200 and "Welcome to Cordboard" in await resp.text()
    assert (await api.get("/")).status == 200
    assert (await api.get("/users")).status == 404
