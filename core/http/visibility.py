"""What a non-admin may see of states and events: only what concerns them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cordboard.core.bus import Event
from cordboard.core.http.access import AuthUser
from cordboard.core.presence.service import EVENT_STATUS_CHANGED
from cordboard.core.state import EVENT_STATE_CHANGED, State

if TYPE_CHECKING:
    from cordboard.core.rights.service import RightsService


def _concerns(data: Any, user: AuthUser) -> bool:
    if not hasattr(data, "get"):
        return False
    value = data.get("user_id")
    if value is not None and str(value) == str(user.id):
        return True
    return any(str(v) == str(user.id) for v in data.get("user_ids") or () if v is not None)


def state_visible(state: State, user: AuthUser) -> bool:
    return user.is_admin or _concerns(state.attributes, user)


def event_visible(event: Event[Any], user: AuthUser, rights: RightsService | None = None) -> bool:
    """Whether ``user`` may get ``event``: admins all; others what concerns them, and colleagues'
    status changes where a right of their groups lets them see it (PRS-11)."""
    if user.is_admin:
        return True
    if event.event_type == EVENT_STATUS_CHANGED and rights is not None:
        return rights.allows("see_status", user.id, int(event.data["user_id"]))
    if event.event_type == EVENT_STATE_CHANGED:
        state = event.data.get("new_state") or event.data.get("old_state")
        return state is not None and state_visible(state, user)
    return event.context.user_id == str(user.id) or _concerns(event.data, user)
