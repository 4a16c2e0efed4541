"""The night-mode code on the phone (FC-08): switch the caller's override, say what it is now."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from cordboard.core.features.model import FeatureRequest
from cordboard.plugins.night_mode.const import PROMPT_OFF, PROMPT_ON

_LOGGER = logging.getLogger(__name__)


async def switch(request: FeatureRequest) -> Sequence[str]:
    """On (``*28``): night mode off until turned back on (SCH-05); off (``#28``): back to the
    working hours."""
    status = await request.core.schedules.set_night_mode_off(request.user_id, request.on)
    _LOGGER.info(
        "User %s turned night mode %s by phone (night mode now %s)",
        request.user_id,
        "off" if request.on else "back on",
        "on" if status.night_mode else "off",
    )
    return [PROMPT_OFF if request.on else PROMPT_ON]
