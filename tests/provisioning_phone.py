"""A tiny provisioning vendor and a scripted desk phone for the provisioning tests (issue 9).

``TestVendor`` implements the ``ProvisioningVendor`` protocol with a key=value format like
Yealink's: the per-phone file ``cbt-<mac>.cfg`` and a common file ``cbt-common.cfg``; its phones
say ``CordboardTestPhone`` in their User-Agent and have MACs starting ``02cb00``. ``VendorPlugin``
registers it on a Core's plugin manager. ``pnp_subscribe`` builds the multicast SUBSCRIBE such a
phone sends, the way Snom documents it.
"""

from __future__ import annotations

import secrets
from typing import Final

from cordboard.core.plugin_api import hookimpl
from cordboard.core.provisioning.vendor import PhoneConfig, ProvisioningVendor, RenderedFile

PREFIX: Final = "02cb00"
MAC: Final = "02cb00a1b2c3"
USER_AGENT: Final = f"CordboardTestPhone CBT-1 1.0.0 {MAC}"


class TestVendor:
    """A vendor of key=value files (``line1.password = ...``)."""

    __test__ = False

    @property
    def vendor(self) -> str:
        return "cbtest"

    @property
    def mac_prefixes(self) -> tuple[str, ...]:
        return (PREFIX,)

    def matches_user_agent(self, user_agent: str) -> bool:
        return "cordboardtestphone" in user_agent.lower() or user_agent.lower().startswith("cbtest")

    def mac_from_path(self, path: str, user_agent: str) -> str | None:
        if path.startswith("cbt-") and path.endswith(".cfg") and path != "cbt-common.cfg":
            mac = path[4:-4].lower()
            if len(mac) == 12 and all(c in "0123456789abcdef" for c in mac):
                return mac
        return None

    def files(self, config: PhoneConfig) -> list[str]:
        return ["cbt-common.cfg", f"cbt-{config.mac}.cfg"]

    def pnp_path(self, config: PhoneConfig) -> str:
        return f"cbt-{config.mac}.cfg"

    def render(self, path: str, config: PhoneConfig) -> RenderedFile | None:
        if path == "cbt-common.cfg":
            lines = [f"ntp = {config.ntp_server}", f"timezone = {config.timezone}"]
        elif path == f"cbt-{config.mac}.cfg":
            lines = [
                f"mac = {config.mac}",
                f"timezone = {config.timezone}",
                f"language = {config.language}",
                f"ntp = {config.ntp_server}",
                f"directory = {len(config.directory)}",
            ]
            if config.firmware_url:
                lines.append(f"firmware = {config.firmware_url}")
            lines.append(f"base_url = {config.base_url}")
            for account in config.accounts:
                n = account.line
                lines += [
                    f"line{n}.username = {account.username}",
                    f"line{n}.password = {account.password}",
                    f"line{n}.display_name = {account.display_name}",
                    f"line{n}.registrar = {account.registrar}",
                    f"line{n}.port = {account.port}",
                ]
        else:
            return None
        return RenderedFile(("\n".join(lines) + "\n").encode(), "text/plain; charset=utf-8")


class VendorPlugin:
    """Registers ``TestVendor`` through the ``cordboard_provisioning_vendor`` hook."""

    @hookimpl
    def cordboard_provisioning_vendor(self) -> ProvisioningVendor:
        return TestVendor()


def parse_cfg(body: bytes) -> dict[str, str]:
    """The phone's reading of a key=value file."""
    values: dict[str, str] = {}
    for line in body.decode().splitlines():
        key, sep, value = line.partition(" = ")
        if sep:
            values[key] = value
    return values


def pnp_subscribe(
    ip: str,
    port: int = 5060,
    *,
    mac: str = MAC,
    uri_user: str | None = None,
    vendor: str = "cbtest",
    model: str = "CBT-1",
    version: str = "1.0.0",
    event: str | None = None,
    via_host: str | None = None,
    contact: str | None = None,
) -> bytes:
    """A plug-and-play SUBSCRIBE as a phone at ``ip``:``port`` multicasts it (Snom's format)."""
    user = uri_user if uri_user is not None else f"MAC%3a{mac.upper()}"
    event_value = (
        event or f'ua-profile;profile-type="device";vendor="{vendor}";model="{model}";version="{version}"'
    )
    return (
        f"SUBSCRIBE sip:{user}@224.0.1.75 SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP {via_host or ip}:{port};branch=z9hG4bK{secrets.token_hex(6)};rport\r\n"
        f"From: <sip:{user}@224.0.1.75>;tag={secrets.token_hex(4)}\r\n"
        f"To: <sip:{user}@224.0.1.75>\r\n"
        f"Call-ID: {secrets.token_hex(8)}@{ip}\r\n"
        "CSeq: 1 SUBSCRIBE\r\n"
        f"Event: {event_value}\r\n"
        "Expires: 0\r\n"
        "Accept: application/url\r\n"
        f"Contact: {contact or f'<sip:{ip}:{port}>'}\r\n"
        f"User-Agent: {USER_AGENT}\r\n"
        "Max-Forwards: 70\r\n"
        "Content-Length: 0\r\n\r\n"
    ).encode()
