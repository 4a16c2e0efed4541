"""Whether a rule-based number fits the rest of the PBX: its number in a range for rules (1700-1799
by default, RBN-01) and nobody else's (NUM-01, NUM-07), and its blocking groups existing (RBN-05).
Every problem is named by its field, all at once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cordboard.core.core import Core
from cordboard.core.exceptions import ConfigValidationError
from cordboard.core.http.errors import validated
from cordboard.core.numbers.function_number_checks import FunctionNumberRules, unknown_ids
from cordboard.plugins.rule_numbers.const import DOMAIN, PURPOSES
from cordboard.plugins.rule_numbers.model import RuleNumber
from cordboard.plugins.rule_numbers.schema import RULE_NUMBER_SCHEMA

INVALID = "The rule-based number is invalid"
_NUMBERS = FunctionNumberRules(DOMAIN, PURPOSES, "rule-based numbers")


async def checked_rule_number(
    core: Core, data: Mapping[str, Any], *, others: Sequence[RuleNumber]
) -> dict[str, Any]:
    """The fields of a rule-based number as an administrator gave them, checked against the PBX;
    ``others`` are the rule-based numbers besides the one being saved."""
    fields = validated(RULE_NUMBER_SCHEMA, data, INVALID)
    fields.pop("id", None)
    ranges = await core.numbers.ranges()
    problems: dict[str, str | None] = {
        "number": await _NUMBERS.problem(
            core,
            fields["number"],
            ranges,
            taken={o.number: f"the rule-based number {o.name}" for o in others},
        ),
        "blocking_groups": unknown_ids(
            fields["blocking_groups"], core.dialplan.blocking_group_ids(), "blocking group"
        ),
    }
    errors = {field: problem for field, problem in problems.items() if problem}
    if errors:
        raise ConfigValidationError(INVALID, errors)
    return fields
