"""B2BUA re-INVITE bookkeeping without a network (the SIPp interop tests drive the real thing)."""

from __future__ import annotations

from unittest.mock import Mock

from cordboard.core.calls.b2bua import B2bua, PendingReinvite
from cordboard.core.sip.message import SipRequest, SipResponse, parse_message

REINVITE = (
    b"INVITE sip:cordboard@127.0.0.1:5060 SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-hold\r\n"
    b"From: <sip:1001@127.0.0.1>;tag=ann\r\n"
    b"To: <sip:1002@127.0.0.1>;tag=pbx\r\n"
    b"Call-ID: hold-1@127.0.0.1\r\n"
    b"CSeq: 3 INVITE\r\n"
    b"Max-Forwards: 70\r\n"
    b"Content-Length: 0\r\n\r\n"
)


def test_a_re_invite_the_other_phone_never_answers_gets_408() -> None:
    """Without this the phone that sent the re-INVITE (hold, say) waits for an answer forever."""
    sip = Mock()
    b2bua = B2bua(Mock(), sip, Mock())
    request = parse_message(REINVITE)
    assert isinstance(request, SipRequest)
    forward = Mock()
    b2bua._reinvites[forward] = PendingReinvite(Mock(), "a", "server-key", request)
    b2bua._reinvite_requests[forward] = request

    b2bua.on_timeout(forward)

    sip.respond.assert_called_once()
    key, response = sip.respond.call_args.args
    assert key == "server-key"
    assert isinstance(response, SipResponse)
    assert response.status == 408
    assert response.cseq.seq == 3 and response.cseq.method == "INVITE"
    assert not b2bua._reinvites and not b2bua._reinvite_requests
