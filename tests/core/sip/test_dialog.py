"""Dialogs (RFC 3261 12): UAC/UAS creation, route sets, CSeq ordering, target refresh, 2xx ACK."""

from __future__ import annotations

import pytest

from cordboard.core.sip.dialog import Dialog, DialogId, DialogState, dialog_id_of
from cordboard.core.sip.message import SipRequest, SipResponse, make_response, parse_message
from cordboard.core.sip.status import ServerInternalError, SipStatusError
from cordboard.core.sip.uri import SipUri


def invite(*, record_route: bool = True, uri: str = "sip:bob@biloxi.example.com") -> SipRequest:
    rr = "Record-Route: <sip:p2.example.com;lr>, <sip:p1.example.com;lr>\r\n" if record_route else ""
    data = (
        f"INVITE {uri} SIP/2.0\r\n"
        "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8\r\n"
        "Max-Forwards: 70\r\nTo: Bob <sip:bob@biloxi.example.com>\r\n"
        "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
        "Call-ID: a84b4c76e66710\r\nCSeq: 314159 INVITE\r\n"
        f"Contact: <sip:alice@pc33.atlanta.example.com>\r\n{rr}Content-Length: 0\r\n\r\n"
    ).encode()
    message = parse_message(data)
    assert isinstance(message, SipRequest)
    return message


def answer(request: SipRequest, status: int = 200, contact: str = "<sip:bob@192.0.2.4>") -> SipResponse:
    response = make_response(request, status, to_tag="a6c85cf")
    response.headers.add("Contact", contact)
    return response


def in_dialog(method: str, seq: int, contact: str | None = None) -> SipRequest:
    contact_line = f"Contact: {contact}\r\n" if contact else ""
    data = (
        f"{method} sip:alice@pc33.atlanta.example.com SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bKnashds10\r\nMax-Forwards: 70\r\n"
        "From: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n"
        "To: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
        f"Call-ID: a84b4c76e66710\r\nCSeq: {seq} {method}\r\n{contact_line}Content-Length: 0\r\n\r\n"
    ).encode()
    message = parse_message(data)
    assert isinstance(message, SipRequest)
    return message


def test_uac_dialog_from_2xx_rfc3261_12_1_2() -> None:
    request = invite(record_route=False)
    response = answer(request)
    response.headers.add("Record-Route", "<sip:p2.example.com;lr>, <sip:p1.example.com;lr>")
    dialog = Dialog.from_uac(request, response)
    assert dialog.dialog_id == DialogId("a84b4c76e66710", "1928301774", "a6c85cf")
    assert dialog.state is DialogState.CONFIRMED
    assert [str(r.uri) for r in dialog.route_set] == ["sip:p1.example.com;lr", "sip:p2.example.com;lr"]
    assert dialog.remote_target == SipUri.parse("sip:bob@192.0.2.4")
    assert dialog.local_cseq == 314159 and dialog.remote_cseq is None
    assert str(dialog.local_uri) == '"Alice" <sip:alice@atlanta.example.com>'
    assert dialog.remote_uri.tag is None
    assert not dialog.secure


def test_uas_dialog_from_request_rfc3261_12_1_1() -> None:
    request = invite()
    response = answer(request)
    dialog = Dialog.from_uas(request, response)
    assert dialog.dialog_id == DialogId("a84b4c76e66710", "a6c85cf", "1928301774")
    assert [str(r.uri) for r in dialog.route_set] == ["sip:p2.example.com;lr", "sip:p1.example.com;lr"]
    assert dialog.remote_target == SipUri.parse("sip:alice@pc33.atlanta.example.com")
    assert dialog.remote_cseq == 314159 and dialog.local_cseq is None
    assert dialog.local_target is not None and str(dialog.local_target.uri) == "sip:bob@192.0.2.4"


def test_dialog_needs_tags() -> None:
    request = invite()
    with pytest.raises(ValueError, match="To tag"):
        Dialog.from_uas(request, make_response(request, 200))


def test_secure_flag_follows_sips() -> None:
    request = invite(uri="sips:bob@biloxi.example.com")
    assert Dialog.from_uas(request, answer(request)).secure
    assert not Dialog.from_uas(request, answer(request), secure=False).secure


def test_uac_create_request_uses_loose_routes_and_increments_cseq() -> None:
    """RFC 3261 12.2.1.1: Request-URI = remote target, Route = route set, CSeq + 1."""
    request = invite(record_route=False)
    response = answer(request)
    response.headers.add("Record-Route", "<sip:p2.example.com;lr>, <sip:p1.example.com;lr>")
    dialog = Dialog.from_uac(request, response)
    bye = dialog.create_request("BYE")
    assert bye.method == "BYE"
    assert bye.uri == SipUri.parse("sip:bob@192.0.2.4")
    assert bye.headers.get_all("Route") == ["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"]
    assert (bye.cseq.seq, bye.cseq.method) == (314160, "BYE")
    assert bye.from_tag == "1928301774" and bye.to_tag == "a6c85cf"
    assert bye.call_id == "a84b4c76e66710"
    assert bye.max_forwards == 70
    assert "Contact" not in bye.headers
    assert dialog.create_request("INFO").cseq.seq == 314161


def test_uas_first_request_starts_the_local_cseq() -> None:
    request = invite()
    dialog = Dialog.from_uas(request, answer(request))
    reinvite = dialog.create_request("INVITE", body=b"v=0\r\n", content_type="application/sdp")
    assert reinvite.cseq.seq == 1
    assert reinvite.uri == SipUri.parse("sip:alice@pc33.atlanta.example.com")
    assert reinvite.headers.get_all("Route") == ["<sip:p2.example.com;lr>", "<sip:p1.example.com;lr>"]
    assert reinvite.content_type == "application/sdp" and reinvite.body == b"v=0\r\n"
    contacts = reinvite.contacts
    assert contacts != "*" and str(contacts[0].uri) == "sip:bob@192.0.2.4"  # target refresh carries Contact
    assert reinvite.from_tag == "a6c85cf" and reinvite.to_tag == "1928301774"


def test_strict_route_handling_rfc3261_12_2_1_1() -> None:
    """A first route without ;lr becomes the Request-URI; the remote target is appended to Route."""
    request = invite(record_route=False)
    response = answer(request)
    response.headers.add("Record-Route", "<sip:p2.example.com;lr>, <sip:strict.example.com;method=INVITE>")
    dialog = Dialog.from_uac(request, response)
    bye = dialog.create_request("BYE")
    assert bye.uri == SipUri.parse("sip:strict.example.com")
    assert bye.headers.get_all("Route") == ["<sip:p2.example.com;lr>", "<sip:bob@192.0.2.4>"]


def test_extra_headers_and_forbidden_methods() -> None:
    request = invite()
    dialog = Dialog.from_uas(request, answer(request))
    refer = dialog.create_request("REFER", extra_headers=[("Refer-To", "<sip:carol@example.com>")])
    assert refer.headers.get("Refer-To") == "<sip:carol@example.com>"
    assert "Contact" in refer.headers
    for method in ("ACK", "CANCEL"):
        with pytest.raises(ValueError):
            dialog.create_request(method)
    dialog.terminate()
    with pytest.raises(ValueError):
        dialog.create_request("BYE")


def test_create_ack_for_2xx_keeps_the_invite_cseq() -> None:
    """RFC 3261 13.2.2.4: the ACK has the INVITE's CSeq number and goes through the route set."""
    request = invite(record_route=False)
    response = answer(request)
    response.headers.add("Record-Route", "<sip:p1.example.com;lr>")
    dialog = Dialog.from_uac(request, response)
    ack = dialog.create_ack(response)
    assert ack.method == "ACK"
    assert (ack.cseq.seq, ack.cseq.method) == (314159, "ACK")
    assert ack.uri == SipUri.parse("sip:bob@192.0.2.4")
    assert ack.headers.get_all("Route") == ["<sip:p1.example.com;lr>"]
    assert dialog.local_cseq == 314159  # unchanged
    with pytest.raises(ValueError):
        dialog.create_ack(make_response(request, 486, to_tag="x"))


def test_receive_request_checks_cseq_order_rfc3261_12_2_2() -> None:
    request = invite()
    dialog = Dialog.from_uas(request, answer(request))
    dialog.receive_request(in_dialog("INFO", 314160))
    assert dialog.remote_cseq == 314160
    with pytest.raises(ServerInternalError) as info:
        dialog.receive_request(in_dialog("INFO", 314100))
    assert isinstance(info.value, SipStatusError) and info.value.status_code == 500
    response = info.value.to_response(in_dialog("INFO", 314100))
    assert response.status == 500
    dialog.receive_request(in_dialog("ACK", 1))  # ACK/CANCEL reuse an earlier number
    assert dialog.remote_cseq == 314160


def test_uac_dialog_accepts_the_first_remote_cseq() -> None:
    request = invite()
    dialog = Dialog.from_uac(request, answer(request))
    dialog.receive_request(in_dialog("BYE", 7))  # remote CSeq was empty: any value goes
    assert dialog.remote_cseq == 7


def test_target_refresh_updates_the_remote_target() -> None:
    request = invite()
    dialog = Dialog.from_uas(request, answer(request))
    dialog.receive_request(in_dialog("INVITE", 314160, contact="<sip:alice@198.51.100.9:5080>"))
    assert dialog.remote_target == SipUri.parse("sip:alice@198.51.100.9:5080")
    dialog.receive_request(in_dialog("INFO", 314161, contact="<sip:ignored@192.0.2.99>"))
    assert dialog.remote_target == SipUri.parse("sip:alice@198.51.100.9:5080")
    dialog.receive_request(in_dialog("UPDATE", 314162, contact="<sip:alice@198.51.100.10>"))
    assert dialog.remote_target == SipUri.parse("sip:alice@198.51.100.10")


def test_2xx_to_reinvite_refreshes_the_target_and_481_ends_the_dialog() -> None:
    request = invite()
    dialog = Dialog.from_uac(request, answer(request))
    reinvite = dialog.create_request("INVITE")
    reinvite.headers.add("Via", "SIP/2.0/UDP a;branch=z9hG4bKre", prepend=True)
    ok = make_response(reinvite, 200)
    ok.headers.add("Contact", "<sip:bob@203.0.113.5>")
    dialog.receive_response(ok)
    assert dialog.remote_target == SipUri.parse("sip:bob@203.0.113.5")
    dialog.receive_response(make_response(reinvite, 481))
    assert dialog.state is DialogState.TERMINATED


def test_early_dialog_from_1xx_is_confirmed_by_2xx() -> None:
    """RFC 3261 12.1.2 / 13.2.2.4: a 1xx with a To tag makes an early dialog; the 2xx confirms
    it and recomputes the route set."""
    request = invite(record_route=False)
    ringing = answer(request, 180, contact="<sip:bob@192.0.2.4>")
    ringing.headers.add("Record-Route", "<sip:old.example.com;lr>")
    dialog = Dialog.from_uac(request, ringing)
    assert dialog.state is DialogState.EARLY and dialog.early
    ok = answer(request, 200, contact="<sip:bob@192.0.2.5>")
    ok.headers.add("Record-Route", "<sip:p2.example.com;lr>, <sip:p1.example.com;lr>")
    dialog.receive_response(ok)
    assert dialog.state is DialogState.CONFIRMED
    assert dialog.remote_target == SipUri.parse("sip:bob@192.0.2.5")
    assert [str(r.uri) for r in dialog.route_set] == ["sip:p1.example.com;lr", "sip:p2.example.com;lr"]


def test_early_dialog_ends_on_a_failure_response() -> None:
    request = invite()
    dialog = Dialog.from_uac(request, answer(request, 183))
    dialog.receive_response(answer(request, 486))
    assert dialog.state is DialogState.TERMINATED


def test_uas_early_dialog() -> None:
    request = invite()
    dialog = Dialog.from_uas(request, answer(request, 180))
    assert dialog.state is DialogState.EARLY


def test_dialog_id_of_messages() -> None:
    request = invite()
    response = answer(request)
    uas = Dialog.from_uas(request, response)
    uac = Dialog.from_uac(request, response)
    assert dialog_id_of(in_dialog("BYE", 2), uas=True) == DialogId("a84b4c76e66710", "1928301774", "a6c85cf")
    assert dialog_id_of(response, uas=False) == uac.dialog_id
    assert dialog_id_of(response, uas=True) == uas.dialog_id
    assert dialog_id_of(request, uas=True) is None  # no To tag yet
