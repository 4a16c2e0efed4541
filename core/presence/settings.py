"""The presence settings: availability that follows the working hours (SCH-11)."""

from __future__ import annotations

from typing import Final

from cordboard.core.config import validation as cv
from cordboard.core.config.scopes import ALL_SCOPES
from cordboard.core.config.settings import SettingSpec

FOLLOWS_HOURS: Final = "core.availability_follows_hours"

PRESENCE_SPECS: Final = (
    SettingSpec(
        key=FOLLOWS_HOURS,
        scopes=frozenset(ALL_SCOPES),
        kind="bool",
        validator=cv.boolean,
        default=False,
        description="The user's availability follows their working hours (SCH-11): Available when "
        "they begin, Busy when they end (night mode). The user may still change it in between.",
    ),
)
