"""The device list and the retrievable SIP passwords (PROV-05/10/13): MAC normalisation, CSV
import, encryption round trip, the key file's permissions, and stale passwords not served."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import sqlite_utils
import voluptuous as vol

from cordboard.core.exceptions import ConfigValidationError
from cordboard.core.identity.users import create_user, set_sip_password
from cordboard.core.provisioning import devices, secrets
from cordboard.core.provisioning.settings import is_private, switch_on


@pytest.mark.parametrize(
    ("text", "mac"),
    [
        ("00:04:13:A1:B2:C3", "000413a1b2c3"),
        ("0004-13a1-b2c3", "000413a1b2c3"),
        (" 001565a1b2c3 ", "001565a1b2c3"),
    ],
)
def test_mac_normalised_prov10(text: str, mac: str) -> None:
    assert devices.normalise_mac(text) == mac


@pytest.mark.parametrize(
    "text", ["", "0004", "00:04:13:a1:b2:c3:d4", "zz0413a1b2c3", "ffffffffffff", "01005e000001", 12]
)
def test_bad_mac_refused_prov10(text: object) -> None:
    """A MAC in the wrong format is refused (BYD-08 bad input)."""
    with pytest.raises(vol.Invalid):
        devices.normalise_mac(text)


def test_devices_add_assign_seen(db: sqlite_utils.Database) -> None:
    user = create_user(db, username="ann", first_name="Ann", last_name="T", email="ann@example.com")
    device = devices.add_device(db, mac="000413a1b2c3", source="manual", model="D785", description="Desk 1")
    assert device.state == "not_provisioned"
    with pytest.raises(devices.DeviceExists):
        devices.add_device(db, mac="000413a1b2c3", source="pnp")
    device = devices.update_device(db, "000413a1b2c3", {"user_id": user.id})
    assert device.state == "assigned"
    seen = devices.record_seen(db, "000413a1b2c3", ip="10.0.0.5", firmware="10.1", fetch="x served")
    assert (seen.last_ip, seen.firmware, seen.model, seen.last_fetch) == (
        "10.0.0.5",
        "10.1",
        "D785",
        "x served",
    )
    assert seen.first_seen is not None
    with pytest.raises(ConfigValidationError):
        devices.update_device(db, "000413a1b2c3", {"user_id": 999})


def test_csv_import_prov13(db: sqlite_utils.Database) -> None:
    """PROV-13: phones added in advance from CSV (mac, model, description); bad rows named."""
    rows = devices.parse_csv("mac,model,description\n00:04:13:a1:b2:c3,D785,Reception\n001565a1b2c4,T46S,\n")
    assert devices.import_rows(db, rows) == (2, 0)
    assert devices.get_device(db, "000413a1b2c3").description == "Reception"
    assert devices.get_device(db, "001565a1b2c4").source == "csv"
    assert devices.import_rows(db, devices.parse_csv("000413a1b2c3,D785,Front desk\n")) == (0, 1)
    with pytest.raises(ConfigValidationError) as err:
        devices.parse_csv("000413a1b2c3,D785\nnot-a-mac,x\n000413a1b2c3,again\n")
    assert set(err.value.fields) == {"line 2", "line 3"}


def test_password_round_trip_and_key_file_mode(db: sqlite_utils.Database, tmp_path: Path) -> None:
    """The SIP password comes back only while it is the user's current one; the key file is 0600."""
    data = tmp_path / "data"
    data.mkdir()
    fernet = secrets.load_key(data)
    key_file = secrets.key_path(data)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert secrets.load_key(data).decrypt(fernet.encrypt(b"x")) == b"x"  # the same key on reload
    user = create_user(
        db,
        username="ann",
        first_name="Ann",
        last_name="T",
        email="ann@example.com",
        sip_password="first-password-1",
    )
    assert secrets.retrieve(db, fernet, user.id) is None
    secrets.remember(db, fernet, user.id, "first-password-1")
    stored = db.execute("SELECT token FROM sip_secrets WHERE user_id = ?", [user.id]).fetchone()[0]
    assert "first-password-1" not in stored
    assert secrets.retrieve(db, fernet, user.id) == "first-password-1"
    set_sip_password(db, user.id, "changed-elsewhere-1")  # e.g. the CLI: the stored one is stale
    assert secrets.retrieve(db, fernet, user.id) is None
    generated = secrets.generate_password()
    assert len(generated) == 20 and generated.isalnum()


def test_private_network_switch_prov03() -> None:
    """PROV-03: the default 'private_network' is on for private addresses only."""
    assert is_private("192.168.1.20") and is_private("10.1.2.3") and is_private("fd00::1")
    assert not is_private("198.51.100.7") and not is_private("nonsense")
    assert switch_on("private_network", "192.168.1.20") and not switch_on("private_network", "8.8.8.8")
    assert switch_on("on", "8.8.8.8") and not switch_on("off", "10.0.0.1")
