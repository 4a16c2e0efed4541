"""Shared fixtures: a running Core on a temporary data folder, and API clients logged in by role."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from number_blocks import block_for

from cordboard.core.config.bootstrap import BootstrapConfig
from cordboard.core.core import Core
from cordboard.core.exceptions import Conflict
from cordboard.core.http.server import build_app
from cordboard.core.identity.users import create_user
from cordboard.core.numbers.storage import create_range

ADMIN_PASSWORD = "admin-password-1"
USER_PASSWORD = "user-password-1"


@pytest.fixture
async def core(tmp_path: Path) -> AsyncIterator[Core]:
    """A started Core (storage, identity, settings, plugins) without a listening HTTP server."""
    instance = Core(tmp_path / "data", BootstrapConfig(http_bind="127.0.0.1", http_port=0, sip_port=0))
    await instance.start(serve_http=False, serve_sip=False)
    yield instance
    await instance.stop()


async def add_user(core: Core, username: str, password: str, *, admin: bool = False, **extra: Any) -> int:
    block = block_for(extra.get("extension"))
    if block is not None:  # NUM-01: the number must lie in a range

        def add_range(db: Any) -> None:
            with contextlib.suppress(Conflict):
                create_range(db, {"kind": "local", "first": block[0], "last": block[1]})

        await core.db.call(add_range)
    user = await core.db.call(
        lambda db: create_user(
            db,
            username=username,
            first_name=username.title(),
            last_name="Tester",
            email=f"{username}@example.com",
            password=password,
            role="admin" if admin else "user",
            **extra,
        )
    )
    return user.id


async def login(client: TestClient, username: str, password: str) -> dict[str, str]:
    resp = await client.post("/api/auth/login", json={"username": username, "password": password})
    assert resp.status == 200, await resp.text()
    client.session.cookie_jar.clear()  # tests choose their credentials per request
    return {"Authorization": f"Bearer {(await resp.json())['token']}"}


ClientFactory = Callable[..., Coroutine[Any, Any, TestClient]]


@pytest.fixture
async def api(core: Core, aiohttp_client: ClientFactory) -> TestClient:
    """A test client on the real application of ``core``."""
    return await aiohttp_client(build_app(core))


@pytest.fixture
async def admin_headers(core: Core, api: TestClient) -> dict[str, str]:
    await add_user(core, "root", ADMIN_PASSWORD, admin=True)
    return await login(api, "root", ADMIN_PASSWORD)


@pytest.fixture
async def user_headers(core: Core, api: TestClient) -> dict[str, str]:
    await add_user(core, "anna", USER_PASSWORD, extension="1001")
    return await login(api, "anna", USER_PASSWORD)
