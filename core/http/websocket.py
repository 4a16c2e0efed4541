"""GET /api/websocket: authenticate, subscribe to events and states, call services.

Protocol (JSON text frames, Home Assistant style): the server opens with ``auth_required`` (or
``auth_ok`` when the browser's session cookie already authenticates); the client sends
``{"type": "auth", "access_token": ...}``. Commands carry an integer ``id`` that the reply repeats:
``ping``, ``get_states``, ``subscribe_events`` (optional ``event_type``), ``subscribe_states``
(replies with every visible state, then streams state_changed), ``unsubscribe_events``
(``subscription``), ``call_service`` (``domain``, ``service``, ``service_data``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from typing import Any, Final

import voluptuous as vol
from aiohttp import WSMsgType, web

from cordboard.core.bus import Event
from cordboard.core.const import MATCH_ALL, __version__
from cordboard.core.core import Core
from cordboard.core.exceptions import CordboardError, ServiceNotFound, Unauthorized
from cordboard.core.http.access import AuthUser, api
from cordboard.core.http.errors import invalid_fields
from cordboard.core.http.keys import CORE_KEY, OPEN_WEBSOCKETS_KEY
from cordboard.core.http.middleware import authenticate
from cordboard.core.http.visibility import event_visible, state_visible
from cordboard.core.json import to_jsonable
from cordboard.core.state import EVENT_STATE_CHANGED

_LOGGER = logging.getLogger(__name__)
routes = web.RouteTableDef()

AUTH_TIMEOUT: Final = 10.0
MAX_MESSAGE: Final = 64 * 1024
MAX_PENDING: Final = 2048


def _result(msg_id: Any, result: Any = None) -> dict[str, Any]:
    return {"id": msg_id, "type": "result", "success": True, "result": to_jsonable(result)}


def _error(msg_id: Any, code: str, message: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "id": msg_id,
        "type": "result",
        "success": False,
        "error": {"code": code, "message": message, "fields": fields or {}},
    }


class Connection:
    """One authenticated WebSocket client: its subscriptions and its outgoing queue."""

    def __init__(self, core: Core, ws: web.WebSocketResponse, user: AuthUser) -> None:
        self.core = core
        self.ws = ws
        self.user = user
        self.subscriptions: dict[int, Callable[[], None]] = {}
        self.queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self.last_id = 0

    def send(self, message: dict[str, Any]) -> None:
        if self.queue.qsize() > MAX_PENDING:
            _LOGGER.warning("WebSocket client of %s is too slow; closing", self.user.username)
            self.queue.put_nowait(None)
            return
        self.queue.put_nowait(message)

    async def writer(self) -> None:
        while (message := await self.queue.get()) is not None:
            await self.ws.send_str(json.dumps(message))
        await self.ws.close()

    def close_subscriptions(self) -> None:
        for remove in self.subscriptions.values():
            remove()
        self.subscriptions.clear()

    async def handle(self, raw: str) -> None:
        try:
            msg = json.loads(raw)
        except json.JSONDecodeError:
            self.send(_error(None, "invalid_json", "Message is not valid JSON"))
            return
        if not isinstance(msg, dict) or not isinstance(msg.get("id"), int) or "type" not in msg:
            self.send(
                _error(
                    msg.get("id") if isinstance(msg, dict) else None,
                    "invalid_format",
                    "A command is an object with an integer id and a type",
                )
            )
            return
        msg_id: int = msg["id"]
        if msg_id <= self.last_id:
            self.send(_error(msg_id, "id_reuse", "Command ids must increase"))
            return
        self.last_id = msg_id
        handler = COMMANDS.get(str(msg["type"]))
        if handler is None:
            self.send(_error(msg_id, "unknown_command", f"Unknown command {msg['type']!r}"))
            return
        try:
            await handler(self, msg_id, msg)
        except vol.Invalid as err:
            self.send(_error(msg_id, "invalid", "Some fields are invalid", invalid_fields(err)))
        except ServiceNotFound as err:
            self.send(_error(msg_id, "not_found", str(err)))
        except Unauthorized as err:
            self.send(_error(msg_id, "forbidden", str(err)))
        except CordboardError as err:
            self.send(_error(msg_id, "error", str(err)))
        except Exception:
            _LOGGER.exception("WebSocket command %s failed", msg["type"])
            self.send(_error(msg_id, "internal_error", "Internal error; the log has the details"))

    def forward(self, msg_id: int) -> Callable[[Event[Any]], None]:
        def listener(event: Event[Any]) -> None:
            if event_visible(event, self.user, self.core.rights):
                self.send({"id": msg_id, "type": "event", "event": to_jsonable(event.as_dict())})

        return listener


async def _ping(conn: Connection, msg_id: int, msg: dict[str, Any]) -> None:
    conn.send({"id": msg_id, "type": "pong"})


async def _get_states(conn: Connection, msg_id: int, msg: dict[str, Any]) -> None:
    conn.send(_result(msg_id, [s for s in conn.core.states.all() if state_visible(s, conn.user)]))


async def _subscribe_events(conn: Connection, msg_id: int, msg: dict[str, Any]) -> None:
    event_type = msg.get("event_type", MATCH_ALL)
    if not isinstance(event_type, str):
        raise vol.Invalid("expected text", path=["event_type"])
    conn.subscriptions[msg_id] = conn.core.bus.listen(event_type, conn.forward(msg_id))
    conn.send(_result(msg_id))


async def _subscribe_states(conn: Connection, msg_id: int, msg: dict[str, Any]) -> None:
    conn.subscriptions[msg_id] = conn.core.bus.listen(EVENT_STATE_CHANGED, conn.forward(msg_id))
    conn.send(_result(msg_id, [s for s in conn.core.states.all() if state_visible(s, conn.user)]))


async def _unsubscribe(conn: Connection, msg_id: int, msg: dict[str, Any]) -> None:
    remove = conn.subscriptions.pop(msg.get("subscription", -1), None)
    if remove is None:
        conn.send(_error(msg_id, "not_found", "No such subscription"))
        return
    remove()
    conn.send(_result(msg_id))


async def _call_service(conn: Connection, msg_id: int, msg: dict[str, Any]) -> None:
    data = msg.get("service_data", {})
    if not isinstance(data, dict):
        raise vol.Invalid("expected an object", path=["service_data"])
    result = await conn.core.services.call(
        str(msg.get("domain", "")),
        str(msg.get("service", "")),
        data,
        user_id=conn.user.context_id,
        is_admin=conn.user.is_admin,
    )
    conn.send(_result(msg_id, result))


COMMANDS: Final = {
    "ping": _ping,
    "get_states": _get_states,
    "subscribe_events": _subscribe_events,
    "subscribe_states": _subscribe_states,
    "unsubscribe_events": _unsubscribe,
    "call_service": _call_service,
}


async def _authenticate_ws(request: web.Request, ws: web.WebSocketResponse) -> AuthUser | None:
    core = request.app[CORE_KEY]
    user = await authenticate(request)
    if user is not None:
        return user
    await ws.send_json({"type": "auth_required", "version": __version__})
    try:
        msg = await ws.receive(timeout=AUTH_TIMEOUT)
    except TimeoutError:
        return None
    if msg.type != WSMsgType.TEXT:
        return None
    try:
        data = json.loads(msg.data)
    except json.JSONDecodeError:
        data = None
    token = data.get("access_token") if isinstance(data, dict) and data.get("type") == "auth" else None
    if not isinstance(token, str):
        await ws.send_json({"type": "auth_invalid", "message": "Send {type: auth, access_token}"})
        return None
    user = await core.identity.authenticate_token(token)
    if user is None:
        await ws.send_json({"type": "auth_invalid", "message": "Invalid or expired token"})
    return user


@routes.get("/api/websocket")
@api(access="public")
async def websocket_handler(request: web.Request) -> web.WebSocketResponse:
    """The live event and state stream for the web UI (authenticates inside the socket)."""
    ws = web.WebSocketResponse(heartbeat=30, max_msg_size=MAX_MESSAGE)
    await ws.prepare(request)
    request.app[OPEN_WEBSOCKETS_KEY].add(ws)
    try:
        return await _serve(request, ws)
    finally:
        request.app[OPEN_WEBSOCKETS_KEY].discard(ws)


async def _serve(request: web.Request, ws: web.WebSocketResponse) -> web.WebSocketResponse:
    user = await _authenticate_ws(request, ws)
    if user is None:
        await ws.close()
        return ws
    await ws.send_json(
        {
            "type": "auth_ok",
            "version": __version__,
            "user": {"id": user.id, "username": user.username, "is_admin": user.is_admin},
        }
    )
    conn = Connection(request.app[CORE_KEY], ws, user)
    writer = asyncio.get_running_loop().create_task(conn.writer())
    try:
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                await conn.handle(msg.data)
            elif msg.type == WSMsgType.BINARY:
                conn.send(_error(None, "invalid_format", "Send JSON text frames"))
            elif msg.type == WSMsgType.ERROR:
                break
            if writer.done():
                break
    finally:
        conn.close_subscriptions()
        if not writer.done():
            conn.queue.put_nowait(None)
            with contextlib.suppress(Exception):
                async with asyncio.timeout(2):
                    await writer
        writer.cancel()
    return ws
