"""Snom provisioning: golden settings files, parsed back with xml.etree; escaping; the MACs a
request path names; the vendor through the plugin manager."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from provision_fixtures import DIRECTORY, KEYS, check_golden, hook_vendors, phone_config, rendered

from cordboard.core.core import Core
from cordboard.core.provisioning.vendor import DirectoryEntry, PhoneConfig, ProvisioningVendor
from cordboard.plugins.provision_snom.vendor import SnomVendor

GOLDEN = Path(__file__).parent / "golden"
MAC = "000413a1b2c3"
UA = "Mozilla/4.0 (compatible; snomD785-SIP 10.1.54.13 2010.12-00004-g9ba52f5 000413A1B2C3 SXM:0 UXM:0)"

CONFIG = phone_config(
    MAC,
    "snomD785",
    language="da",
    keys=KEYS,
    directory=DIRECTORY,
    firmware_url="http://fw.example.lan/snomD785-10.1.54.13-SIP-update.bin",
    admin_password="admin&<pw>",
)


def render(path: str, config: PhoneConfig = CONFIG) -> bytes:
    file = rendered(SnomVendor(), path, config)
    assert file.content_type.startswith("application/xml")
    return file.body


def settings(root: ET.Element) -> dict[tuple[str, str | None], str]:
    phone = root.find("phone-settings")
    assert phone is not None
    return {(child.tag, child.get("idx")): child.text or "" for child in phone}


def phone_settings(config: PhoneConfig) -> dict[tuple[str, str | None], str]:
    return settings(ET.fromstring(render("000413A1B2C3.xml", config)))


def test_vendor_satisfies_the_protocol() -> None:
    vendor: ProvisioningVendor = SnomVendor()
    assert vendor.vendor == "snom"
    assert vendor.mac_prefixes == ("000413",)
    assert vendor.files(CONFIG) == [
        "000413A1B2C3.xml",
        "snomD785-000413A1B2C3.htm",
        "000413A1B2C3-firmware.xml",
    ]


def test_plug_and_play_names_the_settings_file() -> None:
    assert SnomVendor().pnp_path(CONFIG) == "000413A1B2C3.xml"


def test_golden_files() -> None:
    check_golden(GOLDEN, "000413A1B2C3.xml", render("000413A1B2C3.xml"))
    check_golden(GOLDEN, "000413A1B2C3-firmware.xml", render("000413A1B2C3-firmware.xml"))
    # Both names a Snom asks for get the same settings.
    assert render("snomD785-000413A1B2C3.htm") == render("000413A1B2C3.xml")


def test_settings_parse_back() -> None:
    root = ET.fromstring(render("000413A1B2C3.xml"))
    assert root.tag == "settings"
    values = settings(root)
    assert values["user_name", "1"] == "1001"
    assert values["user_pass", "1"] == "pa<ss>&\"word'"
    assert values["user_realname", "1"] == 'Ann "A&B" <Andersen>'
    assert values["user_host", "1"] == "pbx.example.lan:5060"
    assert values["user_outbound", "2"] == "pbx.example.lan:5061;transport=tcp"
    assert values["user_active", "2"] == "on"
    assert values["timezone", None] == "DNK+1"
    assert values["tone_scheme", None] == "DNK"
    assert values["language", None] == "Dansk"
    assert values["ntp_server", None] == "ntp.example.lan"
    assert values["admin_mode_password", None] == "admin&<pw>"
    assert ("setting_server", None) not in values  # a renewed ticket reaches the phone by PnP/DHCP
    assert values["firmware_status", None] == CONFIG.base_url + "000413A1B2C3-firmware.xml"
    keys = {k.get("idx"): (k.get("context"), k.get("label"), k.text) for k in root.iter("fkey")}
    assert keys["0"] == ("1", "Ann", "line")
    assert keys["1"] == ("2", "Support", "line")
    assert keys["2"] == ("active", "Bo & Co", "dest <sip:1003@pbx.example.lan>")
    assert keys["3"] == ("active", "<Carl>", "dest <sip:1004@pbx.example.lan>")
    assert keys["4"] == ("active", "Taxi", "speed 004512345678")
    book = [(i.findtext("name"), i.findtext("number")) for i in root.iter("item")]
    assert book == [("Smith & Sons <Ltd> \"quoted\" 'apos'", "1005"), ("Æble Østergård", "+4512345678")]
    firmware = ET.fromstring(render("000413A1B2C3-firmware.xml"))
    assert firmware.findtext("firmware") == CONFIG.firmware_url


@pytest.mark.parametrize(
    ("timezone", "code"),
    [
        ("Europe/Copenhagen", "DNK+1"),
        ("Europe/Berlin", "GER+1"),
        ("Europe/London", "GBR-0"),
        ("America/New_York", "USA-5"),
    ],
)
def test_timezone_codes(timezone: str, code: str) -> None:
    values = phone_settings(dataclasses.replace(CONFIG, timezone=timezone))
    assert values["timezone", None] == code
    assert ("utc_offset", None) not in values


def test_zone_without_snom_code_spells_out_offset_and_dst() -> None:
    values = phone_settings(dataclasses.replace(CONFIG, timezone="Europe/Kyiv"))
    assert values["timezone", None] == ""
    assert values["utc_offset", None] == "7200"
    assert values["dst", None] == "3600 03.05.07 03:00:00 10.05.07 04:00:00"
    unknown = dataclasses.replace(CONFIG, timezone="Mars/Olympus_Mons")
    values = phone_settings(unknown)
    assert (values["utc_offset", None], values["dst", None]) == ("0", "")


@pytest.mark.parametrize(("country", "scheme"), [("DK", "DNK"), ("DE", "GER"), ("GB", "GBR"), ("US", "USA")])
def test_tone_schemes(country: str, scheme: str) -> None:
    values = phone_settings(dataclasses.replace(CONFIG, country=country))
    assert values["tone_scheme", None] == scheme


def test_unassigned_phone_gets_base_settings_only() -> None:
    bare = dataclasses.replace(CONFIG, accounts=(), keys=(), firmware_url=None, admin_password=None)
    root = ET.fromstring(render("000413A1B2C3.xml", bare))
    values = settings(root)
    assert not [name for name, _ in values if name.startswith("user_")]
    assert ("http_pass", None) not in values and ("firmware_status", None) not in values
    assert values["timezone", None] == "DNK+1"
    assert SnomVendor().render("000413A1B2C3-firmware.xml", bare) is None


def test_values_cannot_inject_elements() -> None:
    evil = 'x</user_realname><user_pass idx="1" perm="">owned</user_pass>\n<!--'
    config = dataclasses.replace(
        CONFIG,
        accounts=(dataclasses.replace(CONFIG.accounts[0], display_name=evil + "\x00\x1b"),),
        directory=(DirectoryEntry("]]><tbook>", "1\n2"),),
    )
    root = ET.fromstring(render("000413A1B2C3.xml", config))
    values = settings(root)
    assert values["user_realname", "1"] == evil.replace("\n", " ")
    assert values["user_pass", "1"] == CONFIG.accounts[0].password
    assert len(root.findall("phone-settings/user_pass")) == 1
    assert [i.findtext("name") for i in root.iter("item")] == ["]]><tbook>"]
    assert [i.findtext("number") for i in root.iter("item")] == ["1 2"]


def test_extra_settings_are_added_but_never_replace_managed_ones() -> None:
    config = dataclasses.replace(
        CONFIG, extra={"dtmf_payload_type": "101", "user_pass": "x", "bad name": "y", "a<b": "z"}
    )
    values = phone_settings(config)
    assert values["dtmf_payload_type", None] == "101"
    assert ("user_pass", None) not in values
    assert values["user_pass", "1"] == CONFIG.accounts[0].password


@pytest.mark.parametrize(
    ("path", "user_agent", "mac"),
    [
        ("000413A1B2C3.xml", UA, MAC),
        ("000413a1b2c3.xml", "", MAC),
        ("snomD785-000413A1B2C3.htm", UA, MAC),
        ("snom715-000413A1B2C3.xml", "snom715-SIP 10.1.0", MAC),
        ("000413A1B2C3-firmware.xml", UA, MAC),
        ("001565A1B2C3.xml", "snomD785-SIP 10.1.54.13", "001565a1b2c3"),  # a Snom UA: its MAC
    ],
)
def test_mac_from_path(path: str, user_agent: str, mac: str) -> None:
    assert SnomVendor().mac_from_path(path, user_agent) == mac


@pytest.mark.parametrize(
    ("path", "user_agent"),
    [
        ("snomD785.htm", UA),  # the model-wide file names no phone
        ("../000413A1B2C3.xml", UA),
        ("x/000413A1B2C3.xml", UA),
        ("000413A1B2C3.xml/../../etc/passwd", UA),
        ("%2e%2e/000413A1B2C3.xml", UA),
        ("000413A1B2C3.xml\x00.htm", UA),
        ("000413A1B2C.xml", UA),
        ("000413A1B2C3D.xml", UA),
        ("00:04:13:A1:B2:C3.xml", UA),
        ("000413A1B2C3.cfg", UA),
        ("cfg000413a1b2c3.xml", UA),
        ("000413B1B2B3.xml", UA),  # another phone's file asked for by this phone
        ("001565A1B2C3.xml", "Yealink SIP-T46U 108.86.0.20 00:15:65:a1:b2:c3"),  # not a Snom
        ("000000000000.xml", ""),
        ("", UA),
    ],
)
def test_mac_from_path_refuses(path: str, user_agent: str) -> None:
    assert SnomVendor().mac_from_path(path, user_agent) is None


def test_render_refuses_paths_of_other_phones() -> None:
    vendor = SnomVendor()
    assert vendor.render("000413B1B2B3.xml", CONFIG) is None
    assert vendor.render("snomD785.htm", CONFIG) is None
    assert vendor.render("../000413A1B2C3.xml", CONFIG) is None


@pytest.mark.parametrize(
    ("user_agent", "matches"),
    [
        (UA, True),
        ("snom", True),
        ("snomD345/10.1.49.11", True),
        ("Yealink SIP-T46U 108.86.0.20", False),
        ("Mozilla/5.0 (X11; Linux x86_64)", False),
        ("", False),
    ],
)
def test_matches_user_agent(user_agent: str, matches: bool) -> None:
    assert SnomVendor().matches_user_agent(user_agent) is matches


async def test_hook_returns_the_vendor_through_the_plugin_manager(core: Core) -> None:
    assert core.plugins.loaded("provision_snom")
    assert isinstance(hook_vendors(core)["snom"], SnomVendor)
    await core.plugins.disable("provision_snom")
    assert "snom" not in hook_vendors(core)
