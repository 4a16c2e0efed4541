"""VM-05, "press 2 to bypass voicemail", as the routing engine sees it: after the rule whose
voicemail the caller left, the call goes on with the next matching rule in the same order (own
rules, overridable rules, then the fallback rules); without one there is no rule and no
destination, never the default "ring the phones"."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cordboard.core.routing.evaluate import decide
from cordboard.core.routing.model import CallFacts, Destination, Rule, rule_from

AT = datetime(2026, 12, 7, 12, 15, tzinfo=UTC)
USER = 7
SALES = 11


def rule(
    rid: int,
    scope: str,
    scope_id: int | None,
    *,
    tier: str | None = None,
    which: str = "incoming",
    position: int = 1,
    conditions: dict[str, Any] | None = None,
    destinations: list[dict[str, Any]] | None = None,
) -> Rule:
    return rule_from(
        {
            "id": rid,
            "scope": scope,
            "scope_id": scope_id,
            "list": which,
            "tier": tier,
            "position": position,
            "name": f"rule {rid}",
            "enabled": True,
            "conditions": conditions or {},
            "destinations": destinations or [{"kind": "phones"}],
        }
    )


def facts(**changes: Any) -> CallFacts:
    base: dict[str, Any] = {"user_id": USER, "at": AT, "group_ids": (SALES,), "called_number": "1007"}
    return CallFacts(**{**base, **changes})


VOICEMAIL = [{"kind": "voicemail"}]
TO_CY = [{"kind": "number", "target": "1003"}]


def test_vm_05_the_next_matching_rule_after_the_voicemail_rule() -> None:
    rules = [
        rule(1, "user", USER, position=1, destinations=VOICEMAIL),
        rule(2, "user", USER, position=2, conditions={"caller": "external"}, destinations=TO_CY),
        rule(3, "user", USER, position=3, destinations=TO_CY),
        rule(4, "user", USER, position=4),
    ]
    first = decide(rules, facts())
    assert first.rule is not None and first.rule.id == 1
    after = decide(rules, facts(), after_rule_id=1)
    assert after.rule is not None and after.rule.id == 3, "rule 2 does not match an internal caller"
    assert after.destinations == (Destination("number", 0, "1003"),)
    assert [r.id for r, _ in after.checked] == [2, 3], "rules up to the voicemail rule are skipped"
    assert after.source == "rule"


def test_vm_05_the_order_goes_on_into_overridable_and_fallback_rules() -> None:
    rules = [
        rule(1, "org", None, tier="required", destinations=VOICEMAIL),
        rule(2, "group", SALES, tier="overridable", conditions={"dnd": True}, destinations=TO_CY),
        rule(3, "org", None, which="fallback", tier="required", destinations=TO_CY),
    ]
    after = decide(rules, facts(), after_rule_id=1)
    assert (after.rule.id if after.rule else None, after.source) == (3, "fallback")
    assert decide(rules, facts(dnd=True), after_rule_id=1).rule == rules[1]
    # a fallback rule's voicemail goes on with the fallback rules after it
    rules.append(rule(4, "org", None, which="fallback", tier="required", position=2, destinations=TO_CY))
    assert decide(rules, facts(), after_rule_id=3).rule == rules[3]


def test_vm_05_no_rule_after_it_gives_no_destination_not_the_default() -> None:
    rules = [
        rule(1, "user", USER, position=1, conditions={"caller": "external"}),
        rule(2, "user", USER, position=2, destinations=VOICEMAIL),
    ]
    after = decide(rules, facts(), after_rule_id=2)
    assert (after.rule, after.destinations, after.source) == (None, (), "none")
    assert "rule 2" in after.note
    # a rule that is gone (deleted meanwhile) has nothing after it either
    assert decide(rules, facts(), after_rule_id=99).rule is None
    # without after_rule_id the default still rings the phones
    assert decide([rules[0]], facts()).destinations == (Destination("phones"),)
