"""The Snom ``ProvisioningVendor``: which requests are a Snom's, and its files.

A Snom whose setting server is a folder asks for ``snom<model>.htm`` and then
``snom<model>-<MAC>.htm``; one pointed at a file with ``{mac}`` asks for ``<MAC>.xml``. Both
MAC names get the same settings; the model-wide file names no MAC and is refused (the phone
goes on to its own file).
"""

from __future__ import annotations

import re
from typing import Final, final

from cordboard.core.provisioning.vendor import PhoneConfig, RenderedFile
from cordboard.plugins.provision_common import normalise_mac, path_mac_allowed
from cordboard.plugins.provision_snom.const import CONTENT_TYPE, MAC_PREFIXES, VENDOR
from cordboard.plugins.provision_snom.render import (
    firmware_file_name,
    htm_file_name,
    render_firmware,
    render_settings,
    settings_file_name,
)

_SETTINGS_PATH: Final = re.compile(r"(?:snom[A-Za-z0-9]{1,16}-)?(?P<mac>[0-9A-Fa-f]{12})\.(?:xml|htm)")
_FIRMWARE_PATH: Final = re.compile(r"(?P<mac>[0-9A-Fa-f]{12})-firmware\.xml")
_USER_AGENT: Final = re.compile(r"\bsnom", re.IGNORECASE)


@final
class SnomVendor:
    """Snom desk phones (XML settings)."""

    @property
    def vendor(self) -> str:
        return VENDOR

    @property
    def mac_prefixes(self) -> tuple[str, ...]:
        return MAC_PREFIXES

    def matches_user_agent(self, user_agent: str) -> bool:
        return bool(_USER_AGENT.search(user_agent))

    def mac_from_path(self, path: str, user_agent: str) -> str | None:
        match = _SETTINGS_PATH.fullmatch(path) or _FIRMWARE_PATH.fullmatch(path)
        if match is None:
            return None
        mac = normalise_mac(match["mac"])
        if mac is None or not path_mac_allowed(
            mac, user_agent, prefixes=MAC_PREFIXES, user_agent_matches=self.matches_user_agent(user_agent)
        ):
            return None
        return mac

    def files(self, config: PhoneConfig) -> list[str]:
        paths = [settings_file_name(config.mac)]
        if config.model:
            paths.append(htm_file_name(config.model, config.mac))
        if config.firmware_url:
            paths.append(firmware_file_name(config.mac))
        return paths

    def pnp_path(self, config: PhoneConfig) -> str:
        """The file named in the plug-and-play NOTIFY (after ``base_url``): the phone's own settings,
        so it need not guess ``snom<model>.htm`` first."""
        return settings_file_name(config.mac)

    def render(self, path: str, config: PhoneConfig) -> RenderedFile | None:
        settings = _SETTINGS_PATH.fullmatch(path)
        if settings is not None and normalise_mac(settings["mac"]) == config.mac:
            return RenderedFile(render_settings(config), CONTENT_TYPE)
        firmware = _FIRMWARE_PATH.fullmatch(path)
        if firmware is not None and normalise_mac(firmware["mac"]) == config.mac:
            body = render_firmware(config)
            return RenderedFile(body, CONTENT_TYPE) if body is not None else None
        return None
