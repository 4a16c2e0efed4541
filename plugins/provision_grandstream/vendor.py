"""The Grandstream ``ProvisioningVendor``: ``cfg<mac>.xml`` (the XML P-value format)."""

from __future__ import annotations

import re
from typing import final

from cordboard.core.provisioning.vendor import PhoneConfig
from cordboard.plugins.provision_common import MAC_GROUP, FileVendor, VendorFile
from cordboard.plugins.provision_grandstream import const
from cordboard.plugins.provision_grandstream.render import config_file_name, render_config


@final
class GrandstreamVendor(FileVendor):
    """Grandstream desk phones (GXP/GRP XML P-values)."""

    VENDOR = const.VENDOR
    MAC_PREFIXES = const.MAC_PREFIXES
    USER_AGENT = re.compile(r"\bgrandstream\b", re.IGNORECASE)
    FILES = (VendorFile(re.compile(rf"cfg{MAC_GROUP}\.xml"), render_config, const.CONTENT_TYPE),)

    def files(self, config: PhoneConfig) -> list[str]:
        return [config_file_name(config.mac)]
