"""The vendor plugins' shared helpers: MACs, time zone rules, escaping."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from cordboard.plugins.provision_common import (
    mac_in_user_agent,
    normalise_mac,
    one_line,
    path_mac_allowed,
    xml_document,
    xml_text,
    zone_rule,
)
from cordboard.plugins.provision_common.timezones import ZONES, offset_text


@pytest.mark.parametrize(
    ("text", "mac"),
    [
        ("000413A1B2C3", "000413a1b2c3"),
        ("00:04:13:a1:b2:c3", "000413a1b2c3"),
        ("00-04-13-A1-B2-C3", "000413a1b2c3"),
        ("00:04-13:a1:b2:c3", None),
        ("000413A1B2C", None),
        ("000413A1B2C3D", None),
        ("00041 3A1B2C", None),
        ("g00413a1b2c3", None),
        ("", None),
    ],
)
def test_normalise_mac(text: str, mac: str | None) -> None:
    assert normalise_mac(text) == mac


@pytest.mark.parametrize(
    ("user_agent", "mac"),
    [
        ("Yealink SIP-T46U 108.86.0.20 00:15:65:aa:bb:cc", "001565aabbcc"),
        (
            "Mozilla/4.0 (compatible; snomD785-SIP 10.1.33.33 2010.12-00004-g9ba52f5 000413922D24 SXM:0)",
            "000413922d24",
        ),
        ("Aastra6731i MAC:00-08-5D-23-74-29 V:2.6.0.1008-SIP", "00085d237429"),
        ("Grandstream Model HW GXP2170 SW 1.0.11.3 DevId 000b82aabbcc", "000b82aabbcc"),
        ("snomD785-SIP 10.1.33.33", None),
        ("x 0123456789abcd", None),
        ("two 00:15:65:aa:bb:cc 00:15:65:aa:bb:cd", None),
    ],
)
def test_mac_in_user_agent(user_agent: str, mac: str | None) -> None:
    assert mac_in_user_agent(user_agent) == mac


def test_path_mac_allowed() -> None:
    prefixes = ("000413",)
    assert path_mac_allowed("000413a1b2c3", "", prefixes=prefixes, user_agent_matches=False)
    assert path_mac_allowed("001565a1b2c3", "snom", prefixes=prefixes, user_agent_matches=True)
    assert not path_mac_allowed("001565a1b2c3", "", prefixes=prefixes, user_agent_matches=False)
    assert not path_mac_allowed(
        "000413a1b2c3", "snomD785 000413B1B2B3", prefixes=prefixes, user_agent_matches=True
    )
    assert not path_mac_allowed("000000000000", "snom", prefixes=prefixes, user_agent_matches=True)


def test_zone_rules() -> None:
    copenhagen = zone_rule("Europe/Copenhagen")
    assert (copenhagen.std_offset_minutes, copenhagen.posix) == (60, "CET-1CEST,M3.5.0,M10.5.0/3")
    assert copenhagen.dst_start is not None and copenhagen.dst_end is not None
    assert (copenhagen.dst_start.month, copenhagen.dst_start.week, copenhagen.dst_start.hour) == (3, 5, 2)
    assert (copenhagen.dst_end.month, copenhagen.dst_end.hour) == (10, 3)
    london = zone_rule("Europe/London")
    assert london.dst_start is not None and london.dst_start.hour == 1
    new_york = zone_rule("America/New_York")
    assert new_york.std_offset_minutes == -300
    assert new_york.dst_start is not None and (new_york.dst_start.month, new_york.dst_start.week) == (3, 2)
    assert not zone_rule("Asia/Tokyo").has_dst
    assert zone_rule("Not/A_Zone").name == "UTC"
    assert all(name == rule.name for name, rule in ZONES.items())


def test_zone_table_agrees_with_tzdata() -> None:
    zoneinfo = pytest.importorskip("zoneinfo")
    import datetime as dt

    for name, rule in ZONES.items():
        try:
            zone = zoneinfo.ZoneInfo(name)
        except zoneinfo.ZoneInfoNotFoundError:
            continue
        winter = dt.datetime(2025, 1, 15, 12, tzinfo=zone).utcoffset()
        summer = dt.datetime(2025, 7, 15, 12, tzinfo=zone).utcoffset()
        assert winter is not None and summer is not None
        assert int(winter.total_seconds() // 60) == rule.std_offset_minutes, name
        assert (summer != winter) == rule.has_dst, name


def test_offset_text() -> None:
    assert [offset_text(m) for m in (60, 0, -300, 330, -210)] == ["+1", "0", "-5", "+5:30", "-3:30"]


def test_one_line_and_xml_text() -> None:
    assert one_line("a\nb\r\nc\x00d\te\x1b ") == "a b  c d e"
    assert xml_text("<a & b>\n\x01") == "<a & b>"
    root = ET.Element("r", {"v": xml_text('x"y')})
    root.text = xml_text("<&>")
    body = xml_document(root)
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    parsed = ET.fromstring(body)
    assert (parsed.get("v"), parsed.text) == ('x"y', "<&>")
