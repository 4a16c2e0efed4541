"""RFC 3261 17 transactions with a fake clock: every state, every timer, matching and endpoint pairs."""

from __future__ import annotations

import random

import pytest

from cordboard.core.sip.errors import TransactionError
from cordboard.core.sip.events import (
    AckReceived,
    RequestReceived,
    ResponseReceived,
    StrayResponse,
    TransactionEvent,
    TransactionKey,
    TransactionTerminated,
    TransactionTimedOut,
)
from cordboard.core.sip.message import SipRequest, SipResponse, make_cancel, make_response, parse_message
from cordboard.core.sip.peer import Peer
from cordboard.core.sip.transaction import (
    TimerConfig,
    TransactionLayer,
    TransactionState,
    make_non2xx_ack,
    new_branch,
    server_key,
)

S = TransactionState
SERVER_UDP = Peer("udp", "192.0.2.2", 5060)
CLIENT_UDP = Peer("udp", "192.0.2.1", 5070)
SERVER_TCP = Peer("tcp", "192.0.2.2", 5060)
CLIENT_TCP = Peer("tcp", "192.0.2.1", 40001)


def make_request(
    method: str = "INVITE",
    *,
    branch: str | None = "z9hG4bKclient1",
    transport: str = "UDP",
    cseq: int = 1,
    to_tag: str | None = None,
    rport: bool = False,
) -> SipRequest:
    branch_param = f";branch={branch}" if branch else ""
    rport_param = ";rport" if rport else ""
    to = "<sip:bob@192.0.2.2>" + (f";tag={to_tag}" if to_tag else "")
    data = (
        f"{method} sip:bob@192.0.2.2 SIP/2.0\r\n"
        f"Via: SIP/2.0/{transport} 192.0.2.1:5070{branch_param}{rport_param}\r\n"
        f"Max-Forwards: 70\r\nFrom: <sip:alice@192.0.2.1>;tag=a1\r\nTo: {to}\r\n"
        f"Call-ID: call-1@192.0.2.1\r\nCSeq: {cseq} {method}\r\n"
        "Route: <sip:proxy.example.com;lr>\r\nContact: <sip:alice@192.0.2.1:5070>\r\n"
        "Content-Length: 0\r\n\r\n"
    ).encode()
    message = parse_message(data)
    assert isinstance(message, SipRequest)
    return message


def drain(layer: TransactionLayer) -> list[TransactionEvent]:
    events = []
    while (event := layer.next_event()) is not None:
        events.append(event)
    return events


def sent(layer: TransactionLayer) -> list[SipRequest | SipResponse]:
    return [parse_message(data) for data, _ in layer.datagrams_to_send()]


def run_until(layer: TransactionLayer, end: float) -> list[float]:
    """Fire timers up to ``end``; return the times at which something was sent."""
    times = []
    while (deadline := layer.get_timer()) is not None and deadline <= end:
        layer.handle_timer(deadline)
        if layer.datagrams_to_send():
            times.append(deadline)
    return times


def incoming(request: SipRequest, layer: TransactionLayer, now: float = 0.0, peer: Peer = CLIENT_UDP):
    layer.receive(request, peer, now)
    events = drain(layer)
    assert isinstance(events[0], RequestReceived)
    return events[0].key


# --- INVITE client (RFC 3261 17.1.1) --------------------------------------------------------------


def test_invite_client_timer_a_doubles_until_timer_b() -> None:
    """17.1.1.2: A starts at T1 and doubles (no cap) while Calling; B = 64*T1 times out."""
    layer = TransactionLayer()
    key = layer.send_request(make_request(), SERVER_UDP, 0.0)
    assert [p for _, p in layer.datagrams_to_send()] == [SERVER_UDP]
    assert layer.state_of(key) is S.CALLING
    assert run_until(layer, 31.9) == [0.5, 1.5, 3.5, 7.5, 15.5, 31.5]
    assert drain(layer) == []
    assert layer.get_timer() == 32.0
    layer.handle_timer(32.0)
    assert drain(layer) == [TransactionTimedOut(key), TransactionTerminated(key)]
    assert layer.state_of(key) is None and layer.get_timer() is None
    assert layer.stats["retransmissions"] == 6


def test_invite_client_provisional_stops_retransmissions_and_timer_b() -> None:
    layer = TransactionLayer()
    request = make_request()
    key = layer.send_request(request, SERVER_UDP, 0.0)
    layer.datagrams_to_send()
    ringing = make_response(request, 180, to_tag="b1")
    layer.receive(ringing, SERVER_UDP, 0.2)
    assert drain(layer) == [ResponseReceived(key, ringing)]
    assert layer.state_of(key) is S.PROCEEDING
    assert layer.get_timer() is None  # no timer C: only a proxy runs it
    layer.receive(make_response(request, 183, to_tag="b1"), SERVER_UDP, 0.3)
    assert isinstance(drain(layer)[0], ResponseReceived)


def test_invite_client_non_2xx_builds_and_repeats_the_ack() -> None:
    """17.1.1.3: the transaction ACKs 300-699 itself; Completed re-ACKs retransmissions; D ends it."""
    layer = TransactionLayer()
    request = make_request()
    key = layer.send_request(request, SERVER_UDP, 0.0)
    layer.datagrams_to_send()
    busy = make_response(request, 486, to_tag="b1")
    layer.receive(busy, SERVER_UDP, 1.0)
    assert drain(layer) == [ResponseReceived(key, busy)]
    assert layer.state_of(key) is S.COMPLETED
    (ack,) = sent(layer)
    assert isinstance(ack, SipRequest) and ack.method == "ACK"
    assert ack.uri == request.uri
    assert ack.headers.get_all("Via") == request.headers.get_all("Via")
    assert ack.to.tag == "b1" and ack.from_tag == "a1"
    assert (ack.cseq.seq, ack.cseq.method) == (1, "ACK")
    assert ack.call_id == request.call_id
    assert ack.headers.get_all("Route") == ["<sip:proxy.example.com;lr>"]
    layer.receive(busy, SERVER_UDP, 2.0)
    assert drain(layer) == []
    assert [m.method for m in sent(layer)] == ["ACK"]  # type: ignore[union-attr]
    assert layer.get_timer() == 33.0  # Timer D = 32 s after the first final
    layer.handle_timer(33.0)
    assert drain(layer) == [TransactionTerminated(key)]


def test_invite_client_2xx_enters_accepted_and_passes_retransmissions() -> None:
    """RFC 6026 7.2: 2xx retransmissions reach the TU (it re-sends its ACK) until timer M."""
    layer = TransactionLayer()
    request = make_request()
    key = layer.send_request(request, SERVER_UDP, 0.0)
    layer.datagrams_to_send()
    ok = make_response(request, 200, to_tag="b1")
    layer.receive(ok, SERVER_UDP, 0.1)
    assert drain(layer) == [ResponseReceived(key, ok)]
    assert layer.state_of(key) is S.ACCEPTED
    assert layer.datagrams_to_send() == []  # the TU builds the ACK of a 2xx (13.2.2.4)
    layer.receive(ok, SERVER_UDP, 0.6)
    assert drain(layer) == [ResponseReceived(key, ok)]
    layer.receive(make_response(request, 486, to_tag="b2"), SERVER_UDP, 0.7)
    assert drain(layer) == []
    layer.handle_timer(32.1)
    assert drain(layer) == [TransactionTerminated(key)]
    layer.receive(ok, SERVER_UDP, 33.0)
    assert drain(layer) == [StrayResponse(ok)]


def test_invite_client_over_tcp_has_no_retransmissions_and_no_timer_d() -> None:
    layer = TransactionLayer()
    request = make_request(transport="TCP")
    layer.send_request(request, SERVER_TCP, 0.0)
    layer.datagrams_to_send()
    assert layer.get_timer() == 32.0  # only B
    layer.receive(make_response(request, 404, to_tag="x"), SERVER_TCP, 1.0)
    assert [type(e) for e in drain(layer)] == [ResponseReceived, TransactionTerminated]
    assert [m.method for m in sent(layer)] == ["ACK"]  # type: ignore[union-attr]


def test_invite_client_tcp_timeout() -> None:
    layer = TransactionLayer()
    key = layer.send_request(make_request(transport="TCP"), SERVER_TCP, 0.0)
    layer.datagrams_to_send()
    assert run_until(layer, 40.0) == []
    assert drain(layer) == [TransactionTimedOut(key), TransactionTerminated(key)]


# --- non-INVITE client (RFC 3261 17.1.2) ----------------------------------------------------------


def test_non_invite_client_timer_e_doubles_up_to_t2_until_timer_f() -> None:
    layer = TransactionLayer()
    key = layer.send_request(make_request("OPTIONS"), SERVER_UDP, 0.0)
    layer.datagrams_to_send()
    assert layer.state_of(key) is S.TRYING
    times = run_until(layer, 31.99)
    assert times == [0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5]
    layer.handle_timer(32.0)
    assert drain(layer) == [TransactionTimedOut(key), TransactionTerminated(key)]


def test_non_invite_client_proceeding_retransmits_every_t2() -> None:
    """17.1.2.2: in Proceeding, timer E is reset to T2 when it fires."""
    layer = TransactionLayer()
    request = make_request("BYE")
    key = layer.send_request(request, SERVER_UDP, 0.0)
    layer.datagrams_to_send()
    layer.receive(make_response(request, 100), SERVER_UDP, 0.2)
    assert layer.state_of(key) is S.PROCEEDING
    assert run_until(layer, 13.0) == [0.5, 4.5, 8.5, 12.5]


def test_non_invite_client_final_then_timer_k() -> None:
    layer = TransactionLayer()
    request = make_request("BYE")
    key = layer.send_request(request, SERVER_UDP, 0.0)
    layer.datagrams_to_send()
    ok = make_response(request, 200, to_tag="x")
    layer.receive(ok, SERVER_UDP, 1.0)
    assert drain(layer) == [ResponseReceived(key, ok)]
    assert layer.state_of(key) is S.COMPLETED
    layer.receive(ok, SERVER_UDP, 1.5)
    assert drain(layer) == [] and layer.stats["absorbed_responses"] == 1
    assert run_until(layer, 100.0) == []  # no retransmissions after the final response
    assert drain(layer) == [TransactionTerminated(key)]


def test_non_invite_client_timer_k_is_t4() -> None:
    layer = TransactionLayer(timers=TimerConfig(t1=0.1, t2=1.0, t4=2.5))
    request = make_request("BYE")
    key = layer.send_request(request, SERVER_UDP, 0.0)
    layer.receive(make_response(request, 200), SERVER_UDP, 0.05)
    assert layer.get_timer() == pytest.approx(2.55)
    layer.handle_timer(2.55)
    assert layer.state_of(key) is None


def test_non_invite_client_over_tcp_terminates_on_final() -> None:
    layer = TransactionLayer()
    request = make_request("REGISTER", transport="TCP")
    key = layer.send_request(request, SERVER_TCP, 0.0)
    assert layer.get_timer() == 32.0  # F only, no E
    layer.receive(make_response(request, 200), SERVER_TCP, 0.1)
    assert [type(e) for e in drain(layer)] == [ResponseReceived, TransactionTerminated]
    assert layer.state_of(key) is None


def test_custom_t1_scales_every_timer() -> None:
    layer = TransactionLayer(timers=TimerConfig(t1=0.1))
    layer.send_request(make_request(), SERVER_UDP, 0.0)
    assert run_until(layer, 6.0) == pytest.approx([0.1, 0.3, 0.7, 1.5, 3.1])
    assert layer.get_timer() == pytest.approx(6.3)  # A (6.3) and B (6.4)


# --- client misuse and matching (RFC 3261 17.1.3) ---------------------------------------------------


def test_send_request_adds_a_branch_when_missing() -> None:
    layer = TransactionLayer()
    request = make_request(branch=None)
    key = layer.send_request(request, SERVER_UDP, 0.0)
    assert key.branch.startswith("z9hG4bK") and request.top_via.branch == key.branch
    ((data, _),) = layer.datagrams_to_send()
    assert key.branch.encode() in data


def test_send_request_rejects_ack_and_duplicate_branches() -> None:
    layer = TransactionLayer()
    with pytest.raises(TransactionError):
        layer.send_request(make_request("ACK"), SERVER_UDP, 0.0)
    layer.send_request(make_request(), SERVER_UDP, 0.0)
    with pytest.raises(TransactionError):
        layer.send_request(make_request(), SERVER_UDP, 0.0)


def test_response_matches_by_branch_and_cseq_method() -> None:
    """17.1.3: the CANCEL and the INVITE share a branch but are separate transactions."""
    layer = TransactionLayer()
    invite = make_request()
    invite_key = layer.send_request(invite, SERVER_UDP, 0.0)
    layer.receive(make_response(invite, 180, to_tag="b"), SERVER_UDP, 0.1)
    cancel = make_cancel(invite)
    cancel_key = layer.send_request(cancel, SERVER_UDP, 0.2)
    assert cancel_key == invite_key._replace(method="CANCEL")
    drain(layer)
    cancel_ok = make_response(cancel, 200, to_tag="b")
    layer.receive(cancel_ok, SERVER_UDP, 0.3)
    assert drain(layer) == [ResponseReceived(cancel_key, cancel_ok)]
    assert layer.state_of(invite_key) is S.PROCEEDING
    terminated = make_response(invite, 487, to_tag="b")
    layer.receive(terminated, SERVER_UDP, 0.4)
    assert drain(layer) == [ResponseReceived(invite_key, terminated)]


def test_stray_responses_are_reported_and_counted() -> None:
    layer = TransactionLayer()
    invite = make_request()
    layer.send_request(invite, SERVER_UDP, 0.0)
    other = make_response(make_request(branch="z9hG4bKother"), 200)
    wrong_method = make_response(make_request("BYE"), 200)
    for response in (other, wrong_method):
        layer.receive(response, SERVER_UDP, 0.1)
    assert drain(layer) == [StrayResponse(other), StrayResponse(wrong_method)]
    assert layer.stats["stray_responses"] == 2


def test_make_non2xx_ack_matches_17_1_1_3() -> None:
    invite = make_request()
    ack = make_non2xx_ack(invite, make_response(invite, 603, to_tag="t"))
    assert bytes(ack).startswith(b"ACK sip:bob@192.0.2.2 SIP/2.0\r\n")
    assert ack.to.tag == "t" and ack.cseq.method == "ACK" and ack.body == b""


# --- INVITE server (RFC 3261 17.2.1) --------------------------------------------------------------


def test_invite_server_sends_100_and_absorbs_retransmissions() -> None:
    """17.2.1: the 100 Trying goes out when the TU has not answered within the Trying timer."""
    layer = TransactionLayer()
    request = make_request()
    key = incoming(request, layer)
    assert key == TransactionKey("server", "z9hG4bKclient1", "192.0.2.1:5070", "INVITE")
    assert layer.state_of(key) is S.PROCEEDING
    assert sent(layer) == []
    assert layer.get_timer() == TimerConfig().trying <= 0.2
    layer.handle_timer(0.05)
    assert sent(layer) == []
    layer.handle_timer(0.1)
    (trying,) = sent(layer)
    assert isinstance(trying, SipResponse) and trying.status == 100 and trying.to_tag is None
    layer.receive(make_request(), CLIENT_UDP, 0.5)
    assert drain(layer) == []
    assert [m.status for m in sent(layer)] == [100]  # type: ignore[union-attr]
    layer.send_response(key, make_response(request, 180, to_tag="s1"), 1.0)
    assert [m.status for m in sent(layer)] == [180]  # type: ignore[union-attr]
    layer.receive(make_request(), CLIENT_UDP, 1.5)
    assert [m.status for m in sent(layer)] == [180]  # type: ignore[union-attr]
    assert layer.stats["absorbed_requests"] == 2


def test_invite_server_answered_in_time_sends_no_100() -> None:
    """17.2.1: no 100 Trying when the TU answers within the Trying timer (a 407 challenge, or a
    phone's 180 passed on by the B2BUA), and the timer's expiry does not bring it back."""
    for status in (407, 180):
        layer = TransactionLayer()
        request = make_request()
        key = incoming(request, layer)
        layer.send_response(key, make_response(request, status, to_tag="s1"), 0.05)
        assert [m.status for m in sent(layer)] == [status]  # type: ignore[union-attr]
        assert run_until(layer, 0.3) == []
        assert sent(layer) == []


def test_invite_server_without_auto_trying() -> None:
    layer = TransactionLayer(auto_trying=False)
    incoming(make_request(), layer)
    assert layer.datagrams_to_send() == [] and layer.get_timer() is None
    layer.receive(make_request(), CLIENT_UDP, 0.5)
    assert layer.datagrams_to_send() == []


def test_invite_server_timer_g_and_h() -> None:
    """17.2.1: G retransmits the final response (T1 doubling to T2); H (64*T1) gives up on the ACK."""
    layer = TransactionLayer()
    request = make_request()
    key = incoming(request, layer)
    layer.datagrams_to_send()
    layer.send_response(key, make_response(request, 486, to_tag="s1"), 0.0)
    assert layer.state_of(key) is S.COMPLETED
    assert [m.status for m in sent(layer)] == [486]  # type: ignore[union-attr]
    assert run_until(layer, 31.99) == [0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5]
    layer.handle_timer(32.0)
    assert drain(layer) == [TransactionTimedOut(key), TransactionTerminated(key)]


def test_invite_server_retransmitted_invite_in_completed_resends_final() -> None:
    layer = TransactionLayer()
    request = make_request()
    key = incoming(request, layer)
    layer.send_response(key, make_response(request, 404, to_tag="s1"), 0.0)
    layer.datagrams_to_send()
    layer.receive(make_request(), CLIENT_UDP, 0.2)
    assert [m.status for m in sent(layer)] == [404]  # type: ignore[union-attr]


def test_invite_server_ack_confirms_then_timer_i() -> None:
    layer = TransactionLayer()
    request = make_request()
    key = incoming(request, layer)
    response = make_response(request, 486, to_tag="s1")
    layer.send_response(key, response, 0.0)
    layer.datagrams_to_send()
    ack = make_non2xx_ack(request, response)
    layer.receive(ack, CLIENT_UDP, 0.2)
    assert drain(layer) == []  # the ACK of a non-2xx is absorbed (17.2.1)
    assert layer.state_of(key) is S.CONFIRMED
    assert layer.get_timer() == pytest.approx(5.2)  # I = T4; G and H are gone
    layer.receive(ack, CLIENT_UDP, 1.0)
    assert drain(layer) == [] and layer.datagrams_to_send() == []
    layer.handle_timer(5.2)
    assert drain(layer) == [TransactionTerminated(key)]


def test_invite_server_over_tcp() -> None:
    """17.2.1: no G over reliable transports, and I = 0."""
    layer = TransactionLayer()
    request = make_request(transport="TCP")
    key = incoming(request, layer, peer=CLIENT_TCP)
    response = make_response(request, 480, to_tag="s1")
    layer.send_response(key, response, 0.0)
    assert [p for _, p in layer.datagrams_to_send()] == [CLIENT_TCP]  # the 480, no 100 before it
    assert layer.get_timer() == 32.0  # H only
    layer.receive(make_non2xx_ack(request, response), CLIENT_TCP, 0.1)
    assert drain(layer) == [TransactionTerminated(key)]


def test_invite_server_2xx_enters_accepted() -> None:
    """RFC 6026 8.5: after a 2xx, INVITE retransmissions are absorbed, the TU may re-send its 2xx,
    the 2xx ACK (new branch) goes to the TU, and timer L ends the transaction."""
    layer = TransactionLayer()
    request = make_request()
    key = incoming(request, layer)
    ok = make_response(request, 200, to_tag="s1")
    layer.send_response(key, ok, 0.0)
    layer.datagrams_to_send()
    assert layer.state_of(key) is S.ACCEPTED
    layer.receive(make_request(), CLIENT_UDP, 0.3)
    assert drain(layer) == [] and layer.datagrams_to_send() == []
    layer.send_response(key, ok, 0.5)
    assert len(layer.datagrams_to_send()) == 1
    ack = make_request("ACK", branch="z9hG4bKack2xx", to_tag="s1")
    layer.receive(ack, CLIENT_UDP, 0.6)
    assert drain(layer) == [AckReceived(ack, CLIENT_UDP)]
    with pytest.raises(TransactionError):
        layer.send_response(key, make_response(request, 486), 0.7)
    layer.handle_timer(32.0)
    assert drain(layer) == [TransactionTerminated(key)]


def test_challenge_sent_statelessly_leaves_no_transaction() -> None:
    """RFC 3261 8.2.7: a 407 sent statelessly goes out once, the transaction is gone at once (no
    timer G retransmissions to a possibly forged source, nothing held for timers H and I), a
    retransmitted INVITE is a new request for the TU, and the ACK of the 407 goes to the TU."""
    for challenged in ("INVITE", "REGISTER"):
        layer = TransactionLayer()
        request = make_request(challenged)
        key = incoming(request, layer)
        challenge = make_response(request, 407 if challenged == "INVITE" else 401, to_tag="s1")
        layer.send_response_statelessly(key, challenge)
        assert [m.status for m in sent(layer)] == [challenge.status]  # type: ignore[union-attr]
        assert drain(layer) == [TransactionTerminated(key)]
        assert layer.state_of(key) is None and len(layer) == 0
        assert run_until(layer, 64.0) == []  # neither G nor E, J, H or I: nothing is resent
        assert drain(layer) == [] and layer.get_timer() is None
        again = make_request(challenged)
        layer.receive(again, CLIENT_UDP, 0.6)
        assert drain(layer) == [RequestReceived(key, again, CLIENT_UDP)]
        if challenged == "INVITE":
            layer.send_response_statelessly(key, challenge)
            layer.datagrams_to_send()
            drain(layer)
            ack = make_non2xx_ack(request, challenge)
            layer.receive(ack, CLIENT_UDP, 0.7)
            assert drain(layer) == [AckReceived(ack, CLIENT_UDP)]
            assert layer.datagrams_to_send() == [] and len(layer) == 0


def test_stateless_response_misuse() -> None:
    layer = TransactionLayer()
    request = make_request()
    key = incoming(request, layer)
    with pytest.raises(TransactionError, match="not final"):
        layer.send_response_statelessly(key, make_response(request, 180, to_tag="s1"))
    layer.send_response(key, make_response(request, 486, to_tag="s1"), 0.0)
    with pytest.raises(TransactionError, match="completed"):
        layer.send_response_statelessly(key, make_response(request, 407, to_tag="s1"))
    client = layer.send_request(make_request(branch="z9hG4bKc2"), SERVER_UDP, 0.0)
    with pytest.raises(TransactionError, match="No server transaction"):
        layer.send_response_statelessly(client, make_response(request, 407))


def test_send_response_misuse() -> None:
    layer = TransactionLayer()
    request = make_request()
    key = incoming(request, layer)
    layer.send_response(key, make_response(request, 500), 0.0)
    with pytest.raises(TransactionError):
        layer.send_response(key, make_response(request, 500), 0.1)
    with pytest.raises(TransactionError):
        layer.send_response(key._replace(branch="z9hG4bKnone"), make_response(request, 500), 0.1)
    client = layer.send_request(make_request(branch="z9hG4bKc2"), SERVER_UDP, 0.0)
    with pytest.raises(TransactionError):
        layer.send_response(client, make_response(request, 500), 0.1)


# --- non-INVITE server (RFC 3261 17.2.2) ----------------------------------------------------------


def test_non_invite_server_states_and_timer_j() -> None:
    layer = TransactionLayer()
    request = make_request("OPTIONS")
    key = incoming(request, layer)
    assert layer.state_of(key) is S.TRYING
    assert layer.datagrams_to_send() == []  # no automatic 100 for non-INVITE
    layer.receive(make_request("OPTIONS"), CLIENT_UDP, 0.1)
    assert layer.datagrams_to_send() == []  # Trying discards retransmissions
    layer.send_response(key, make_response(request, 100), 0.2)
    assert layer.state_of(key) is S.PROCEEDING
    layer.datagrams_to_send()
    layer.receive(make_request("OPTIONS"), CLIENT_UDP, 0.3)
    assert [m.status for m in sent(layer)] == [100]  # type: ignore[union-attr]
    layer.send_response(key, make_response(request, 200, to_tag="s"), 0.4)
    assert layer.state_of(key) is S.COMPLETED
    layer.datagrams_to_send()
    layer.receive(make_request("OPTIONS"), CLIENT_UDP, 0.5)
    assert [m.status for m in sent(layer)] == [200]  # type: ignore[union-attr]
    with pytest.raises(TransactionError):
        layer.send_response(key, make_response(request, 200), 0.6)
    assert layer.get_timer() == pytest.approx(32.4)  # J = 64*T1
    assert run_until(layer, 40.0) == []
    assert drain(layer) == [TransactionTerminated(key)]


def test_non_invite_server_over_tcp_terminates_on_final() -> None:
    layer = TransactionLayer()
    request = make_request("OPTIONS", transport="TCP")
    key = incoming(request, layer, peer=CLIENT_TCP)
    layer.send_response(key, make_response(request, 200), 0.0)
    assert drain(layer) == [TransactionTerminated(key)]
    assert layer.get_timer() is None


# --- server matching (RFC 3261 17.2.3, 9.2) --------------------------------------------------------


def test_cancel_names_the_invite_it_matches() -> None:
    layer = TransactionLayer()
    invite = make_request()
    invite_key = incoming(invite, layer)
    cancel = make_cancel(invite)
    layer.receive(cancel, CLIENT_UDP, 0.5)
    (event,) = drain(layer)
    assert isinstance(event, RequestReceived)
    assert event.cancels == invite_key
    assert event.key == invite_key._replace(method="CANCEL")
    layer.receive(make_cancel(make_request(branch="z9hG4bKunknown")), CLIENT_UDP, 0.6)
    (event,) = drain(layer)
    assert isinstance(event, RequestReceived) and event.cancels is None


def test_sent_by_is_part_of_the_server_key() -> None:
    layer = TransactionLayer()
    incoming(make_request("OPTIONS"), layer)
    other = make_request("OPTIONS")
    other.headers.set("Via", "SIP/2.0/UDP 192.0.2.99:5070;branch=z9hG4bKclient1")
    layer.receive(other, Peer("udp", "192.0.2.99", 5070), 0.1)
    assert isinstance(drain(layer)[0], RequestReceived)
    assert len(layer) == 2


def test_rfc2543_requests_match_without_a_branch() -> None:
    """17.2.3: branchless requests match on Request-URI, tags, Call-ID, CSeq and top Via."""
    layer = TransactionLayer()
    request = make_request(branch=None)
    key = incoming(request, layer)
    assert key.branch.startswith("2543|")
    layer.receive(make_request(branch=None), CLIENT_UDP, 0.1)
    assert drain(layer) == []  # a retransmission
    response = make_response(request, 486, to_tag="s9")
    layer.send_response(key, response, 0.2)
    wrong = make_request("ACK", branch=None, to_tag="other")
    layer.receive(wrong, CLIENT_UDP, 0.3)
    assert drain(layer) == [AckReceived(wrong, CLIENT_UDP)]
    layer.receive(make_request("ACK", branch=None, to_tag="s9"), CLIENT_UDP, 0.4)
    assert layer.state_of(key) is S.CONFIRMED


def test_magic_cookie_alone_uses_the_rfc2543_rules() -> None:
    """RFC 4475 3.2.1: a branch of just 'z9hG4bK' is not a valid RFC 3261 transaction id."""
    assert server_key(make_request(branch="z9hG4bK")).branch.startswith("2543|")
    assert server_key(make_request(branch="z9hG4bKx")).branch == "z9hG4bKx"


def test_ack_matching_nothing_goes_to_the_tu() -> None:
    layer = TransactionLayer()
    ack = make_request("ACK", branch="z9hG4bKnew", to_tag="t")
    layer.receive(ack, CLIENT_UDP, 0.0)
    assert drain(layer) == [AckReceived(ack, CLIENT_UDP)]


def test_unparseable_requests_are_dropped() -> None:
    layer = TransactionLayer()
    request = make_request("OPTIONS")
    request.headers.remove("Via")
    layer.receive(request, CLIENT_UDP, 0.0)
    assert drain(layer) == [] and layer.stats["malformed"] == 1


# --- where responses go (RFC 3261 18.2.2, RFC 3581) -------------------------------------------------


def test_responses_go_to_the_via_port_without_rport() -> None:
    layer = TransactionLayer()
    request = make_request("OPTIONS")
    key = incoming(request, layer, peer=Peer("udp", "198.51.100.7", 33333))
    layer.send_response(key, make_response(request, 200), 0.0)
    assert [p for _, p in layer.datagrams_to_send()] == [Peer("udp", "198.51.100.7", 5070)]


def test_responses_go_to_the_source_with_rport() -> None:
    layer = TransactionLayer()
    request = make_request("OPTIONS", rport=True)
    source = Peer("udp", "198.51.100.7", 33333)
    key = incoming(request, layer, peer=source)
    layer.send_response(key, make_response(request, 200), 0.0)
    assert [p for _, p in layer.datagrams_to_send()] == [source]


# --- endpoint pairs -------------------------------------------------------------------------------


def transfer(sender: TransactionLayer, receiver: TransactionLayer, source: Peer, now: float) -> int:
    """Move every queued datagram from ``sender`` to ``receiver`` (like aioquic's tests)."""
    datagrams = sender.datagrams_to_send()
    for data, _ in datagrams:
        receiver.receive(parse_message(data), source, now)
    return len(datagrams)


def test_pair_invite_rejected_and_acked() -> None:
    client, server = TransactionLayer(), TransactionLayer()
    ckey = client.send_request(make_request(), SERVER_UDP, 0.0)
    assert transfer(client, server, CLIENT_UDP, 0.0) == 1
    (event,) = drain(server)
    assert isinstance(event, RequestReceived)
    server.handle_timer(0.1)
    assert transfer(server, client, SERVER_UDP, 0.1) == 1  # 100 Trying
    assert [e.response.status for e in drain(client)] == [100]  # type: ignore[attr-defined]
    server.send_response(event.key, make_response(event.request, 603, to_tag="s"), 0.1)
    transfer(server, client, SERVER_UDP, 0.1)
    assert [e.response.status for e in drain(client)] == [603]  # type: ignore[attr-defined]
    assert transfer(client, server, CLIENT_UDP, 0.1) == 1  # the ACK
    assert server.state_of(event.key) is S.CONFIRMED
    assert client.state_of(ckey) is S.COMPLETED
    server.handle_timer(5.1)
    client.handle_timer(32.1)
    assert drain(server) == [TransactionTerminated(event.key)]
    assert drain(client) == [TransactionTerminated(ckey)]


def test_pair_recovers_from_lost_datagrams() -> None:
    """A lost request and a lost response are recovered by timer E and the server's cached reply."""
    client, server = TransactionLayer(), TransactionLayer()
    ckey = client.send_request(make_request("OPTIONS"), SERVER_UDP, 0.0)
    client.datagrams_to_send()  # lost
    client.handle_timer(0.5)  # E: retransmission
    transfer(client, server, CLIENT_UDP, 0.5)
    (event,) = drain(server)
    assert isinstance(event, RequestReceived)
    server.send_response(event.key, make_response(event.request, 200, to_tag="s"), 0.6)
    server.datagrams_to_send()  # lost
    client.handle_timer(1.5)  # E again
    transfer(client, server, CLIENT_UDP, 1.5)
    assert drain(server) == []  # absorbed, final re-sent
    transfer(server, client, SERVER_UDP, 1.5)
    assert [type(e) for e in drain(client)] == [ResponseReceived]
    assert client.state_of(ckey) is S.COMPLETED


def test_pair_invite_lost_final_retransmitted_by_timer_g() -> None:
    client, server = TransactionLayer(), TransactionLayer()
    client.send_request(make_request(), SERVER_UDP, 0.0)
    transfer(client, server, CLIENT_UDP, 0.0)
    (event,) = drain(server)
    assert isinstance(event, RequestReceived)
    server.handle_timer(0.1)
    transfer(server, client, SERVER_UDP, 0.1)  # the 100 Trying
    server.send_response(event.key, make_response(event.request, 486, to_tag="s"), 0.1)
    server.datagrams_to_send()  # the 486 is lost
    server.handle_timer(0.6)  # G
    transfer(server, client, SERVER_UDP, 0.6)
    assert [e.response.status for e in drain(client) if isinstance(e, ResponseReceived)] == [100, 486]
    transfer(client, server, CLIENT_UDP, 0.6)
    assert server.state_of(event.key) is S.CONFIRMED


def test_new_branch_is_unique_and_has_the_cookie() -> None:
    branches = {new_branch() for _ in range(100)}
    assert len(branches) == 100 and all(b.startswith("z9hG4bK") for b in branches)


# --- timer storage: a small heap for short timers, one FIFO per long delay --------------------------


def live_deadlines(layer: TransactionLayer) -> list[float]:
    """Every running timer, read from the transactions themselves (the oracle for get_timer)."""
    return sorted(d for tx in layer._transactions.values() for d in tx.timers.values())


def queued(layer: TransactionLayer) -> int:
    return sum(len(queue) for queue in layer._queues.values())


def step_through(layer: TransactionLayer, end: float) -> list[tuple[float, TransactionEvent]]:
    """Fire timers one deadline at a time up to ``end``; return (deadline, event) pairs."""
    fired = []
    while (deadline := layer.get_timer()) is not None and deadline <= end:
        layer.handle_timer(deadline)
        fired += [(deadline, event) for event in drain(layer)]
    layer.datagrams_to_send()
    return fired


def test_short_and_long_timers_fire_in_global_deadline_order() -> None:
    """Short timers (heap) and long ones (a queue per delay) merge in deadline order, whether
    stepped through get_timer or all fired by one late handle_timer."""
    for stepped in (True, False):
        layer = TransactionLayer()
        options = layer.send_request(make_request("OPTIONS", branch="z9hG4bKopt"), SERVER_UDP, 0.0)
        bye_request = make_request("BYE", branch="z9hG4bKbye")
        bye = layer.send_request(bye_request, SERVER_UDP, 0.0)
        layer.receive(make_response(bye_request, 200), SERVER_UDP, 0.25)  # K at 5.25
        invite_request = make_request(branch="z9hG4bKinv", transport="TCP")
        invite = layer.send_request(invite_request, SERVER_TCP, 1.0)  # B at 33
        drain(layer)
        server_request = make_request(branch="z9hG4bKsrv")
        server = incoming(server_request, layer, 2.0)
        response = make_response(server_request, 486, to_tag="s")
        layer.send_response(server, response, 2.0)  # G at 2.5, H at 34
        layer.receive(make_non2xx_ack(server_request, response), CLIENT_UDP, 3.0)  # I at 8
        drain(layer)
        layer.datagrams_to_send()
        assert sorted(layer._queues) == [5.0, 32.0]  # K and I; F, B and H
        expected = [
            (5.25, TransactionTerminated(bye)),
            (8.0, TransactionTerminated(server)),
            (32.0, TransactionTimedOut(options)),
            (32.0, TransactionTerminated(options)),
            (33.0, TransactionTimedOut(invite)),
            (33.0, TransactionTerminated(invite)),
        ]
        if stepped:
            deadlines, fired = [], []
            while (deadline := layer.get_timer()) is not None:
                assert deadline == live_deadlines(layer)[0]
                deadlines.append(deadline)
                layer.handle_timer(deadline)
                fired += [(deadline, event) for event in drain(layer)]
            # E (0.5 doubling to T2 = 4 s: heap, then the 1, 2 and 4 s queues) among K, I, F, B.
            assert deadlines == [
                0.5,
                1.5,
                3.5,
                5.25,
                7.5,
                8.0,
                11.5,
                15.5,
                19.5,
                23.5,
                27.5,
                31.5,
                32.0,
                33.0,
            ]
            assert fired == expected
        else:
            layer.handle_timer(100.0)
            assert drain(layer) == [event for _, event in expected]
        assert layer.get_timer() is None
        assert layer._heap == [] and layer._queues == {}


def test_superseded_long_timers_neither_fire_nor_hold_get_timer_back() -> None:
    layer = TransactionLayer()
    # An INVITE over UDP: A (0.5, heap) and B (32, queued); its 180 cancels both, its 486 starts D.
    # An OPTIONS over TCP ends at once on its final, and a new one with its branch waits for F again:
    # the old F entry (32) finds a transaction with its key and timer name, but not its deadline.
    request = make_request(branch="z9hG4bKsup")
    invite = layer.send_request(request, SERVER_UDP, 0.0)
    options_request = make_request("OPTIONS", branch="z9hG4bKreused", transport="TCP")
    layer.send_request(options_request, SERVER_TCP, 0.0)
    layer.receive(make_response(request, 180, to_tag="b"), SERVER_UDP, 0.1)
    layer.receive(make_response(options_request, 200), SERVER_TCP, 0.2)
    reused = make_request("OPTIONS", branch="z9hG4bKreused", transport="TCP")
    options = layer.send_request(reused, SERVER_TCP, 5.0)  # F at 37
    layer.receive(make_response(request, 486, to_tag="b"), SERVER_UDP, 10.0)  # D at 42
    drain(layer)
    layer.datagrams_to_send()
    assert queued(layer) == 4  # B (stale), F (stale), F and D, all in the 32 s queue
    assert layer.get_timer() == 37.0
    assert queued(layer) == 2  # the stale fronts are gone
    layer.handle_timer(36.9)
    assert drain(layer) == []
    layer.handle_timer(37.0)
    assert drain(layer) == [TransactionTimedOut(options), TransactionTerminated(options)]
    assert layer.get_timer() == 42.0
    layer.handle_timer(42.0)
    assert drain(layer) == [TransactionTerminated(invite)]
    assert layer.get_timer() is None and layer._queues == {}


def test_timers_fire_on_time_when_the_clock_goes_backwards() -> None:
    """A deadline before the last one of its queue goes into the heap: K timers (T4 = 5 s) started
    at 5, 6, 3, 5 and 4 still fire at 8, 9, 10, 10 (in the order they were set) and 11."""
    for stepped in (True, False):
        layer = TransactionLayer()
        keys = []
        for i, now in enumerate((5.0, 6.0, 3.0, 5.0, 4.0)):
            request = make_request("BYE", branch=f"z9hG4bKback{i}")
            keys.append(layer.send_request(request, SERVER_UDP, 0.0))
            layer.receive(make_response(request, 200), SERVER_UDP, now)
        drain(layer)
        layer.datagrams_to_send()
        assert [entry[0] for entry in layer._queues[5.0]] == [10.0, 11.0]
        assert layer.get_timer() == 8.0
        expected = [(8.0, 2), (9.0, 4), (10.0, 0), (10.0, 3), (11.0, 1)]
        if stepped:
            fired = step_through(layer, 100.0)
        else:
            layer.handle_timer(100.0)
            fired = [(-1.0, event) for event in drain(layer)]
            expected = [(-1.0, i) for _, i in expected]
        assert fired == [(at, TransactionTerminated(keys[i])) for at, i in expected]
        assert layer.get_timer() is None
        assert layer._heap == [] and layer._queues == {}


def test_stale_queue_entries_are_dropped_by_get_timer() -> None:
    """Transactions that end at once (TCP) leave their F entries behind; get_timer drops them and
    the emptied queue without waiting for the 32 s to pass."""
    layer = TransactionLayer()
    for i in range(50):
        request = make_request("OPTIONS", branch=f"z9hG4bKtcp{i}", transport="TCP")
        layer.send_request(request, SERVER_TCP, i * 0.01)
        layer.receive(make_response(request, 200), SERVER_TCP, i * 0.01)
    assert queued(layer) == 50 and len(layer) == 0
    assert layer.get_timer() is None
    assert layer._heap == [] and layer._queues == {}


def test_timer_structures_stay_bounded_under_load() -> None:
    """Steady traffic: each long entry leaves its queue once its deadline passes, so at most the
    last 32 s of them are ever held, and nothing is left once every transaction is over."""
    layer = TransactionLayer()
    step = 0.1
    most_queued = most_heaped = 0
    for i in range(600):
        now = i * step
        for method, status in (("OPTIONS", 200), ("INVITE", 200), ("INVITE", 486)):
            request = make_request(method, branch=f"z9hG4bKload{method}{status}{i}")
            layer.send_request(request, SERVER_UDP, now)  # E or A (heap), F or B (32 s queue)
            layer.receive(make_response(request, status, to_tag="t"), SERVER_UDP, now + 0.05)  # K, M, D
        drain(layer)
        layer.datagrams_to_send()
        layer.handle_timer(now + 0.05)
        assert layer.get_timer() == live_deadlines(layer)[0]
        most_queued = max(most_queued, queued(layer))
        most_heaped = max(most_heaped, len(layer._heap))
    assert set(layer._queues) <= {5.0, 32.0}
    # Per step: 3 F/B entries and 2 M/D entries in the 32 s queue, 1 K entry in the 5 s queue.
    assert most_queued <= 5 * (32 / step + 2) + 1 * (5 / step + 2)
    assert most_heaped <= 3  # A and E are superseded at once and dropped from the top
    step_through(layer, 1000.0)
    assert len(layer) == 0 and layer.get_timer() is None
    assert layer._heap == [] and layer._queues == {}


def test_random_traffic_matches_the_live_timers() -> None:
    """Mixed traffic on a clock that sometimes jumps back: get_timer is always the earliest live
    timer, and handle_timer(now) leaves none at or before now."""
    rng = random.Random(3261)
    layer = TransactionLayer()
    pending: list[SipRequest] = []
    now = 0.0
    for i in range(1500):
        action = rng.random()
        if action < 0.3:
            method = rng.choice(("INVITE", "OPTIONS", "BYE"))
            transport = rng.choice(("UDP", "UDP", "TCP"))
            request = make_request(method, branch=f"z9hG4bKrnd{i}", transport=transport)
            layer.send_request(request, SERVER_TCP if transport == "TCP" else SERVER_UDP, now)
            pending.append(request)
        elif action < 0.55 and pending:
            request = pending.pop(rng.randrange(len(pending)))
            status = rng.choice((180, 200, 486))
            layer.receive(make_response(request, status, to_tag="t"), SERVER_UDP, now)
            if status == 180:
                pending.append(request)
        elif action < 0.95:
            now += rng.choice((0.01, 0.1, 0.5, 1.0, 3.0, 10.0))
            layer.handle_timer(now)
            assert all(d > now for d in live_deadlines(layer))
        else:
            now = max(0.0, now - rng.choice((0.5, 2.0, 10.0)))
        live = live_deadlines(layer)
        assert layer.get_timer() == (live[0] if live else None)
        drain(layer)
        layer.datagrams_to_send()
    for request in pending:  # INVITEs left in Proceeding (no timer C) and unanswered requests
        layer.receive(make_response(request, 486, to_tag="t"), SERVER_UDP, now)
    step_through(layer, now + 1000.0)
    assert len(layer) == 0 and layer._heap == [] and layer._queues == {}
