"""Constants of the flow_elements plugin."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from cordboard.core.bus import EventType
from cordboard.core.keys import DataKey

if TYPE_CHECKING:
    from cordboard.plugins.flow_elements.service import FlowElements

DOMAIN: Final = "flow_elements"
FLOW_ELEMENTS_KEY: Final[DataKey[FlowElements]] = DataKey("flow_elements.elements")
EVENT_SWITCH_CHANGED: Final = EventType[dict[str, Any]]("flow_switch.changed")
"""AA-04: a switch was turned on or off: its id, number and name, ``on``, who (``user_id``,
``username``) and how (``via``: ``web`` or ``phone``)."""
EVENT_FLOW_CALL: Final = EventType[dict[str, Any]]("flow_element.call")
"""Fired when a switch or an announcement is done with a call: ``element`` (``switch`` or
``announcement``), its id and number, the call id, the outcome and the number it went to."""

PURPOSES: Final = ("ivr", "any")
"""A local number of an element must lie in a number range for these purposes (1600-1699 by default)."""
NAME_MAX: Final = 80
CODE_KEY: Final = "flow_switch"
DEFAULT_CODE: Final = "29"
"""``*29*NUMBER*`` turns the switch at NUMBER on, ``**29*NUMBER*`` off (AA-04)."""
PROMPT_SWITCH_ON: Final = "flow_switch_on"
PROMPT_SWITCH_OFF: Final = "flow_switch_off"
PROMPT_NOT_AVAILABLE: Final = "not_available"
LOCKED_STATUS: Final = 480
"""What the caller's phone gets from a locked element (Temporarily Unavailable)."""

KIND_SWITCH: Final = "flow_switch"
"""The call-flow node kind of a switch (AA-02)."""
KIND_ANNOUNCEMENT: Final = "announcement"

OUTCOME_TRANSFERRED: Final = "transferred"
OUTCOME_NOT_ANSWERED: Final = "not_answered"
OUTCOME_HUNG_UP: Final = "hung_up"
OUTCOME_LOCKED: Final = "locked"
OUTCOME_LOOP: Final = "loop"
OUTCOME_CALLER_LEFT: Final = "caller_hung_up"
