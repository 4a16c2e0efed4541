"""provision_common: helpers the vendor plugins (``provision_<vendor>``) share; not a plugin itself.

The ``ProvisioningVendor`` scaffolding of a vendor whose files are found by name (``vendor``),
MAC addresses in request paths and User-Agents (``mac``), time zone rules from IANA names
(``timezones``) and the escaping that keeps a user-provided value from breaking out of an XML
element or a ``key = value`` line (``text``). Everything here is pure: no I/O.
"""

from __future__ import annotations

from cordboard.plugins.provision_common.mac import (
    mac_in_user_agent,
    normalise_mac,
    path_mac_allowed,
)
from cordboard.plugins.provision_common.text import one_line, xml_document, xml_text
from cordboard.plugins.provision_common.timezones import ZoneRule, zone_rule
from cordboard.plugins.provision_common.vendor import MAC_GROUP, FileVendor, VendorFile

__all__ = [
    "MAC_GROUP",
    "FileVendor",
    "VendorFile",
    "ZoneRule",
    "mac_in_user_agent",
    "normalise_mac",
    "one_line",
    "path_mac_allowed",
    "xml_document",
    "xml_text",
    "zone_rule",
]
