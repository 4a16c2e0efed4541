"""Grandstream provisioning: the golden cfg<mac>.xml, parsed back with xml.etree; escaping; the
MACs a request path names; the vendor through the plugin manager."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from provision_fixtures import check_golden, hook_vendors, phone_config, rendered

from cordboard.core.core import Core
from cordboard.core.provisioning.vendor import DirectoryEntry, FunctionKey, PhoneConfig
from cordboard.plugins.provision_grandstream.vendor import GrandstreamVendor

GOLDEN = Path(__file__).parent / "golden"
MAC = "000b82a1b2c3"
UA = "Grandstream Model HW GXP2170 SW 1.0.11.3 DevId 000b82a1b2c3"
CONFIG = phone_config(
    MAC,
    "GXP2170",
    language="de",
    country="DE",
    keys=(FunctionKey(1, "line", "1", "Ann"), FunctionKey(3, "blf", "1003", "Bo & Co")),
    directory=(DirectoryEntry("Smith & Sons <Ltd>", "1005"),),
    firmware_url="https://fw.example.lan/gxp2170",
    admin_password="admin&<pw>",
)


def render(config: PhoneConfig = CONFIG) -> bytes:
    return rendered(GrandstreamVendor(), f"cfg{config.mac}.xml", config).body


def p_values(body: bytes) -> dict[str, str]:
    root = ET.fromstring(body)
    assert root.tag == "gs_provision"
    assert root.findtext("mac") == MAC
    config = root.find("config")
    assert config is not None
    return {child.tag: child.text or "" for child in config}


def test_golden_file() -> None:
    check_golden(GOLDEN, "cfg000b82a1b2c3.xml", render())
    assert GrandstreamVendor().files(CONFIG) == ["cfg000b82a1b2c3.xml"]


def test_no_firmware_values_without_a_url() -> None:
    values = p_values(render(dataclasses.replace(CONFIG, firmware_url=None)))
    assert "P192" not in values and "P212" not in values


def test_parses_back() -> None:
    values = p_values(render())
    assert (values["P271"], values["P47"], values["P35"], values["P36"]) == (
        "1",
        "pbx.example.lan:5060",
        "1001",
        "1001",
    )
    assert values["P34"] == "pa<ss>&\"word'"
    assert values["P3"] == values["P270"] == 'Ann "A&B" <Andersen>'
    assert values["P130"] == "0"
    assert (values["P401"], values["P402"], values["P404"], values["P406"]) == (
        "1",
        "pbx.example.lan:5061",
        "1002",
        "second-secret",
    )
    assert (values["P64"], values["P246"]) == ("customize", "CET-1CEST,M3.5.0,M10.5.0/3")
    assert values["P30"] == "ntp.example.lan"
    assert values["P1362"] == "de"
    assert values["P2"] == "admin&<pw>"
    assert (values["P212"], values["P192"]) == ("2", "fw.example.lan/gxp2170")


def test_new_york_and_unknown_zones() -> None:
    assert p_values(render(dataclasses.replace(CONFIG, timezone="America/New_York")))["P246"] == (
        "EST5EDT,M3.2.0,M11.1.0"
    )
    assert p_values(render(dataclasses.replace(CONFIG, timezone="Nowhere/Special")))["P246"] == "UTC0"


def test_values_cannot_inject_elements() -> None:
    evil = "x</P3><P34>owned</P34>\n<P2>owned</P2>"
    config = dataclasses.replace(
        CONFIG, accounts=(dataclasses.replace(CONFIG.accounts[0], display_name=evil),), admin_password=None
    )
    body = render(config)
    values = p_values(body)
    assert values["P3"] == evil.replace("\n", " ")
    assert values["P34"] == CONFIG.accounts[0].password
    assert "P2" not in values
    assert len(ET.fromstring(body).findall("config/P34")) == 1


def test_extra_p_values_only() -> None:
    values = p_values(render(dataclasses.replace(CONFIG, extra={"P57": "9", "P2x": "1", "<P1>": "2"})))
    assert values["P57"] == "9"
    assert "P2x" not in values


@pytest.mark.parametrize(
    ("path", "user_agent", "expected"),
    [
        ("cfg000b82a1b2c3.xml", UA, MAC),
        ("cfg000B82A1B2C3.xml", "", MAC),
        ("cfgc074ada1b2c3.xml", "", "c074ada1b2c3"),
        ("cfg000b82a1b2c3", UA, None),
        ("cfg.xml", UA, None),
        ("../cfg000b82a1b2c3.xml", UA, None),
        ("cfg000b82a1b2c3.xml/..", UA, None),
        ("000b82a1b2c3.xml", UA, None),
        ("cfg000b82b1b2b3.xml", UA, None),  # another phone's file
        ("cfg001565a1b2c3.xml", "Yealink SIP-T46U 108.86.0.20 00:15:65:a1:b2:c3", None),
    ],
)
def test_mac_from_path(path: str, user_agent: str, expected: str | None) -> None:
    assert GrandstreamVendor().mac_from_path(path, user_agent) == expected


def test_matches_user_agent_and_refuses_other_phones() -> None:
    vendor = GrandstreamVendor()
    assert vendor.matches_user_agent(UA)
    assert not vendor.matches_user_agent("Yealink SIP-T46U")
    assert vendor.render("cfg000b82b1b2b3.xml", CONFIG) is None


async def test_hook_returns_the_vendor_through_the_plugin_manager(core: Core) -> None:
    assert isinstance(hook_vendors(core)["grandstream"], GrandstreamVendor)
