"""SIP plug-and-play, sans-IO (BYD-07): the SUBSCRIBE parser and the 200/NOTIFY builders; bad or
spoofed requests are refused with a reason, and answers go only to the datagram's source."""

from __future__ import annotations

import pytest
from provisioning_phone import MAC, pnp_subscribe

from cordboard.core.provisioning.pnp import (
    PnpListener,
    PnpRefused,
    PnpRequest,
    build_notify,
    mac_from_user,
    ok_response,
    parse_subscribe,
)
from cordboard.core.sip.message import SipRequest, SipResponse, parse_message

PHONE = ("192.168.10.67", 5060)

# Snom's documented trace (service.snom.com, "SIP Plug & Play"), with its MAC and no branch.
SNOM_TRACE = (
    b"SUBSCRIBE sip:MAC%3a00135E874B49@intern.snom.de SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP 192.168.10.67:5060;rport\r\n"
    b"From: <sip:MAC%3a00135E874B49@intern.snom.de>;tag=658512961\r\n"
    b"To: <sip:MAC%3a00135E874B49@intern.snom.de>\r\n"
    b"Call-ID: 1930770594@192.168.10.67\r\n"
    b"CSeq: 1 SUBSCRIBE\r\n"
    b'Event: ua-profile;profile-type="device";vendor="OEM";model="OEM";version="7.1.19"\r\n'
    b"Expires: 0\r\n"
    b"Accept: application/url\r\n"
    b"Contact: <sip:192.168.10.67:5060>\r\n"
    b"Content-Length: 0\r\n\r\n"
)


def test_snom_trace_parses_byd07() -> None:
    """BYD-07: Snom's documented plug-and-play SUBSCRIBE gives MAC, vendor, model and firmware."""
    pnp = parse_subscribe(SNOM_TRACE, PHONE)
    assert pnp.mac == "00135e874b49"
    assert (pnp.vendor, pnp.model, pnp.firmware) == ("OEM", "OEM", "7.1.19")
    assert pnp.notify_to == PHONE


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("MAC%3a000413A1B2C3", "000413a1b2c3"),
        ("MAC%3A00:15:65:a1:b2:c3", "001565a1b2c3"),
        ("MAC:001565a1b2c3", "001565a1b2c3"),
        ("MAC=00304fa99948", "00304fa99948"),
        ("MAC%3a0004", None),
        ("MAC%3a01005e000001", None),  # a multicast MAC is no phone
        ("1001", None),
        (None, None),
    ],
)
def test_mac_from_user_part_prov10(user: str | None, expected: str | None) -> None:
    """PROV-10: MACs are normalised to 12 lower-case hex digits; anything else is no MAC."""
    assert mac_from_user(user) == expected


def test_test_phone_request_parses() -> None:
    pnp = parse_subscribe(pnp_subscribe("10.0.0.2", 5062), ("10.0.0.2", 5062))
    assert pnp.mac == MAC
    assert pnp.vendor == "cbtest"
    assert pnp.user_agent.startswith("CordboardTestPhone")
    assert pnp.notify_to == ("10.0.0.2", 5062)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"garbage\r\n\r\n", "unparsable"),
        (b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 1.2.3.4\r\n\r\n", "unparsable|response"),
        (pnp_subscribe("10.0.0.2").replace(b"SUBSCRIBE sip:", b"OPTIONS sip:", 1), "not SUBSCRIBE"),
        (pnp_subscribe("10.0.0.2", event="presence"), "not ua-profile"),
        (pnp_subscribe("10.0.0.2", event='ua-profile;profile-type="application"'), "not device"),
        (pnp_subscribe("10.0.0.2", uri_user="1001"), "no MAC"),
        (pnp_subscribe("10.0.0.2", uri_user="MAC%3a0004"), "no MAC"),
        (pnp_subscribe("10.0.0.2", via_host="10.9.9.9"), "Via names 10.9.9.9"),
    ],
)
def test_malformed_or_spoofed_requests_are_refused_byd07(data: bytes, reason: str) -> None:
    """A malformed or spoofed SUBSCRIBE is refused with a reason for the log line, never answered."""
    with pytest.raises(PnpRefused, match=reason):
        parse_subscribe(data, ("10.0.0.2", 5060))


def test_two_different_macs_are_refused() -> None:
    data = pnp_subscribe("10.0.0.2").replace(
        b"From: <sip:MAC%3a02CB00A1B2C3@", b"From: <sip:MAC%3a02CB00FFFFFF@", 1
    )
    with pytest.raises(PnpRefused, match="two different MAC"):
        parse_subscribe(data, ("10.0.0.2", 5060))


def test_notify_goes_to_the_source_host_only() -> None:
    """A Contact naming a third party does not redirect the NOTIFY: it goes to the packet's source."""
    data = pnp_subscribe("10.0.0.2", contact="<sip:203.0.113.9:5070>")
    pnp = parse_subscribe(data, ("10.0.0.2", 5060))
    assert pnp.notify_to == ("10.0.0.2", 5060)
    notify = build_notify(
        pnp, "http://10.0.0.1:8123/provision/t/", local_tag="abc", local=("10.0.0.1", 40000)
    )
    assert str(notify.uri) == "sip:10.0.0.2:5060"


def test_ok_and_notify_build_byd07() -> None:
    """BYD-07: 200 with our tag and Expires 0; the NOTIFY in the same dialog carries the URL."""
    pnp = parse_subscribe(SNOM_TRACE, PHONE)
    ok = parse_message(bytes(ok_response(pnp, local_tag="t1", contact="<sip:192.168.100.10:40000>")))
    assert isinstance(ok, SipResponse)
    assert ok.status == 200
    assert ok.to_tag == "t1"
    assert ok.headers.get("Expires") == "0"
    assert ok.top_via.received == "192.168.10.67"
    url = "http://192.168.100.10:8123/provision/secret/"
    notify = parse_message(bytes(build_notify(pnp, url, local_tag="t1", local=("192.168.100.10", 40000))))
    assert isinstance(notify, SipRequest)
    assert notify.method == "NOTIFY"
    assert str(notify.uri) == "sip:192.168.10.67:5060"
    assert notify.call_id == "1930770594@192.168.10.67"
    assert notify.from_tag == "t1"
    assert notify.to_tag == "658512961"
    assert notify.headers.get("Event", "").startswith("ua-profile")
    assert notify.media_type == "application/url"
    assert notify.headers.get("Subscription-State", "").startswith("terminated")
    assert notify.body == url.encode()
    with pytest.raises(ValueError):
        build_notify(pnp, "http://x/\r\nEvil: 1", local_tag="t1", local=("192.168.100.10", 40000))


async def test_listener_limits_each_source() -> None:
    """A flood of SUBSCRIBEs from one address is cut after a burst; another address still gets through."""
    seen: list[PnpRequest] = []
    listener = PnpListener("127.0.0.1", seen.append)
    for _ in range(15):
        listener._received(pnp_subscribe("10.0.0.2"), ("10.0.0.2", 5060))
    listener._received(pnp_subscribe("10.0.0.3"), ("10.0.0.3", 5060))
    listener._received(b"junk", ("10.0.0.4", 5060))
    assert len(seen) == 11
    assert listener.stats == {"received": 17, "dropped": 1, "notified": 0, "limited": 5}
