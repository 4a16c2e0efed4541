"""The registrar (RFC 3261 10.3): AOR ownership, Expires limits (423 + Min-Expires), Contact *, queries.

USR-03: a user registers the address-of-record derived from their username (or their extension).
TERM-01 / TERM-04: several devices of one user are bound at once.
"""

from __future__ import annotations

import pytest

from cordboard.core.sip.accounts import SipAccount
from cordboard.core.sip.location import LocationService
from cordboard.core.sip.message import SipRequest, SipResponse, parse_message
from cordboard.core.sip.peer import Peer
from cordboard.core.sip.registrar import DEFAULT_MAX_EXPIRES, DEFAULT_MIN_EXPIRES, Registrar

T0 = 2_000_000.0
PEER = Peer("udp", "192.0.2.10", 5062)
ANNA = SipAccount(7, "anna", "1001", "Anna Tester", "0" * 32, "0" * 64, False)
BO = SipAccount(8, "bo", None, "Bo Tester", "0" * 32, "0" * 64, False)


def register_request(
    *contacts: str,
    expires: int | str | None = None,
    to_user: str = "anna",
    call_id: str = "reg-1",
    cseq: int = 1,
) -> SipRequest:
    lines = [
        "REGISTER sip:pbx.test SIP/2.0",
        "Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bK-reg;rport",
        "Max-Forwards: 70",
        f"From: <sip:{to_user}@pbx.test>;tag=f1",
        f"To: <sip:{to_user}@pbx.test>",
        f"Call-ID: {call_id}",
        f"CSeq: {cseq} REGISTER",
        "User-Agent: TestPhone/2.0",
    ]
    lines += [f"Contact: {c}" for c in contacts]
    if expires is not None:
        lines.append(f"Expires: {expires}")
    lines += ["Content-Length: 0", "", ""]
    message = parse_message("\r\n".join(lines).encode())
    assert isinstance(message, SipRequest)
    return message


def contact_expiries(response: SipResponse) -> dict[str, int]:
    """Contact URI -> expires parameter of a 200 to REGISTER."""
    found = {}
    contacts = response.contacts
    assert contacts != "*"
    for contact in contacts:
        found[str(contact.uri)] = int(contact.params["expires"] or -1)
    return found


@pytest.fixture
def location() -> LocationService:
    return LocationService()


@pytest.fixture
def registrar(location: LocationService) -> Registrar:
    return Registrar(location)


def test_register_binds_and_lists_contacts_with_expires(registrar: Registrar) -> None:
    result = registrar.handle(register_request("<sip:anna@192.0.2.10:5062>", expires=600), ANNA, PEER, T0)
    assert result.response.status == 200
    assert contact_expiries(result.response) == {"sip:anna@192.0.2.10:5062": 600}
    [binding] = result.changed
    assert binding.user_id == ANNA.user_id
    assert (binding.transport, binding.source_host, binding.source_port) == ("udp", "192.0.2.10", 5062)
    assert binding.user_agent == "TestPhone/2.0"
    assert result.removed == []


def test_200_carries_the_date(registrar: Registrar) -> None:
    """RFC 3261 10.3 step 8: phones set their clocks from the Date of the 200."""
    result = registrar.handle(register_request("<sip:a@192.0.2.10>", expires=600), ANNA, PEER, T0)
    assert result.response.headers.get("Date") == "Sat, 24 Jan 1970 03:33:20 GMT"
    assert (
        registrar.handle(
            register_request("<sip:a@192.0.2.10>", expires=5), ANNA, PEER, T0
        ).response.headers.get("Date")
        is None
    )


def test_register_by_extension_is_the_same_aor(registrar: Registrar) -> None:
    result = registrar.handle(
        register_request("<sip:anna@192.0.2.10>", expires=600, to_user="1001"), ANNA, PEER, T0
    )
    assert result.response.status == 200


def test_two_devices_both_listed(registrar: Registrar) -> None:
    """TERM-04: the 200 lists every binding of the user, the other device's too, with time left."""
    registrar.handle(register_request("<sip:desk@192.0.2.10>", expires=600, call_id="d"), ANNA, PEER, T0)
    result = registrar.handle(
        register_request("<sip:soft@192.0.2.11>", expires=300, call_id="s"), ANNA, PEER, T0 + 100
    )
    assert contact_expiries(result.response) == {"sip:soft@192.0.2.11": 300, "sip:desk@192.0.2.10": 500}


@pytest.mark.parametrize("to_user", ["bo", "1002", "ANNA2"])
def test_foreign_aor_forbidden(registrar: Registrar, location: LocationService, to_user: str) -> None:
    result = registrar.handle(register_request("<sip:x@192.0.2.10>", to_user=to_user), ANNA, PEER, T0)
    assert result.response.status == 403
    assert location.all(T0) == []


def test_aor_matches_username_case_insensitively(registrar: Registrar) -> None:
    result = registrar.handle(register_request("<sip:x@192.0.2.10>", to_user="Anna"), ANNA, PEER, T0)
    assert result.response.status == 200


def test_user_without_extension_cannot_claim_an_empty_user_part(registrar: Registrar) -> None:
    message = parse_message(
        b"REGISTER sip:pbx.test SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK1\r\n"
        b"Max-Forwards: 70\r\nFrom: <sip:pbx.test>;tag=1\r\nTo: <sip:pbx.test>\r\nCall-ID: x\r\n"
        b"CSeq: 1 REGISTER\r\nContact: <sip:bo@192.0.2.10>\r\nContent-Length: 0\r\n\r\n"
    )
    assert isinstance(message, SipRequest)
    assert registrar.handle(message, BO, PEER, T0).response.status == 403


@pytest.mark.parametrize("expires", [1, DEFAULT_MIN_EXPIRES - 1])
def test_interval_too_brief_423_with_min_expires(
    registrar: Registrar, location: LocationService, expires: int
) -> None:
    result = registrar.handle(register_request("<sip:a@192.0.2.10>", expires=expires), ANNA, PEER, T0)
    assert result.response.status == 423
    assert result.response.headers.get("Min-Expires") == str(DEFAULT_MIN_EXPIRES)
    assert location.all(T0) == []


def test_contact_expires_param_overrides_header(registrar: Registrar) -> None:
    brief = registrar.handle(register_request("<sip:a@192.0.2.10>;expires=10", expires=600), ANNA, PEER, T0)
    assert brief.response.status == 423
    ok = registrar.handle(
        register_request("<sip:a@192.0.2.10>;expires=120", expires=10, cseq=2), ANNA, PEER, T0
    )
    assert ok.response.status == 200
    assert contact_expiries(ok.response) == {"sip:a@192.0.2.10": 120}


def test_min_expires_exactly_accepted(registrar: Registrar) -> None:
    result = registrar.handle(
        register_request("<sip:a@192.0.2.10>", expires=DEFAULT_MIN_EXPIRES), ANNA, PEER, T0
    )
    assert result.response.status == 200
    assert contact_expiries(result.response) == {"sip:a@192.0.2.10": DEFAULT_MIN_EXPIRES}


@pytest.mark.parametrize("expires", [DEFAULT_MAX_EXPIRES + 1, 86400, 2**32 - 1, 2**40, None])
def test_long_or_missing_expires_capped_at_max(registrar: Registrar, expires: int | None) -> None:
    result = registrar.handle(register_request("<sip:a@192.0.2.10>", expires=expires), ANNA, PEER, T0)
    assert result.response.status == 200
    assert contact_expiries(result.response) == {"sip:a@192.0.2.10": DEFAULT_MAX_EXPIRES}


@pytest.mark.parametrize("value", ["3601", "99999999999", "0000000000000000000120", "9" * 5000])
def test_contact_expires_param_capped(registrar: Registrar, value: str) -> None:
    result = registrar.handle(register_request(f"<sip:a@192.0.2.10>;expires={value}"), ANNA, PEER, T0)
    assert result.response.status == 200
    expected = 120 if value.startswith("0") else DEFAULT_MAX_EXPIRES
    assert contact_expiries(result.response) == {"sip:a@192.0.2.10": expected}


def test_custom_limits() -> None:
    registrar = Registrar(LocationService(), min_expires=300, max_expires=900)
    brief = registrar.handle(register_request("<sip:a@192.0.2.10>", expires=299), ANNA, PEER, T0)
    assert brief.response.status == 423
    assert brief.response.headers.get("Min-Expires") == "300"
    capped = registrar.handle(register_request("<sip:a@192.0.2.10>", expires=5000, cseq=2), ANNA, PEER, T0)
    assert contact_expiries(capped.response) == {"sip:a@192.0.2.10": 900}


@pytest.mark.parametrize("param", ["expires=soon", "expires=-5", "expires=1e3", "expires"])
def test_bad_contact_expires_400(registrar: Registrar, location: LocationService, param: str) -> None:
    result = registrar.handle(register_request(f"<sip:a@192.0.2.10>;{param}"), ANNA, PEER, T0)
    assert result.response.status == 400
    assert location.all(T0) == []


@pytest.mark.parametrize("value", ["soon", "-1", "3600s"])
def test_bad_expires_header_400(registrar: Registrar, location: LocationService, value: str) -> None:
    result = registrar.handle(register_request("<sip:a@192.0.2.10>", expires=value), ANNA, PEER, T0)
    assert result.response.status == 400
    assert location.all(T0) == []


def test_expires_zero_unregisters_one_contact(registrar: Registrar) -> None:
    registrar.handle(
        register_request("<sip:a@192.0.2.10>", "<sip:b@192.0.2.11>", expires=600), ANNA, PEER, T0
    )
    result = registrar.handle(register_request("<sip:a@192.0.2.10>", expires=0, cseq=2), ANNA, PEER, T0 + 1)
    assert result.response.status == 200
    assert [b.contact for b in result.removed] == ["sip:a@192.0.2.10"]
    assert contact_expiries(result.response) == {"sip:b@192.0.2.11": 599}


def test_contact_star_with_expires_zero_removes_all(registrar: Registrar, location: LocationService) -> None:
    registrar.handle(
        register_request("<sip:a@192.0.2.10>", "<sip:b@192.0.2.11>", expires=600), ANNA, PEER, T0
    )
    registrar.handle(
        register_request("<sip:bo@192.0.2.12>", expires=600, to_user="bo", call_id="b"), BO, PEER, T0
    )
    result = registrar.handle(register_request("*", expires=0, cseq=2), ANNA, PEER, T0 + 1)
    assert result.response.status == 200
    assert "Contact" not in result.response.headers
    assert {b.contact for b in result.removed} == {"sip:a@192.0.2.10", "sip:b@192.0.2.11"}
    assert location.bindings(ANNA.user_id, T0 + 1) == []
    assert len(location.bindings(BO.user_id, T0 + 1)) == 1


@pytest.mark.parametrize("expires", [None, 600])
def test_contact_star_needs_expires_zero(
    registrar: Registrar, location: LocationService, expires: int | None
) -> None:
    registrar.handle(register_request("<sip:a@192.0.2.10>", expires=600), ANNA, PEER, T0)
    result = registrar.handle(register_request("*", expires=expires, cseq=2), ANNA, PEER, T0)
    assert result.response.status == 400
    assert len(location.bindings(ANNA.user_id, T0)) == 1


def test_query_without_contact_lists_bindings(registrar: Registrar, location: LocationService) -> None:
    registrar.handle(register_request("<sip:a@192.0.2.10>", expires=600), ANNA, PEER, T0)
    result = registrar.handle(register_request(cseq=2), ANNA, PEER, T0 + 60)
    assert result.response.status == 200
    assert result.changed == [] and result.removed == []
    assert contact_expiries(result.response) == {"sip:a@192.0.2.10": 540}
    assert location.bindings(ANNA.user_id, T0 + 60)[0].expires_at == T0 + 600  # not refreshed


def test_out_of_order_register_refused(registrar: Registrar, location: LocationService) -> None:
    """RFC 3261 10.3 step 7: same Call-ID, CSeq not higher: 500, bindings untouched."""
    registrar.handle(register_request("<sip:a@192.0.2.10>", expires=600, cseq=5), ANNA, PEER, T0)
    late = registrar.handle(register_request("<sip:a@192.0.2.10>", expires=0, cseq=4), ANNA, PEER, T0 + 1)
    assert late.response.status == 500
    assert late.removed == []
    assert len(location.bindings(ANNA.user_id, T0 + 1)) == 1
    newer = registrar.handle(register_request("<sip:a@192.0.2.10>", expires=0, cseq=6), ANNA, PEER, T0 + 2)
    assert newer.response.status == 200
    assert location.bindings(ANNA.user_id, T0 + 2) == []


def test_sixth_device_evicts_the_oldest(registrar: Registrar) -> None:
    """TERM-01: five devices fit; the sixth REGISTER succeeds and the oldest binding goes."""
    for i in range(5):
        result = registrar.handle(
            register_request(f"<sip:d{i}@192.0.2.{20 + i}>", expires=600, call_id=f"c{i}"), ANNA, PEER, T0 + i
        )
        assert result.response.status == 200
    result = registrar.handle(
        register_request("<sip:d5@192.0.2.25>", expires=600, call_id="c5"), ANNA, PEER, T0 + 10
    )
    assert result.response.status == 200
    assert [b.contact for b in result.removed] == ["sip:d0@192.0.2.20"]
    assert len(contact_expiries(result.response)) == 5
    assert "sip:d0@192.0.2.20" not in contact_expiries(result.response)


def test_instance_id_taken_from_contact(registrar: Registrar) -> None:
    result = registrar.handle(
        register_request(
            '<sip:a@192.0.2.10>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-00000000000a>"',
            expires=600,
        ),
        ANNA,
        PEER,
        T0,
    )
    assert result.changed[0].instance_id == "urn:uuid:00000000-0000-1000-8000-00000000000a"


def raw_register(contact: bytes, user_agent: bytes = b"Phone", call_id: bytes = b"x") -> SipRequest:
    message = parse_message(
        b"REGISTER sip:pbx.test SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK1\r\n"
        b"Max-Forwards: 70\r\nFrom: <sip:anna@pbx.test>;tag=1\r\nTo: <sip:anna@pbx.test>\r\nCall-ID: "
        + call_id
        + b"\r\n"
        b"CSeq: 1 REGISTER\r\nContact: " + contact + b"\r\nUser-Agent: " + user_agent + b"\r\n"
        b"Content-Length: 0\r\n\r\n"
    )
    assert isinstance(message, SipRequest)
    return message


@pytest.mark.parametrize(
    ("contact", "call_id"),
    [
        (b"<sip:a@192.0.2.10>", b"c\xe9ll@192.0.2.10"),
        (b'<sip:a@192.0.2.10>;+sip.instance="<urn:\xff>"', b"c@192.0.2.10"),
    ],
)
def test_call_id_or_instance_not_utf8_refused(
    registrar: Registrar, location: LocationService, contact: bytes, call_id: bytes
) -> None:
    result = registrar.handle(raw_register(contact, call_id=call_id), ANNA, PEER, T0)
    assert result.response.status == 400
    assert location.all(T0) == []


def test_latin1_user_agent_kept_readable(registrar: Registrar) -> None:
    result = registrar.handle(raw_register(b"<sip:a@192.0.2.10>", b"T\xe9l\xe9phone 1.0"), ANNA, PEER, T0)
    assert result.response.status == 200
    assert result.changed[0].user_agent == "T\ufffdl\ufffdphone 1.0"
    result.changed[0].user_agent.encode("utf-8")
