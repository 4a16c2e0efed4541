"""The switch code on the phone (AA-04): ``*29*NUMBER*`` turns the switch at NUMBER on,
``**29*NUMBER*`` off. Administrators and the members of the switch's operator groups may; anyone
else is told they may not and the switch stays as it is."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from cordboard.core.exceptions import NotFound
from cordboard.core.features.model import PROMPT_UNKNOWN, FeatureRefused, FeatureRequest
from cordboard.plugins.flow_elements.const import FLOW_ELEMENTS_KEY, PROMPT_SWITCH_OFF, PROMPT_SWITCH_ON

_LOGGER = logging.getLogger(__name__)


async def set_switch(request: FeatureRequest) -> Sequence[str]:
    core = request.core
    elements = core.data.get(FLOW_ELEMENTS_KEY)
    number = request.fields["switch"]
    switch = elements.switch_at(number) if elements is not None else None
    if elements is None or switch is None:
        raise FeatureRefused(f"no switch has the number {number}", PROMPT_UNKNOWN)
    try:
        user = await core.identity.get_user(request.user_id)
    except NotFound:
        raise FeatureRefused("the caller is no user here") from None
    if not user.is_admin and not set(user.groups) & set(switch.operator_groups):
        raise FeatureRefused(f"{user.username} is no operator of the switch {switch.name}")
    await elements.set_state(switch.id, request.on, by=user.username, via="phone", user_id=user.id)
    return [PROMPT_SWITCH_ON if request.on else PROMPT_SWITCH_OFF]
