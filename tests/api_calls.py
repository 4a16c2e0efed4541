"""One REST request through the aiohttp test client: the status and the JSON body, or for an error
the API's one error shape (code, message, fields); users to make the requests as (``add_user``,
``login``)."""

from __future__ import annotations

import contextlib
from typing import Any

from aiohttp.test_utils import TestClient
from number_blocks import block_for

from cordboard.core.core import Core
from cordboard.core.exceptions import Conflict
from cordboard.core.identity.users import create_user
from cordboard.core.numbers.storage import create_range


async def call(
    api: TestClient, method: str, path: str, headers: dict[str, str], body: Any = None
) -> tuple[int, Any]:
    resp = await api.request(method, path, json=body, headers=headers)
    text = await resp.text()
    data = (await resp.json()) if text else None
    return resp.status, data["error"] if resp.status >= 400 and data else data


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


async def add_blocking_group(api: TestClient, headers: dict[str, str], name: str, **fields: Any) -> int:
    """A blocking group (BAR-04) that blocks what ``fields`` say (nothing else); its id."""
    body = {"name": name, "number_types": [], "international": False, "prefixes": [], **fields}
    status, group = await call(api, "POST", "/api/dialplan/blocking_groups", headers, body)
    assert status == 201, group
    return int(group["id"])
