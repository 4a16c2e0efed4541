"""The Yealink ``ProvisioningVendor``: which requests are a Yealink's, and its files.

Per-phone files name the MAC (``<mac>.cfg``, ``<mac>-phonebook.xml``); the model's common file
``y0000000000<code>.cfg`` does not, so its MAC is the one in the User-Agent
(``Yealink SIP-T46U 108.86.0.20 24:9a:d8:..``), and without one the request is refused.
"""

from __future__ import annotations

import re
from typing import final

from cordboard.core.provisioning.vendor import PhoneConfig
from cordboard.plugins.provision_common import MAC_GROUP, FileVendor, VendorFile
from cordboard.plugins.provision_yealink import const
from cordboard.plugins.provision_yealink.render import (
    common_file_name,
    config_file_name,
    phone_book_file_name,
    render_common,
    render_phone,
    render_phone_book,
)


@final
class YealinkVendor(FileVendor):
    """Yealink desk phones (``key = value`` .cfg files)."""

    VENDOR = const.VENDOR
    MAC_PREFIXES = const.MAC_PREFIXES
    USER_AGENT = re.compile(r"\byealink\b", re.IGNORECASE)
    FILES = (
        VendorFile(re.compile(r"y[0-9]{12}\.cfg"), render_common, const.CFG_CONTENT_TYPE),
        VendorFile(re.compile(rf"{MAC_GROUP}\.cfg"), render_phone, const.CFG_CONTENT_TYPE),
        VendorFile(re.compile(rf"{MAC_GROUP}-phonebook\.xml"), render_phone_book, const.XML_CONTENT_TYPE),
    )

    def files(self, config: PhoneConfig) -> list[str]:
        return [
            common_file_name(config.model),
            config_file_name(config.mac),
            phone_book_file_name(config.mac),
        ]
