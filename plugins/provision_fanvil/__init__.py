"""provision_fanvil: Fanvil desk phones' provisioning file (text configuration)."""

from __future__ import annotations

from cordboard.core.plugin_api import hookimpl
from cordboard.core.provisioning.vendor import ProvisioningVendor


@hookimpl
def cordboard_provisioning_vendor() -> ProvisioningVendor:
    from cordboard.plugins.provision_fanvil.vendor import FanvilVendor

    return FanvilVendor()
