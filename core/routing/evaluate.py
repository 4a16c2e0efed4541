"""Which rule a call follows (RTE-02, RTE-03): sans-IO, over rules and CallFacts.

The order is the organisation's and the user's groups' required rules (organisation first, then the
groups by priority), the user's own rules, then the overridable rules (the groups by priority, then
the organisation): the first enabled rule whose every condition holds is executed (RTE-02).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from cordboard.core.routing.model import RULE_NUMBERS, CallFacts, Destination, Rule

DEFAULT_DESTINATIONS: Final = (Destination("phones"),)
"""When neither an incoming nor a fallback rule matched: ring the user's phones."""


def ordered(rules: Iterable[Rule], facts: CallFacts, which: str) -> list[Rule]:
    """The rules of list ``which`` that apply to the user of ``facts``, in evaluation order."""
    groups = list(facts.group_ids)

    def group_rank(rule: Rule) -> int:
        return groups.index(rule.scope_id) if rule.scope_id in groups else len(groups)

    mine = [r for r in rules if r.list == which and _applies(r, facts)]
    by_position = sorted(mine, key=lambda r: r.position)
    if which == RULE_NUMBERS:
        return by_position  # the organisation's one list, without tiers
    required = [r for r in by_position if r.tier == "required"]
    overridable = [r for r in by_position if r.tier == "overridable"]
    own = [r for r in by_position if r.scope == "user"]
    required.sort(key=lambda r: (r.scope != "org", group_rank(r)))  # org first, then groups
    overridable.sort(key=lambda r: (r.scope == "org", group_rank(r)))  # groups first, then org
    return required + own + overridable


def _applies(rule: Rule, facts: CallFacts) -> bool:
    if rule.scope == "org":
        return True
    if rule.scope == "group":
        return rule.scope_id in facts.group_ids
    return rule.scope_id == facts.user_id


def mismatch(rule: Rule, facts: CallFacts) -> str | None:
    """Why ``rule`` does not match (the first condition that fails, in words), or None."""
    if not rule.enabled:
        return "the rule is switched off"
    c: dict[str, Any] = rule.conditions
    if "availability" in c and c["availability"] != facts.availability:
        return f"availability is {facts.availability}, not {c['availability']}"
    if "activity_ids" in c and facts.activity_id not in c["activity_ids"]:
        return f"activity {facts.activity_id} is not one of {c['activity_ids']}"
    if "role_ids" in c and facts.role_id not in c["role_ids"]:
        return f"role {facts.role_id} is not one of {c['role_ids']}"
    if "dnd" in c and c["dnd"] != facts.dnd:
        return f"do-not-disturb is {'on' if facts.dnd else 'off'}"
    if "in_call" in c and c["in_call"] != facts.in_call:
        return "the user is in a call" if facts.in_call else "the user is not in a call"
    if "phones_registered" in c and c["phones_registered"] != facts.phones_registered:
        return "a phone is registered" if facts.phones_registered else "no phone is registered"
    if "working_hours" in c and (c["working_hours"] == "in") != facts.in_working_hours:
        return "inside working hours" if facts.in_working_hours else "outside working hours (night mode)"
    if "caller" in c and c["caller"] != facts.caller_kind:
        return f"the caller is {facts.caller_kind}"
    if "caller_prefixes" in c and not _starts(facts.caller_number, c["caller_prefixes"]):
        return f"the caller's number {facts.caller_number or '(none)'} has none of the prefixes"
    if "number_types" in c and facts.number_type not in c["number_types"]:
        return f"the number's type is {facts.number_type or 'none'}"
    if "caller_contacts" in c and facts.caller_contact not in c["caller_contacts"]:
        known = facts.caller_contact
        return (
            "the caller is not in the contacts" if known == "unknown" else f"the caller is a {known} contact"
        )
    if "called_prefixes" in c and not _starts(facts.called_number, c["called_prefixes"]):
        return f"the number {facts.called_number} has none of the prefixes"
    return None


def _starts(number: str, prefixes: Sequence[str]) -> bool:
    return bool(number) and any(number.startswith(p) for p in prefixes)


@dataclass(frozen=True, slots=True)
class Explanation:
    """What the engine decided for one call, and why (BYD-25)."""

    facts: CallFacts
    checked: list[tuple[Rule, str | None]]
    """Every rule looked at, in order, with why it did not match (None for the one that did)."""
    rule: Rule | None
    destinations: tuple[Destination, ...]
    source: str
    """``rule`` (an incoming or outgoing rule), ``fallback`` (a fallback rule) or ``default``."""
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "facts": self.facts.as_dict(),
            "checked": [
                {
                    "id": r.id,
                    "name": r.name,
                    "scope": r.scope,
                    "tier": r.tier,
                    "list": r.list,
                    "matched": why is None,
                    "why_not": why,
                }
                for r, why in self.checked
            ],
            "rule": self.rule.as_dict() if self.rule else None,
            "destinations": [d.as_dict() for d in self.destinations],
            "source": self.source,
            "note": self.note,
        }


def decide(
    rules: Sequence[Rule], facts: CallFacts, which: str = "incoming", *, after_rule_id: int | None = None
) -> Explanation:
    """The first matching rule of ``which``; for incoming calls without one, the fallback rules;
    without those either, the default (ring the phones). A call to a rule-based number (list
    ``rule_numbers``) without a matching rule has no destinations (source ``none``).

    ``after_rule_id`` (VM-05, a caller who left the voicemail a rule led to): the first matching
    rule after that one in the same order (incoming, then fallback); without one, no rule and no
    destinations (source ``none``), never the default. A rule no longer in the order (deleted,
    moved to another user) has nothing after it either."""
    checked: list[tuple[Rule, str | None]] = []
    lists = [(which, "rule")] + ([("fallback", "fallback")] if which == "incoming" else [])
    skipping = after_rule_id is not None
    for name, source in lists:
        for rule in ordered(rules, facts, name):
            if skipping:
                skipping = rule.id != after_rule_id
                continue
            why = mismatch(rule, facts)
            checked.append((rule, why))
            if why is None:
                return Explanation(facts, checked, rule, rule.destinations, source)
    if after_rule_id is not None:
        return Explanation(facts, checked, None, (), "none", f"no rule after rule {after_rule_id} matches")
    if which == RULE_NUMBERS:
        return Explanation(facts, checked, None, (), "none", "no rule for rule-based numbers matches")
    if which == "outgoing":
        return Explanation(facts, checked, None, (Destination("number", 0, facts.called_number),), "default")
    return Explanation(facts, checked, None, DEFAULT_DESTINATIONS, "default")
