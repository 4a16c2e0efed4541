"""The gated services of ROLE-09 and a grant of one: members of a group (or every user) may use the
service against the users of a scope (the organisation, a group's members, or one user)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import voluptuous as vol


@dataclass(frozen=True, slots=True)
class Service:
    name: str
    feature: str
    """The catalogue's row (PRS-11 ...)."""
    open_on_install: bool
    """A new installation grants it to every user against the whole organisation (the admin can
    narrow it); otherwise nobody but the administrators has it until granted."""


SERVICES: Final = {
    s.name: s
    for s in (
        Service("see_status", "PRS-11", True),
        Service("view_future_presence", "PRS-07", False),
        Service("edit_future_presence", "PRS-07", False),
        Service("edit_directory", "DIR-02", False),
        Service("pickup", "PKP-02", True),
        Service("retrieve_parked", "PKP-04", True),
        Service("intrude", "PKP-05", False),
        Service("bypass_diversion", "PKP-06", False),
        Service("camp_on", "PQ-06", False),
    )
}
"""The services that something checks today; directory fields (DIR-11) and SMS (APP-07) join with
their features, each with the migration that seeds its grants if it is open on install."""
SCOPES: Final = ("org", "group", "user")


@dataclass(frozen=True, slots=True)
class Grant:
    service: str
    group_id: int | None
    """The group whose members have the right; None: every user."""
    scope: str
    scope_id: int | None
    """The group or user the right applies to (None for the organisation)."""

    def covers(self, target_id: int, target_groups: frozenset[int]) -> bool:
        if self.scope == "org":
            return True
        if self.scope == "group":
            return self.scope_id in target_groups
        return self.scope_id == target_id

    def as_dict(self) -> dict[str, Any]:
        return {"group_id": self.group_id, "scope": self.scope, "scope_id": self.scope_id}


GRANT: Final = vol.Schema(
    {
        vol.Required("group_id"): vol.Any(None, int),
        vol.Required("scope"): vol.In(SCOPES, msg="org, group or user"),
        vol.Optional("scope_id", default=None): vol.Any(None, int),
    },
    extra=vol.PREVENT_EXTRA,
)
GRANTS_BODY: Final = vol.Schema(
    {vol.Required("grants"): vol.All([GRANT], vol.Length(max=200, msg="at most 200 grants"))},
    extra=vol.PREVENT_EXTRA,
)
