"""The Poly ``ProvisioningVendor``: ``<mac>.cfg``, ``<mac>-phone.cfg`` and ``<mac>-directory.xml``."""

from __future__ import annotations

import re
from typing import final

from cordboard.core.provisioning.vendor import PhoneConfig
from cordboard.plugins.provision_common import MAC_GROUP, FileVendor, VendorFile
from cordboard.plugins.provision_poly import const
from cordboard.plugins.provision_poly.render import (
    directory_file_name,
    master_file_name,
    phone_file_name,
    render_directory,
    render_master,
    render_phone,
)


@final
class PolyVendor(FileVendor):
    """Poly (Polycom) VVX and Edge desk phones (XML configuration files)."""

    VENDOR = const.VENDOR
    MAC_PREFIXES = const.MAC_PREFIXES
    # "FileTransport PolycomVVX-VVX_411-UA/5.9.5.0614", "... Poly-Edge_E450-UA/..."
    USER_AGENT = re.compile(r"\bpolycom|\bpoly[-_/ ]", re.IGNORECASE)
    FILES = (
        VendorFile(re.compile(rf"{MAC_GROUP}\.cfg"), render_master, const.CONTENT_TYPE),
        VendorFile(re.compile(rf"{MAC_GROUP}-phone\.cfg"), render_phone, const.CONTENT_TYPE),
        VendorFile(re.compile(rf"{MAC_GROUP}-directory\.xml"), render_directory, const.CONTENT_TYPE),
    )

    def files(self, config: PhoneConfig) -> list[str]:
        return [master_file_name(config.mac), phone_file_name(config.mac), directory_file_name(config.mac)]
