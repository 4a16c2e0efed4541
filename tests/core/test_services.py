"""Service registry: validation at the boundary, roles, not found, removal, sync and async handlers."""

from __future__ import annotations

from typing import Any

import pytest
import voluptuous as vol

from cordboard.core.exceptions import ServiceNotFound, Unauthorized
from cordboard.core.services import ServiceCall, ServiceRegistry

SCHEMA = vol.Schema({vol.Required("extension"): str, vol.Optional("ring_s", default=20): int})


async def test_call_validates_and_applies_defaults() -> None:
    reg = ServiceRegistry()
    calls: list[ServiceCall] = []

    async def handler(call: ServiceCall) -> str:
        calls.append(call)
        return "ok"

    reg.register("demo", "ring", handler, SCHEMA)
    assert await reg.call("demo", "ring", {"extension": "1001"}, user_id="5") == "ok"
    assert calls[0].data == {"extension": "1001", "ring_s": 20}
    assert calls[0].context.user_id == "5"
    with pytest.raises(vol.Invalid):
        await reg.call("demo", "ring", {"ring_s": "x"})
    assert len(calls) == 1


async def test_sync_handler_and_unknown_service() -> None:
    reg = ServiceRegistry()
    reg.register("demo", "echo", lambda call: dict(call.data))
    assert await reg.call("DEMO", "Echo", {"a": 1}) == {"a": 1}
    with pytest.raises(ServiceNotFound):
        await reg.call("demo", "missing")


async def test_admin_service_refused_to_user() -> None:
    reg = ServiceRegistry()
    reg.register("demo", "reboot", lambda call: None)
    reg.register("demo", "dnd", lambda call: "set", access="user")
    with pytest.raises(Unauthorized):
        await reg.call("demo", "reboot", is_admin=False)
    assert await reg.call("demo", "dnd", is_admin=False) == "set"


async def test_remove_only_removes_own_registration() -> None:
    reg = ServiceRegistry()
    remove_old = reg.register("demo", "x", lambda call: 1)
    reg.register("demo", "x", lambda call: 2)
    remove_old()
    assert reg.has("demo", "x")
    result: Any = await reg.call("demo", "x")
    assert result == 2
    assert reg.describe()["demo"]["x"]["access"] == "admin"
