"""The routing settings: which destination types users' own rules may use (RTE-05)."""

from __future__ import annotations

from typing import Final

import voluptuous as vol

from cordboard.core.config import validation as cv
from cordboard.core.config.settings import SettingSpec
from cordboard.core.routing.model import DESTINATION_KINDS

USER_DESTINATIONS: Final = "core.routing_user_destinations"
FORWARD_RING: Final = "core.forward_ring_time"

ROUTING_SPECS: Final = (
    SettingSpec(
        key=FORWARD_RING,
        validator=vol.All(vol.Coerce(int), vol.Range(min=5, max=300, msg="5 to 300 seconds")),
        default=25,
        description="Seconds a call forwarded by a rule rings at the forward's number before the "
        "rule's next step applies (RTE-09).",
    ),
    SettingSpec(
        key=USER_DESTINATIONS,
        scopes=frozenset({"org", "group", "user"}),
        validator=cv.MultiSelect(
            {
                "phones": "The user's phones",
                "number": "Forward to a number",
                "voicemail": "Voicemail",
                "busy": "Busy",
                "reject": "Reject",
            }
        ),
        default=list(DESTINATION_KINDS),
        description="Destination types a user's own routing rules may use (RTE-05): phones, number, "
        "voicemail, busy, reject. The rule editor offers only these and the API refuses others.",
    ),
)
