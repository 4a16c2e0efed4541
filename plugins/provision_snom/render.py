"""Snom's XML settings files rendered from a ``PhoneConfig``: pure functions, no I/O.

One ``<settings>`` document carries everything (Snom firmware 8 and later read XML from both the
``.xml`` and the ``.htm`` file names): ``<phone-settings>`` with the accounts (``user_*`` with
``idx`` = line), time zone, language, tone scheme, NTP and admin password; ``<functionKeys>``
(``fkey``, ``idx`` from 0); ``<tbook>``, the company directory (BYD-29). A firmware URL goes in
a separate firmware file the settings point at with ``firmware_status``.

The settings do not pin ``setting_server`` to the ticket URL: after "renew ticket" (PROV-04) a
phone must find the new URL through plug-and-play or DHCP at its next boot, which a pinned
setting server would keep it from doing.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Final

from cordboard.core.provisioning.vendor import FunctionKey, LineAccount, PhoneConfig
from cordboard.plugins.provision_common import xml_document, xml_text, zone_rule
from cordboard.plugins.provision_common.timezones import DstChange, ZoneRule
from cordboard.plugins.provision_snom.const import (
    ADMIN_USER,
    DEFAULT_LANGUAGE,
    DEFAULT_TONE_SCHEME,
    DIRECTORY_ENTRY_TYPE,
    LANGUAGES,
    PERM,
    TIMEZONES,
    TONE_SCHEMES,
)

_SETTING_NAME: Final = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")


def settings_file_name(mac: str) -> str:
    """``000413A1B2C3.xml``: Snom writes MACs in upper case."""
    return f"{mac.upper()}.xml"


def htm_file_name(model: str, mac: str) -> str:
    """``snomD785-000413A1B2C3.htm``, what a Snom asks for when its setting server is a folder."""
    return f"snom{model_name(model)}-{mac.upper()}.htm"


def firmware_file_name(mac: str) -> str:
    return f"{mac.upper()}-firmware.xml"


def model_name(model: str) -> str:
    """``D785`` from ``snomD785``, ``snom D785`` or ``D785``."""
    text = re.sub(r"[^A-Za-z0-9]", "", model)
    return text[4:] if text.lower().startswith("snom") else text


def _setting(parent: ET.Element, name: str, value: str, idx: int | None = None) -> None:
    attrs = {"idx": str(idx)} if idx is not None else {}
    element = ET.SubElement(parent, name, {**attrs, "perm": PERM})
    element.text = xml_text(value)


def _dst_point(change: DstChange) -> str:
    # Snom: "MM.WW.DD HH:MM:SS", week 5 = last, day 1 = Monday ... 7 = Sunday.
    weekday = change.weekday or 7
    return f"{change.month:02d}.{change.week:02d}.{weekday:02d} {change.hour:02d}:00:00"


def _timezone(parent: ET.Element, rule: ZoneRule, iana: str) -> None:
    code = TIMEZONES.get(iana)
    if code is not None:
        _setting(parent, "timezone", code)
        return
    # No Snom code for the zone: the offset and the DST rule spelled out.
    _setting(parent, "timezone", "")
    _setting(parent, "utc_offset", str(rule.std_offset_minutes * 60))
    dst = ""
    if rule.dst_start is not None and rule.dst_end is not None:
        dst = f"{rule.dst_minutes * 60} {_dst_point(rule.dst_start)} {_dst_point(rule.dst_end)}"
    _setting(parent, "dst", dst)


def _account(parent: ET.Element, account: LineAccount) -> None:
    line = account.line
    host = f"{account.registrar}:{account.port}"
    _setting(parent, "user_active", "on", line)
    _setting(parent, "user_realname", account.display_name, line)
    _setting(parent, "user_name", account.username, line)
    _setting(parent, "user_pname", account.username, line)
    _setting(parent, "user_pass", account.password, line)
    _setting(parent, "user_host", host, line)
    _setting(parent, "user_outbound", f"{host};transport={account.transport.lower()}", line)
    _setting(parent, "user_idle_text", account.extension or account.username, line)


def _fkey_value(key: FunctionKey, host: str) -> tuple[str, str] | None:
    """(context, text) of an ``fkey``; None for a kind Snom has no key for."""
    value = xml_text(key.value)
    if key.kind == "line":
        return (value if value.isdigit() else "active"), "line"
    if key.kind == "blf":
        return "active", f"dest <sip:{value}@{host}>"
    if key.kind == "speed_dial":
        return "active", f"speed {value}"
    if key.kind == "dtmf":
        return "active", f"dtmf {value}"
    return None


def _function_keys(root: ET.Element, config: PhoneConfig) -> None:
    host = config.accounts[0].registrar if config.accounts else ""
    keys = ET.SubElement(root, "functionKeys", {"e": "2"})
    for key in sorted(config.keys, key=lambda k: k.index):
        rendered = _fkey_value(key, host)
        if rendered is None or key.index < 1:
            continue
        context, text = rendered
        attrs = {"idx": str(key.index - 1), "context": context, "label": xml_text(key.label), "perm": PERM}
        ET.SubElement(keys, "fkey", attrs).text = text


def _phone_book(root: ET.Element, config: PhoneConfig) -> None:
    tbook = ET.SubElement(root, "tbook", {"e": "2"})
    for index, entry in enumerate(config.directory):
        item = ET.SubElement(
            tbook, "item", {"context": "active", "type": DIRECTORY_ENTRY_TYPE, "index": str(index)}
        )
        ET.SubElement(item, "name").text = xml_text(entry.name)
        ET.SubElement(item, "number").text = xml_text(entry.number)


def render_settings(config: PhoneConfig) -> bytes:
    """The phone's ``<settings>`` document."""
    root = ET.Element("settings")
    phone = ET.SubElement(root, "phone-settings", {"e": "2"})
    language = LANGUAGES.get(config.language, DEFAULT_LANGUAGE)
    _setting(phone, "language", language)
    _setting(phone, "web_language", language)
    _setting(phone, "tone_scheme", TONE_SCHEMES.get(config.country.upper(), DEFAULT_TONE_SCHEME))
    _timezone(phone, zone_rule(config.timezone), config.timezone)
    _setting(phone, "ntp_server", config.ntp_server)
    if config.admin_password:
        _setting(phone, "http_user", ADMIN_USER)
        _setting(phone, "http_pass", config.admin_password)
        _setting(phone, "admin_mode_password", config.admin_password)
    if config.firmware_url:
        _setting(phone, "update_policy", "auto_update")
        _setting(phone, "firmware_status", f"{config.base_url}{firmware_file_name(config.mac)}")
    for account in sorted(config.accounts, key=lambda a: a.line):
        _account(phone, account)
    for name, value in sorted(config.extra.items()):
        if _SETTING_NAME.fullmatch(name) and phone.find(name) is None:
            _setting(phone, name, value)
    _function_keys(root, config)
    _phone_book(root, config)
    return xml_document(root)


def render_firmware(config: PhoneConfig) -> bytes | None:
    """The firmware file ``firmware_status`` points at; None without a firmware URL."""
    if not config.firmware_url:
        return None
    root = ET.Element("firmware-settings")
    _setting(root, "firmware", config.firmware_url)
    return xml_document(root)
