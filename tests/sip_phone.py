"""A small SIP phone over UDP for in-process tests: register, call, answer, hang up, send RTP.

It is built on Cordboard's own sans-IO message classes and digest client, and talks to a running
SIP service over real loopback sockets. Interop with other implementations is tested with SIPp and
baresip in tests/interop; this phone is for driving the engine's own behaviour quickly.
"""

from __future__ import annotations

import asyncio
import secrets
import struct
from dataclasses import dataclass, field

from cordboard.core.sip.auth import authorization_for, parse_challenges, select_challenge
from cordboard.core.sip.headers import Headers
from cordboard.core.sip.message import SipRequest, SipResponse, make_response, parse_message
from cordboard.core.sip.sdp import parse_sdp
from cordboard.core.sip.uri import NameAddr, parse_uri

Address = tuple[str, int]
KEPT_ON_RETRY = (
    "Expires",
    "Session-Expires",
    "Min-SE",
    "Supported",
    "Require",
    "Allow",
    "Event",
    "Accept",
    "Replaces",
    "User-Agent",
)
"""Headers a request keeps when it is sent again with credentials."""


def sdp_offer(port: int, *, direction: str = "sendrecv", host: str = "127.0.0.1") -> bytes:
    return (
        f"v=0\r\no=phone 1 1 IN IP4 {host}\r\ns=-\r\nc=IN IP4 {host}\r\nt=0 0\r\n"
        f"m=audio {port} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n"
        f"a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na={direction}\r\n"
    ).encode()


def rtp_packet(seq: int, payload: bytes = b"\xff" * 160, ssrc: int = 0x1234) -> bytes:
    return struct.pack("!BBHII", 0x80, 0, seq & 0xFFFF, seq * 160, ssrc) + payload


def media_address(body: bytes) -> Address:
    """Where the SDP in ``body`` says to send audio."""
    sdp = parse_sdp(body)
    media = next(m for m in sdp.media if m.media == "audio")
    connection = sdp.connection_for(media)
    assert connection is not None
    return connection.address, media.port


def _target(invite: SipRequest, response: SipResponse) -> object:
    contacts = response.contacts
    return contacts[0].uri if contacts and contacts != "*" else invite.uri


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, queue: asyncio.Queue[tuple[bytes, Address]]) -> None:
        self.queue = queue

    def datagram_received(self, data: bytes, addr: Address) -> None:
        self.queue.put_nowait((data, addr))


@dataclass
class Dialog:
    call_id: str
    local: str
    remote: str
    remote_target: str
    cseq: int = 1


@dataclass
class TestPhone:
    """One UDP SIP user agent with one RTP socket."""

    username: str
    password: str
    server: Address
    host: str = "127.0.0.1"
    messages: asyncio.Queue[tuple[bytes, Address]] = field(default_factory=asyncio.Queue)
    rtp_in: asyncio.Queue[tuple[bytes, Address]] = field(default_factory=asyncio.Queue)
    port: int = 0
    rtp_port: int = 0
    _sip: asyncio.DatagramTransport | None = None
    _rtp: asyncio.DatagramTransport | None = None
    _pending: list[SipRequest | SipResponse] = field(default_factory=list)

    __test__ = False  # not a pytest class

    async def open(self) -> TestPhone:
        loop = asyncio.get_running_loop()
        self._sip, _ = await loop.create_datagram_endpoint(
            lambda: _Protocol(self.messages), local_addr=(self.host, 0)
        )
        self._rtp, _ = await loop.create_datagram_endpoint(
            lambda: _Protocol(self.rtp_in), local_addr=(self.host, 0)
        )
        self.port = self._sip.get_extra_info("sockname")[1]
        self.rtp_port = self._rtp.get_extra_info("sockname")[1]
        return self

    def close(self) -> None:
        for transport in (self._sip, self._rtp):
            if transport is not None:
                transport.close()

    @property
    def contact(self) -> str:
        return f"<sip:{self.username}@{self.host}:{self.port}>"

    def send(self, message: SipRequest | SipResponse, addr: Address | None = None) -> None:
        assert self._sip is not None
        self._sip.sendto(bytes(message), addr or self.server)

    def send_rtp(self, data: bytes, addr: Address) -> None:
        assert self._rtp is not None
        self._rtp.sendto(data, addr)

    async def receive(self, wait: float = 5.0) -> SipRequest | SipResponse:
        if self._pending:
            return self._pending.pop(0)
        data, _addr = await asyncio.wait_for(self.messages.get(), wait)
        return parse_message(data)

    async def response_to(self, request: SipRequest, wait: float = 5.0) -> SipResponse:
        """The next final (or 1xx if none comes) response to ``request``, skipping 100 Trying."""
        deadline = asyncio.get_running_loop().time() + wait
        skipped: list[SipRequest | SipResponse] = []
        try:
            while True:
                left = deadline - asyncio.get_running_loop().time()
                message = await self.receive(max(left, 0.01))
                if (
                    isinstance(message, SipResponse)
                    and message.call_id == request.call_id
                    and message.cseq.method == request.method
                    and message.cseq.seq == request.cseq.seq
                ):
                    if message.status >= 200:
                        return message
                    if message.status > 100:
                        return message
                    continue
                skipped.append(message)
        finally:
            self._pending.extend(skipped)

    async def final_response(self, request: SipRequest, wait: float = 5.0) -> SipResponse:
        while True:
            response = await self.response_to(request, wait)
            if response.status >= 200:
                return response

    async def wait_request(self, method: str, wait: float = 5.0) -> SipRequest:
        deadline = asyncio.get_running_loop().time() + wait
        skipped: list[SipRequest | SipResponse] = []
        try:
            while True:
                left = deadline - asyncio.get_running_loop().time()
                message = await self.receive(max(left, 0.01))
                if isinstance(message, SipRequest) and message.method == method:
                    return message
                skipped.append(message)
        finally:
            self._pending.extend(skipped)

    def new_request(
        self,
        method: str,
        uri: str,
        *,
        to: str | None = None,
        call_id: str | None = None,
        cseq: int = 1,
        from_tag: str | None = None,
        body: bytes = b"",
        extra: dict[str, str] | None = None,
    ) -> SipRequest:
        headers = Headers()
        headers.add("Via", f"SIP/2.0/UDP {self.host}:{self.port};branch=z9hG4bK{secrets.token_hex(6)};rport")
        headers.add("Max-Forwards", "70")
        headers.add("From", f"<sip:{self.username}@{self.server[0]}>;tag={from_tag or secrets.token_hex(4)}")
        headers.add("To", to or f"<{uri}>")
        headers.add("Call-ID", call_id or secrets.token_hex(8))
        headers.add("CSeq", f"{cseq} {method}")
        headers.add("Contact", self.contact)
        for name, value in (extra or {}).items():
            headers.add(name, value)
        if body:
            headers.add("Content-Type", "application/sdp")
        headers.add("Content-Length", str(len(body)))
        return SipRequest(method, parse_uri(uri), headers, body)

    def authorize(self, request: SipRequest, challenge_response: SipResponse) -> SipRequest:
        """A copy of ``request`` with the next CSeq, a new branch and credentials for the challenge."""
        proxy = challenge_response.status == 407
        name = "Proxy-Authenticate" if proxy else "WWW-Authenticate"
        challenges = [c for v in challenge_response.headers.get_all(name) for c in parse_challenges(v)]
        challenge = select_challenge(challenges)
        assert challenge is not None, challenge_response
        retry = self.new_request(
            request.method,
            str(request.uri),
            to=request.headers.get("To"),
            call_id=request.call_id,
            cseq=request.cseq.seq + 1,
            from_tag=request.from_tag,
            body=request.body,
            extra={name: value for name in KEPT_ON_RETRY if (value := request.headers.get(name)) is not None},
        )
        value = authorization_for(
            challenge,
            username=self.username,
            password=self.password,
            method=request.method,
            uri=str(request.uri),
        )
        retry.headers.add("Proxy-Authorization" if proxy else "Authorization", value)
        return retry

    async def register(self, expires: int = 300, user_agent: str | None = None) -> SipResponse:
        extra = {"Expires": str(expires)}
        if user_agent is not None:
            extra["User-Agent"] = user_agent
        request = self.new_request(
            "REGISTER",
            f"sip:{self.server[0]}:{self.server[1]}",
            to=f"<sip:{self.username}@{self.server[0]}>",
            extra=extra,
        )
        self.send(request)
        response = await self.final_response(request)
        if response.status == 401:
            request = self.authorize(request, response)
            self.send(request)
            response = await self.final_response(request)
        return response

    async def subscribe(self, target: str, event: str, expires: int = 600) -> tuple[SipRequest, SipResponse]:
        """SUBSCRIBE to ``event`` of ``target`` (an extension), answering the 407: the request
        as last sent and its final response."""
        uri = f"sip:{target}@{self.server[0]}:{self.server[1]}"
        request = self.new_request("SUBSCRIBE", uri, extra={"Event": event, "Expires": str(expires)})
        self.send(request)
        response = await self.final_response(request)
        if response.status == 407:
            request = self.authorize(request, response)
            self.send(request)
            response = await self.final_response(request)
        return request, response

    async def notified(self, wait: float = 2.0, status: int = 200) -> SipRequest:
        """The next NOTIFY, answered with ``status``."""
        notify = await self.wait_request("NOTIFY", wait=wait)
        self.answer(notify, status, to_tag="")
        return notify

    async def call(
        self, number: str, body: bytes | None = None, extra: dict[str, str] | None = None
    ) -> tuple[SipRequest, SipResponse]:
        """INVITE ``number`` (answering the 407) and return the INVITE and its final response.

        A 2xx is ACKed (with no body: for a late offer, use ``ack`` yourself after ``invite``).
        ``extra``: more headers for the INVITE.
        """
        invite, response = await self.invite(number, body, extra)
        if response.status < 300:
            self.ack(invite, response)
        return invite, response

    async def invite(
        self, number: str, body: bytes | None = None, extra: dict[str, str] | None = None
    ) -> tuple[SipRequest, SipResponse]:
        uri = f"sip:{number}@{self.server[0]}:{self.server[1]}"
        offer = sdp_offer(self.rtp_port) if body is None else body
        invite = self.new_request("INVITE", uri, body=offer, extra=extra)
        self.send(invite)
        response = await self.final_response(invite)
        if response.status == 407:
            self.send(self._ack_for_error(invite, response))
            invite = self.authorize(invite, response)
            self.send(invite)
            response = await self.final_response(invite, wait=10)
        return invite, response

    async def invite_early(self, number: str) -> tuple[SipRequest, SipResponse]:
        """INVITE ``number`` (answering the 407); the INVITE and its first response above 100
        (180 or 183 with early media, or a final one). ``final_response`` waits for the rest."""
        uri = f"sip:{number}@{self.server[0]}:{self.server[1]}"
        invite = self.new_request("INVITE", uri, body=sdp_offer(self.rtp_port))
        self.send(invite)
        response = await self.final_response(invite)
        if response.status != 407:
            return invite, response
        self.send(self._ack_for_error(invite, response))
        invite = self.authorize(invite, response)
        self.send(invite)
        while True:
            response = await self.response_to(invite, wait=10)
            if response.status > 100:
                return invite, response

    def _ack_for_error(self, invite: SipRequest, response: SipResponse) -> SipRequest:
        ack = self.new_request(
            "ACK",
            str(invite.uri),
            to=response.headers.get("To"),
            call_id=invite.call_id,
            cseq=invite.cseq.seq,
            from_tag=invite.from_tag,
        )
        ack.headers.set("Via", invite.headers.get("Via") or "")
        return ack

    def ack(self, invite: SipRequest, response: SipResponse, body: bytes = b"") -> SipRequest:
        contact = _target(invite, response)
        ack = self.new_request(
            "ACK",
            str(contact),
            to=response.headers.get("To"),
            call_id=invite.call_id,
            cseq=invite.cseq.seq,
            from_tag=invite.from_tag,
            body=body,
        )
        self.send(ack)
        return ack

    def in_dialog(
        self, method: str, invite: SipRequest, response: SipResponse, cseq: int, body: bytes = b""
    ) -> SipRequest:
        """A request in the dialog that ``invite`` / ``response`` (our call) established."""
        contact = _target(invite, response)
        return self.new_request(
            method,
            str(contact),
            to=response.headers.get("To"),
            call_id=invite.call_id,
            cseq=cseq,
            from_tag=invite.from_tag,
            body=body,
        )

    def answer(
        self, request: SipRequest, status: int = 200, body: bytes | None = None, to_tag: str = "callee"
    ) -> SipResponse:
        """Respond to an incoming request from the server (a 2xx to INVITE carries our SDP)."""
        response = make_response(request, status, to_tag=to_tag)
        if request.method == "INVITE" and 200 <= status < 300:
            payload = sdp_offer(self.rtp_port) if body is None else body
            response.headers.add("Contact", self.contact)
            if payload:
                response.headers.add("Content-Type", "application/sdp")
            response.body = payload
        elif status == 180:
            response.headers.add("Contact", self.contact)
        via = request.top_via
        self.send(response, (via.received or via.host, via.rport or via.port or 5060))
        return response

    async def rtp(self, wait: float = 5.0) -> tuple[bytes, Address]:
        return await asyncio.wait_for(self.rtp_in.get(), wait)

    def drain_rtp(self) -> None:
        """Forget the RTP received so far (what a test hears starts now)."""
        while not self.rtp_in.empty():
            self.rtp_in.get_nowait()

    def request_as_callee(self, invite: SipRequest, method: str, cseq: int, body: bytes = b"") -> SipRequest:
        """A request in the dialog of ``invite`` that this phone answered (with ``answer``'s default
        tag), e.g. the callee's BYE or hold re-INVITE."""
        contact = invite.headers.get("Contact")
        assert contact is not None
        return self.new_request(
            method,
            str(NameAddr.parse(contact).uri),
            to=invite.headers.get("From"),
            call_id=invite.call_id,
            cseq=cseq,
            from_tag="callee",
            body=body,
        )
