"""A virtual switch (AA-04) and an announcement (AA-03) as the plugin keeps them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class FlowSwitch:
    """AA-04: a number whose calls go to ``on_target`` while it is on, else to ``off_target``."""

    id: int
    name: str
    number: str
    on: bool
    on_target: str
    """Where calls go while the switch is on: a user, a function number or an outside number."""
    off_target: str
    operator_groups: list[int] = field(default_factory=list)
    """The user groups whose members may set the switch by phone (administrators always may)."""
    locked: bool = False
    """CAPA-14: a locked switch takes no calls."""
    admin_groups: list[int] = field(default_factory=list)
    """ROLE-04: the user groups whose members may change, switch and lock it in the web UI."""
    changed_at: float | None = None
    changed_by: str | None = None
    """Who set the state last (a user name), and how: ``admin (web)``."""

    @property
    def target(self) -> str:
        """Where a call goes now."""
        return self.on_target if self.on else self.off_target

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "number": self.number,
            "on": self.on,
            "on_target": self.on_target,
            "off_target": self.off_target,
            "operator_groups": list(self.operator_groups),
            "locked": self.locked,
            "admin_groups": list(self.admin_groups),
            "changed_at": self.changed_at,
            "changed_by": self.changed_by,
        }


@dataclass(frozen=True, slots=True)
class Announcement:
    """AA-03: a number that answers, plays ``prompt`` and then hands the caller to ``next_number``
    (None: hangs up)."""

    id: int
    name: str
    number: str
    prompt: str
    """A system prompt id or an organisation's prompt (``org:7``)."""
    next_number: str | None = None
    locked: bool = False
    admin_groups: list[int] = field(default_factory=list)
    """ROLE-04: the user groups whose members may change and lock it in the web UI."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "number": self.number,
            "prompt": self.prompt,
            "next_number": self.next_number,
            "locked": self.locked,
            "admin_groups": list(self.admin_groups),
        }
