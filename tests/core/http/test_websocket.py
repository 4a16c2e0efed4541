"""The WebSocket API: authentication, states and events streamed, services, bad messages, visibility."""

from __future__ import annotations

from typing import Any

from aiohttp import ClientWebSocketResponse
from aiohttp.test_utils import TestClient

from cordboard.core.core import Core


async def connect(api: TestClient, headers: dict[str, str]) -> ClientWebSocketResponse:
    ws = await api.ws_connect("/api/websocket")
    first = await ws.receive_json(timeout=5)
    assert first["type"] == "auth_required"
    await ws.send_json({"type": "auth", "access_token": headers["Authorization"].split()[1]})
    ok = await ws.receive_json(timeout=5)
    assert ok["type"] == "auth_ok", ok
    return ws


async def receive_until(ws: ClientWebSocketResponse, predicate: Any) -> dict[str, Any]:
    for _ in range(50):
        msg = await ws.receive_json(timeout=5)
        if predicate(msg):
            return msg  # type: ignore[no-any-return]
    raise AssertionError("message never arrived")


async def test_auth_invalid_token_closes(api: TestClient) -> None:
    ws = await api.ws_connect("/api/websocket")
    assert (await ws.receive_json())["type"] == "auth_required"
    await ws.send_json({"type": "auth", "access_token": "wrong"})
    assert (await ws.receive_json())["type"] == "auth_invalid"
    msg = await ws.receive()
    assert msg.type.name in ("CLOSE", "CLOSED")


async def test_cookie_session_authenticates_directly(api: TestClient, admin_headers: dict[str, str]) -> None:
    token = admin_headers["Authorization"].split()[1]
    ws = await api.ws_connect("/api/websocket", headers={"Cookie": f"cordboard_session={token}"})
    assert (await ws.receive_json())["type"] == "auth_ok"
    await ws.close()


async def test_subscribe_states_streams_changes(
    core: Core, api: TestClient, admin_headers: dict[str, str]
) -> None:
    ws = await connect(api, admin_headers)
    await ws.send_json({"id": 1, "type": "subscribe_states"})
    result = await receive_until(ws, lambda m: m.get("id") == 1 and m["type"] == "result")
    assert result["success"] is True
    assert any(s["entity_id"] == "system_info.disk" for s in result["result"])
    core.states.set("trunk.provider1", "up", {"rtt_ms": 12})
    event = await receive_until(ws, lambda m: m["type"] == "event")
    assert event["id"] == 1
    data = event["event"]["data"]
    assert data["entity_id"] == "trunk.provider1" and data["new_state"]["attributes"] == {"rtt_ms": 12}
    await ws.send_json({"id": 2, "type": "unsubscribe_events", "subscription": 1})
    assert (await receive_until(ws, lambda m: m.get("id") == 2))["success"] is True
    core.states.set("trunk.provider1", "down")
    await ws.send_json({"id": 3, "type": "ping"})
    assert (await ws.receive_json())["type"] == "pong"
    await ws.close()


async def test_user_sees_only_own_events(core: Core, api: TestClient, user_headers: dict[str, str]) -> None:
    ws = await connect(api, user_headers)
    await ws.send_json({"id": 1, "type": "subscribe_events"})
    assert (await ws.receive_json())["success"] is True
    me = await (await api.get("/api/auth/me", headers=user_headers)).json()
    core.states.set("extension.9999", "ringing", {"user_id": me["id"] + 1})
    core.bus.fire("call.started", {"user_id": me["id"] + 1})
    core.states.set("extension.1001", "ringing", {"user_id": me["id"]})
    event = await ws.receive_json(timeout=5)
    assert event["event"]["data"]["entity_id"] == "extension.1001"
    await ws.close()


async def test_call_service_and_errors(
    api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    ws = await connect(api, admin_headers)
    await ws.send_json({"id": 1, "type": "call_service", "domain": "system_info", "service": "refresh"})
    result = await ws.receive_json()
    assert result["success"] is True and result["result"]["disk_total"] > 0
    await ws.send_str("{not json")
    assert (await ws.receive_json())["error"]["code"] == "invalid_json"
    await ws.send_json({"id": 1, "type": "ping"})
    assert (await ws.receive_json())["error"]["code"] == "id_reuse"
    await ws.send_json({"id": 5, "type": "format_disk"})
    assert (await ws.receive_json())["error"]["code"] == "unknown_command"
    await ws.send_json({"id": 6, "type": "call_service", "domain": "x", "service": "y"})
    assert (await ws.receive_json())["error"]["code"] == "not_found"
    await ws.close()
    ws = await connect(api, user_headers)
    await ws.send_json({"id": 1, "type": "call_service", "domain": "system_info", "service": "refresh"})
    assert (await ws.receive_json())["error"]["code"] == "forbidden"
    await ws.close()


async def test_prs_11_colleagues_status_changes_reach_those_allowed_to_see_them(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    """A colleague's status change (availability, activity, DND, call state, nothing more) reaches a
    user while the right to see status covers that colleague, and stops when an admin narrows it."""
    assert core.presence is not None
    me = await (await api.get("/api/auth/me", headers=user_headers)).json()
    colleague = await core.identity.create_user(
        username="colleague", first_name="Col", last_name="League", email="c@example.com", extension="1002"
    )
    ws = await connect(api, user_headers)
    await ws.send_json({"id": 1, "type": "subscribe_events", "event_type": "presence.status_changed"})
    assert (await ws.receive_json(timeout=5))["success"] is True
    await core.presence.set_presence(colleague.id, {"availability": "busy"})
    event = (await ws.receive_json(timeout=5))["event"]
    assert event["data"]["user_id"] == colleague.id
    assert (event["data"]["availability"], event["data"]["dnd"]) == ("busy", False)
    assert "diversion" not in event["data"]

    resp = await api.put("/api/rights/see_status", json={"grants": []}, headers=admin_headers)
    assert resp.status == 200, await resp.text()
    await core.presence.set_presence(colleague.id, {"availability": "available"})
    await core.presence.set_presence(me["id"], {"dnd": True})  # one's own still arrives
    event = (await ws.receive_json(timeout=5))["event"]
    assert (event["data"]["user_id"], event["data"]["dnd"]) == (me["id"], True)
    await ws.close()
