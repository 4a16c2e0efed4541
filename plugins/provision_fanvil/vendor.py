"""The Fanvil ``ProvisioningVendor``: ``<mac>.cfg`` in Fanvil's text format."""

from __future__ import annotations

import re
from typing import final

from cordboard.core.provisioning.vendor import PhoneConfig
from cordboard.plugins.provision_common import MAC_GROUP, FileVendor, VendorFile
from cordboard.plugins.provision_fanvil import const
from cordboard.plugins.provision_fanvil.render import config_file_name, render_config


@final
class FanvilVendor(FileVendor):
    """Fanvil desk phones (text configuration file)."""

    VENDOR = const.VENDOR
    MAC_PREFIXES = const.MAC_PREFIXES
    USER_AGENT = re.compile(r"\bfanvil", re.IGNORECASE)
    FILES = (VendorFile(re.compile(rf"{MAC_GROUP}\.cfg"), render_config, const.CONTENT_TYPE),)

    def files(self, config: PhoneConfig) -> list[str]:
        return [config_file_name(config.mac)]
