"""Fanvil's ``<mac>.cfg`` rendered from a ``PhoneConfig``: pure functions, no I/O.

The format: ``<<VOIP CONFIG FILE>>Version:2.0000000000``, then modules (``<SIP CONFIG MODULE>``)
of ``Name :value`` lines, then ``<<END OF FILE>>``. A value runs to the end of its line, so
every value is put on one line and a name cannot inject a setting or a module header. The
accounts, time zone, language, NTP and the firmware URL are rendered; the admin password and keys
are not (yet).

The firmware URL goes into ``<AUTOUPDATE CONFIG MODULE>`` as Fanvil's ``Flash Server IP`` (the
folder), ``Flash File Name``, ``Flash Protocol`` and ``Flash Mode``, as Fanvil's configuration
templates name them; untested on a real phone.
"""

from __future__ import annotations

from cordboard.core.provisioning.vendor import PhoneConfig
from cordboard.plugins.provision_common import one_line, zone_rule
from cordboard.plugins.provision_fanvil.const import (
    DEFAULT_LANGUAGE,
    FIRMWARE_MODE_AT_START,
    FIRMWARE_PROTOCOLS,
    FOOTER,
    HEADER,
    LANGUAGES,
    TIME_ZONE_UNIT_MINUTES,
    TRANSPORTS,
)

Module = list[tuple[str, str]]


def config_file_name(mac: str) -> str:
    return f"{mac}.cfg"


def _time_and_language(config: PhoneConfig) -> Module:
    rule = zone_rule(config.timezone)
    lines: Module = [
        ("--Display Input--", ""),
        ("Default Language", LANGUAGES.get(config.language, DEFAULT_LANGUAGE)),
        ("--DateTime Config--", ""),
        ("Enable SNTP", "1"),
        ("SNTP Server", config.ntp_server),
        ("Time Zone", str(rule.std_offset_minutes // TIME_ZONE_UNIT_MINUTES)),
    ]
    if rule.dst_start is None or rule.dst_end is None:
        return [*lines, ("DST Type", "0")]
    lines += [("DST Type", "1"), ("DST Rule Mode", "0"), ("DST Min Offset", str(rule.dst_minutes))]
    for name, change in (("Start", rule.dst_start), ("End", rule.dst_end)):
        lines += [
            (f"DST {name} Mon", str(change.month)),
            (f"DST {name} Week", str(change.week)),
            (f"DST {name} Wday", str(change.weekday)),
            (f"DST {name} Hour", str(change.hour)),
        ]
    return lines


def _sip(config: PhoneConfig) -> Module:
    lines: Module = [("--SIP Line List--", "")]
    for account in sorted(config.accounts, key=lambda a: a.line):
        sip = f"SIP{account.line}"
        lines += [
            (f"{sip} Phone Number", account.username),
            (f"{sip} Display Name", account.display_name),
            (f"{sip} Register Addr", account.registrar),
            (f"{sip} Register Port", str(account.port)),
            (f"{sip} Register User", account.username),
            (f"{sip} Register Pswd", account.password),
            (f"{sip} Enable Reg", "1"),
            (f"{sip} Transport", TRANSPORTS.get(account.transport.lower(), "0")),
        ]
    return lines


def _firmware(url: str) -> Module:
    """The URL as the folder (``http://fw.example.lan/x4u/``) and the file name in it."""
    scheme, _, rest = url.partition("://")
    folder, slash, file_name = rest.rpartition("/")
    if not slash:
        folder, file_name = rest, ""
    return [
        ("Flash Server IP", f"{scheme}://{folder}/"),
        ("Flash File Name", file_name),
        ("Flash Protocol", FIRMWARE_PROTOCOLS.get(scheme.lower(), FIRMWARE_PROTOCOLS["http"])),
        ("Flash Mode", FIRMWARE_MODE_AT_START),
    ]


def _module(name: str, lines: Module) -> list[str]:
    # Fanvil aligns the colons at column 20; the phone does not need it, people reading do.
    return [f"<{name}>", *(f"{key:<19}:{one_line(value)}" for key, value in lines), ""]


def render_config(config: PhoneConfig) -> bytes:
    out = [HEADER, ""]
    out += _module("SIP CONFIG MODULE", _sip(config))
    out += _module("PHONE FEATURE MODULE", _time_and_language(config))
    if config.firmware_url:
        out += _module("AUTOUPDATE CONFIG MODULE", _firmware(config.firmware_url))
    out.append(FOOTER)
    return ("\n".join(out) + "\n").encode()
