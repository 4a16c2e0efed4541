"""The Snom ``ProvisioningVendor``: which requests are a Snom's, and its files.

A Snom whose setting server is a folder asks for ``snom<model>.htm`` and then
``snom<model>-<MAC>.htm``; one pointed at a file with ``{mac}`` asks for ``<MAC>.xml``. Both
MAC names get the same settings; the model-wide file names no MAC and is refused (the phone
goes on to its own file).
"""

from __future__ import annotations

import re
from typing import final

from cordboard.core.provisioning.vendor import PhoneConfig
from cordboard.plugins.provision_common import MAC_GROUP, FileVendor, VendorFile
from cordboard.plugins.provision_snom import const
from cordboard.plugins.provision_snom.render import (
    firmware_file_name,
    htm_file_name,
    render_firmware,
    render_settings,
    settings_file_name,
)


@final
class SnomVendor(FileVendor):
    """Snom desk phones (XML settings)."""

    VENDOR = const.VENDOR
    MAC_PREFIXES = const.MAC_PREFIXES
    USER_AGENT = re.compile(r"\bsnom", re.IGNORECASE)
    FILES = (
        VendorFile(
            re.compile(rf"(?:snom[A-Za-z0-9]{{1,16}}-)?{MAC_GROUP}\.(?:xml|htm)"),
            render_settings,
            const.CONTENT_TYPE,
        ),
        VendorFile(re.compile(rf"{MAC_GROUP}-firmware\.xml"), render_firmware, const.CONTENT_TYPE),
    )

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
