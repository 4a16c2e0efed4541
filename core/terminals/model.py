"""A user's terminals and how they ring (TERM-01..03, TERM-07, TERM-09), and where a call nobody
answers ends (the personal fallback destination, RTE-10).

The user's registered phones ring together as one terminal ("phones", TERM-04: the first to answer
wins); next to them up to four numbers (a mobile, another user's line, ...). "Simultaneously" starts
each terminal after its own delay; "one by one" rings them in the user's order, each for its ring
time (TERM-02). Each terminal rings always, only in working hours, or only outside them (TERM-03).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import voluptuous as vol

from cordboard.core.exceptions import ConfigValidationError
from cordboard.core.http.errors import validated
from cordboard.core.routing.model import Destination

MODES: Final = ("simultaneous", "sequential")
WHEN: Final = ("always", "working_hours", "outside_working_hours")
MAX_TERMINALS: Final = 5
DEFAULT_RING_S: Final = 20
_NUMBER: Final = re.compile(r"^\+?[0-9]{2,20}$")


@dataclass(frozen=True, slots=True)
class Terminal:
    kind: str
    """``phones`` (the user's registered phones) or ``number``."""
    number: str | None = None
    label: str = ""
    enabled: bool = True
    delay_s: int = 0
    """Simultaneous ringing: seconds before this terminal starts (TERM-09)."""
    ring_s: int = DEFAULT_RING_S
    """One by one: how long this terminal rings before the next one."""
    when: str = "always"

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "number": self.number,
            "label": self.label,
            "enabled": self.enabled,
            "delay_s": self.delay_s,
            "ring_s": self.ring_s,
            "when": self.when,
        }


@dataclass(frozen=True, slots=True)
class TerminalPlan:
    user_id: int
    mode: str = "simultaneous"
    terminals: tuple[Terminal, ...] = (Terminal("phones"),)
    fallback: str | None = None
    """RTE-10: the number a call goes to when none of the terminals answered (the switchboard, a
    colleague, a mobile); None: the caller hears that nobody answers."""

    @property
    def is_default(self) -> bool:
        """Only the phones, at once, always, nothing after them: the ordinary call (no plan needed)."""
        if self.fallback:
            return False
        return self.terminals == (Terminal("phones"),) or (
            len(self.terminals) == 1
            and self.terminals[0].kind == "phones"
            and self.terminals[0].enabled
            and self.terminals[0].delay_s == 0
            and self.terminals[0].when == "always"
        )

    def destinations(self, *, in_working_hours: bool, ring_s: float = DEFAULT_RING_S) -> list[Destination]:
        """The terminals that ring now, as timed destinations (``ring_s`` bounds each in one-by-one),
        then the fallback when the terminals are over: after the last one's ring time one by one,
        after ``ring_s`` (the call's ring time) at once, the terminals stopping then."""
        active = [t for t in self.terminals if t.enabled and _applies(t.when, in_working_hours)]
        found: list[Destination] = []
        start = 0
        for terminal in active:
            after = terminal.delay_s if self.mode == "simultaneous" else start
            ring = terminal.ring_s if self.mode == "sequential" else None
            found.append(Destination(terminal.kind, after, terminal.number, ring))
            start += terminal.ring_s
        if self.fallback:
            end = start if self.mode == "sequential" else int(ring_s)
            found = [
                Destination(
                    d.kind, d.after_s, d.target, max(0, end - d.after_s) if d.ring_s is None else d.ring_s
                )
                for d in found
                if d.after_s < end
            ]
            found.append(Destination("number", end, self.fallback, None))
        return sorted(found, key=lambda d: d.after_s)

    def as_dict(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "mode": self.mode,
            "terminals": [t.as_dict() for t in self.terminals],
            "fallback": self.fallback,
        }


def _applies(when: str, in_working_hours: bool) -> bool:
    return when == "always" or (when == "working_hours") == in_working_hours


def _number(value: Any) -> str:
    text = str(value).strip().replace(" ", "")
    if not _NUMBER.match(text):
        raise vol.Invalid("a number such as 1002 or +4520123456")
    return text


TERMINAL: Final = vol.Schema(
    {
        vol.Required("kind"): vol.In(("phones", "number"), msg="phones or number"),
        vol.Optional("number", default=None): vol.Any(None, _number),
        vol.Optional("label", default=""): vol.All(str, vol.Length(max=40, msg="at most 40 characters")),
        vol.Optional("enabled", default=True): bool,
        vol.Optional("delay_s", default=0): vol.All(int, vol.Range(min=0, max=120, msg="0 to 120 seconds")),
        vol.Optional("ring_s", default=DEFAULT_RING_S): vol.All(
            int, vol.Range(min=5, max=120, msg="5 to 120 seconds")
        ),
        vol.Optional("when", default="always"): vol.In(WHEN, msg=f"one of {', '.join(WHEN)}"),
    },
    extra=vol.PREVENT_EXTRA,
)
PLAN: Final = vol.Schema(
    {
        vol.Required("mode"): vol.In(MODES, msg="simultaneous or sequential"),
        vol.Required("terminals"): vol.All(
            [TERMINAL], vol.Length(min=1, max=MAX_TERMINALS, msg=f"1 to {MAX_TERMINALS} terminals")
        ),
        vol.Optional("fallback", default=None): vol.Any(None, "", _number),
    },
    extra=vol.PREVENT_EXTRA,
)


def validate_plan(raw: Mapping[str, Any], *, own_numbers: Sequence[str]) -> dict[str, Any]:
    """A plan as entered; errors name the field (``terminals.2.number``)."""
    data = validated(PLAN, raw, "The terminals are invalid")
    errors: dict[str, str] = {}
    kinds = [t["kind"] for t in data["terminals"]]
    if kinds.count("phones") != 1:
        errors["terminals"] = "the registered phones are one terminal, listed once"
    seen: set[str] = set()
    for index, terminal in enumerate(data["terminals"]):
        number = terminal["number"]
        if terminal["kind"] == "number" and not number:
            errors[f"terminals.{index}.number"] = "the number to ring"
        if terminal["kind"] == "phones" and number:
            errors[f"terminals.{index}.number"] = "the phones have no number"
        if number and number in own_numbers:
            errors[f"terminals.{index}.number"] = "that is this user's own number"
        if number and number in seen:
            errors[f"terminals.{index}.number"] = "listed twice"
        if number:
            seen.add(number)
    data["fallback"] = data["fallback"] or None
    if data["fallback"] and data["fallback"] in own_numbers:
        errors["fallback"] = "that is this user's own number: a call would come back to them"
    if errors:
        raise ConfigValidationError("The terminals are invalid", errors)
    return data


def plan_from(user_id: int, data: Mapping[str, Any]) -> TerminalPlan:
    return TerminalPlan(
        user_id,
        data["mode"],
        tuple(
            Terminal(
                t["kind"],
                t.get("number"),
                t.get("label", ""),
                bool(t.get("enabled", True)),
                int(t.get("delay_s", 0)),
                int(t.get("ring_s", DEFAULT_RING_S)),
                t.get("when", "always"),
            )
            for t in data["terminals"]
        ),
        data.get("fallback") or None,
    )
