"""The scaffolding of a ``ProvisioningVendor`` whose files are found by name: a vendor plugin
subclasses ``FileVendor`` and says only what is its own (its OUIs, its User-Agent token, its
file-name patterns with their renderers, the files a phone fetches).

A file name either names the phone (a group ``mac`` in its pattern: ``<mac>.cfg``) or does not
(Yealink's ``y0000000000XX.cfg``, Mitel's ``aastra.cfg``); then the MAC is the one in the
User-Agent of a phone of the vendor, and without one the request is refused.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Final

from cordboard.core.provisioning.vendor import PhoneConfig, RenderedFile
from cordboard.plugins.provision_common.mac import mac_in_user_agent, normalise_mac, path_mac_allowed

MAC_GROUP: Final = r"(?P<mac>[0-9A-Fa-f]{12})"
"""Twelve hex digits in a file name, as the group ``mac`` a ``VendorFile`` pattern names the phone with."""


@dataclass(frozen=True, slots=True)
class VendorFile:
    """One kind of file a vendor's phones fetch: the names it answers (``pattern`` matches the whole
    path), how it is rendered (None: no such file for this phone) and its content type."""

    pattern: re.Pattern[str]
    render: Callable[[PhoneConfig], bytes | None]
    content_type: str

    @property
    def names_mac(self) -> bool:
        return "mac" in self.pattern.groupindex


class FileVendor(ABC):
    """A ``ProvisioningVendor`` from class attributes: ``VENDOR``, ``MAC_PREFIXES``, ``USER_AGENT``
    (searched in a User-Agent) and ``FILES`` (tried in order, the first whose pattern matches
    answers); subclasses add ``files`` and, when the phone wants it, ``pnp_path``."""

    VENDOR: ClassVar[str]
    MAC_PREFIXES: ClassVar[tuple[str, ...]]
    USER_AGENT: ClassVar[re.Pattern[str]]
    FILES: ClassVar[tuple[VendorFile, ...]]

    @property
    def vendor(self) -> str:
        return self.VENDOR

    @property
    def mac_prefixes(self) -> tuple[str, ...]:
        return self.MAC_PREFIXES

    def matches_user_agent(self, user_agent: str) -> bool:
        return bool(self.USER_AGENT.search(user_agent))

    def mac_from_path(self, path: str, user_agent: str) -> str | None:
        found = self._file(path)
        if found is None:
            return None
        file, match = found
        matches_ua = self.matches_user_agent(user_agent)
        if file.names_mac:
            mac = normalise_mac(match["mac"])
        else:
            mac = mac_in_user_agent(user_agent) if matches_ua else None
        if mac is None or not path_mac_allowed(
            mac, user_agent, prefixes=self.MAC_PREFIXES, user_agent_matches=matches_ua
        ):
            return None
        return mac

    @abstractmethod
    def files(self, config: PhoneConfig) -> list[str]:
        """The paths (relative to ``base_url``) this phone fetches, first the one it starts with."""

    def render(self, path: str, config: PhoneConfig) -> RenderedFile | None:
        found = self._file(path)
        if found is None:
            return None
        file, match = found
        if file.names_mac and normalise_mac(match["mac"]) != config.mac:
            return None  # another phone's file
        body = file.render(config)
        return RenderedFile(body, file.content_type) if body is not None else None

    def _file(self, path: str) -> tuple[VendorFile, re.Match[str]] | None:
        for file in self.FILES:
            match = file.pattern.fullmatch(path)
            if match is not None:
                return file, match
        return None
