"""Poly provisioning: golden master, phone and directory files, parsed back with xml.etree;
escaping; the MACs a request path names; the vendor through the plugin manager."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from provision_fixtures import check_golden, hook_vendors, phone_config, rendered

from cordboard.core.core import Core
from cordboard.core.provisioning.vendor import DirectoryEntry, FunctionKey, PhoneConfig
from cordboard.plugins.provision_poly.vendor import PolyVendor

GOLDEN = Path(__file__).parent / "golden"
MAC = "0004f2a1b2c3"
UA = "FileTransport PolycomVVX-VVX_411-UA/5.9.5.0614"
CONFIG = phone_config(
    MAC,
    "VVX411",
    timezone="America/New_York",
    country="US",
    keys=(FunctionKey(1, "line", "1", "Ann"), FunctionKey(3, "blf", "1003", "Bo & Co")),
    directory=(DirectoryEntry('Smith & Sons <Ltd> "q"', "1005"), DirectoryEntry("Æble", "1006")),
    admin_password="admin&<pw>",
)


def render(path: str, config: PhoneConfig = CONFIG) -> bytes:
    return rendered(PolyVendor(), path, config).body


def attributes(body: bytes) -> dict[str, str]:
    root = ET.fromstring(body)
    assert root.tag == "polycomConfig"
    values: dict[str, str] = {}
    for group in root:
        values.update(group.attrib)
    return values


def test_golden_files() -> None:
    vendor = PolyVendor()
    assert vendor.files(CONFIG) == [
        "0004f2a1b2c3.cfg",
        "0004f2a1b2c3-phone.cfg",
        "0004f2a1b2c3-directory.xml",
    ]
    for name in vendor.files(CONFIG):
        check_golden(GOLDEN, name, render(name))


def test_master_names_the_phone_file() -> None:
    root = ET.fromstring(render("0004f2a1b2c3.cfg"))
    assert root.tag == "APPLICATION"
    assert root.get("CONFIG_FILES") == "0004f2a1b2c3-phone.cfg"
    assert root.get("APP_FILE_PATH") == "sip.ld"
    firmware = dataclasses.replace(CONFIG, firmware_url="http://fw.example.lan/sip.ld")
    assert ET.fromstring(render("0004f2a1b2c3.cfg", firmware)).get("APP_FILE_PATH") == firmware.firmware_url


def test_phone_file_parses_back() -> None:
    values = attributes(render("0004f2a1b2c3-phone.cfg"))
    assert values["reg.1.address"] == values["reg.1.auth.userId"] == "1001"
    assert values["reg.1.auth.password"] == "pa<ss>&\"word'"
    assert values["reg.1.displayName"] == 'Ann "A&B" <Andersen>'
    assert (values["reg.1.server.1.address"], values["reg.1.server.1.port"]) == ("pbx.example.lan", "5060")
    assert values["reg.1.server.1.transport"] == "UDPOnly"
    assert values["reg.2.server.1.transport"] == "TCPOnly"
    assert values["tcpIpApp.sntp.address"] == "ntp.example.lan"
    assert values["tcpIpApp.sntp.gmtOffset"] == "-18000"
    assert values["tcpIpApp.sntp.daylightSavings.enable"] == "1"
    assert (
        values["tcpIpApp.sntp.daylightSavings.start.month"],
        values["tcpIpApp.sntp.daylightSavings.start.date"],
    ) == (
        "3",
        "8",
    )
    assert values["tcpIpApp.sntp.daylightSavings.stop.month"] == "11"
    assert values["lcl.ml.lang"] == "English_United_States"
    assert values["device.auth.localAdminPassword"] == "admin&<pw>"
    assert (values["attendant.resourceList.1.address"], values["attendant.resourceList.1.label"]) == (
        "1003",
        "Bo & Co",
    )


def test_copenhagen() -> None:
    values = attributes(
        render("0004f2a1b2c3-phone.cfg", dataclasses.replace(CONFIG, timezone="Europe/Copenhagen"))
    )
    assert values["tcpIpApp.sntp.gmtOffset"] == "3600"
    assert values["tcpIpApp.sntp.daylightSavings.start.dayOfWeek.lastInMonth"] == "1"


def test_directory_parses_back() -> None:
    root = ET.fromstring(render("0004f2a1b2c3-directory.xml"))
    items = [(i.findtext("fn"), i.findtext("ct")) for i in root.iter("item")]
    assert items == [('Smith & Sons <Ltd> "q"', "1005"), ("Æble", "1006")]


def test_values_cannot_inject_attributes() -> None:
    evil = 'x" reg.1.auth.password="owned\n'
    config = dataclasses.replace(
        CONFIG, accounts=(dataclasses.replace(CONFIG.accounts[0], display_name=evil),)
    )
    values = attributes(render("0004f2a1b2c3-phone.cfg", config))
    assert values["reg.1.displayName"] == 'x" reg.1.auth.password="owned'
    assert values["reg.1.auth.password"] == CONFIG.accounts[0].password


@pytest.mark.parametrize(
    ("path", "user_agent", "expected"),
    [
        ("0004f2a1b2c3.cfg", UA, MAC),
        ("0004f2a1b2c3-phone.cfg", UA, MAC),
        ("0004f2a1b2c3-directory.xml", "", MAC),
        ("482567a1b2c3.cfg", "FileTransport Poly-Edge_E450-UA/8.0.0", "482567a1b2c3"),
        ("000000000000.cfg", UA, None),
        ("0004f2a1b2c3-license.cfg", UA, None),
        ("../0004f2a1b2c3.cfg", UA, None),
        ("001565a1b2c3.cfg", "Yealink SIP-T46U 108.86.0.20 00:15:65:a1:b2:c3", None),
        ("0004f2a1b2c3.xml", UA, None),
    ],
)
def test_mac_from_path(path: str, user_agent: str, expected: str | None) -> None:
    assert PolyVendor().mac_from_path(path, user_agent) == expected


def test_matches_user_agent_and_refuses_other_phones() -> None:
    vendor = PolyVendor()
    assert vendor.matches_user_agent(UA)
    assert vendor.matches_user_agent("FileTransport Poly-Edge_E450-UA/8.0.0")
    assert not vendor.matches_user_agent("Yealink SIP-T46U")
    assert not vendor.matches_user_agent("polytechnic browser")
    assert vendor.render("0004f2b1b2b3-phone.cfg", CONFIG) is None


async def test_hook_returns_the_vendor_through_the_plugin_manager(core: Core) -> None:
    assert isinstance(hook_vendors(core)["poly"], PolyVendor)
