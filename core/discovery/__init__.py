"""Discovery on the LAN (BYD-07): the appliance announces itself over mDNS/DNS-SD (zeroconf)."""

from cordboard.core.discovery.announce import Announcer, service_infos

__all__ = ["Announcer", "service_infos"]
