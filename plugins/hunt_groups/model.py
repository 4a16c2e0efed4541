"""A hunt group (HG-01..05, HG-08) and a member of one, as the plugin keeps them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cordboard.plugins.hunt_groups.const import DEFAULT_PHONE_TYPES


@dataclass(frozen=True, slots=True)
class HuntGroup:
    id: int
    name: str
    number: str
    """A local number (1500-1599 by default) or a public one in E.164 (HG-01)."""
    identifier: str
    """The feature-code identifier (FC-16, HG-07): the number itself for a local number."""
    user_groups: tuple[int, ...]
    """The user groups whose users are the members (HG-02)."""
    distribution: str
    """``parallel`` or ``sequential`` (HG-03)."""
    ring_s: int
    """How long each attempt rings: all members once (parallel), each member (sequential)."""
    fallback: str | None = None
    """Where a call goes that no member answers or that finds nobody available (HG-04)."""
    excluded_activities: tuple[int, ...] = ()
    excluded_roles: tuple[int, ...] = ()
    schedule_id: int | None = None
    """The opening hours (HG-08, SCH-07); None: always open."""
    phone_types: tuple[str, ...] = DEFAULT_PHONE_TYPES
    """Which kinds of the members' phones ring (HG-06): desk, softphone, mobile."""
    exclude_from_search: bool = False
    """NUM-11, HG-07: the group is left out of contact searches (it can still be called)."""
    display_text: str = ""
    """Shown on the members' phones before the caller's name; empty: the group's name."""
    keep_derived_metadata: bool = False
    """A display text set earlier in the call path (a menu's) is kept instead of the group's own."""
    blocking_groups: tuple[int, ...] = ()
    """BAR-04: ids of the dial plan's blocking groups; the group sends no caller to an outside
    number one of them blocks."""
    admin_groups: tuple[int, ...] = ()
    """ROLE-04: the user groups whose members may change the hunt group in the web UI."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "number": self.number,
            "identifier": self.identifier,
            "user_groups": list(self.user_groups),
            "distribution": self.distribution,
            "ring_s": self.ring_s,
            "fallback": self.fallback,
            "excluded_activities": list(self.excluded_activities),
            "excluded_roles": list(self.excluded_roles),
            "schedule_id": self.schedule_id,
            "phone_types": list(self.phone_types),
            "exclude_from_search": self.exclude_from_search,
            "display_text": self.display_text,
            "keep_derived_metadata": self.keep_derived_metadata,
            "blocking_groups": list(self.blocking_groups),
            "admin_groups": list(self.admin_groups),
        }


@dataclass(frozen=True, slots=True)
class Member:
    """A user who is in a hunt group through one of its user groups."""

    user_id: int
    name: str
    target: str
    """What ``Channel.dial`` rings: the extension, else the user name."""
    locked: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"user_id": self.user_id, "name": self.name, "number": self.target}
