"""NUM-09 and the trunk's caller-ID rules (CLI), without the network."""

from __future__ import annotations

from typing import Any

from cordboard.core.trunks.model import Trunk, to_e164
from cordboard.core.trunks.service import TrunkService


def test_num_09_numbers_from_a_trunk_in_e164() -> None:
    dk = Trunk(name="dk", country_code="45")
    de = Trunk(name="de", country_code="49", national_prefix="0")
    assert to_e164("89000011", dk) == "+4589000011"
    assert to_e164("+4589000011", dk) == "+4589000011"
    assert to_e164("004589000011", dk) == "+4589000011"
    assert to_e164("089840798192", de) == "+4989840798192"
    assert to_e164("1001", Trunk(name="bare")) == "1001"


def test_cli_trunk_presents_the_users_did_else_its_default() -> None:
    service: Any = TrunkService.__new__(TrunkService)
    trunk = Trunk(name="t", caller_ids=["+4589000000", "+4589000010"], default_caller_id="+4589000000")
    assert service.caller_id_for(trunk, ["1002", "+4589000010"]) == "+4589000010"
    assert service.caller_id_for(trunk, ["1003", "+4511111111"]) == "+4589000000"  # not the trunk's
    assert service.caller_id_for(trunk, ["1003"]) == "+4589000000"
    assert service.caller_id_for(trunk, ["+4589000010"], anonymous=True) is None
    strict = Trunk(name="s", allow_anonymous=False, default_caller_id="+4589000000")
    assert service.caller_id_for(strict, [], anonymous=True) == "+4589000000"


INVITE = (
    "INVITE sip:89000011@192.0.2.10:5060 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bKx\r\n"
    'From: "Carrier Caller" <sip:004570000001@198.51.100.7>;tag=a\r\n'
    "To: <sip:+4589000012@provider.test>\r\n"
    "P-Called-Party-ID: <tel:+4589000013>\r\n"
    "P-Asserted-Identity: <sip:+4570000002@provider.test>\r\n"
    "Call-ID: c1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
)


def test_byd_02_the_did_is_read_where_the_trunk_says() -> None:
    from cordboard.core.sip.message import SipRequest, parse_message

    request = parse_message(INVITE.encode())
    assert isinstance(request, SipRequest)
    service: Any = TrunkService.__new__(TrunkService)
    trunk = Trunk(name="t", country_code="45")
    assert service.called_number(trunk, request) == "+4589000011"
    trunk.called_from = "to"
    assert service.called_number(trunk, request) == "+4589000012"
    trunk.called_from = "p_called_party_id"
    assert service.called_number(trunk, request) == "+4589000013"
    # The caller: P-Asserted-Identity over From.
    assert service.caller_of(trunk, request) == ("+4570000002", "")
    request.headers.remove("P-Asserted-Identity")
    assert service.caller_of(trunk, request) == ("+4570000001", "Carrier Caller")


def test_byd_03_outbound_routes_by_number_type_then_prefix_then_priority() -> None:
    from cordboard.core.trunks.model import OutboundRoute
    from cordboard.core.trunks.service import TrunkRuntime

    service: Any = TrunkService.__new__(TrunkService)
    runtimes = {
        name: TrunkRuntime(Trunk(name=name, priority=priority), "", state=state)
        for name, priority, state in (("a", 1, "down"), ("b", 2, "registered"), ("c", 3, "up"))
    }
    service.trunks = runtimes
    service.routes = [
        OutboundRoute("+49", ("c", "b")),
        OutboundRoute("+4930", ("a", "c")),
        OutboundRoute("", ("c",), number_type="Mobile"),
    ]
    names = lambda number, kind=None: [rt.trunk.name for rt in service.outbound_trunks(number, kind)]  # noqa: E731
    assert names("+4589000000") == ["b", "c", "a"]  # by priority, the down trunk last
    assert names("+49891234") == ["c", "b"]
    assert names("+4930123456") == ["c", "a"]  # the longest prefix; a is down
    assert names("+4915112345", "Mobile") == ["c"]
