"""SIP trunks to providers (BYD-01..03): model, storage, outbound registration and the service."""

from cordboard.core.trunks.model import OutboundRoute, Trunk
from cordboard.core.trunks.service import EVENT_TRUNK_STATE_CHANGED, TrunkService

__all__ = ["EVENT_TRUNK_STATE_CHANGED", "OutboundRoute", "Trunk", "TrunkService"]
