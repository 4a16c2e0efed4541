"""The location service (RFC 3261 10.3) with an injected clock: bindings per user, expiry, limits, CSeq order.

TERM-01 / TERM-04: a user has at least five terminals registered at once; a sixth evicts the oldest.
"""

from __future__ import annotations

import pytest

from cordboard.core.sip.location import (
    MAX_BINDINGS_PER_USER,
    Binding,
    ContactUpdate,
    LocationService,
    OutOfOrderRegister,
)

T0 = 1_000_000.0
USER = 7
OTHER = 8


def register(
    location: LocationService,
    *contacts: str | ContactUpdate,
    user: int = USER,
    call_id: str = "call-1",
    cseq: int = 1,
    now: float = T0,
    expires: int = 600,
) -> tuple[list[Binding], list[Binding]]:
    updates = [c if isinstance(c, ContactUpdate) else ContactUpdate(c, expires) for c in contacts]
    return location.update(
        user,
        updates,
        call_id=call_id,
        cseq=cseq,
        now=now,
        transport="udp",
        source_host="192.0.2.10",
        source_port=5060,
        user_agent="TestPhone/1.0",
    )


def contacts_of(location: LocationService, now: float = T0, user: int = USER) -> list[str]:
    return [b.contact for b in location.bindings(user, now)]


def test_add_binding_records_source_and_expiry() -> None:
    location = LocationService()
    changed, removed = register(location, "sip:anna@192.0.2.10:5060", expires=300)
    assert removed == []
    [binding] = changed
    assert binding.user_id == USER
    assert binding.contact == "sip:anna@192.0.2.10:5060"
    assert binding.expires_at == T0 + 300
    assert binding.registered_at == T0
    assert (binding.transport, binding.source_host, binding.source_port) == ("udp", "192.0.2.10", 5060)
    assert binding.user_agent == "TestPhone/1.0"
    assert binding.remaining(T0 + 100) == 200
    assert binding.remaining(T0 + 1000) == 0
    assert location.bindings(USER, T0) == [binding]
    assert location.bindings(OTHER, T0) == []


def test_bindings_newest_first_and_per_user() -> None:
    """TERM-04: several devices of one extension at once, each its own binding."""
    location = LocationService()
    register(location, "sip:a@192.0.2.1", call_id="a", now=T0)
    register(location, "sip:b@192.0.2.2", call_id="b", now=T0 + 1)
    register(location, "sip:c@192.0.2.3", call_id="c", now=T0 + 2)
    register(location, "sip:x@192.0.2.9", user=OTHER, call_id="x", now=T0 + 3)
    assert contacts_of(location, T0 + 3) == ["sip:c@192.0.2.3", "sip:b@192.0.2.2", "sip:a@192.0.2.1"]
    assert contacts_of(location, T0 + 3, OTHER) == ["sip:x@192.0.2.9"]
    assert len(location.all(T0 + 3)) == 4


def test_five_terminals_per_user_then_oldest_evicted() -> None:
    """TERM-01: five terminals at once; a sixth device makes room by evicting the oldest registration."""
    assert MAX_BINDINGS_PER_USER == 5
    location = LocationService()
    for i in range(5):
        _, removed = register(location, f"sip:dev{i}@192.0.2.{i + 1}", call_id=f"c{i}", now=T0 + i)
        assert removed == []
    assert len(location.bindings(USER, T0 + 5)) == 5
    register(location, "sip:x@192.0.2.99", user=OTHER, call_id="x", now=T0 + 5)

    changed, removed = register(location, "sip:dev5@192.0.2.6", call_id="c5", now=T0 + 10)
    assert [b.contact for b in changed] == ["sip:dev5@192.0.2.6"]
    assert [b.contact for b in removed] == ["sip:dev0@192.0.2.1"]
    assert contacts_of(location, T0 + 10) == [f"sip:dev{i}@192.0.2.{i + 1}" for i in (5, 4, 3, 2, 1)]
    assert contacts_of(location, T0 + 10, OTHER) == ["sip:x@192.0.2.99"]  # another user is untouched


def test_a_refreshing_old_phone_outlives_a_stale_binding() -> None:
    """TERM-01: the first phone ever registered keeps its place while it refreshes; the binding
    that lapses first (a phone that rebooted onto a new port and stopped refreshing) makes room."""
    location = LocationService()
    for i in range(5):
        register(location, f"sip:dev{i}@192.0.2.{i + 1}", call_id=f"c{i}", now=T0 + i)
    register(location, "sip:dev0@192.0.2.1", call_id="c0", cseq=2, now=T0 + 300)  # dev0 refreshes
    _, removed = register(location, "sip:dev5@192.0.2.6", call_id="c5", now=T0 + 301)
    assert [b.contact for b in removed] == ["sip:dev1@192.0.2.2"]
    assert "sip:dev0@192.0.2.1" in contacts_of(location, T0 + 301)


def test_refresh_does_not_count_as_a_new_terminal() -> None:
    location = LocationService()
    for i in range(5):
        register(location, f"sip:dev{i}@192.0.2.{i + 1}", call_id=f"c{i}", now=T0 + i)
    changed, removed = register(location, "sip:dev0@192.0.2.1", call_id="c0", cseq=2, now=T0 + 20)
    assert removed == []
    assert changed[0].registered_at == T0  # a refresh keeps the first registration time
    assert changed[0].expires_at == T0 + 20 + 600
    assert changed[0].cseq == 2
    assert len(location.bindings(USER, T0 + 20)) == 5


def test_one_register_with_too_many_contacts_keeps_the_limit() -> None:
    location = LocationService(max_bindings=2)
    changed, removed = register(location, "sip:a@192.0.2.1", "sip:b@192.0.2.2", "sip:c@192.0.2.3")
    assert len(changed) == 3
    assert len(removed) == 1
    assert len(location.bindings(USER, T0)) == 2


def test_expiry() -> None:
    location = LocationService()
    register(location, "sip:short@192.0.2.1", call_id="s", expires=60)
    register(location, "sip:long@192.0.2.2", call_id="l", expires=3600)
    assert set(contacts_of(location, T0 + 59)) == {"sip:long@192.0.2.2", "sip:short@192.0.2.1"}
    assert contacts_of(location, T0 + 60) == ["sip:long@192.0.2.2"]  # expired at expires_at exactly
    assert location.expire(T0 + 30) == []
    expired = location.expire(T0 + 61)
    assert [b.contact for b in expired] == ["sip:short@192.0.2.1"]
    assert location.expire(T0 + 61) == []  # dropped once
    assert [b.contact for b in location.expire(T0 + 4000)] == ["sip:long@192.0.2.2"]
    assert location.all(T0 + 4000) == []


def test_expired_bindings_do_not_count_against_the_limit() -> None:
    location = LocationService(max_bindings=2)
    register(location, "sip:old@192.0.2.1", call_id="o", expires=60)
    register(location, "sip:mid@192.0.2.2", call_id="m", now=T0 + 1)
    _, removed = register(location, "sip:new@192.0.2.3", call_id="n", now=T0 + 100)
    assert [b.contact for b in removed] == ["sip:old@192.0.2.1"]  # reported once, as expired
    assert set(contacts_of(location, T0 + 100)) == {"sip:mid@192.0.2.2", "sip:new@192.0.2.3"}
    assert location.expire(T0 + 100) == []


def test_expires_zero_removes_one_binding() -> None:
    location = LocationService()
    register(location, "sip:a@192.0.2.1", "sip:b@192.0.2.2")
    changed, removed = register(location, ContactUpdate("sip:a@192.0.2.1", 0), cseq=2, now=T0 + 5)
    assert changed == []
    assert [b.contact for b in removed] == ["sip:a@192.0.2.1"]
    assert contacts_of(location, T0 + 5) == ["sip:b@192.0.2.2"]
    # Removing what is not there is no error and reports nothing.
    assert register(location, ContactUpdate("sip:zz@192.0.2.9", 0), cseq=3) == ([], [])


def test_remove_all_is_contact_star() -> None:
    """``Contact: *`` with ``Expires: 0`` (RFC 3261 10.2.2) drops every binding of the user only."""
    location = LocationService()
    register(location, "sip:a@192.0.2.1", "sip:b@192.0.2.2")
    register(location, "sip:x@192.0.2.9", user=OTHER, call_id="x")
    removed = location.remove_all(USER)
    assert {b.contact for b in removed} == {"sip:a@192.0.2.1", "sip:b@192.0.2.2"}
    assert location.bindings(USER, T0) == []
    assert contacts_of(location, T0, OTHER) == ["sip:x@192.0.2.9"]
    assert location.remove_all(USER) == []


@pytest.mark.parametrize("cseq", [1, 0])
def test_out_of_order_cseq_same_call_id_rejected(cseq: int) -> None:
    """RFC 3261 10.3 step 7: same Call-ID and a CSeq not higher than the stored one is refused as a whole."""
    location = LocationService()
    register(location, "sip:a@192.0.2.1", call_id="same", cseq=1, expires=600)
    with pytest.raises(OutOfOrderRegister):
        register(location, "sip:b@192.0.2.2", "sip:a@192.0.2.1", call_id="same", cseq=cseq, expires=0)
    # Nothing was applied: neither the removal of a nor the addition of b.
    assert contacts_of(location) == ["sip:a@192.0.2.1"]
    assert location.bindings(USER, T0)[0].expires_at == T0 + 600


def test_other_call_id_may_use_any_cseq() -> None:
    location = LocationService()
    register(location, "sip:a@192.0.2.1", call_id="first", cseq=50)
    changed, _ = register(location, "sip:a@192.0.2.1", call_id="rebooted", cseq=1, now=T0 + 10)
    assert changed[0].call_id == "rebooted"
    assert changed[0].cseq == 1


def test_instance_id_keys_a_device_across_contact_changes() -> None:
    """RFC 5626 +sip.instance: a phone that moved to a new address replaces its own binding."""
    location = LocationService()
    instance = "urn:uuid:00000000-0000-1000-8000-000000000001"
    register(location, ContactUpdate("sip:a@192.0.2.1:5060", 600, instance))
    changed, removed = register(
        location, ContactUpdate("sip:a@192.0.2.1:6000", 600, instance), call_id="new", now=T0 + 5
    )
    assert removed == []
    assert changed[0].key == instance
    assert contacts_of(location, T0 + 5) == ["sip:a@192.0.2.1:6000"]


def test_restore_brings_back_persisted_bindings() -> None:
    location = LocationService()
    register(location, "sip:a@192.0.2.1", call_id="a")
    register(location, "sip:x@192.0.2.9", user=OTHER, call_id="x")
    saved = location.all(T0)
    fresh = LocationService()
    fresh.restore(saved)
    assert sorted(fresh.all(T0), key=lambda b: b.contact) == sorted(saved, key=lambda b: b.contact)
    # The stored CSeq still orders later REGISTERs of the same Call-ID.
    with pytest.raises(OutOfOrderRegister):
        register(fresh, "sip:a@192.0.2.1", call_id="a", cseq=1)
