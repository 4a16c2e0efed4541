"""Presence (FEATURES.md PRS): availability, activities, roles, shortcuts, DND and call state."""

from __future__ import annotations

from cordboard.core.presence.model import AVAILABLE, BUSY, Activity, CallState, Presence, Role, Shortcut
from cordboard.core.presence.rules import (
    available_for_distribution,
    diversion_target,
    offerable_for_direct_call,
)
from cordboard.core.presence.service import EVENT_PRESENCE_CHANGED, PresenceService

__all__ = [
    "AVAILABLE",
    "BUSY",
    "EVENT_PRESENCE_CHANGED",
    "Activity",
    "CallState",
    "Presence",
    "PresenceService",
    "Role",
    "Shortcut",
    "available_for_distribution",
    "diversion_target",
    "offerable_for_direct_call",
]
