"""Mitel 6800 configuration files rendered from a ``PhoneConfig``: pure functions, no I/O.

A Mitel (Aastra) phone reads ``aastra.cfg``, then ``<model>.cfg`` (e.g. ``6867i.cfg``), then
``<MAC>.cfg``, each of ``name: value`` lines, later files overriding earlier ones. A value
runs to the end of its line, so every value is put on one line and a name with a line break
cannot start a setting of its own. The common and model files carry the base settings (time,
language, NTP); the MAC file repeats them and adds the SIP lines and keys, and the firmware URL
of the phone's model as ``firmware server`` (the folder the phone loads its firmware from, as
Mitel's administrator guide names the setting; untested on a real phone).
"""

from __future__ import annotations

import re
from typing import Final

from cordboard.core.provisioning.vendor import PhoneConfig
from cordboard.plugins.provision_common import one_line, zone_rule
from cordboard.plugins.provision_common.timezones import DstChange
from cordboard.plugins.provision_mitel.const import (
    DEFAULT_KEY_PREFIX,
    DEFAULT_TONE_SET,
    INPUT_LANGUAGES,
    KEY_PREFIXES,
    KEY_TYPES,
    LANGUAGE_FILES,
    TIMEZONES,
    TONE_SETS,
    TRANSPORTS,
)

_SETTING_NAME: Final = re.compile(r"[a-z][a-z0-9 ]{0,63}[a-z0-9]")

Settings = dict[str, str]


def model_name(model: str) -> str:
    """``6867i`` from ``Mitel 6867i``, ``Aastra6867i`` or ``6867``."""
    match = re.search(r"(\d{4})", model)
    return f"{match[1]}i" if match else ""


def mac_file_name(mac: str) -> str:
    return f"{mac.upper()}.cfg"


def model_file_name(model: str) -> str | None:
    name = model_name(model)
    return f"{name}.cfg" if name else None


def _dst(prefix: str, change: DstChange) -> Settings:
    return {
        f"dst {prefix} month": str(change.month),
        f"dst {prefix} week": "-1" if change.week == 5 else str(change.week),
        f"dst {prefix} day": str(change.weekday + 1),
        f"dst {prefix} hour": str(change.hour),
    }


def _base(config: PhoneConfig) -> Settings:
    settings: Settings = {"time server disabled": "0", "time server1": config.ntp_server}
    name = TIMEZONES.get(config.timezone)
    if name is not None:
        settings["time zone name"] = name
    else:
        rule = zone_rule(config.timezone)
        settings["time zone name"] = "Custom"
        settings["time zone minutes"] = str(-rule.std_offset_minutes)  # west of UTC is positive
        if rule.dst_start is None or rule.dst_end is None:
            settings["dst config"] = "0"
        else:
            settings.update({"dst config": "3", "dst minutes": str(rule.dst_minutes)})
            settings["dst [start|end] relative date"] = "1"
            settings.update(_dst("start", rule.dst_start))
            settings.update(_dst("end", rule.dst_end))
    language_file = LANGUAGE_FILES.get(config.language)
    if language_file is not None:
        settings["language 1"] = language_file
        settings["language"] = "1"
    else:
        settings["language"] = "0"
    settings["input language"] = INPUT_LANGUAGES.get(config.language, "English")
    settings["tone set"] = TONE_SETS.get(config.country.upper(), DEFAULT_TONE_SET)
    if config.admin_password:
        settings["admin password"] = config.admin_password
    return settings


def _format(settings: Settings) -> bytes:
    return "".join(f"{name}: {one_line(value)}".rstrip() + "\n" for name, value in settings.items()).encode()


def render_common(config: PhoneConfig) -> bytes:
    """``aastra.cfg`` and ``<model>.cfg``: base settings only, no credentials."""
    return _format(_base(config))


def render_phone(config: PhoneConfig) -> bytes:
    settings = _base(config)
    if config.firmware_url:
        settings["firmware server"] = config.firmware_url
    accounts = sorted(config.accounts, key=lambda a: a.line)
    if accounts:
        settings["sip transport protocol"] = TRANSPORTS.get(accounts[0].transport.lower(), "1")
    for account in accounts:
        line = f"sip line{account.line}"
        settings.update(
            {
                f"{line} auth name": account.username,
                f"{line} password": account.password,
                f"{line} user name": account.username,
                f"{line} display name": account.display_name,
                f"{line} screen name": account.display_name,
                f"{line} screen name 2": account.extension or "",
                f"{line} proxy ip": account.registrar,
                f"{line} proxy port": str(account.port),
                f"{line} registrar ip": account.registrar,
                f"{line} registrar port": str(account.port),
            }
        )
    prefix = KEY_PREFIXES.get(model_name(config.model), DEFAULT_KEY_PREFIX)
    for key in sorted(config.keys, key=lambda k: k.index):
        key_type = KEY_TYPES.get(key.kind)
        if key_type is None or key.index < 1:
            continue
        name = f"{prefix}{key.index}"
        line = key.value if key.kind == "line" and key.value.isdigit() else "1"
        settings.update(
            {
                f"{name} type": key_type,
                f"{name} value": "" if key.kind == "line" else key.value,
                f"{name} label": key.label,
                f"{name} line": line,
            }
        )
    for name, value in sorted(config.extra.items()):
        if _SETTING_NAME.fullmatch(name):
            settings[name] = value
    return _format(settings)
