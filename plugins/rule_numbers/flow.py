"""Where calls to a rule-based number go (AA-02, the call-flow tree): the destinations of the
organisation's rules for rule-based numbers that may concern it, in the order they are checked."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import UTC, datetime

from cordboard.core.core import Core
from cordboard.core.numbers.flow import FlowEdge, FlowNode, destination_edge
from cordboard.core.routing.evaluate import ordered
from cordboard.core.routing.model import RULE_NUMBERS, CallFacts, Rule
from cordboard.plugins.rule_numbers.const import RULE_NUMBERS_KEY


def number_flow(core: Core, number: str) -> Awaitable[FlowNode] | None:
    """The rule-based number ``number`` as a node (once the rules are read), else None (not ours)."""
    numbers = core.data.get(RULE_NUMBERS_KEY)
    found = numbers.by_number(number) if numbers is not None else None
    if found is None:
        return None

    async def node() -> FlowNode:
        routing = getattr(core, "routing", None)
        rules: list[Rule] = await routing.rules() if routing is not None else []
        return FlowNode(number, "rule_number", found.name, rule_edges(rules, number))

    return node()


def rule_edges(rules: list[Rule], number: str) -> list[FlowEdge]:
    """The edges of the enabled rules for rule-based numbers whose called prefixes (if any) fit
    ``number``; when none, or all with conditions left, "otherwise" the caller is turned away."""
    facts = CallFacts(user_id=0, at=datetime.now(UTC), called_number=number)
    chosen = [
        r
        for r in ordered(rules, facts, RULE_NUMBERS)
        if r.enabled and any(number.startswith(p) for p in r.conditions.get("called_prefixes", [""]))
    ]
    edges = [_automatic(destination_edge(d, rule, number)) for rule in chosen for d in rule.destinations]
    if any(not set(r.conditions) - {"called_prefixes"} for r in chosen):
        return edges
    edges.append(FlowEdge("otherwise", None, "hangup", "no rule applies: the caller hears it is unavailable"))
    return edges


def _automatic(edge: FlowEdge) -> FlowEdge:
    """A rule sends the caller on without a key pressed (a loop through it has no way out)."""
    return FlowEdge(edge.label, edge.target, edge.kind, edge.note, automatic=True)
