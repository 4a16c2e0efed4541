"""Free-seat storage and the open-extension window (PROV-06, PROV-09, PROV-12), without a network:
the four device states, seat accounts with negative SIP ids, one seat per user, and a window that
is claimed once and expires."""

from __future__ import annotations

import sqlite_utils
from cryptography.fernet import Fernet

from cordboard.core.identity.users import create_user
from cordboard.core.provisioning import devices, seats
from cordboard.core.provisioning.open_extension import OpenExtension, unknown

MAC = "02cb00a1b2c3"
OTHER = "02cb00d4e5f6"


def _user(db: sqlite_utils.Database, name: str, extension: str) -> int:
    return create_user(
        db, username=name, first_name=name.title(), last_name="T", email=f"{name}@example.com",
        extension=extension,
    ).id  # fmt: skip


def test_four_states_and_seat_accounts_prov06(db: sqlite_utils.Database) -> None:
    anna = _user(db, "anna", "1001")
    fernet = Fernet(Fernet.generate_key())
    devices.add_device(db, mac=MAC, source="manual", user_id=anna)
    devices.add_device(db, mac=OTHER, source="manual")
    assert devices.get_device(db, MAC).state == "assigned"
    assert devices.get_device(db, OTHER).state == "not_provisioned"

    seats.set_free_seat(db, MAC, True)
    seat = seats.create_seat(db, fernet, MAC)
    assert seats.create_seat(db, fernet, MAC) == seat  # made once
    device = devices.get_device(db, MAC)
    assert (device.state, device.user_id, device.free_seat) == ("free_seat", None, True)
    assert seat.username == f"0seat{MAC}" and seat.sip_id < 0
    password = seats.password(db, fernet, MAC)
    assert password is not None and len(password) == 20
    assert seats.password(db, Fernet(Fernet.generate_key()), MAC) is None  # another key reads nothing
    [account] = seats.sip_accounts(db)
    assert (account.user_id, account.username, account.extension) == (seat.sip_id, seat.username, None)
    assert seats.seat_by_sip_id(db, seat.sip_id) == seat and seats.seat_by_sip_id(db, anna) is None

    seats.set_seated(db, MAC, anna)
    assert devices.get_device(db, MAC).state == "seated"
    assert devices.get_device(db, MAC).seated_at is not None

    # A second free seat: anna logging in there leaves the first.
    seats.set_free_seat(db, OTHER, True)
    seats.set_seated(db, OTHER, anna)
    assert devices.get_device(db, MAC).state == "free_seat"
    assert devices.get_device(db, OTHER).state == "seated"
    assert [d.mac for d in devices.devices_of_user(db, anna)] == [OTHER]

    # Free seating off: nobody sits there, no seat account.
    seats.set_free_seat(db, OTHER, False)
    assert devices.get_device(db, OTHER).state == "not_provisioned"
    seats.delete_seat(db, MAC)
    devices.delete_device(db, MAC)
    assert seats.sip_accounts(db) == []


def test_open_extension_window_prov12() -> None:
    now = [100.0]
    window = OpenExtension(clock=lambda: now[0])
    assert window.claim(MAC, "10.0.0.2") is None
    window.open(7, 2)
    assert window.claim(MAC, "10.0.0.2") == 7
    assert window.claim(OTHER, "10.0.0.3") is None  # closed by the first phone
    window.open(7, 2)
    now[0] += 120
    assert window.current() is None and window.claim(MAC, "10.0.0.2") is None  # expired


def test_unknown_phones_prov12(db: sqlite_utils.Database) -> None:
    assert unknown(None)
    device = devices.add_device(db, mac=MAC, source="pnp")
    assert unknown(device)  # listed by plug-and-play, never provisioned
    device = devices.record_seen(db, MAC, ip="10.0.0.2", fetch="2026-12-01T10:00:00Z x.cfg served")
    assert not unknown(device)
