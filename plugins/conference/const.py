"""Constants of the conference plugin."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from cordboard.core.keys import DataKey

if TYPE_CHECKING:
    from cordboard.plugins.conference.rooms import ConferenceRooms

DOMAIN: Final = "conference"
CONF_FIRST_NUMBER: Final = "first_number"
CONF_ROOMS: Final = "rooms"
CONF_PIN: Final = "pin"
CONF_MAX_PARTICIPANTS: Final = "max_participants"
DEFAULT_FIRST_NUMBER: Final = "1800"
DEFAULT_ROOMS: Final = 10
DEFAULT_MAX_PARTICIPANTS: Final = 20
PIN_ATTEMPTS: Final = 3
ROOMS_KEY: Final[DataKey[ConferenceRooms]] = DataKey("conference.rooms")
