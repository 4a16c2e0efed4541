"""Constants of the park plugin."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from cordboard.core.keys import DataKey

if TYPE_CHECKING:
    from cordboard.plugins.park.lot import ParkingLot

DOMAIN: Final = "park"
CONF_FIRST_NUMBER: Final = "first_number"
CONF_POSITIONS: Final = "positions"
CONF_TIMEOUT: Final = "timeout_seconds"
DEFAULT_FIRST_NUMBER: Final = "1700"
DEFAULT_POSITIONS: Final = 10
DEFAULT_TIMEOUT: Final = 120
RECALL_RING_S: Final = 30.0
RETRIEVE_RIGHT: Final = "retrieve_parked"
"""The service right (ROLE-09, PKP-04) over the user who parked a call, to take it."""
LOT_KEY: Final[DataKey[ParkingLot]] = DataKey("park.lot")
