"""Yealink's configuration files rendered from a ``PhoneConfig``: pure functions, no I/O.

A Yealink fetches its model's common file ``y0000000000<code>.cfg`` and then ``<mac>.cfg``,
settings of the later overriding the earlier. Both are ``#!version:1.0.0.1`` followed by
``key = value`` lines; a value runs to the end of its line, so every value is put on one line
(``one_line``) and a name with a line break cannot start a setting of its own. The common file
has the base settings (time zone, language, NTP, firmware, admin password); the phone's file
repeats them and adds the accounts, the line keys and the remote phone book, an
``<YealinkIPPhoneDirectory>`` XML file of the company directory (BYD-29). The server URL is
not pinned (``static.auto_provision.server.url``): after "renew ticket" (PROV-04) the phone
must find the new URL through plug-and-play or DHCP.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Final

from cordboard.core.provisioning.vendor import FunctionKey, LineAccount, PhoneConfig
from cordboard.plugins.provision_common import one_line, xml_document, xml_text, zone_rule
from cordboard.plugins.provision_common.timezones import offset_text
from cordboard.plugins.provision_yealink.const import (
    AUTO_PROVISION_MINUTES,
    COMMON_FILE_FALLBACK,
    DEFAULT_LANGUAGE,
    DEFAULT_TONE_COUNTRY,
    HEADER,
    LANGUAGES,
    LINE_KEY_TYPES,
    MODEL_CODES,
    PHONE_BOOK_NAME,
    TIMEZONES,
    TONE_COUNTRIES,
    TRANSPORTS,
)

_SETTING_NAME: Final = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]{0,127}")
_NULL: Final = "%NULL%"
"""Yealink's explicit empty value (a blank value leaves the phone's setting as it is)."""

Settings = dict[str, str]


def model_name(model: str) -> str:
    """``T46U`` from ``SIP-T46U``, ``Yealink T46U`` or ``t46u``."""
    text = re.sub(r"[^A-Za-z0-9]", "", model).upper()
    for prefix in ("YEALINK", "SIP"):
        text = text.removeprefix(prefix)
    return text


def common_file_name(model: str) -> str:
    code = MODEL_CODES.get(model_name(model))
    return f"y{int(code):012d}.cfg" if code is not None else COMMON_FILE_FALLBACK


def config_file_name(mac: str) -> str:
    return f"{mac}.cfg"


def phone_book_file_name(mac: str) -> str:
    return f"{mac}-phonebook.xml"


def _base(config: PhoneConfig) -> Settings:
    rule = zone_rule(config.timezone)
    language = LANGUAGES.get(config.language, DEFAULT_LANGUAGE)
    settings: Settings = {
        "local_time.time_zone": offset_text(rule.std_offset_minutes),
        "local_time.time_zone_name": TIMEZONES.get(config.timezone, ""),
        "local_time.summer_time": "2",  # automatic, from the time zone name
        "local_time.ntp_server1": config.ntp_server,
        "lang.gui": language,
        "lang.wui": language,
        "voice.tone.country": TONE_COUNTRIES.get(config.country.upper(), DEFAULT_TONE_COUNTRY),
        "auto_provision.repeat.enable": "1",
        "auto_provision.repeat.minutes": str(AUTO_PROVISION_MINUTES),
    }
    if not settings["local_time.time_zone_name"]:
        # No Yealink name for the zone: the offset alone, DST switched off rather than guessed.
        del settings["local_time.time_zone_name"]
        settings["local_time.summer_time"] = "0"
    if config.firmware_url:
        settings["firmware.url"] = config.firmware_url
    if config.admin_password:
        settings["security.user_password"] = f"admin:{config.admin_password}"
    if config.pickup_prefix:  # a busy-lamp key on a ringing colleague dials this and its number
        settings["features.pickup.direct_pickup_enable"] = "1"
        settings["features.pickup.direct_pickup_code"] = config.pickup_prefix
    return settings


def _account(account: LineAccount) -> Settings:
    prefix = f"account.{account.line}"
    return {
        f"{prefix}.enable": "1",
        f"{prefix}.label": account.display_name or account.extension or account.username,
        f"{prefix}.display_name": account.display_name,
        f"{prefix}.auth_name": account.username,
        f"{prefix}.user_name": account.username,
        f"{prefix}.password": account.password,
        f"{prefix}.sip_server.1.address": account.registrar,
        f"{prefix}.sip_server.1.port": str(account.port),
        f"{prefix}.sip_server.1.transport_type": TRANSPORTS.get(account.transport.lower(), "0"),
    }


def _line_key(key: FunctionKey) -> Settings:
    key_type = LINE_KEY_TYPES.get(key.kind)
    if key_type is None or key.index < 1:
        return {}
    prefix = f"linekey.{key.index}"
    if key.kind == "line":
        line = key.value if key.value.isdigit() else "1"
        return {
            f"{prefix}.type": key_type,
            f"{prefix}.line": line,
            f"{prefix}.value": "",
            f"{prefix}.label": key.label,
        }
    return {
        f"{prefix}.type": key_type,
        f"{prefix}.line": "1",
        f"{prefix}.value": key.value,
        f"{prefix}.label": key.label,
    }


def _format(settings: Settings) -> bytes:
    lines = [HEADER]
    for name, value in settings.items():
        text = one_line(value)
        lines.append(f"{name} = {text or _NULL}")
    return ("\n".join(lines) + "\n").encode()


def render_common(config: PhoneConfig) -> bytes:
    """The model's common file: base settings only, no credentials."""
    return _format(_base(config))


def render_phone(config: PhoneConfig) -> bytes:
    """``<mac>.cfg``: base settings, accounts, line keys, remote phone book, extra settings."""
    settings = _base(config)
    for account in sorted(config.accounts, key=lambda a: a.line):
        settings.update(_account(account))
    for key in sorted(config.keys, key=lambda k: k.index):
        settings.update(_line_key(key))
    settings["remote_phonebook.data.1.url"] = f"{config.base_url}{phone_book_file_name(config.mac)}"
    settings["remote_phonebook.data.1.name"] = PHONE_BOOK_NAME
    for name, value in sorted(config.extra.items()):
        if _SETTING_NAME.fullmatch(name):
            settings[name] = value
    return _format(settings)


def render_phone_book(config: PhoneConfig) -> bytes:
    """The company directory as a Yealink remote phone book."""
    root = ET.Element("YealinkIPPhoneDirectory")
    for entry in config.directory:
        item = ET.SubElement(root, "DirectoryEntry")
        ET.SubElement(item, "Name").text = xml_text(entry.name)
        ET.SubElement(item, "Telephone").text = xml_text(entry.number)
    return xml_document(root)
