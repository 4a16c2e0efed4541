"""provision_poly: Poly (Polycom) desk phones' provisioning files (master, phone configuration, directory)."""

from __future__ import annotations

from cordboard.core.plugin_api import hookimpl
from cordboard.core.provisioning.vendor import ProvisioningVendor


@hookimpl
def cordboard_provisioning_vendor() -> ProvisioningVendor:
    from cordboard.plugins.provision_poly.vendor import PolyVendor

    return PolyVendor()
