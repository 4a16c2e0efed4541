"""One REST request through the aiohttp test client: the status and the JSON body, or for an error
the API's one error shape (code, message, fields)."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient


async def call(
    api: TestClient, method: str, path: str, headers: dict[str, str], body: Any = None
) -> tuple[int, Any]:
    resp = await api.request(method, path, json=body, headers=headers)
    text = await resp.text()
    data = (await resp.json()) if text else None
    return resp.status, data["error"] if resp.status >= 400 and data else data
