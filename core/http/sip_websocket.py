"""SIP over WebSocket (RFC 7118) at ``/sip`` on the web UI's ports: ``ws://<appliance>:8123/sip``
and ``wss://<appliance>:8443/sip``, for browser softphones (JsSIP, SIP.js) and other WebSocket
user agents.

The connection is opened without a web log-in: SIP's own digest authentication applies to what
comes over it, exactly as over UDP or TCP. Each WebSocket message is one SIP message (text, or
binary when it is not UTF-8); the connection is attached to the SIP transports as a stream peer
(transport "ws" or "wss"), so registrations over it are reached over it and end with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Final

from aiohttp import WSMsgType, web

from cordboard.core.event_loop import cancel_and_wait
from cordboard.core.http.access import api
from cordboard.core.http.keys import CORE_KEY, OPEN_WEBSOCKETS_KEY
from cordboard.core.sip.message import MAX_MESSAGE_SIZE
from cordboard.core.sip.peer import Peer

_LOGGER = logging.getLogger(__name__)

routes = web.RouteTableDef()

SUBPROTOCOL: Final = "sip"
HEARTBEAT: Final = 30.0
"""Seconds between WebSocket pings; a client that stops answering them is disconnected."""
OUTBOX: Final = 256
"""Messages waiting to be written to one slow client before it is disconnected."""


@routes.get("/sip")
@api(access="public")
async def sip_websocket(request: web.Request) -> web.StreamResponse:
    """SIP over WebSocket (RFC 7118): the ``sip`` subprotocol; SIP digest authentication applies."""
    core = request.app[CORE_KEY]
    sip = core.sip
    if sip is None:
        raise web.HTTPServiceUnavailable(text="SIP is not running")
    ws = web.WebSocketResponse(protocols=(SUBPROTOCOL,), heartbeat=HEARTBEAT, max_msg_size=MAX_MESSAGE_SIZE)
    if ws.can_prepare(request).protocol != SUBPROTOCOL:
        raise web.HTTPBadRequest(text="SIP over WebSocket needs the 'sip' subprotocol (RFC 7118)")
    await ws.prepare(request)
    peername = request.transport.get_extra_info("peername") if request.transport else None
    sockname = request.transport.get_extra_info("sockname") if request.transport else None
    if not peername or not sockname:
        await ws.close()
        return ws
    kind = "wss" if request.secure else "ws"
    peer = Peer(kind, str(peername[0]), int(peername[1]))
    sip.transports.addresses.setdefault(kind, (str(sockname[0]), int(sockname[1])))
    outbox: asyncio.Queue[bytes] = asyncio.Queue(OUTBOX)

    def close() -> None:
        core.create_task(ws.close(), "close a SIP WebSocket")

    def send(data: bytes) -> None:
        try:
            outbox.put_nowait(data)
        except asyncio.QueueFull:
            _LOGGER.info("SIP WebSocket %s does not read what it is sent: closing it", peer)
            close()

    received = sip.transports.attach(peer, send, close)
    if received is None:
        await ws.close(code=1013, message=b"too many connections")
        return ws
    writer = asyncio.create_task(_write(ws, outbox))
    request.app[OPEN_WEBSOCKETS_KEY].add(ws)
    _LOGGER.debug("SIP WebSocket from %s", peer)
    try:
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                received(message.data.encode("utf-8"))
            elif message.type == WSMsgType.BINARY:
                received(message.data)
    finally:
        request.app[OPEN_WEBSOCKETS_KEY].discard(ws)
        sip.transports.detach(peer)
        with contextlib.suppress(ConnectionError):
            await cancel_and_wait(writer)
        await ws.close()
    return ws


async def _write(ws: web.WebSocketResponse, outbox: asyncio.Queue[bytes]) -> None:
    """Write the queued messages in order: as text when they are UTF-8, else as binary."""
    while True:
        data = await outbox.get()
        try:
            await ws.send_str(data.decode("utf-8"))
        except UnicodeDecodeError:
            await ws.send_bytes(data)
        except ConnectionError:
            return
