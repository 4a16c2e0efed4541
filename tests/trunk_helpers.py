"""Trunks in the tests: create one in a running PBX (stored as the API would) and wait for its
state (``trunk.<name>``: registered, failed, up, down ...); a PBX whose API may send callers to
outside numbers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient
from api_calls import add_user, login
from cordboard_process import free_port
from loopback_pbx import running_pbx

from cordboard.core.core import Core
from cordboard.core.http.server import build_app
from cordboard.core.trunks import storage

API_ADMIN_PASSWORD = "trunk-admin-password-1"


async def add_trunk(core: Core, **fields: Any) -> None:
    """A trunk with ``fields`` (default: a register trunk "provider" at 127.0.0.1), live at once."""
    assert core.trunks is not None
    fernet = core.trunks.fernet
    data = {"name": "provider", "kind": "register", "host": "127.0.0.1", **fields}
    await core.db.call(lambda db: storage.create_trunk(db, fernet, data))
    await core.trunks.reload()


async def wait_state(core: Core, wanted: str, name: str = "provider") -> Any:
    """The trunk's state once it is ``wanted`` (AssertionError after 10 s)."""
    for _ in range(200):
        state = core.states.get(f"trunk.{name}")
        if state is not None and state.state == wanted:
            return state
        await asyncio.sleep(0.05)
    raise AssertionError(f"trunk.{name} is {core.states.get(f'trunk.{name}')}, not {wanted}")


@asynccontextmanager
async def api_with_trunk(
    data: Path, client_of: Callable[[web.Application], Awaitable[TestClient]], rtp: tuple[int, int]
) -> AsyncIterator[tuple[Core, TestClient, dict[str, str]]]:
    """A PBX serving SIP with an IP trunk (nothing listens there; it is never called), so that
    outside numbers are reachable; its API client (``client_of``: pytest-aiohttp's
    ``aiohttp_client``) and an administrator's headers."""
    async with running_pbx(data, *rtp) as core:
        await add_trunk(core, kind="ip", port=free_port(), addresses=["127.0.0.1:5999"], options_interval=0)
        client = await client_of(build_app(core))
        await add_user(core, "root", API_ADMIN_PASSWORD, admin=True)
        yield core, client, await login(client, "root", API_ADMIN_PASSWORD)
