"""Discovery on the LAN (BYD-07): the appliance announces itself over mDNS/DNS-SD (zeroconf) and
browses for the service types plugins declare."""

from cordboard.core.discovery.announce import Announcer, service_infos
from cordboard.core.discovery.browse import DiscoveredPhone, ZeroconfService

__all__ = ["Announcer", "DiscoveredPhone", "ZeroconfService", "service_infos"]
