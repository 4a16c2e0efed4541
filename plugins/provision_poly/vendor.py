"""The Poly ``ProvisioningVendor``: ``<mac>.cfg``, ``<mac>-phone.cfg`` and ``<mac>-directory.xml``."""

from __future__ import annotations

import re
from typing import Final, final

from cordboard.core.provisioning.vendor import PhoneConfig, RenderedFile
from cordboard.plugins.provision_common import normalise_mac, path_mac_allowed
from cordboard.plugins.provision_poly.const import CONTENT_TYPE, MAC_PREFIXES, VENDOR
from cordboard.plugins.provision_poly.render import (
    directory_file_name,
    master_file_name,
    phone_file_name,
    render_directory,
    render_master,
    render_phone,
)

_PATH: Final = re.compile(r"(?P<mac>[0-9A-Fa-f]{12})(?P<kind>\.cfg|-phone\.cfg|-directory\.xml)")
# "FileTransport PolycomVVX-VVX_411-UA/5.9.5.0614", "... Poly-Edge_E450-UA/..."
_USER_AGENT: Final = re.compile(r"\bpolycom|\bpoly[-_/ ]", re.IGNORECASE)


@final
class PolyVendor:
    """Poly (Polycom) VVX and Edge desk phones (XML configuration files)."""

    @property
    def vendor(self) -> str:
        return VENDOR

    @property
    def mac_prefixes(self) -> tuple[str, ...]:
        return MAC_PREFIXES

    def matches_user_agent(self, user_agent: str) -> bool:
        return bool(_USER_AGENT.search(user_agent))

    def mac_from_path(self, path: str, user_agent: str) -> str | None:
        match = _PATH.fullmatch(path)
        mac = normalise_mac(match["mac"]) if match is not None else None
        if mac is None or not path_mac_allowed(
            mac, user_agent, prefixes=MAC_PREFIXES, user_agent_matches=self.matches_user_agent(user_agent)
        ):
            return None
        return mac

    def files(self, config: PhoneConfig) -> list[str]:
        return [master_file_name(config.mac), phone_file_name(config.mac), directory_file_name(config.mac)]

    def render(self, path: str, config: PhoneConfig) -> RenderedFile | None:
        match = _PATH.fullmatch(path)
        if match is None or normalise_mac(match["mac"]) != config.mac:
            return None
        renderer = {".cfg": render_master, "-phone.cfg": render_phone, "-directory.xml": render_directory}
        return RenderedFile(renderer[match["kind"]](config), CONTENT_TYPE)
