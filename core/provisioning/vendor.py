"""What a vendor plugin (``plugins/provision_<vendor>/``) gives the provisioning server, and what it
gets: the interface between the core (devices, tickets, HTTP, plug-and-play) and the per-vendor
file formats. Renderers are pure functions of a ``PhoneConfig``: no I/O, easy golden-file tests.

A vendor plugin implements the ``cordboard_provisioning_vendor`` hook and returns a
``ProvisioningVendor``. The core asks each vendor which MAC a requested path names
(``mac_from_path``), looks the device up (refusing unknown MACs unless auto-add is on), builds its
``PhoneConfig`` and asks the device's vendor to ``render`` the path. Credentials appear only in a
configuration served over the current ticket to the MAC they belong to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class LineAccount:
    """One SIP account on a phone (line 1 is the assigned user)."""

    line: int
    username: str
    """The SIP user name (authentication and address user part)."""
    password: str
    display_name: str
    extension: str | None
    registrar: str
    """The appliance's address as the phone reaches it (host)."""
    port: int
    transport: str = "udp"


@dataclass(frozen=True, slots=True)
class FunctionKey:
    """A programmable key (PROV-07/08 key templates): ``kind`` is "line", "blf", "speed_dial" or
    "dtmf"; ``value`` the line number, extension or number; ``label`` what the phone shows."""

    index: int
    kind: str
    value: str
    label: str = ""


@dataclass(frozen=True, slots=True)
class DirectoryEntry:
    """One entry of the company directory (BYD-29) offered as the vendor's XML phone book."""

    name: str
    number: str
    group: str = ""


@dataclass(frozen=True, slots=True)
class PhoneConfig:
    """Everything a vendor renders a phone's configuration from."""

    mac: str
    """Twelve lower-case hex digits, no separators."""
    model: str
    accounts: tuple[LineAccount, ...]
    """Empty for a phone with no user assigned ("not provisioned"): it gets the base settings only."""
    base_url: str
    """The provisioning URL with the current ticket, ending in ``/`` (files are below it)."""
    timezone: str
    """IANA name, e.g. ``Europe/Copenhagen``."""
    language: str
    """``en``, ``de`` or ``da``."""
    country: str
    """ISO 3166 alpha-2, e.g. ``DK`` (tone scheme)."""
    ntp_server: str
    keys: tuple[FunctionKey, ...] = ()
    directory: tuple[DirectoryEntry, ...] = ()
    firmware_url: str | None = None
    admin_password: str | None = None
    """The phone's web UI admin password to set, if the appliance manages one."""
    pickup_prefix: str | None = None
    """What the phone dials before a busy-lamp key's number to pick up the call ringing there:
    the directed pickup code (``*9*``, FC-04) with the admin's digits (BYD-09)."""
    extra: dict[str, str] = field(default_factory=dict)
    """Vendor-specific settings an admin added (key = the vendor's own setting name)."""


@dataclass(frozen=True, slots=True)
class RenderedFile:
    body: bytes
    content_type: str


class ProvisioningVendor(Protocol):
    """A vendor's provisioning: which requests are its own and how its files look.

    Optional, not part of the protocol (the core looks it up with ``getattr``):
    ``pnp_path(config: PhoneConfig) -> str``, the file appended to ``base_url`` in the SIP
    plug-and-play NOTIFY, for phones that fetch the URL they are given as their settings file
    (Snom); without it the NOTIFY carries ``base_url``, the folder (Yealink, Grandstream, Poly).
    """

    @property
    def vendor(self) -> str:
        """Lower-case vendor name: ``snom``, ``yealink``, ``grandstream``, ``fanvil``, ``poly``, ``mitel``."""

    @property
    def mac_prefixes(self) -> tuple[str, ...]:
        """The vendor's MAC OUIs (six lower-case hex digits each), to recognise its phones."""

    def matches_user_agent(self, user_agent: str) -> bool:
        """Whether an HTTP User-Agent or a plug-and-play SUBSCRIBE names one of the vendor's phones."""

    def mac_from_path(self, path: str, user_agent: str) -> str | None:
        """The MAC (normalised) a requested file path names, None if the path is not one of the
        vendor's per-phone files (e.g. ``000413a1b2c3.xml`` for Snom, ``001565a1b2c3.cfg`` for Yealink)."""

    def files(self, config: PhoneConfig) -> list[str]:
        """The paths (relative to ``base_url``) this phone fetches, first the one it starts with."""

    def render(self, path: str, config: PhoneConfig) -> RenderedFile | None:
        """The file at ``path`` for this phone, None when the vendor has no such file."""


__all__ = [
    "DirectoryEntry",
    "FunctionKey",
    "LineAccount",
    "PhoneConfig",
    "ProvisioningVendor",
    "RenderedFile",
]
