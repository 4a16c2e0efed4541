"""The header container (case-insensitive, compact forms, list splitting) and Via/CSeq values."""

from __future__ import annotations

import pytest

from cordboard.core.sip import headers as h
from cordboard.core.sip.errors import SipParseError
from cordboard.core.sip.headers import COMPACT_FORMS, CSeq, Headers, Via, canonical_name, split_list


def test_compact_forms_rfc3261_7_3_3() -> None:
    expected = {
        "i": "Call-ID",
        "m": "Contact",
        "e": "Content-Encoding",
        "l": "Content-Length",
        "c": "Content-Type",
        "f": "From",
        "s": "Subject",
        "k": "Supported",
        "t": "To",
        "v": "Via",
        "o": "Event",
        "u": "Allow-Events",
        "r": "Refer-To",
        "b": "Referred-By",
        "x": "Session-Expires",
        "y": "Identity",
        "a": "Accept-Contact",
        "j": "Reject-Contact",
        "d": "Request-Disposition",
    }
    assert expected == COMPACT_FORMS
    assert canonical_name("I") == "Call-ID"
    assert canonical_name("cseq") == "CSeq"
    assert canonical_name("www-authenticate") == "WWW-Authenticate"
    assert canonical_name("X-Custom") == "X-Custom"


def test_lookup_is_case_insensitive_and_understands_compact_forms() -> None:
    headers = Headers([("v", "SIP/2.0/UDP a"), ("CALL-id", "abc"), ("X-Thing", "1")])
    assert headers.get("Via") == "SIP/2.0/UDP a"
    assert headers.get("i") == "abc"
    assert headers.get(h.CALL_ID) == "abc"
    assert "x-thing" in headers
    assert "Route" not in headers
    assert headers.items() == [("Via", "SIP/2.0/UDP a"), ("Call-ID", "abc"), ("X-Thing", "1")]


def test_list_headers_are_split_respecting_quotes_and_angle_brackets() -> None:
    headers = Headers()
    headers.add("Contact", '"Doe, John" <sip:j@a;x=1,2>;q=0.5, <sip:k@b>')
    headers.add("Via", "SIP/2.0/UDP a;branch=z9hG4bK1 , SIP/2.0/TCP b;branch=z9hG4bK2")
    headers.add("Allow", "INVITE, ACK,BYE")
    assert headers.get_all("Contact") == ['"Doe, John" <sip:j@a;x=1,2>;q=0.5', "<sip:k@b>"]
    assert headers.get_all("v") == ["SIP/2.0/UDP a;branch=z9hG4bK1", "SIP/2.0/TCP b;branch=z9hG4bK2"]
    assert headers.get_all("Allow") == ["INVITE", "ACK", "BYE"]


@pytest.mark.parametrize(
    "name", ["WWW-Authenticate", "Authorization", "Proxy-Authenticate", "Date", "Subject"]
)
def test_non_list_headers_are_never_split(name: str) -> None:
    value = 'Digest realm="a,b", nonce="x", algorithm=MD5'
    headers = Headers([(name, value)])
    assert headers.get_all(name) == [value]


def test_split_list_drops_empty_elements() -> None:
    assert split_list(" a ,, b ,") == ["a", "b"]
    assert split_list("   ") == []


def test_add_prepend_set_remove_and_pop_first() -> None:
    headers = Headers(
        [("Via", "v2"), ("To", "t"), ("Via", "v3"), ("Route", "<sip:r1>"), ("Route", "<sip:r2>")]
    )
    headers.add("Via", "v1", prepend=True)
    assert headers.get_all("Via") == ["v1", "v2", "v3"]
    assert headers.items()[0] == ("Via", "v1")
    assert headers.pop_first("Route") == "<sip:r1>"
    assert headers.get_all("Route") == ["<sip:r2>"]
    headers.set("To", "t2")
    assert headers.get_all("To") == ["t2"]
    assert headers.items()[2] == ("To", "t2")  # set keeps the position
    headers.set("Expires", 60)
    assert headers.get("Expires") == "60"
    assert headers.remove("Via") == 3
    assert headers.count("Via") == 0
    assert headers.pop_first("Via") is None
    assert len(headers) == 3


def test_add_rejects_line_breaks() -> None:
    with pytest.raises(ValueError, match="line break"):
        Headers().add("Subject", "a\r\nInjected: yes")


def test_parsed_cache_is_dropped_on_change() -> None:
    headers = Headers([("CSeq", "1 INVITE")])

    def parse(values: list[str]) -> CSeq:
        return CSeq.parse(values[0])

    first = headers.parsed("CSeq", parse)
    assert headers.parsed("cseq", parse) is first
    headers.set("CSeq", CSeq(2, "BYE"))
    assert headers.parsed("CSeq", parse) == CSeq(2, "BYE")


def test_copy_and_equality() -> None:
    headers = Headers([("To", "a")])
    copy = headers.copy()
    assert copy == headers
    copy.add("From", "b")
    assert copy != headers
    assert headers.names() == ["To"]
    assert headers.serialize() == "To: a\r\n"


def test_via_parse_and_format() -> None:
    via = Via.parse("SIP/2.0/UDP 192.0.2.1:5062;branch=z9hG4bK776;received=10.0.0.1;rport=4000")
    assert via.transport == "UDP"
    assert (via.host, via.port, via.sent_by) == ("192.0.2.1", 5062, "192.0.2.1:5062")
    assert via.branch == "z9hG4bK776"
    assert via.received == "10.0.0.1"
    assert via.rport == 4000 and via.rport_requested
    assert str(via) == "SIP/2.0/UDP 192.0.2.1:5062;branch=z9hG4bK776;received=10.0.0.1;rport=4000"


def test_via_valueless_rport_and_ipv6() -> None:
    via = Via.parse("SIP/2.0/TCP [2001:db8::1]:5060;rport;branch=z9hG4bKx")
    assert via.host == "[2001:db8::1]"
    assert via.rport is None and via.rport_requested
    assert str(via) == "SIP/2.0/TCP [2001:db8::1]:5060;rport;branch=z9hG4bKx"


def test_via_with_lws_everywhere() -> None:
    """RFC 4475 3.1.1.1: LWS is allowed around '/' and ';' and '='."""
    via = Via.parse("SIP  / 2.0  / TCP     spindle.example.com   ; branch  =   z9hG4bK9ikj8")
    assert (via.protocol, via.transport, via.host, via.branch) == (
        "SIP/2.0",
        "TCP",
        "spindle.example.com",
        "z9hG4bK9ikj8",
    )
    assert Via.parse("SIP/2.0/UDP host : 5060").port == 5060


@pytest.mark.parametrize(
    "text",
    [
        "SIP/2.0/UDP",
        "SIP/2.0 UDP host",
        "SIP/2.0/UDP 192.0.2.15;;",
        ";",
        "SIP/2.0/UDP host;rport=abc",
        "SIP/2.0/UDP host:70000",
        "SIP/2.0/UDP host;branch",
    ],
)
def test_malformed_via_raises(text: str) -> None:
    if text == "SIP/2.0/UDP host;branch":
        assert Via.parse(text).branch is None  # a valueless branch is legal syntax
        return
    with pytest.raises(SipParseError):
        Via.parse(text)


def test_cseq_parse_and_limits() -> None:
    assert CSeq.parse("0009\t INVITE") == CSeq(9, "INVITE")
    assert str(CSeq(1, "BYE")) == "1 BYE"
    for bad in ["INVITE", "1", "1 2 3", "-1 INVITE", "2147483648 INVITE", "1 INV(ITE", "\u0661 INVITE"]:
        with pytest.raises(SipParseError):
            CSeq.parse(bad)
    assert CSeq.parse("2147483647 X").seq == 2**31 - 1


def _vias(values: list[str]) -> list[Via]:
    return [Via.parse(v) for v in values]


def test_restate_first_keeps_the_parsed_view_changed_in_place() -> None:
    """The received/rport rewrite of the top Via: new text, same parsed objects, the rest untouched."""
    headers = Headers(
        [("v", "SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK1;rport"), ("Via", "SIP/2.0/UDP p2;branch=z9hG4bK0")]
    )
    vias = headers.parsed(h.VIA, _vias)
    vias[0].params["rport"] = "40000"
    headers.restate_first("via", str(vias[0]))
    assert headers.get_all(h.VIA) == [
        "SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK1;rport=40000",
        "SIP/2.0/UDP p2;branch=z9hG4bK0",
    ]
    assert headers.serialize().startswith("Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK1;rport=40000\r\n")
    assert headers.parsed(h.VIA, _vias) is vias  # not parsed again
    with pytest.raises(KeyError):
        headers.restate_first(h.ROUTE, "<sip:p1;lr>")


def test_first_missing_and_first_repeated_name_the_header() -> None:
    headers = Headers([("To", "<sip:a@x>"), ("f", "<sip:b@x>;tag=1"), ("From", "<sip:c@x>;tag=2")])
    assert headers.first_missing((h.TO, h.FROM, h.CALL_ID, h.CSEQ)) == h.CALL_ID
    assert headers.first_missing((h.TO, h.FROM)) is None
    assert headers.first_repeated((h.TO, h.FROM)) == h.FROM
    assert headers.first_repeated((h.TO, h.CALL_ID)) is None
