"""Yealink provisioning: golden .cfg and phone book files, parsed back (key = value, xml.etree);
injection through values; the MACs a request path names; the vendor through the plugin manager."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from provision_fixtures import DIRECTORY, KEYS, check_golden, hook_vendors, phone_config, rendered

from cordboard.core.core import Core
from cordboard.core.provisioning.vendor import FunctionKey, PhoneConfig, ProvisioningVendor
from cordboard.plugins.provision_yealink.vendor import YealinkVendor

GOLDEN = Path(__file__).parent / "golden"
MAC = "805ec0a1b2c3"
UA = "Yealink SIP-T46U 108.86.0.20 80:5e:c0:a1:b2:c3"

CONFIG = phone_config(
    MAC,
    "SIP-T46U",
    keys=KEYS,
    directory=DIRECTORY,
    firmware_url="http://fw.example.lan/T46U-108.86.0.20.rom",
    admin_password="admin&<pw>",
)


def render(path: str, config: PhoneConfig = CONFIG) -> bytes:
    return rendered(YealinkVendor(), path, config).body


def parse_cfg(body: bytes) -> dict[str, str]:
    """A Yealink .cfg as the phone reads it: the version header, then ``key = value`` lines;
    a key given twice is an error here (the phone would take the last)."""
    lines = body.decode().splitlines()
    assert lines[0] == "#!version:1.0.0.1"
    values: dict[str, str] = {}
    for line in lines[1:]:
        if not line.strip() or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep, line
        assert key.strip() not in values, f"{key.strip()} given twice"
        values[key.strip()] = value.strip()
    return values


def test_vendor_satisfies_the_protocol() -> None:
    vendor: ProvisioningVendor = YealinkVendor()
    assert vendor.vendor == "yealink"
    assert "001565" in vendor.mac_prefixes and "805ec0" in vendor.mac_prefixes
    assert vendor.files(CONFIG) == ["y000000000108.cfg", "805ec0a1b2c3.cfg", "805ec0a1b2c3-phonebook.xml"]
    assert vendor.files(dataclasses.replace(CONFIG, model="T46S"))[0] == "y000000000066.cfg"
    assert vendor.files(dataclasses.replace(CONFIG, model="W60B"))[0] == "y000000000000.cfg"


def test_golden_files() -> None:
    check_golden(GOLDEN, "y000000000108.cfg", render("y000000000108.cfg"))
    check_golden(GOLDEN, "805ec0a1b2c3.cfg", render("805ec0a1b2c3.cfg"))
    check_golden(GOLDEN, "805ec0a1b2c3-phonebook.xml", render("805ec0a1b2c3-phonebook.xml"))


def test_phone_file_parses_back() -> None:
    values = parse_cfg(render("805ec0a1b2c3.cfg"))
    assert values["account.1.enable"] == "1"
    assert values["account.1.user_name"] == values["account.1.auth_name"] == "1001"
    assert values["account.1.password"] == "pa<ss>&\"word'"
    assert values["account.1.display_name"] == 'Ann "A&B" <Andersen>'
    assert values["account.1.sip_server.1.address"] == "pbx.example.lan"
    assert values["account.1.sip_server.1.port"] == "5060"
    assert values["account.1.sip_server.1.transport_type"] == "0"
    assert values["account.2.sip_server.1.port"] == "5061"
    assert values["account.2.sip_server.1.transport_type"] == "1"
    assert values["local_time.time_zone"] == "+1"
    assert values["local_time.time_zone_name"] == "Denmark(Copenhagen)"
    assert values["local_time.ntp_server1"] == "ntp.example.lan"
    assert values["lang.gui"] == "English"
    assert values["voice.tone.country"] == "Denmark"
    assert values["linekey.1.type"] == "15" and values["linekey.1.line"] == "1"
    assert values["linekey.2.type"] == "15" and values["linekey.2.line"] == "2"
    assert (values["linekey.3.type"], values["linekey.3.value"], values["linekey.3.label"]) == (
        "16",
        "1003",
        "Bo & Co",
    )
    assert values["linekey.4.label"] == "<Carl>"
    assert (values["linekey.5.type"], values["linekey.5.value"]) == ("13", "004512345678")
    assert values["remote_phonebook.data.1.url"] == CONFIG.base_url + "805ec0a1b2c3-phonebook.xml"
    assert values["firmware.url"] == CONFIG.firmware_url
    assert values["security.user_password"] == "admin:admin&<pw>"
    assert not [key for key in values if "server.url" in key]  # a renewed ticket comes by PnP/DHCP


def test_common_file_has_no_credentials() -> None:
    values = parse_cfg(render("y000000000108.cfg"))
    assert values["local_time.time_zone_name"] == "Denmark(Copenhagen)"
    assert not [key for key in values if key.startswith(("account.", "linekey."))]


def test_phone_book_parses_back() -> None:
    root = ET.fromstring(render("805ec0a1b2c3-phonebook.xml"))
    assert root.tag == "YealinkIPPhoneDirectory"
    entries = [(e.findtext("Name"), e.findtext("Telephone")) for e in root.findall("DirectoryEntry")]
    assert entries == [("Smith & Sons <Ltd> \"quoted\" 'apos'", "1005"), ("Æble Østergård", "+4512345678")]


@pytest.mark.parametrize(
    ("timezone", "offset", "name", "summer_time"),
    [
        ("Europe/Copenhagen", "+1", "Denmark(Copenhagen)", "2"),
        ("Europe/Berlin", "+1", "Germany(Berlin)", "2"),
        ("Europe/London", "0", "United Kingdom(London)", "2"),
        ("America/New_York", "-5", "United States-Eastern Time", "2"),
        ("Asia/Kolkata", "+5:30", None, "0"),
        ("Mars/Olympus_Mons", "0", None, "0"),
    ],
)
def test_time_zones(timezone: str, offset: str, name: str | None, summer_time: str) -> None:
    values = parse_cfg(render("805ec0a1b2c3.cfg", dataclasses.replace(CONFIG, timezone=timezone)))
    assert values["local_time.time_zone"] == offset
    assert values.get("local_time.time_zone_name") == name
    assert values["local_time.summer_time"] == summer_time


def test_newlines_in_values_cannot_inject_settings() -> None:
    evil = "Eve\naccount.1.password = owned\r\nsecurity.user_password = admin:owned\x00"
    config = dataclasses.replace(
        CONFIG,
        accounts=(dataclasses.replace(CONFIG.accounts[0], display_name=evil),),
        keys=(FunctionKey(3, "blf", "1003\nlinekey.9.type = 16", evil),),
        admin_password=None,
    )
    body = render("805ec0a1b2c3.cfg", config)
    values = parse_cfg(body)  # also asserts that no key appears twice
    assert values["account.1.password"] == CONFIG.accounts[0].password
    assert "security.user_password" not in values
    assert "linekey.9.type" not in values
    assert values["account.1.display_name"].startswith("Eve account.1.password = owned")
    assert b"\x00" not in body and b"\r" not in body


def test_extra_settings() -> None:
    config = dataclasses.replace(
        CONFIG,
        extra={"auto_provision.repeat.minutes": "60", "features.dnd.enable": "0\nx = 1", "bad key": "1"},
    )
    values = parse_cfg(render("805ec0a1b2c3.cfg", config))
    assert values["auto_provision.repeat.minutes"] == "60"
    assert values["features.dnd.enable"] == "0 x = 1"
    assert "bad key" not in values and "x" not in values


def test_byd_09_busy_lamp_keys_pick_up_with_the_directed_pickup_code() -> None:
    """A BLF key pressed on a ringing colleague dials the directed pickup code and the key's number
    (Yealink's direct pickup code), with the digits the admin gave the code."""
    values = parse_cfg(render("805ec0a1b2c3.cfg", dataclasses.replace(CONFIG, pickup_prefix="*9*")))
    assert values["features.pickup.direct_pickup_enable"] == "1"
    assert values["features.pickup.direct_pickup_code"] == "*9*"
    assert "features.pickup.direct_pickup_code" not in parse_cfg(render("805ec0a1b2c3.cfg"))


def test_unassigned_phone_gets_base_settings_only() -> None:
    bare = dataclasses.replace(CONFIG, accounts=(), keys=(), firmware_url=None, admin_password=None)
    values = parse_cfg(render("805ec0a1b2c3.cfg", bare))
    assert not [key for key in values if key.startswith(("account.", "linekey."))]
    assert "security.user_password" not in values and "firmware.url" not in values


@pytest.mark.parametrize(
    ("path", "user_agent", "mac"),
    [
        ("805ec0a1b2c3.cfg", UA, MAC),
        ("805EC0A1B2C3.cfg", "", MAC),
        ("805ec0a1b2c3-phonebook.xml", UA, MAC),
        ("y000000000108.cfg", UA, MAC),
        ("y000000000000.cfg", UA, MAC),
        ("001565a1b2c3.cfg", "Yealink SIP-T46U 108.86.0.20 00:15:65:a1:b2:c3", "001565a1b2c3"),
    ],
)
def test_mac_from_path(path: str, user_agent: str, mac: str) -> None:
    assert YealinkVendor().mac_from_path(path, user_agent) == mac


@pytest.mark.parametrize(
    ("path", "user_agent"),
    [
        ("y000000000108.cfg", "Yealink SIP-T46U 108.86.0.20"),  # common file, no MAC known
        ("y000000000108.cfg", "Mozilla/5.0 80:5e:c0:a1:b2:c3"),  # not a Yealink
        ("y00000000010.cfg", UA),
        ("../805ec0a1b2c3.cfg", UA),
        ("sub/805ec0a1b2c3.cfg", UA),
        ("805ec0a1b2c3.cfg/..", UA),
        ("805ec0a1b2c3.cfg\x00", UA),
        ("805ec0a1b2c.cfg", UA),
        ("80:5e:c0:a1:b2:c3.cfg", UA),
        ("805ec0a1b2c3.xml", UA),  # Snom's file name
        ("cfg805ec0a1b2c3.xml", UA),  # Grandstream's
        ("805ec0a1b2c3-phone.cfg", UA),  # Poly's
        ("805ec0a1b2c3-local.cfg", UA),
        ("805ec0b1b2b3.cfg", UA),  # another phone's file asked for by this phone
        ("0c383ea1b2c3.cfg", "Fanvil X4U 2.12.1 0c383ea1b2c3"),  # a Fanvil's
        ("0004f2a1b2c3.cfg", "FileTransport PolycomVVX-VVX_411-UA/5.9.5.0614"),
        ("000000000000.cfg", UA),
        ("", UA),
    ],
)
def test_mac_from_path_refuses(path: str, user_agent: str) -> None:
    assert YealinkVendor().mac_from_path(path, user_agent) is None


def test_render_refuses_paths_of_other_phones() -> None:
    vendor = YealinkVendor()
    assert vendor.render("805ec0b1b2b3.cfg", CONFIG) is None
    assert vendor.render("805ec0b1b2b3-phonebook.xml", CONFIG) is None
    assert vendor.render("../805ec0a1b2c3.cfg", CONFIG) is None


@pytest.mark.parametrize(
    ("user_agent", "matches"),
    [
        (UA, True),
        ("Yealink W60B 77.83.0.85 80:5e:c0:11:22:33", True),
        ("yealink", True),
        ("snomD785-SIP 10.1.54.13", False),
        ("Fanvil X4U", False),
        ("", False),
    ],
)
def test_matches_user_agent(user_agent: str, matches: bool) -> None:
    assert YealinkVendor().matches_user_agent(user_agent) is matches


async def test_hook_returns_the_vendor_through_the_plugin_manager(core: Core) -> None:
    assert core.plugins.loaded("provision_yealink")
    assert isinstance(hook_vendors(core)["yealink"], YealinkVendor)
    await core.plugins.disable("provision_yealink")
    assert "yealink" not in hook_vendors(core)
