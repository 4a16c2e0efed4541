"""The Mitel ``ProvisioningVendor``: ``aastra.cfg``, ``<model>.cfg`` and ``<MAC>.cfg``.

The MAC file names the MAC; the common and model files do not, so their MAC is the one in the
User-Agent (``Aastra6867i MAC:00-08-5D-23-74-29 V:5.1.0.2048-SIP``), and without one the
request is refused.
"""

from __future__ import annotations

import re
from typing import Final, final

from cordboard.core.provisioning.vendor import PhoneConfig, RenderedFile
from cordboard.plugins.provision_common import mac_in_user_agent, normalise_mac, path_mac_allowed
from cordboard.plugins.provision_mitel.const import COMMON_FILE, CONTENT_TYPE, MAC_PREFIXES, VENDOR
from cordboard.plugins.provision_mitel.render import (
    mac_file_name,
    model_file_name,
    render_common,
    render_phone,
)

_MAC_PATH: Final = re.compile(r"(?P<mac>[0-9A-Fa-f]{12})\.cfg")
_COMMON_PATH: Final = re.compile(r"aastra\.cfg|[0-9]{4}i\.cfg")
_USER_AGENT: Final = re.compile(r"\b(?:aastra|mitel)", re.IGNORECASE)


@final
class MitelVendor:
    """Mitel (Aastra) 6800 series desk phones (``name: value`` .cfg files)."""

    @property
    def vendor(self) -> str:
        return VENDOR

    @property
    def mac_prefixes(self) -> tuple[str, ...]:
        return MAC_PREFIXES

    def matches_user_agent(self, user_agent: str) -> bool:
        return bool(_USER_AGENT.search(user_agent))

    def mac_from_path(self, path: str, user_agent: str) -> str | None:
        matches_ua = self.matches_user_agent(user_agent)
        if _COMMON_PATH.fullmatch(path):
            mac = mac_in_user_agent(user_agent) if matches_ua else None
        else:
            match = _MAC_PATH.fullmatch(path)
            mac = normalise_mac(match["mac"]) if match is not None else None
        if mac is None or not path_mac_allowed(
            mac, user_agent, prefixes=MAC_PREFIXES, user_agent_matches=matches_ua
        ):
            return None
        return mac

    def files(self, config: PhoneConfig) -> list[str]:
        model_file = model_file_name(config.model)
        return [COMMON_FILE, *([model_file] if model_file else []), mac_file_name(config.mac)]

    def render(self, path: str, config: PhoneConfig) -> RenderedFile | None:
        if _COMMON_PATH.fullmatch(path):
            return RenderedFile(render_common(config), CONTENT_TYPE)
        match = _MAC_PATH.fullmatch(path)
        if match is None or normalise_mac(match["mac"]) != config.mac:
            return None
        return RenderedFile(render_phone(config), CONTENT_TYPE)
