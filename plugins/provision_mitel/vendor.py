"""The Mitel ``ProvisioningVendor``: ``aastra.cfg``, ``<model>.cfg`` and ``<MAC>.cfg``.

The MAC file names the MAC; the common and model files do not, so their MAC is the one in the
User-Agent (``Aastra6867i MAC:00-08-5D-23-74-29 V:5.1.0.2048-SIP``), and without one the
request is refused.
"""

from __future__ import annotations

import re
from typing import final

from cordboard.core.provisioning.vendor import PhoneConfig
from cordboard.plugins.provision_common import MAC_GROUP, FileVendor, VendorFile
from cordboard.plugins.provision_mitel import const
from cordboard.plugins.provision_mitel.render import (
    mac_file_name,
    model_file_name,
    render_common,
    render_phone,
)


@final
class MitelVendor(FileVendor):
    """Mitel (Aastra) 6800 series desk phones (``name: value`` .cfg files)."""

    VENDOR = const.VENDOR
    MAC_PREFIXES = const.MAC_PREFIXES
    USER_AGENT = re.compile(r"\b(?:aastra|mitel)", re.IGNORECASE)
    FILES = (
        VendorFile(re.compile(r"aastra\.cfg|[0-9]{4}i\.cfg"), render_common, const.CONTENT_TYPE),
        VendorFile(re.compile(rf"{MAC_GROUP}\.cfg"), render_phone, const.CONTENT_TYPE),
    )

    def files(self, config: PhoneConfig) -> list[str]:
        model_file = model_file_name(config.model)
        return [const.COMMON_FILE, *([model_file] if model_file else []), mac_file_name(config.mac)]
