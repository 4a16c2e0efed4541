"""A blocking SIP phone over UDP for the end-to-end tests: register, call, answer, hang up.

It speaks just enough SIP to drive a real `cordboard run` the way a desk phone does, so the web UI
shows real registrations and live calls. It uses Cordboard's own message parser and digest client
(cordboard.core.sip.auth); audio is not sent.
"""

from __future__ import annotations

import secrets
import socket
import time
from dataclasses import dataclass

from cordboard.core.sip.auth import authorization_for, parse_challenges, select_challenge
from cordboard.core.sip.message import SipRequest, SipResponse, make_response, parse_message

Address = tuple[str, int]
USER_AGENT = "Cordboard-E2E-Phone/1.0"


def sdp(port: int) -> str:
    return (
        f"v=0\r\no=phone 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        f"m=audio {port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n"
    )


@dataclass
class Dialog:
    """Enough of a dialog to send ACK and BYE in it."""

    call_id: str
    local: str  # our From (or To) header value, with our tag
    remote: str  # the other side's header value, with its tag
    target: Address
    cseq: int


class Phone:
    """One SIP user agent on its own loopback UDP port."""

    def __init__(self, server: Address, username: str, password: str, user_agent: str = USER_AGENT) -> None:
        self.server = server
        self.username = username
        self.password = password
        self.user_agent = user_agent
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = int(self.sock.getsockname()[1])
        self.domain = f"{server[0]}:{server[1]}"
        self.register_call_id = secrets.token_hex(8)
        self.register_tag = secrets.token_hex(4)
        self.cseq = 0
        self.backlog: list[SipRequest | SipResponse] = []

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> Phone:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transport --------------------------------------------------------------------------------
    def send(self, message: SipRequest | SipResponse | str, to: Address | None = None) -> None:
        data = message.encode() if isinstance(message, str) else bytes(message)
        self.sock.sendto(data, to or self.server)

    def _receive(self, deadline: float) -> SipRequest | SipResponse:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{self.username}: no SIP message in time")
            self.sock.settimeout(remaining)
            try:
                data, _ = self.sock.recvfrom(65536)
            except TimeoutError:
                continue
            if data.strip():
                return parse_message(data)

    def wait(
        self, match: type[SipRequest] | type[SipResponse], test: object, timeout: float = 5.0
    ) -> SipRequest | SipResponse:
        """The first message of type ``match`` for which ``test(message)`` is true; others wait their turn."""
        assert callable(test)
        for i, message in enumerate(self.backlog):
            if isinstance(message, match) and test(message):
                return self.backlog.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            message = self._receive(deadline)
            if isinstance(message, match) and test(message):
                return message
            self.backlog.append(message)

    def response(self, call_id: str, cseq: int, method: str, *, final: bool = True) -> SipResponse:
        def test(m: SipResponse) -> bool:
            return (
                m.call_id == call_id
                and m.cseq.seq == cseq
                and m.cseq.method == method
                and (m.status >= 200 or (not final and m.status > 100))
            )

        found = self.wait(SipResponse, test)
        assert isinstance(found, SipResponse)
        return found

    def wait_request(self, method: str, timeout: float = 5.0) -> SipRequest:
        found = self.wait(SipRequest, lambda m: m.method == method, timeout)
        assert isinstance(found, SipRequest)
        return found

    # -- requests ---------------------------------------------------------------------------------
    def _request(
        self,
        method: str,
        uri: str,
        *,
        call_id: str,
        from_: str,
        to: str,
        cseq: int,
        cseq_method: str | None = None,
        branch: str | None = None,
        extra: tuple[str, ...] = (),
        body: str = "",
    ) -> str:
        branch = branch or "z9hG4bK" + secrets.token_hex(8)
        lines = [
            f"{method} {uri} SIP/2.0",
            f"Via: SIP/2.0/UDP 127.0.0.1:{self.port};branch={branch};rport",
            "Max-Forwards: 70",
            f"From: {from_}",
            f"To: {to}",
            f"Call-ID: {call_id}",
            f"CSeq: {cseq} {cseq_method or method}",
            f"Contact: <sip:{self.username}@127.0.0.1:{self.port}>",
            f"User-Agent: {self.user_agent}",
            *extra,
        ]
        if body:
            lines.append("Content-Type: application/sdp")
        lines.append(f"Content-Length: {len(body.encode())}")
        return "\r\n".join(lines) + "\r\n\r\n" + body

    def _authorize(self, challenge: SipResponse, method: str, uri: str) -> str:
        header = "Proxy-Authenticate" if challenge.status == 407 else "WWW-Authenticate"
        chosen = select_challenge(parse_challenges(", ".join(challenge.headers.get_all(header))))
        assert chosen is not None, f"no usable challenge in {challenge!r}"
        value = authorization_for(
            chosen, username=self.username, password=self.password, method=method, uri=uri
        )
        return f"{'Proxy-Authorization' if challenge.status == 407 else 'Authorization'}: {value}"

    def register(self, expires: int = 300) -> SipResponse:
        """REGISTER (answering the digest challenge); returns the final response."""
        uri = f"sip:{self.domain}"
        aor = f"<sip:{self.username}@{self.domain}>"
        extra: tuple[str, ...] = (f"Expires: {expires}",)
        response: SipResponse | None = None
        for _ in range(2):
            self.cseq += 1
            self.send(
                self._request(
                    "REGISTER",
                    uri,
                    call_id=self.register_call_id,
                    from_=f"{aor};tag={self.register_tag}",
                    to=aor,
                    cseq=self.cseq,
                    extra=extra,
                )
            )
            response = self.response(self.register_call_id, self.cseq, "REGISTER")
            if response.status != 401:
                return response
            extra = (f"Expires: {expires}", self._authorize(response, "REGISTER", uri))
        assert response is not None
        return response

    def call(self, number: str) -> tuple[SipResponse, Dialog]:
        """INVITE ``number`` (answering the 407) and wait for the final response.

        Provisional responses are skipped; use :meth:`start_call` and :meth:`finish_call` to act
        while the callee rings.
        """
        invite = self.start_call(number)
        return self.finish_call(invite)

    def start_call(self, number: str) -> dict[str, str | int]:
        """Send the INVITE (answering the 407); returns what :meth:`finish_call` needs."""
        uri = f"sip:{number}@{self.domain}"
        call_id = secrets.token_hex(10)
        from_ = f"<sip:{self.username}@{self.domain}>;tag={secrets.token_hex(4)}"
        to = f"<sip:{number}@{self.domain}>"
        body = sdp(self.port + 2)
        branch = ""
        challenge: SipResponse | None = None
        for _ in range(2):
            self.cseq += 1
            branch = "z9hG4bK" + secrets.token_hex(8)
            extra = (self._authorize(challenge, "INVITE", uri),) if challenge else ()
            self.send(
                self._request(
                    "INVITE",
                    uri,
                    call_id=call_id,
                    from_=from_,
                    to=to,
                    cseq=self.cseq,
                    branch=branch,
                    extra=extra,
                    body=body,
                )
            )
            if challenge is not None:
                break
            challenge = self.response(call_id, self.cseq, "INVITE")
            assert challenge.status == 407, challenge
            ack_to = challenge.headers.get("To") or to
            # ACK the 407 in the INVITE's transaction (RFC 3261 17.1.1.3).
            self.send(
                self._request(
                    "ACK", uri, call_id=call_id, from_=from_, to=ack_to, cseq=self.cseq, branch=branch
                )
            )
        return {"call_id": call_id, "from": from_, "uri": uri, "cseq": self.cseq, "branch": branch}

    def finish_call(self, invite: dict[str, str | int], timeout: float = 10.0) -> tuple[SipResponse, Dialog]:
        call_id, cseq = str(invite["call_id"]), int(invite["cseq"])

        def test(m: SipResponse) -> bool:
            return m.call_id == call_id and m.cseq.seq == cseq and m.status >= 200

        final = self.wait(SipResponse, test, timeout)
        assert isinstance(final, SipResponse)
        to = final.headers.get("To") or ""
        dialog = Dialog(call_id, str(invite["from"]), to, self.server, cseq)
        # The ACK of a 2xx is a new transaction; the ACK of an error is part of the INVITE's.
        branch = None if final.status < 300 else str(invite["branch"])
        self.send(
            self._request(
                "ACK",
                str(invite["uri"]),
                call_id=call_id,
                from_=dialog.local,
                to=to,
                cseq=cseq,
                branch=branch,
            )
        )
        return final, dialog

    def ring(self, invite: SipRequest) -> str:
        """Reply 180 Ringing to an incoming INVITE; returns the To tag for the final response."""
        tag = secrets.token_hex(4)
        ringing = make_response(invite, 180, to_tag=tag)
        ringing.headers.set("Contact", f"<sip:{self.username}@127.0.0.1:{self.port}>")
        self.send(ringing)
        return tag

    def pick_up(self, invite: SipRequest, tag: str) -> Dialog:
        """Reply 200 OK with SDP to an incoming INVITE that rings (see :meth:`ring`)."""
        ok = make_response(invite, 200, to_tag=tag)
        ok.headers.set("Contact", f"<sip:{self.username}@127.0.0.1:{self.port}>")
        ok.headers.set("Content-Type", "application/sdp")
        ok.body = sdp(self.port + 2).encode()
        self.send(ok)
        return Dialog(
            invite.call_id, ok.headers.get("To") or "", invite.headers.get("From") or "", self.server, 0
        )

    def answer_reinvite(self, dialog: Dialog, timeout: float = 5.0) -> SipRequest:
        """Answer the appliance's re-INVITE in ``dialog`` (it takes the call's media over, as before
        a transfer) with 200 OK and SDP, and wait for its ACK; returns the re-INVITE."""

        def in_dialog(m: SipRequest) -> bool:
            return m.method == "INVITE" and m.call_id == dialog.call_id and m.to_tag is not None

        reinvite = self.wait(SipRequest, in_dialog, timeout)
        assert isinstance(reinvite, SipRequest)
        ok = make_response(reinvite, 200)
        ok.headers.set("Contact", f"<sip:{self.username}@127.0.0.1:{self.port}>")
        ok.headers.set("Content-Type", "application/sdp")
        ok.body = sdp(self.port + 2).encode()
        self.send(ok)

        def ack(m: SipRequest) -> bool:
            return m.method == "ACK" and m.call_id == dialog.call_id and m.cseq.seq == reinvite.cseq.seq

        self.wait(SipRequest, ack, timeout)
        # Retransmissions of the re-INVITE that crossed the 200 are not waited for later.
        self.backlog = [m for m in self.backlog if not (isinstance(m, SipRequest) and in_dialog(m))]
        return reinvite

    def hang_up(self, dialog: Dialog) -> SipResponse:
        """BYE in ``dialog``; returns the final response."""
        dialog.cseq += 1
        self.send(
            self._request(
                "BYE",
                f"sip:{self.domain}",
                call_id=dialog.call_id,
                from_=dialog.local,
                to=dialog.remote,
                cseq=dialog.cseq,
            ),
            dialog.target,
        )
        return self.response(dialog.call_id, dialog.cseq, "BYE")

    def accept_bye(self, timeout: float = 5.0) -> SipRequest:
        """Wait for a BYE and answer 200 OK."""
        bye = self.wait_request("BYE", timeout)
        self.send(make_response(bye, 200))
        return bye
