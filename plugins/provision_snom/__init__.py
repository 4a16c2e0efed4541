"""provision_snom: Snom desk phones' provisioning files (XML settings, function keys, phone book)."""

from __future__ import annotations

from cordboard.core.plugin_api import hookimpl
from cordboard.core.provisioning.vendor import ProvisioningVendor


@hookimpl
def cordboard_provisioning_vendor() -> ProvisioningVendor:
    from cordboard.plugins.provision_snom.vendor import SnomVendor

    return SnomVendor()
