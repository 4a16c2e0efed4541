"""What the number registry holds: ranges of numbers, and who owns a number (NUM-01..08)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Literal

RangeKind = Literal["local", "public"]
Purpose = Literal["users", "groups", "ivr", "rules", "any"]
KINDS: Final = ("local", "public")
PURPOSES: Final = ("users", "groups", "ivr", "rules", "any")
"""What a range's numbers are for (NUM-03): user lines, ACD/attendant/hunt groups, IVR menus,
rule-based numbers, or anything. "Show available numbers" proposes from the matching ranges."""
FUNCTION_PURPOSES: Final = {"groups": "groups", "ivr": "ivr", "rules": "rules"}

OwnerKind = Literal["user", "alias", "plugin"]


@dataclass(frozen=True, slots=True)
class NumberRange:
    """A block of numbers: local numbers (``1000``-``1499``) or public DIDs in E.164 (``+4589401000``
    - ``+4589401099``); both ends have the same length."""

    id: int
    kind: RangeKind
    first: str
    last: str
    purpose: Purpose
    label: str
    ivr_dialable: bool
    """NUM-10: numbers of this range may be dialled directly from an IVR menu."""
    seeded: bool
    """Made from the extension range setting (not edited by an admin): it follows that setting."""

    @property
    def size(self) -> int:
        return int(self.last.lstrip("+")) - int(self.first.lstrip("+")) + 1

    def contains(self, number: str) -> bool:
        return (
            len(number) == len(self.first)
            and number.startswith("+") == self.first.startswith("+")
            and self.first <= number <= self.last
        )

    def numbers(self) -> list[str]:
        """Every number of the range, in order (ranges are at most MAX_RANGE_SIZE long)."""
        plus = "+" if self.first.startswith("+") else ""
        width = len(self.first) - len(plus)
        start = int(self.first.lstrip("+"))
        return [f"{plus}{n:0{width}d}" for n in range(start, start + self.size)]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "first": self.first,
            "last": self.last,
            "purpose": self.purpose,
            "label": self.label,
            "ivr_dialable": self.ivr_dialable,
            "seeded": self.seeded,
            "size": self.size,
        }


@dataclass(frozen=True, slots=True)
class Owner:
    """Who a number belongs to: a user's line (their extension), an alias of a user's line
    (NUM-05), or a plugin that claimed it (a conference room, a feature code, an IVR)."""

    kind: OwnerKind
    id: str
    """The user's id, or the plugin's domain."""
    label: str
    """What the admin reads: the user's name, or the plugin's description of the number."""

    def describe(self) -> str:
        if self.kind == "plugin":
            return f"the {self.id} plugin ({self.label})" if self.label else f"the {self.id} plugin"
        if self.kind == "alias":
            return f"{self.label} (alias)"
        return self.label

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "label": self.label}


@dataclass(frozen=True, slots=True)
class NumberClaim:
    """A number a plugin answers (``cordboard_number_claims``), with what it is for."""

    number: str
    label: str = ""
    contact_name: str = ""
    """NUM-11: the name contact searches (the directory, the phones' phone book) list this function
    number under (a hunt group's, IVR menu's or group inbox's name); empty: it is not listed (the
    plugin's other numbers, or one set to "exclude from contact searches"). Listed or not, it can
    be called."""
    function: str = ""
    """What a listed function number is: ``hunt_group``, ``ivr`` or ``group_inbox``."""
