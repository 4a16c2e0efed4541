"""Grandstream's ``cfg<mac>.xml`` rendered from a ``PhoneConfig``: pure functions, no I/O.

``<gs_provision version="1"><mac>..</mac><config version="1"><P270>..</P270>..`` where each
``P<n>`` element is one setting; the values are escaped by the XML serializer.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Final

from cordboard.core.provisioning.vendor import PhoneConfig
from cordboard.plugins.provision_common import xml_document, xml_text, zone_rule
from cordboard.plugins.provision_grandstream.const import (
    ACCOUNT_P_VALUES,
    DEFAULT_LANGUAGE,
    LANGUAGES,
    P_ADMIN_PASSWORD,
    P_CUSTOM_TIME_ZONE,
    P_FIRMWARE_SERVER,
    P_LANGUAGE,
    P_NTP_SERVER,
    P_TIME_ZONE,
    P_UPGRADE_VIA,
    TIME_ZONE_CUSTOM,
    TRANSPORTS,
    UPGRADE_VIA,
)

_P_VALUE: Final = re.compile(r"P[0-9]{1,5}")


def config_file_name(mac: str) -> str:
    return f"cfg{mac}.xml"


def render_config(config: PhoneConfig) -> bytes:
    values: dict[str, str] = {
        P_NTP_SERVER: config.ntp_server,
        P_TIME_ZONE: TIME_ZONE_CUSTOM,
        P_CUSTOM_TIME_ZONE: zone_rule(config.timezone).posix,
        P_LANGUAGE: LANGUAGES.get(config.language, DEFAULT_LANGUAGE),
    }
    if config.admin_password:
        values[P_ADMIN_PASSWORD] = config.admin_password
    if config.firmware_url:
        scheme, _, rest = config.firmware_url.partition("://")
        values[P_UPGRADE_VIA] = UPGRADE_VIA.get(scheme.lower(), "1")
        values[P_FIRMWARE_SERVER] = rest or config.firmware_url
    for account in sorted(config.accounts, key=lambda a: a.line):
        p = ACCOUNT_P_VALUES.get(account.line)
        if p is None:
            continue
        values[p["active"]] = "1"
        values[p["name"]] = account.display_name or account.username
        values[p["server"]] = f"{account.registrar}:{account.port}"
        values[p["user_id"]] = account.username
        values[p["auth_id"]] = account.username
        values[p["password"]] = account.password
        values[p["display_name"]] = account.display_name
        if "transport" in p:
            values[p["transport"]] = TRANSPORTS.get(account.transport.lower(), "0")
    for name, value in sorted(config.extra.items()):
        if _P_VALUE.fullmatch(name):
            values[name] = value
    root = ET.Element("gs_provision", {"version": "1"})
    ET.SubElement(root, "mac").text = config.mac
    settings = ET.SubElement(root, "config", {"version": "1"})
    for name, value in values.items():
        ET.SubElement(settings, name).text = xml_text(value)
    return xml_document(root)
