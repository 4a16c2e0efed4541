"""Constants of the rule_numbers plugin."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from cordboard.core.bus import EventType
from cordboard.core.keys import DataKey
from cordboard.core.routing.model import RULE_NUMBERS

if TYPE_CHECKING:
    from cordboard.plugins.rule_numbers.service import RuleNumbers

DOMAIN: Final = RULE_NUMBERS
"""The plugin's domain is the routing list's name: the routing test tool finds the list by it."""
RULE_NUMBERS_KEY: Final[DataKey[RuleNumbers]] = DataKey("rule_numbers.numbers")
EVENT_RULE_NUMBER_CALL: Final = EventType[dict[str, Any]]("rule_numbers.call")
"""Fired when a rule-based number is done with a call: its id and number, the call's id, the rule
that matched (None: none did), the outcome and the number the caller went to last."""

PURPOSES: Final = ("rules", "any")
"""RBN-01: a local rule-based number lies in a number range for rules (1700-1799 by default)."""
LANGUAGES: Final = ("en", "de", "da")
NAME_MAX: Final = 80
NOT_SHOWN: Final = frozenset({"", "anonymous", "unknown", "restricted"})
"""Callers' numbers that cannot be shown (RBN-04)."""

PROMPT_NOT_AVAILABLE: Final = "not_available"
NO_RULE_STATUS: Final = 480

OUTCOME_TRANSFERRED: Final = "transferred"
OUTCOME_NOT_ANSWERED: Final = "not_answered"
OUTCOME_BUSY: Final = "busy"
OUTCOME_REJECTED: Final = "rejected"
OUTCOME_NO_RULE: Final = "no_rule"
OUTCOME_BLOCKED: Final = "blocked"
OUTCOME_LOOP: Final = "loop"
OUTCOME_CALLER_LEFT: Final = "caller_hung_up"
