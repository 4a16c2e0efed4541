"""Shared fixtures: a running Core on a temporary data folder, and API clients logged in by role."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from api_calls import add_user, login

from cordboard.core.config.bootstrap import BootstrapConfig
from cordboard.core.core import Core
from cordboard.core.http.server import build_app
from cordboard.core.media.prompts import SHARED_CACHE_ENV

pytest_plugins = ["timed_last"]  # the computing tests first, the timed ones after them

# The many appliances the tests start speak each system prompt once, into one shared folder
# (core/media/prompts.py), instead of once per data folder.
_PROMPT_CACHE = None if SHARED_CACHE_ENV in os.environ else tempfile.mkdtemp(prefix="cordboard-test-prompts-")
if _PROMPT_CACHE is not None:
    os.environ[SHARED_CACHE_ENV] = _PROMPT_CACHE


def pytest_sessionfinish() -> None:
    if _PROMPT_CACHE is not None:
        shutil.rmtree(_PROMPT_CACHE, ignore_errors=True)


ADMIN_PASSWORD = "admin-password-1"
USER_PASSWORD = "user-password-1"


@pytest.fixture
async def core(tmp_path: Path) -> AsyncIterator[Core]:
    """A started Core (storage, identity, settings, plugins) without a listening HTTP server."""
    instance = Core(tmp_path / "data", BootstrapConfig(http_bind="127.0.0.1", http_port=0, sip_port=0))
    await instance.start(serve_http=False, serve_sip=False)
    yield instance
    await instance.stop()


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
