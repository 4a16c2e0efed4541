"""provision_yealink: Yealink desk phones' provisioning files (.cfg settings, remote phone book)."""

from __future__ import annotations

from cordboard.core.plugin_api import hookimpl
from cordboard.core.provisioning.vendor import ProvisioningVendor


@hookimpl
def cordboard_provisioning_vendor() -> ProvisioningVendor:
    from cordboard.plugins.provision_yealink.vendor import YealinkVendor

    return YealinkVendor()
