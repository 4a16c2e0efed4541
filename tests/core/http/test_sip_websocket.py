"""SIP over WebSocket (RFC 7118, issue 3 scope 2): a WebSocket user agent (aiohttp's client, one
SIP message per WebSocket message, Contact host ``*.invalid`` as browsers send) registers with
digest authentication at ``/sip``, is called by a UDP phone through the B2BUA and hangs up; a
malformed message does not close the connection; closing it drops the registration."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientWebSocketResponse, WSMsgType
from aiohttp.test_utils import TestClient
from loopback_pbx import PASSWORDS, registered_phone, running_pbx, wait_for_sip_account
from sip_phone import sdp_offer

from cordboard.core.core import Core
from cordboard.core.http.server import build_app
from cordboard.core.sip.auth import authorization_for, parse_challenges, select_challenge
from cordboard.core.sip.message import SipRequest, SipResponse, make_response, parse_message

ClientFactory = Callable[..., Coroutine[Any, Any, TestClient]]
HOST = "df7jal23ls0d.invalid"


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", 47000, 47099) as core:
        yield core


@pytest.fixture
async def web(pbx: Core, aiohttp_client: ClientFactory) -> TestClient:
    return await aiohttp_client(build_app(pbx))


class WsPhone:
    """ann's browser-style phone: SIP over one WebSocket."""

    def __init__(self, ws: ClientWebSocketResponse) -> None:
        self.ws = ws
        self.call_id = secrets.token_hex(8)
        self.tag = secrets.token_hex(4)
        self.cseq = 0

    def request(self, method: str, uri: str, *, to: str, extra: dict[str, str] | None = None) -> str:
        self.cseq += 1
        headers = {
            "Via": f"SIP/2.0/WS {HOST};branch=z9hG4bK{secrets.token_hex(6)}",
            "Max-Forwards": "70",
            "From": f"<sip:ann@127.0.0.1>;tag={self.tag}",
            "To": to,
            "Call-ID": self.call_id,
            "CSeq": f"{self.cseq} {method}",
            "Contact": f"<sip:ann@{HOST};transport=ws>",
            **(extra or {}),
            "Content-Length": "0",
        }
        return f"{method} {uri} SIP/2.0\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"

    async def receive(self) -> SipRequest | SipResponse:
        message = await asyncio.wait_for(self.ws.receive(), 5)
        assert message.type == WSMsgType.TEXT, message
        return parse_message(message.data.encode())

    async def final(self) -> SipResponse:
        while True:
            message = await self.receive()
            if isinstance(message, SipResponse) and message.status >= 200:
                return message

    async def register(self, expires: int = 300) -> SipResponse:
        return await self.authenticated(
            "REGISTER", "sip:127.0.0.1", "<sip:ann@127.0.0.1>", {"Expires": str(expires)}
        )

    async def authenticated(self, method: str, uri: str, to: str, extra: dict[str, str]) -> SipResponse:
        """``method`` answered with a challenge, then sent again with ann's credentials: the answer."""
        await self.ws.send_str(self.request(method, uri, to=to, extra=extra))
        challenge = await self.final()
        assert challenge.status in (401, 407), challenge
        name = "WWW-Authenticate" if challenge.status == 401 else "Proxy-Authenticate"
        chosen = select_challenge(parse_challenges(challenge.headers.get(name) or ""))
        assert chosen is not None
        credentials = authorization_for(
            chosen, username="ann", password=PASSWORDS["ann"], method=method, uri=uri
        )
        header = "Authorization" if challenge.status == 401 else "Proxy-Authorization"
        await self.ws.send_str(self.request(method, uri, to=to, extra={**extra, header: credentials}))
        return await self.final()

    async def answer(self, request: SipRequest, status: int, body: bytes = b"") -> None:
        response = make_response(request, status, to_tag="ws-ann")
        if body:
            response.headers.set("Contact", f"<sip:ann@{HOST};transport=ws>")
            response.headers.set("Content-Type", "application/sdp")
            response.body = body
        await self.ws.send_str(bytes(response).decode())


async def test_without_the_sip_subprotocol_the_upgrade_is_refused(web: TestClient) -> None:
    response = await web.get(
        "/sip",
        headers={
            "Connection": "Upgrade",
            "Upgrade": "websocket",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        },
    )
    assert response.status == 400
    assert "subprotocol" in await response.text()


async def softphone_for_everyone(pbx: Core) -> None:
    """TERM-06: the organisation lets its users log in with a softphone in the browser."""
    assert pbx.call_preferences is not None
    await pbx.settings.set("org", None, "core.softphone", True)
    await pbx.call_preferences.refresh()


async def test_term_06_the_softphone_logs_in_only_once_an_admin_turns_it_on(
    pbx: Core, web: TestClient
) -> None:
    await wait_for_sip_account(pbx, "ann")
    ws = await web.ws_connect("/sip", protocols=("sip",))
    ann = WsPhone(ws)
    refused = await ann.register()
    assert (refused.status, refused.reason) == (403, "Forbidden - Softphone Not Enabled For This User")
    assert pbx.sip is not None and pbx.sip.location.bindings(1, 0) == []
    call = await ann.authenticated("INVITE", "sip:1002@127.0.0.1", "<sip:1002@127.0.0.1>", {})
    assert call.status == 403, call

    ann_id = (await pbx.identity.get_user_by_username("ann")).id
    await pbx.settings.set("user", ann_id, "core.softphone", True)
    for _ in range(100):
        if pbx.call_preferences.softphone_allowed(ann_id):
            break
        await asyncio.sleep(0.02)
    assert (await ann.register()).status == 200
    await ws.close()


async def test_a_websocket_phone_registers_is_called_and_hangs_up(pbx: Core, web: TestClient) -> None:
    await wait_for_sip_account(pbx, "ann")
    await softphone_for_everyone(pbx)
    ws = await web.ws_connect("/sip", protocols=("sip",))
    assert ws.protocol == "sip"
    ann = WsPhone(ws)
    ok = await ann.register()
    assert ok.status == 200, ok
    assert pbx.sip is not None
    (binding,) = pbx.sip.location.bindings(1, 0)
    assert binding.transport == "ws" and HOST in binding.contact

    # Nonsense over the connection gets no answer it could use, and the connection stays.
    await ws.send_str("this is not SIP\r\n\r\n")
    await ws.send_str(ann.request("OPTIONS", "sip:127.0.0.1", to="<sip:127.0.0.1>"))
    options = await ann.final()
    assert options.status == 200

    bo = await registered_phone(pbx, "bo")
    try:
        calling = asyncio.create_task(bo.call("1001"))
        invite = await ann.receive()
        assert isinstance(invite, SipRequest) and invite.method == "INVITE"
        assert invite.top_via.transport.upper() == "WS"
        await ann.answer(invite, 180)
        await ann.answer(invite, 200, sdp_offer(40000))
        ack = await ann.receive()
        assert isinstance(ack, SipRequest) and ack.method == "ACK"
        bo_invite, bo_ok = await calling
        assert bo_ok.status == 200
        bye = bo.in_dialog("BYE", bo_invite, bo_ok, cseq=bo_invite.cseq.seq + 1)
        bo.send(bye)
        ann_bye = await ann.receive()
        assert isinstance(ann_bye, SipRequest) and ann_bye.method == "BYE"
        await ann.answer(ann_bye, 200)
        assert (await bo.final_response(bye)).status == 200
    finally:
        bo.close()

    # The connection closes: its registration goes with it.
    await ws.close()
    for _ in range(50):
        if not pbx.sip.location.bindings(1, 0):
            break
        await asyncio.sleep(0.02)
    assert not pbx.sip.location.bindings(1, 0)
