"""Presence data: availability, activities, roles, shortcuts and one user's presence (PRS-01..05, 09, 10).

Everything here is pure: dataclasses and the functions that compute a new presence from an old one.
The service (service.py) stores, publishes and times them.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final

AVAILABLE: Final = "available"
BUSY: Final = "busy"
AVAILABILITIES: Final = (AVAILABLE, BUSY)
"""PRS-01: every user is Available or Busy."""

MAX_RESTORE_DEPTH: Final = 8
"""Timed changes stack (a shortcut applied during another): at most this many levels are kept."""


class CallState(enum.StrEnum):
    """PRS-09: what the user's phones are doing, derived from the live ``call.*`` states."""

    IDLE = "idle"
    RINGING = "ringing"
    IN_CALL = "in_call"


@dataclass(frozen=True, slots=True)
class Activity:
    """PRS-02: an admin-defined activity ("Lunch", "Meeting"); ``id`` is the number feature codes use."""

    id: int
    name: str
    show_as: str
    """The availability that setting this activity implies (available or busy)."""
    message: str | None = None
    """An optional voice prompt id (``org:3``) played to callers while the activity is set."""
    labels: dict[str, str] = field(default_factory=dict)
    """The name per UI language (``{"da": "Forstyr ikke", "en": "Busy"}``)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "show_as": self.show_as,
            "message": self.message,
            "labels": dict(self.labels),
        }


@dataclass(frozen=True, slots=True)
class Role:
    """PRS-03: an admin-defined presence role ("Work", "Private"); routing rules may test it."""

    id: int
    name: str
    labels: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "labels": dict(self.labels)}


@dataclass(frozen=True, slots=True)
class Shortcut:
    """PRS-04/05: several presence changes in one click; ``owner_user_id`` None means the admin's
    (shown to every user), else one user's private shortcut."""

    id: int
    owner_user_id: int | None
    name: str
    activity_id: int | None = None
    availability: str | None = None
    """None: the activity's show-as (or unchanged without an activity)."""
    duration_minutes: int | None = None
    """None: no end time; else the change is undone after this many minutes."""
    icon: str = ""
    diversion: str | None = None
    """Calls to the user go to this number while the shortcut is active (PRS-05)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "owner_user_id": self.owner_user_id,
            "scope": "org" if self.owner_user_id is None else "user",
            "name": self.name,
            "activity_id": self.activity_id,
            "availability": self.availability,
            "duration_minutes": self.duration_minutes,
            "icon": self.icon,
            "diversion": self.diversion,
        }


@dataclass(frozen=True, slots=True)
class PresencePlan:
    """PRS-06, future presence: ``activity_id`` is applied at ``start`` and removed at ``end``
    (what was there before comes back then, as after a shortcut)."""

    id: int
    user_id: int
    activity_id: int
    start: float
    end: float
    availability: str | None = None
    """None: the activity's show-as."""
    diversion: str | None = None
    created_by: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "user_id": self.user_id,
            "activity_id": self.activity_id,
            "start": self.start,
            "end": self.end,
            "availability": self.availability,
            "diversion": self.diversion,
            "created_by": self.created_by,
        }


@dataclass(frozen=True, slots=True)
class Presence:
    """One user's presence. ``previous`` is what comes back at ``until`` (a timed change)."""

    user_id: int
    availability: str = AVAILABLE
    activity_id: int | None = None
    role_id: int | None = None
    dnd: bool = False
    diversion: str | None = None
    until: float | None = None
    shortcut_id: int | None = None
    previous: dict[str, Any] | None = None
    updated: float = 0.0
    call_state: CallState = CallState.IDLE
    """Live only (never stored): it follows the calls."""

    def snapshot(self) -> dict[str, Any]:
        """The part a timed change replaces and later restores (PRS-05): availability, activity,
        diversion, and the timed change that was running before, if any."""
        return {
            "availability": self.availability,
            "activity_id": self.activity_id,
            "diversion": self.diversion,
            "until": self.until,
            "shortcut_id": self.shortcut_id,
            "previous": self.previous,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "availability": self.availability,
            "activity_id": self.activity_id,
            "role_id": self.role_id,
            "dnd": self.dnd,
            "diversion": self.diversion,
            "until": self.until,
            "shortcut_id": self.shortcut_id,
            "call_state": self.call_state.value,
            "updated": self.updated,
        }


def _depth(snapshot: dict[str, Any] | None) -> int:
    depth = 0
    while snapshot is not None:
        depth += 1
        snapshot = snapshot.get("previous")
    return depth


def _trimmed(snapshot: dict[str, Any], keep: int) -> dict[str, Any]:
    """``snapshot`` with at most ``keep`` levels; the deepest kept level becomes permanent."""
    inner = snapshot.get("previous")
    if keep <= 1 or inner is None:
        return {**snapshot, "previous": None, "until": None}
    return {**snapshot, "previous": _trimmed(inner, keep - 1)}


def apply_change(presence: Presence, changes: Mapping[str, Any], now: float) -> Presence:
    """The presence after ``changes`` to availability, activity_id, diversion, until, shortcut_id.

    With an ``until`` the change is timed: what was there before is kept and comes back at
    ``until`` (PRS-05); a timed change on top of another stacks, so the end of the inner one
    returns to the outer. ``until`` None makes the change permanent and forgets a pending restore;
    without the key a running timer stays (only the activity changed, say).
    """
    if changes.get("until") is not None:
        previous: dict[str, Any] | None = presence.snapshot()
        if _depth(previous) > MAX_RESTORE_DEPTH:
            previous = _trimmed(presence.snapshot(), MAX_RESTORE_DEPTH)
    elif "until" in changes:
        previous = None
    else:
        previous = presence.previous
    if "until" in changes:
        until, shortcut_id = changes["until"], changes.get("shortcut_id")
    else:
        until, shortcut_id = presence.until, presence.shortcut_id
    return replace(
        presence,
        availability=changes.get("availability") or presence.availability,
        activity_id=changes.get("activity_id", presence.activity_id),
        diversion=changes.get("diversion", presence.diversion),
        until=until,
        shortcut_id=shortcut_id,
        previous=previous,
        updated=now,
    )


def restore(presence: Presence, now: float) -> Presence:
    """The presence once its timed change has ended: the snapshot taken before it comes back;
    when that one's own end has passed meanwhile too, the one before it, and so on."""
    current = presence
    while current.until is not None and current.until <= now:
        snapshot = current.previous or {}
        current = replace(
            current,
            availability=snapshot.get("availability") or AVAILABLE,
            activity_id=snapshot.get("activity_id"),
            diversion=snapshot.get("diversion"),
            until=snapshot.get("until"),
            shortcut_id=snapshot.get("shortcut_id"),
            previous=snapshot.get("previous"),
            updated=now,
        )
    return current
