"""The Grandstream ``ProvisioningVendor``: ``cfg<mac>.xml`` (the XML P-value format)."""

from __future__ import annotations

import re
from typing import Final, final

from cordboard.core.provisioning.vendor import PhoneConfig, RenderedFile
from cordboard.plugins.provision_common import normalise_mac, path_mac_allowed
from cordboard.plugins.provision_grandstream.const import CONTENT_TYPE, MAC_PREFIXES, VENDOR
from cordboard.plugins.provision_grandstream.render import config_file_name, render_config

_CONFIG_PATH: Final = re.compile(r"cfg(?P<mac>[0-9A-Fa-f]{12})\.xml")
_USER_AGENT: Final = re.compile(r"\bgrandstream\b", re.IGNORECASE)


@final
class GrandstreamVendor:
    """Grandstream desk phones (GXP/GRP XML P-values)."""

    @property
    def vendor(self) -> str:
        return VENDOR

    @property
    def mac_prefixes(self) -> tuple[str, ...]:
        return MAC_PREFIXES

    def matches_user_agent(self, user_agent: str) -> bool:
        return bool(_USER_AGENT.search(user_agent))

    def mac_from_path(self, path: str, user_agent: str) -> str | None:
        match = _CONFIG_PATH.fullmatch(path)
        mac = normalise_mac(match["mac"]) if match is not None else None
        if mac is None or not path_mac_allowed(
            mac, user_agent, prefixes=MAC_PREFIXES, user_agent_matches=self.matches_user_agent(user_agent)
        ):
            return None
        return mac

    def files(self, config: PhoneConfig) -> list[str]:
        return [config_file_name(config.mac)]

    def render(self, path: str, config: PhoneConfig) -> RenderedFile | None:
        match = _CONFIG_PATH.fullmatch(path)
        if match is None or normalise_mac(match["mac"]) != config.mac:
            return None
        return RenderedFile(render_config(config), CONTENT_TYPE)
