"""Constants of the hunt_groups plugin."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from cordboard.core.bus import EventType
from cordboard.core.keys import DataKey

if TYPE_CHECKING:
    from cordboard.plugins.hunt_groups.service import HuntGroups

DOMAIN: Final = "hunt_groups"
HUNT_GROUPS_KEY: Final[DataKey[HuntGroups]] = DataKey("hunt_groups.groups")
EVENT_HUNT_GROUP_CALL: Final = EventType[dict[str, Any]]("hunt_group.call")
"""Fired when a hunt group is done with a call: group id and number, call id, outcome, who answered."""

DISTRIBUTIONS: Final = ("parallel", "sequential")
"""HG-03: ring every available member at once, or one after another."""
DEFAULT_DISTRIBUTION: Final = "parallel"
DEFAULT_PHONE_TYPES: Final = ("desk", "softphone")
"""HG-06: the kinds of the members' phones that ring (``cordboard.core.calls.phone_types``); a
member's mobile rings (over the trunk) only when the group says so."""
DEFAULT_RING_S: Final = 20
MIN_RING_S: Final = 1
MAX_RING_S: Final = 300
NAME_MAX: Final = 80
IDENTIFIER_MAX: Final = 8
GROUP_PURPOSES: Final = ("groups", "any")
"""A hunt group's number must lie in a number range for these purposes (NUM-03; 1500-1599 by default)."""

OUTCOME_ANSWERED: Final = "answered"
OUTCOME_FALLBACK: Final = "fallback"
OUTCOME_NOT_AVAILABLE: Final = "not_available"
OUTCOME_CLOSED: Final = "closed"
PROMPT_NOT_AVAILABLE: Final = "not_available"
