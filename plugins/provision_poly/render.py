"""Poly's files rendered from a ``PhoneConfig``: pure functions, no I/O.

A Poly asks for its master file ``<mac>.cfg`` (``<APPLICATION APP_FILE_PATH=..
CONFIG_FILES=..>``), which names ``<mac>-phone.cfg``: a ``<polycomConfig>`` document whose
attributes are the settings (``reg.1.address``, ``tcpIpApp.sntp.gmtOffset``, ``lcl.ml.lang``).
It also asks for ``<mac>-directory.xml``, its contact directory: the company directory.
Every value is an XML attribute or text, escaped by the serializer.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Final

from cordboard.core.provisioning.vendor import PhoneConfig
from cordboard.plugins.provision_common import xml_document, xml_text, zone_rule
from cordboard.plugins.provision_common.timezones import DstChange
from cordboard.plugins.provision_poly.const import (
    DEFAULT_APPLICATION,
    DEFAULT_LANGUAGE,
    LANGUAGES,
    TRANSPORTS,
)

_SETTING_NAME: Final = re.compile(r"[A-Za-z][A-Za-z0-9_.]{0,127}")


def master_file_name(mac: str) -> str:
    return f"{mac}.cfg"


def phone_file_name(mac: str) -> str:
    return f"{mac}-phone.cfg"


def directory_file_name(mac: str) -> str:
    return f"{mac}-directory.xml"


def render_master(config: PhoneConfig) -> bytes:
    attrs = {
        "APP_FILE_PATH": xml_text(config.firmware_url or DEFAULT_APPLICATION),
        "CONFIG_FILES": phone_file_name(config.mac),
        "MISC_FILES": "",
        "LOG_FILE_DIRECTORY": "",
        "OVERRIDES_DIRECTORY": "",
        "CONTACTS_DIRECTORY": "",
        "LICENSE_DIRECTORY": "",
        "USER_PROFILES_DIRECTORY": "",
        "CALL_LISTS_DIRECTORY": "",
    }
    return xml_document(ET.Element("APPLICATION", attrs))


def _dst(prefix: str, change: DstChange) -> dict[str, str]:
    # Poly: dayOfWeek 1 = Sunday; "date" is the first day the weekday may fall on.
    values = {
        f"{prefix}.month": str(change.month),
        f"{prefix}.time": str(change.hour),
        f"{prefix}.dayOfWeek": str(change.weekday + 1),
        f"{prefix}.dayOfWeek.lastInMonth": "1" if change.week == 5 else "0",
    }
    if change.week != 5:
        values[f"{prefix}.date"] = str((change.week - 1) * 7 + 1)
    return values


def _time(config: PhoneConfig) -> dict[str, str]:
    rule = zone_rule(config.timezone)
    values = {
        "tcpIpApp.sntp.address": config.ntp_server,
        "tcpIpApp.sntp.address.overrideDHCP": "1",
        "tcpIpApp.sntp.gmtOffset": str(rule.std_offset_minutes * 60),
        "tcpIpApp.sntp.gmtOffset.overrideDHCP": "1",
        "tcpIpApp.sntp.daylightSavings.enable": "1" if rule.has_dst else "0",
    }
    if rule.dst_start is not None and rule.dst_end is not None:
        values["tcpIpApp.sntp.daylightSavings.fixedDayEnable"] = "0"
        values.update(_dst("tcpIpApp.sntp.daylightSavings.start", rule.dst_start))
        values.update(_dst("tcpIpApp.sntp.daylightSavings.stop", rule.dst_end))
    return values


def _registrations(config: PhoneConfig) -> dict[str, str]:
    values: dict[str, str] = {}
    for account in sorted(config.accounts, key=lambda a: a.line):
        reg = f"reg.{account.line}"
        values.update(
            {
                f"{reg}.address": account.username,
                f"{reg}.auth.userId": account.username,
                f"{reg}.auth.password": account.password,
                f"{reg}.displayName": account.display_name,
                f"{reg}.label": account.extension or account.username,
                f"{reg}.server.1.address": account.registrar,
                f"{reg}.server.1.port": str(account.port),
                f"{reg}.server.1.transport": TRANSPORTS.get(account.transport.lower(), "UDPOnly"),
            }
        )
    return values


def _group(root: ET.Element, tag: str, values: dict[str, str]) -> None:
    if values:
        ET.SubElement(root, tag, {name: xml_text(value) for name, value in values.items()})


def render_phone(config: PhoneConfig) -> bytes:
    root = ET.Element("polycomConfig")
    _group(root, "reg", _registrations(config))
    _group(root, "tcpIpApp", _time(config))
    _group(root, "lcl", {"lcl.ml.lang": LANGUAGES.get(config.language, DEFAULT_LANGUAGE)})
    if config.admin_password:
        _group(
            root,
            "device",
            {
                "device.set": "1",
                "device.auth.localAdminPassword.set": "1",
                "device.auth.localAdminPassword": config.admin_password,
            },
        )
    blf = [key for key in sorted(config.keys, key=lambda k: k.index) if key.kind == "blf"]
    _group(
        root,
        "attendant",
        {
            name: value
            for position, key in enumerate(blf, start=1)
            for name, value in (
                (f"attendant.resourceList.{position}.address", key.value),
                (f"attendant.resourceList.{position}.label", key.label),
            )
        },
    )
    _group(root, "extra", {k: v for k, v in sorted(config.extra.items()) if _SETTING_NAME.fullmatch(k)})
    return xml_document(root)


def render_directory(config: PhoneConfig) -> bytes:
    root = ET.Element("directory")
    items = ET.SubElement(root, "item_list")
    for entry in config.directory:
        item = ET.SubElement(items, "item")
        ET.SubElement(item, "fn").text = xml_text(entry.name)
        ET.SubElement(item, "ct").text = xml_text(entry.number)
    return xml_document(root)
