"""provision_grandstream: Grandstream desk phones' provisioning file (XML P-values)."""

from __future__ import annotations

from cordboard.core.plugin_api import hookimpl
from cordboard.core.provisioning.vendor import ProvisioningVendor


@hookimpl
def cordboard_provisioning_vendor() -> ProvisioningVendor:
    from cordboard.plugins.provision_grandstream.vendor import GrandstreamVendor

    return GrandstreamVendor()
