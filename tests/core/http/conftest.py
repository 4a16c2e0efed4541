"""Fixtures for the REST tests: accounts with their bearer headers, made through the real API app."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from api_calls import add_user, login

from cordboard.core.core import Core

PASSWORD = "account-password-1"


@dataclass
class Account:
    id: int
    username: str
    headers: dict[str, str]
    token: str


AccountFactory = Callable[..., Coroutine[Any, Any, Account]]


@pytest.fixture
def account(core: Core, api: TestClient) -> AccountFactory:
    """``await account("anna", admin=False, **fields)``: a user created directly, logged in via the API."""

    async def make(username: str, *, admin: bool = False, password: str = PASSWORD, **extra: Any) -> Account:
        user_id = await add_user(core, username, password, admin=admin, **extra)
        headers = await login(api, username, password)
        return Account(user_id, username, headers, headers["Authorization"].removeprefix("Bearer "))

    return make


async def error_of(resp: Any, status: int) -> dict[str, Any]:
    """Assert the status and the one error shape; return the error object."""
    assert resp.status == status, await resp.text()
    body = await resp.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]  # type: ignore[no-any-return]


@pytest.fixture
def check_error() -> Callable[[Any, int], Coroutine[Any, Any, dict[str, Any]]]:
    return error_of
