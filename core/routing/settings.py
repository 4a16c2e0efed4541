"""The routing settings: which destination types users' own rules may use (RTE-05)."""

from __future__ import annotations

from typing import Final

from cordboard.core.config import validation as cv
from cordboard.core.config.settings import SettingSpec
from cordboard.core.routing.model import DESTINATION_KINDS

USER_DESTINATIONS: Final = "core.routing_user_destinations"

ROUTING_SPECS: Final = (
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
