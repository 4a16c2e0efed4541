"""An IVR menu (IVR-01..04, IVR-08) as the plugin keeps it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Destination:
    """Where a key (or the end of the menu) sends the caller."""

    kind: str
    """``number``, ``voicemail``, ``hangup`` or ``repeat``."""
    target: str | None = None
    """The number (``number``) or the user's number whose mailbox it is (``voicemail``)."""

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"kind": self.kind}
        if self.target is not None:
            found["target"] = self.target
        return found

    @classmethod
    def of(cls, data: dict[str, Any]) -> Destination:
        return cls(str(data["kind"]), data.get("target"))


@dataclass(frozen=True, slots=True)
class IvrMenu:
    id: int
    name: str
    number: str
    """A local number (1600-1699 by default) or a public one in E.164 (IVR-01)."""
    language: str | None
    """The prompts' language; None: the caller's own or the organisation's (IVR-07)."""
    welcome_prompt: str
    """A system prompt id or an organisation's prompt (``org:7``) (IVR-02)."""
    options: dict[str, Destination] = field(default_factory=dict)
    """Key (``0``-``9``, ``*``, ``#``) to destination (IVR-03)."""
    direct_dial: bool = False
    """IVR-04: the caller keys a number instead; the options are off."""
    timeout_s: int = 5
    retries: int = 2
    """IVR-08: how often the menu plays again after no key or an invalid one."""
    invalid_prompt: str = "invalid_option"
    timeout_destination: Destination | None = None
    """IVR-08: where the call goes when the retries are used up; None: "goodbye" and hang up."""
    exclude_from_search: bool = False
    """NUM-11: the menu is left out of contact searches (it can still be called)."""
    display_text: str = ""
    """Shown on the phones before the caller's name while the menu's call is offered; empty: the
    menu's name."""
    keep_derived_metadata: bool = False
    """IVR-05: a display text set earlier in the call path is kept instead of the menu's own."""
    blocking_groups: tuple[int, ...] = ()
    """BAR-04: ids of the dial plan's blocking groups; the menu sends no caller to an outside
    number one of them blocks."""
    admin_groups: tuple[int, ...] = ()
    """ROLE-04, IVR-06: the user groups whose members may change the menu in the web UI."""
    schedule_id: int | None = None
    """SCH-07: the menu's opening hours; None: always open."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "number": self.number,
            "language": self.language,
            "welcome_prompt": self.welcome_prompt,
            "options": {key: d.as_dict() for key, d in sorted(self.options.items())},
            "direct_dial": self.direct_dial,
            "timeout_s": self.timeout_s,
            "retries": self.retries,
            "invalid_prompt": self.invalid_prompt,
            "timeout_destination": self.timeout_destination.as_dict() if self.timeout_destination else None,
            "exclude_from_search": self.exclude_from_search,
            "display_text": self.display_text,
            "keep_derived_metadata": self.keep_derived_metadata,
            "blocking_groups": list(self.blocking_groups),
            "admin_groups": list(self.admin_groups),
            "schedule_id": self.schedule_id,
        }
