"""Fanvil provisioning: the golden <mac>.cfg, parsed back as Fanvil's modules of ``Name :value``
lines; line breaks cannot inject settings; the MACs a request path names; the hook."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from provision_fixtures import check_golden, hook_vendors, phone_config, rendered

from cordboard.core.core import Core
from cordboard.core.provisioning.vendor import DirectoryEntry, FunctionKey, PhoneConfig
from cordboard.plugins.provision_fanvil.vendor import FanvilVendor

GOLDEN = Path(__file__).parent / "golden"
MAC = "0c383ea1b2c3"
UA = "Fanvil X4U 2.12.1.19 0c383ea1b2c3"
CONFIG = phone_config(
    MAC,
    "X4U",
    language="da",
    keys=(FunctionKey(3, "blf", "1003", "Bo & Co"),),
    directory=(DirectoryEntry("Smith & Sons <Ltd>", "1005"),),
    firmware_url="https://fw.example.lan/fanvil/x4u-2.12.1.19.z",
)


def render(config: PhoneConfig = CONFIG) -> bytes:
    return rendered(FanvilVendor(), f"{config.mac}.cfg", config).body


def parse(body: bytes) -> dict[str, dict[str, str]]:
    """Fanvil's format: the header, ``<MODULE>`` lines opening modules, ``Name :value`` lines
    (a name given twice in a module is an error here), the end marker."""
    lines = body.decode().splitlines()
    assert lines[0] == "<<VOIP CONFIG FILE>>Version:2.0000000000"
    assert lines[-1] == "<<END OF FILE>>"
    modules: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in lines[1:-1]:
        if not line:
            continue
        if line.startswith("<") and line.endswith(">"):
            current = modules.setdefault(line[1:-1], {})
            continue
        assert current is not None, line
        name, sep, value = line.partition(":")
        assert sep, line
        assert name.strip() not in current, f"{name.strip()} given twice"
        current[name.strip()] = value
    return modules


def test_golden_file() -> None:
    check_golden(GOLDEN, "0c383ea1b2c3.cfg", render())
    assert FanvilVendor().files(CONFIG) == ["0c383ea1b2c3.cfg"]


def test_parses_back() -> None:
    modules = parse(render())
    sip = modules["SIP CONFIG MODULE"]
    assert sip["SIP1 Register User"] == sip["SIP1 Phone Number"] == "1001"
    assert sip["SIP1 Register Pswd"] == "pa<ss>&\"word'"
    assert sip["SIP1 Display Name"] == 'Ann "A&B" <Andersen>'
    assert (sip["SIP1 Register Addr"], sip["SIP1 Register Port"]) == ("pbx.example.lan", "5060")
    assert (sip["SIP2 Register Port"], sip["SIP2 Transport"]) == ("5061", "1")
    phone = modules["PHONE FEATURE MODULE"]
    assert phone["SNTP Server"] == "ntp.example.lan"
    assert phone["Time Zone"] == "4"  # quarter hours: UTC+1
    assert (phone["DST Type"], phone["DST Start Mon"], phone["DST Start Week"], phone["DST End Mon"]) == (
        "1",
        "3",
        "5",
        "10",
    )
    assert phone["Default Language"] == "da"


def test_firmware_url_only_when_set() -> None:
    """The model's firmware URL as Fanvil's folder and file name; none without a URL."""
    update = parse(render())["AUTOUPDATE CONFIG MODULE"]
    assert (update["Flash Server IP"], update["Flash File Name"]) == (
        "https://fw.example.lan/fanvil/",
        "x4u-2.12.1.19.z",
    )
    assert (update["Flash Protocol"], update["Flash Mode"]) == ("5", "1")
    bare = render(dataclasses.replace(CONFIG, firmware_url=None))
    assert "AUTOUPDATE CONFIG MODULE" not in parse(bare) and b"Flash" not in bare


def test_zones() -> None:
    phone = parse(render(dataclasses.replace(CONFIG, timezone="America/New_York")))["PHONE FEATURE MODULE"]
    assert (phone["Time Zone"], phone["DST Start Week"], phone["DST End Mon"]) == ("-20", "2", "11")
    phone = parse(render(dataclasses.replace(CONFIG, timezone="Asia/Kolkata")))["PHONE FEATURE MODULE"]
    assert (phone["Time Zone"], phone["DST Type"]) == ("22", "0")


def test_line_breaks_cannot_inject_settings_or_modules() -> None:
    evil = "Eve\nSIP1 Register Pswd :owned\r\n<PHONE FEATURE MODULE>\nTime Zone :0"
    config = dataclasses.replace(
        CONFIG, accounts=(dataclasses.replace(CONFIG.accounts[0], display_name=evil),)
    )
    modules = parse(render(config))  # also asserts no name appears twice
    assert modules["SIP CONFIG MODULE"]["SIP1 Register Pswd"] == CONFIG.accounts[0].password
    assert modules["SIP CONFIG MODULE"]["SIP1 Display Name"].startswith("Eve SIP1 Register Pswd :owned")
    assert modules["PHONE FEATURE MODULE"]["Time Zone"] == "4"


@pytest.mark.parametrize(
    ("path", "user_agent", "expected"),
    [
        ("0c383ea1b2c3.cfg", UA, MAC),
        ("0C383EA1B2C3.cfg", "", MAC),
        ("0c383ea1b2c3.cfg", "curl/8.5.0", MAC),  # the OUI suffices; the device's vendor renders
        ("001565a1b2c3.cfg", "", None),  # a Yealink's MAC, no Fanvil User-Agent
        ("0c383eb1b2b3.cfg", UA, None),  # another phone's file
        ("../0c383ea1b2c3.cfg", UA, None),
        ("f0X4U000.cfg", UA, None),
        ("0c383ea1b2c3.xml", UA, None),
    ],
)
def test_mac_from_path(path: str, user_agent: str, expected: str | None) -> None:
    assert FanvilVendor().mac_from_path(path, user_agent) == expected


def test_render_refuses_other_phones() -> None:
    assert FanvilVendor().render("0c383eb1b2b3.cfg", CONFIG) is None


async def test_hook_returns_the_vendor_through_the_plugin_manager(core: Core) -> None:
    assert isinstance(hook_vendors(core)["fanvil"], FanvilVendor)
