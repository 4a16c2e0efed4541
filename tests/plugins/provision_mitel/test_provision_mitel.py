"""Mitel 6800 provisioning: golden aastra.cfg and <MAC>.cfg, parsed back as ``name: value``
lines; line breaks cannot inject settings; the MACs a request path names; the hook."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from provision_fixtures import ACCOUNTS, check_golden, hook_vendors, phone_config, rendered

from cordboard.core.core import Core
from cordboard.core.provisioning.vendor import DirectoryEntry, FunctionKey, PhoneConfig
from cordboard.plugins.provision_mitel.vendor import MitelVendor

GOLDEN = Path(__file__).parent / "golden"
MAC = "00085da1b2c3"
UA = "Aastra6867i MAC:00-08-5D-A1-B2-C3 V:5.1.0.2048-SIP"
CONFIG = phone_config(
    MAC,
    "6867i",
    accounts=(ACCOUNTS[0], dataclasses.replace(ACCOUNTS[1], transport="udp")),
    language="de",
    keys=(
        FunctionKey(1, "line", "1", "Ann"),
        FunctionKey(2, "line", "2", "Support"),
        FunctionKey(3, "blf", "1003", "Bo & Co"),
        FunctionKey(4, "speed_dial", "004512345678", "Taxi"),
    ),
    directory=(DirectoryEntry("Smith & Sons <Ltd>", "1005"),),
    admin_password="admin&<pw>",
    firmware_url="http://fw.example.lan/mitel/6867i/",
)


def render(path: str, config: PhoneConfig = CONFIG) -> bytes:
    return rendered(MitelVendor(), path, config).body


def parse(body: bytes) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in body.decode().splitlines():
        name, sep, value = line.partition(":")
        assert sep, line
        assert name not in values, f"{name} given twice"
        values[name] = value.strip()
    return values


def test_golden_files() -> None:
    vendor = MitelVendor()
    assert vendor.files(CONFIG) == ["aastra.cfg", "6867i.cfg", "00085DA1B2C3.cfg"]
    for name in ("aastra.cfg", "00085DA1B2C3.cfg"):
        check_golden(GOLDEN, name, render(name))
    assert render("6867i.cfg") == render("aastra.cfg")


def test_parses_back() -> None:
    values = parse(render("00085DA1B2C3.cfg"))
    assert values["sip line1 user name"] == values["sip line1 auth name"] == "1001"
    assert values["sip line1 password"] == "pa<ss>&\"word'"
    assert values["sip line1 screen name"] == 'Ann "A&B" <Andersen>'
    assert (values["sip line1 proxy ip"], values["sip line1 proxy port"]) == ("pbx.example.lan", "5060")
    assert values["sip line2 registrar port"] == "5061"
    assert values["time zone name"] == "DK-Copenhagen"
    assert (values["time server disabled"], values["time server1"]) == ("0", "ntp.example.lan")
    assert (values["language"], values["language 1"]) == ("1", "lang_de.txt")
    assert values["admin password"] == "admin&<pw>"
    assert (values["topsoftkey1 type"], values["topsoftkey1 line"]) == ("line", "1")
    assert (values["topsoftkey2 type"], values["topsoftkey2 line"]) == ("line", "2")
    assert (values["topsoftkey3 type"], values["topsoftkey3 value"], values["topsoftkey3 label"]) == (
        "blf",
        "1003",
        "Bo & Co",
    )
    assert values["topsoftkey4 type"] == "speeddial"
    assert "sip line1 password" not in parse(render("aastra.cfg"))


def test_firmware_url_only_when_set() -> None:
    """The model's firmware folder in the phone's own file; none without a URL."""
    assert parse(render("00085DA1B2C3.cfg"))["firmware server"] == "http://fw.example.lan/mitel/6867i/"
    assert "firmware server" not in parse(render("aastra.cfg"))
    bare = dataclasses.replace(CONFIG, firmware_url=None)
    assert "firmware server" not in parse(render("00085DA1B2C3.cfg", bare))


def test_zone_without_mitel_name_is_custom() -> None:
    values = parse(render("00085DA1B2C3.cfg", dataclasses.replace(CONFIG, timezone="Europe/Kyiv")))
    assert (values["time zone name"], values["time zone minutes"], values["dst config"]) == (
        "Custom",
        "-120",
        "3",
    )
    assert (values["dst start month"], values["dst start week"], values["dst start day"]) == ("3", "-1", "1")


def test_line_breaks_cannot_inject_settings() -> None:
    evil = "Eve\nsip line1 password: owned\r\nadmin password: owned"
    config = dataclasses.replace(
        CONFIG, accounts=(dataclasses.replace(CONFIG.accounts[0], display_name=evil),), admin_password=None
    )
    values = parse(render("00085DA1B2C3.cfg", config))  # also asserts no name appears twice
    assert values["sip line1 password"] == CONFIG.accounts[0].password
    assert "admin password" not in values


@pytest.mark.parametrize(
    ("path", "user_agent", "expected"),
    [
        ("00085DA1B2C3.cfg", UA, MAC),
        ("00085da1b2c3.cfg", "", MAC),
        ("aastra.cfg", UA, MAC),
        ("6867i.cfg", UA, MAC),
        ("aastra.cfg", "Aastra6867i V:5.1.0.2048-SIP", None),  # no MAC in the User-Agent
        ("aastra.cfg", "Mozilla/5.0 00-08-5D-A1-B2-C3", None),
        ("00085DB1B2B3.cfg", UA, None),  # another phone's file
        ("../00085DA1B2C3.cfg", UA, None),
        ("00085DA1B2C3.cfg.bak", UA, None),
        ("001565a1b2c3.cfg", "Yealink SIP-T46U 108.86.0.20 00:15:65:a1:b2:c3", None),
    ],
)
def test_mac_from_path(path: str, user_agent: str, expected: str | None) -> None:
    assert MitelVendor().mac_from_path(path, user_agent) == expected


def test_matches_user_agent_and_refuses_other_phones() -> None:
    vendor = MitelVendor()
    assert vendor.matches_user_agent(UA)
    assert vendor.matches_user_agent("Mitel6920 MAC:08-00-0F-11-22-33 V:6.0.0-SIP")
    assert not vendor.matches_user_agent("Yealink SIP-T46U")
    assert vendor.render("00085DB1B2B3.cfg", CONFIG) is None


async def test_hook_returns_the_vendor_through_the_plugin_manager(core: Core) -> None:
    assert isinstance(hook_vendors(core)["mitel"], MitelVendor)
