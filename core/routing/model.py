"""Routing rules (FEATURES.md RTE): three lists per level, and the organisation's fourth for calls
to rule-based numbers (RBN-01); rules as "conditions plus timed destinations", and the facts a rule
is checked against.

A rule reads as a sentence (RTE-04): "when a call is received and the user is in a call, ring the
phones at once and voicemail after 10 seconds" is ``conditions={"in_call": True}`` with the
destinations ``phones`` after 0 s and ``voicemail`` after 10 s.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Literal

import voluptuous as vol

from cordboard.core.exceptions import ConfigValidationError
from cordboard.core.http.errors import validated

LISTS: Final = ("incoming", "outgoing", "fallback", "rule_numbers")
"""RTE-01: rules for calls a user receives, calls a user places, and calls no rule took; RBN-01:
the organisation's "rules for rule-based numbers", the only way calls to those numbers go on."""
RULE_NUMBERS: Final = "rule_numbers"
RULE_NUMBER_CONDITIONS: Final = frozenset({"caller", "caller_prefixes", "called_prefixes", "working_hours"})
"""What a rule for rule-based numbers may test: the call concerns no user, so nothing of one."""
RULE_NUMBER_DESTINATIONS: Final = ("number", "busy", "reject")
SCOPES: Final = ("org", "group", "user")
TIERS: Final = ("required", "overridable")
"""RTE-03: org and group rules are required (checked before the user's) or overridable (after)."""
DESTINATION_KINDS: Final = ("phones", "number", "voicemail", "busy", "reject")
"""``phones``: the user's registered terminals; ``number``: forward to a number; ``voicemail``;
``busy`` (486) and ``reject`` (603) end the call."""
ENDING_KINDS: Final = frozenset({"busy", "reject"})
CALLER_KINDS: Final = ("internal", "external", "anonymous")
CONTACT_KINDS: Final = ("favourite", "contact", "vip", "blocked", "colleague", "unknown")
"""What a caller can be in the called user's contacts (a contact's type, a colleague, or not there:
``unknown``), for the ``caller_contacts`` condition."""
MAX_AFTER_S: Final = 600
_DIALLABLE: Final = re.compile(r"^\+?[0-9*#]{2,20}$")

Scope = Literal["org", "group", "user"]


@dataclass(frozen=True, slots=True)
class Destination:
    kind: str
    after_s: int = 0
    """RTE-04: seconds after the rule fired (0: at once)."""
    target: str | None = None
    """The number, for ``number``."""
    ring_s: int | None = None
    """How long it rings (None: until the call's ring time is over); a user's one-by-one terminals."""

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "after_s": self.after_s, "target": self.target}


@dataclass(frozen=True, slots=True)
class Rule:
    id: int
    scope: Scope
    scope_id: int | None
    list: str
    tier: str | None
    """``required`` / ``overridable`` for org and group rules; None for a user's own."""
    position: int
    name: str
    enabled: bool
    conditions: dict[str, Any]
    destinations: tuple[Destination, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "scope": self.scope,
            "scope_id": self.scope_id,
            "list": self.list,
            "tier": self.tier,
            "position": self.position,
            "name": self.name,
            "enabled": self.enabled,
            "conditions": self.conditions,
            "destinations": [d.as_dict() for d in self.destinations],
        }


@dataclass(frozen=True, slots=True)
class CallFacts:
    """What the rules look at for one call to (or from) one user at one time."""

    user_id: int
    at: datetime
    availability: str = "available"
    activity_id: int | None = None
    role_id: int | None = None
    dnd: bool = False
    in_call: bool = False
    phones_registered: bool = True
    """Whether any of the user's phones is registered ("unavailable" forwards test it)."""
    in_working_hours: bool = True
    caller_kind: str = "internal"
    caller_number: str = ""
    called_number: str = ""
    number_type: str | None = None
    """The type of the called number after conversion (BAR-01), for outgoing rules (RTE-07)."""
    caller_contact: str = "unknown"
    """What the caller is in the user's contacts (one of ``CONTACT_KINDS``)."""
    group_ids: tuple[int, ...] = field(default_factory=tuple)
    """The user's groups, highest priority first."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "at": self.at.isoformat(),
            "availability": self.availability,
            "activity_id": self.activity_id,
            "role_id": self.role_id,
            "dnd": self.dnd,
            "in_call": self.in_call,
            "phones_registered": self.phones_registered,
            "in_working_hours": self.in_working_hours,
            "caller_kind": self.caller_kind,
            "caller_number": self.caller_number,
            "called_number": self.called_number,
            "number_type": self.number_type,
            "caller_contact": self.caller_contact,
        }


# -- validation -----------------------------------------------------------------------------------
def _diallable(value: Any) -> str:
    text = str(value).strip().replace(" ", "")
    if not _DIALLABLE.match(text):
        raise vol.Invalid("a number to dial: digits, * and #, or + and digits")
    return text


def _id_list(value: Any) -> list[int]:
    if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise vol.Invalid("expected a list of ids")
    return sorted(set(value))


CONDITIONS: Final = vol.Schema(
    {
        vol.Optional("availability"): vol.In(("available", "busy"), msg="available or busy"),
        vol.Optional("activity_ids"): _id_list,
        vol.Optional("role_ids"): _id_list,
        vol.Optional("dnd"): bool,
        vol.Optional("in_call"): bool,
        vol.Optional("phones_registered"): bool,
        vol.Optional("working_hours"): vol.In(("in", "out"), msg="in or out (night mode)"),
        vol.Optional("caller"): vol.In(CALLER_KINDS, msg=f"one of {', '.join(CALLER_KINDS)}"),
        vol.Optional("caller_prefixes"): [_diallable],
        vol.Optional("called_prefixes"): [_diallable],
        vol.Optional("number_types"): [vol.All(str, vol.Length(min=1, max=40))],
        vol.Optional("caller_contacts"): vol.All(
            [vol.In(CONTACT_KINDS, msg=f"one of {', '.join(CONTACT_KINDS)}")],
            vol.Length(min=1, msg="at least one kind of caller"),
        ),
    },
    extra=vol.PREVENT_EXTRA,
)
DESTINATION: Final = vol.Schema(
    {
        vol.Required("kind"): vol.In(DESTINATION_KINDS, msg=f"one of {', '.join(DESTINATION_KINDS)}"),
        vol.Optional("after_s", default=0): vol.All(
            int, vol.Range(min=0, max=MAX_AFTER_S, msg=f"0 to {MAX_AFTER_S} seconds")
        ),
        vol.Optional("target", default=None): vol.Any(None, _diallable),
    },
    extra=vol.PREVENT_EXTRA,
)
RULE: Final = vol.Schema(
    {
        vol.Required("scope"): vol.In(SCOPES, msg="org, group or user"),
        vol.Optional("scope_id", default=None): vol.Any(None, vol.All(int, vol.Range(min=1))),
        vol.Required("list"): vol.In(LISTS, msg=f"one of {', '.join(LISTS)}"),
        vol.Optional("tier", default=None): vol.Any(None, vol.In(TIERS, msg="required or overridable")),
        vol.Required("name"): vol.All(str, vol.Length(min=1, max=80, msg="1 to 80 characters")),
        vol.Optional("enabled", default=True): bool,
        vol.Optional("conditions", default=dict): CONDITIONS,
        vol.Required("destinations"): vol.All(
            [DESTINATION], vol.Length(min=1, max=10, msg="1 to 10 destinations")
        ),
    },
    extra=vol.PREVENT_EXTRA,
)


def validate_rule(raw: Mapping[str, Any], *, own_numbers: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A rule as entered, checked as a whole; errors name the field (``destinations.1.target``).

    ``own_numbers`` are the numbers of the user the rule belongs to: forwarding to one of them is a
    rule that forwards to itself (refused)."""
    data = validated(RULE, raw, "The rule is invalid")
    errors: dict[str, str] = {}
    if data["scope"] == "org" and data["scope_id"] is not None:
        errors["scope_id"] = "an organisation rule has no scope_id"
    if data["scope"] != "org" and data["scope_id"] is None:
        errors["scope_id"] = f"the {data['scope']} the rule belongs to"
    if data["list"] == RULE_NUMBERS:
        errors.update(_rule_number_problems(data))
    elif data["scope"] == "user" and data["tier"] is not None:
        errors["tier"] = "a user's own rules have no tier"
    elif data["scope"] != "user" and data["tier"] is None:
        errors["tier"] = "required or overridable"
    for index, dest in enumerate(data["destinations"]):
        if dest["kind"] == "number" and not dest["target"]:
            errors[f"destinations.{index}.target"] = "the number to forward to"
        if dest["kind"] != "number" and dest["target"] is not None:
            errors[f"destinations.{index}.target"] = "only a forward to a number has a target"
        if dest["kind"] == "number" and dest["target"] in own_numbers:
            errors[f"destinations.{index}.target"] = "the rule would forward the call to itself"
    afters = [d["after_s"] for d in data["destinations"]]
    if afters != sorted(afters):
        errors["destinations"] = "destinations in the order they start (after_s rising)"
    if errors:
        raise ConfigValidationError("The rule is invalid", errors)
    return data


def _rule_number_problems(data: Mapping[str, Any]) -> dict[str, str]:
    """RBN-01: rules for rule-based numbers are the organisation's, one list without tiers, and
    look only at the call (no user is called yet)."""
    errors: dict[str, str] = {}
    if data["scope"] != "org":
        errors["scope"] = "rules for rule-based numbers are the organisation's"
    if data["tier"] is not None:
        errors["tier"] = "rules for rule-based numbers have no tier"
    for key in data["conditions"]:
        if key not in RULE_NUMBER_CONDITIONS:
            errors[f"conditions.{key}"] = (
                "not a condition of rules for rule-based numbers (no user is called yet)"
            )
    allowed = ", ".join(RULE_NUMBER_DESTINATIONS)
    for index, dest in enumerate(data["destinations"]):
        if dest["kind"] not in RULE_NUMBER_DESTINATIONS:
            errors[f"destinations.{index}.kind"] = (
                f"rules for rule-based numbers send calls to one of {allowed}"
            )
    return errors


def rule_from(row: Mapping[str, Any]) -> Rule:
    return Rule(
        id=int(row["id"]),
        scope=row["scope"],
        scope_id=row["scope_id"],
        list=row["list"],
        tier=row["tier"],
        position=int(row["position"]),
        name=row["name"],
        enabled=bool(row["enabled"]),
        conditions=dict(row["conditions"]),
        destinations=tuple(
            Destination(d["kind"], int(d.get("after_s", 0)), d.get("target")) for d in row["destinations"]
        ),
    )
