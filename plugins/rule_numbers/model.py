"""A rule-based number (RBN-01..05) as the plugin keeps it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class RuleNumber:
    id: int
    name: str
    number: str
    """A local number (1700-1799 by default) or a public one in E.164 (RBN-01)."""
    display_text: str = ""
    """RBN-02: shown on the answering phone before the caller's name; empty: the number's name."""
    keep_derived_metadata: bool = False
    """RBN-02 "override with forwarded info": a text set earlier in the call is kept instead."""
    language: str | None = None
    """RBN-03: the prompts' language from here on for callers who are not users; None: unchanged."""
    show_as_caller: bool = False
    """RBN-04: when the caller's number cannot be shown, the phones show this number instead."""
    blocking_groups: tuple[int, ...] = ()
    """RBN-05, BAR-04: ids of the dial plan's blocking groups; no call goes from here to an outside
    number one of them blocks."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "number": self.number,
            "display_text": self.display_text,
            "keep_derived_metadata": self.keep_derived_metadata,
            "language": self.language,
            "show_as_caller": self.show_as_caller,
            "blocking_groups": list(self.blocking_groups),
        }
