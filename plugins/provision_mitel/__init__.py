"""provision_mitel: Mitel (Aastra) 6800 desk phones' provisioning files (name: value .cfg)."""

from __future__ import annotations

from cordboard.core.plugin_api import hookimpl
from cordboard.core.provisioning.vendor import ProvisioningVendor


@hookimpl
def cordboard_provisioning_vendor() -> ProvisioningVendor:
    from cordboard.plugins.provision_mitel.vendor import MitelVendor

    return MitelVendor()
