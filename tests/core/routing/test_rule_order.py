"""The routing rules engine without a Core (RTE-01..04): the evaluation order of required, own and
overridable rules, first match wins, conditions, timed destinations, fallback and default, and the
validation of rules (bad input named by field)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from cordboard.core.exceptions import ConfigValidationError
from cordboard.core.routing.evaluate import decide, ordered
from cordboard.core.routing.model import CallFacts, Destination, Rule, rule_from, validate_rule

AT = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
USER = 7
SALES, SUPPORT = 11, 12


def rule(
    rid: int,
    scope: str,
    scope_id: int | None,
    *,
    tier: str | None,
    conditions: dict[str, Any] | None = None,
    destinations: list[dict[str, Any]] | None = None,
    which: str = "incoming",
    position: int = 1,
    enabled: bool = True,
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
            "enabled": enabled,
            "conditions": conditions or {},
            "destinations": destinations or [{"kind": "phones"}],
        }
    )


def facts(**changes: Any) -> CallFacts:
    base: dict[str, Any] = {"user_id": USER, "at": AT, "group_ids": (SALES, SUPPORT), "called_number": "1007"}
    return CallFacts(**{**base, **changes})


def test_rte_03_required_then_own_then_overridable() -> None:
    rules = [
        rule(1, "org", None, tier="overridable"),
        rule(2, "group", SUPPORT, tier="required"),
        rule(3, "user", USER, tier=None),
        rule(4, "org", None, tier="required"),
        rule(5, "group", SALES, tier="required"),
        rule(6, "group", SALES, tier="overridable"),
        rule(7, "group", 99, tier="required"),  # a group the user is not in
        rule(8, "user", 8, tier=None),  # another user's
        rule(9, "user", USER, tier=None, which="outgoing"),
    ]
    assert [r.id for r in ordered(rules, facts(), "incoming")] == [4, 5, 2, 3, 6, 1]
    assert [r.id for r in ordered(rules, facts(), "outgoing")] == [9]


def test_rte_02_first_match_wins_and_rte_04_timed_destinations() -> None:
    busy_rule = rule(
        1,
        "user",
        USER,
        tier=None,
        conditions={"in_call": True},
        destinations=[{"kind": "phones"}, {"kind": "voicemail", "after_s": 10}],
    )
    always = rule(2, "user", USER, tier=None, position=2, destinations=[{"kind": "number", "target": "1008"}])
    decided = decide([always, busy_rule], facts(in_call=True))
    assert decided.rule is busy_rule and decided.source == "rule"
    assert decided.destinations == (Destination("phones", 0), Destination("voicemail", 10))
    assert [(r.id, why) for r, why in decided.checked] == [(1, None)]
    decided = decide([always, busy_rule], facts(in_call=False))
    assert decided.rule is always
    assert [(r.id, why) for r, why in decided.checked] == [(1, "the user is not in a call"), (2, None)]


def test_rte_01_fallback_then_default() -> None:
    night = rule(1, "user", USER, tier=None, conditions={"working_hours": "out"})
    fallback = rule(2, "org", None, tier="required", which="fallback", destinations=[{"kind": "voicemail"}])
    decided = decide([night, fallback], facts(in_working_hours=True))
    assert decided.source == "fallback" and decided.rule is fallback
    decided = decide([night], facts(in_working_hours=True))
    assert decided.source == "default" and decided.destinations == (Destination("phones"),)
    assert decided.checked[0][1] == "inside working hours"


PREFIX_NUMBER = "+4930123"


@pytest.mark.parametrize(
    ("conditions", "changes", "why"),
    [
        ({"availability": "busy"}, {}, "availability is available, not busy"),
        ({"activity_ids": [3, 4]}, {"activity_id": 5}, "activity 5 is not one of [3, 4]"),
        ({"role_ids": [1]}, {}, "role None is not one of [1]"),
        ({"dnd": True}, {}, "do-not-disturb is off"),
        ({"caller": "external"}, {"caller_kind": "internal"}, "the caller is internal"),
        (
            {"caller_prefixes": ["+45"]},
            {"caller_number": PREFIX_NUMBER},
            f"the caller's number {PREFIX_NUMBER} has none of the prefixes",
        ),
        (
            {"called_prefixes": ["00"]},
            {"called_number": PREFIX_NUMBER},
            f"the number {PREFIX_NUMBER} has none of the prefixes",
        ),
        ({"caller_contacts": ["vip", "favourite"]}, {}, "the caller is not in the contacts"),
        ({"caller_contacts": ["unknown"]}, {"caller_contact": "vip"}, "the caller is a vip contact"),
    ],
)
def test_each_condition_says_why_it_failed(
    conditions: dict[str, Any], changes: dict[str, Any], why: str
) -> None:
    decided = decide([rule(1, "user", USER, tier=None, conditions=conditions)], facts(**changes))
    assert decided.checked[0][1] == why


def test_a_switched_off_rule_is_skipped() -> None:
    off = rule(1, "org", None, tier="required", enabled=False, destinations=[{"kind": "reject"}])
    assert decide([off], facts()).checked[0][1] == "the rule is switched off"


def test_outgoing_default_dials_the_number() -> None:
    decided = decide([], facts(called_number="+4930123"), "outgoing")
    assert decided.destinations == (Destination("number", 0, "+4930123"),)


def raw_rule(**changes: Any) -> dict[str, Any]:
    """A valid user rule of user 7 (whose number is 1007), with ``changes``; None removes a key."""
    base: dict[str, Any] = {
        "scope": "user",
        "scope_id": 7,
        "list": "incoming",
        "name": "x",
        "destinations": [{"kind": "phones"}],
    }
    merged = {**base, **changes}
    return {k: v for k, v in merged.items() if v is not None}


PHONES = [{"kind": "phones"}]


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (raw_rule(scope="org", scope_id=None, tier="required", destinations=[]), "destinations"),
        (raw_rule(list="sideways"), "list"),
        (raw_rule(scope="org", scope_id=None), "tier"),
        (raw_rule(tier="required"), "tier"),
        (raw_rule(scope="group", scope_id=None, tier="required"), "scope_id"),
        (raw_rule(destinations=[{"kind": "number"}]), "destinations.0.target"),
        (raw_rule(destinations=[{"kind": "number", "target": "1007"}]), "destinations.0.target"),
        (raw_rule(destinations=[{"kind": "phones", "after_s": 700}]), "destinations.0.after_s"),
        (raw_rule(destinations=[{"kind": "voicemail", "after_s": 10}, *PHONES]), "destinations"),
        (raw_rule(conditions={"weather": "rain"}), "conditions.weather"),
        (raw_rule(conditions={"working_hours": "maybe"}), "conditions.working_hours"),
        (raw_rule(conditions={"caller_contacts": ["friend"]}), "conditions.caller_contacts.0"),
        (raw_rule(conditions={"caller_contacts": []}), "conditions.caller_contacts"),
    ],
)
def test_bad_rules_are_refused_naming_the_field(raw: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigValidationError) as err:
        validate_rule(raw, own_numbers=frozenset({"1007"}))
    assert field in err.value.fields, err.value.fields
    assert validate_rule(raw_rule(), own_numbers=frozenset({"1007"}))["destinations"][0]["kind"] == "phones"
