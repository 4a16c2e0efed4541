"""Where calls to a number go (FEATURES.md AA-02, number visualisation): a tree of nodes (a number
and what it is) and edges (where a call goes next: an IVR's keys, a hunt group's members and
fallback, a user's rule destinations).

The plugin that owns a function number describes it (``cordboard_number_flow``); the core describes
users' numbers (their incoming rules), outside numbers and numbers nobody has. ``describe`` gives
one node with its direct edges (the web UI expands a node by asking again); ``tree`` follows the
edges down to a depth, and a number already met on the way down comes back as a ``loop`` leaf.

The dataclasses are sans-IO: plugins build them from what they keep in memory.
"""

from __future__ import annotations

import inspect
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from cordboard.core.core import Core
    from cordboard.core.routing.model import Destination, Rule

_LOGGER = logging.getLogger(__name__)

MAX_DEPTH: Final = 10
"""The deepest tree ``GET /api/numbers/{number}/flow?depth=N`` follows ("Expand all")."""
LOOP_SEARCH_MAX: Final = 50
"""How many numbers ``way_round`` follows at most before it gives up looking for the way back."""
LEAF_KINDS: Final = frozenset({"voicemail", "hangup", "repeat", "phones", "busy", "reject", "direct_dial"})
"""Edge kinds that end where they are: a mailbox, hanging up, ringing the user's own phones..."""


@dataclass(frozen=True, slots=True)
class FlowEdge:
    """Where a call goes next from a node."""

    label: str
    """Why it goes there: ``key 1``, ``no key pressed``, ``member``, ``fallback``, ``after 20 s``."""
    target: str | None
    """The number it goes to (for ``voicemail``: the user whose mailbox), None when it rings no number."""
    kind: str
    """``number`` (a number, described in turn), ``voicemail``, ``hangup``, ``repeat``, ``phones``,
    ``busy``, ``reject``, ``direct_dial``, or a plugin's own kind."""
    note: str = ""
    """More about it: ``parallel, 20 s``, a rule's name."""
    automatic: bool = False
    """The call takes this edge by itself, without the caller pressing a key, as often as it comes
    by: a switch's targets, an announcement's next number, a menu's no-key destination. Not a hunt
    group's fallback (a group rings once per call, so groups falling back to each other end) nor a
    user's rules (they depend on the user's state)."""

    @property
    def follows(self) -> bool:
        """Whether the target is a number whose own node continues the tree."""
        return self.target is not None and self.kind not in LEAF_KINDS

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "target": self.target,
            "kind": self.kind,
            "note": self.note,
            "expandable": self.follows,
        }


@dataclass(frozen=True, slots=True)
class FlowNode:
    """A number and what it is: ``ivr``, ``hunt_group``, ``park``, ``user``, ``outside``,
    ``unknown``, ``loop`` (met before on the way down) or a plugin's own kind."""

    number: str
    kind: str
    label: str
    edges: list[FlowEdge] = field(default_factory=list)
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "kind": self.kind,
            "label": self.label,
            "note": self.note,
            "edges": [e.as_dict() for e in self.edges],
        }


def after_label(after_s: int) -> str:
    return "at once" if after_s <= 0 else f"after {after_s} s"


async def describe(core: Core, number: str) -> FlowNode:
    """The node of ``number`` with its direct edges: the owning plugin's description, else a
    user's (their incoming rules), an outside number's or an unknown one's."""
    found = _from_plugins(core, number)
    if inspect.isawaitable(found):
        try:
            found = await found
        except Exception:
            _LOGGER.exception("A plugin failed describing where calls to %s go", number)
            found = None
    if isinstance(found, FlowNode):
        return found
    numbers = getattr(core, "numbers", None)
    owner = await numbers.owner_of(number) if numbers is not None else None
    if owner is not None and owner.kind in ("user", "alias"):
        return await _user_node(core, number, int(owner.id), alias=owner.kind == "alias")
    if owner is not None:  # a plugin's number it does not describe
        return FlowNode(number, owner.id, owner.label, note="no description of where its calls go")
    return _other_node(core, number)


def _from_plugins(core: Core, number: str) -> Any:
    plugins = getattr(core, "plugins", None)
    if plugins is None:
        return None
    try:
        return plugins.pm.hook.cordboard_number_flow(core=core, number=number)
    except Exception:
        _LOGGER.exception("A plugin failed describing where calls to %s go", number)
        return None


async def tree(core: Core, number: str, depth: int) -> dict[str, Any]:
    """The node of ``number`` as a dict whose followed edges carry their target's node
    (``edge["node"]``) down to ``depth`` levels; a number met on the path is a ``loop`` leaf."""
    return await _subtree(core, number, max(0, min(depth, MAX_DEPTH)), ())


async def _subtree(core: Core, number: str, depth: int, path: tuple[str, ...]) -> dict[str, Any]:
    if number in path:
        return FlowNode(number, "loop", "", note="already on the way here").as_dict()
    node = await describe(core, number)
    found = node.as_dict()
    if depth <= 0:
        return found
    for edge, shown in zip(node.edges, found["edges"], strict=True):
        if edge.follows and edge.target is not None:
            shown["node"] = await _subtree(core, edge.target, depth - 1, (*path, number))
    return found


async def way_round(core: Core, number: str, target: str) -> list[str] | None:
    """AA: the numbers a caller sent from ``number`` to ``target`` passes to come back to
    ``number`` by automatic edges only (a loop without a caller action: ``[number, target, ...,
    number]``), or None. ``number``'s own stored node is never read, so its new targets can be
    checked before they are saved."""
    seen: set[str] = set()

    async def walk(at: str, path: tuple[str, ...]) -> list[str] | None:
        if at == number:
            return [*path, at]
        if at in seen or len(path) > LOOP_SEARCH_MAX:
            return None
        seen.add(at)
        for edge in (await describe(core, at)).edges:
            if edge.automatic and edge.follows and edge.target is not None:
                found = await walk(edge.target, (*path, at))
                if found is not None:
                    return found
        return None

    return await walk(target, (number,))


def start_numbers(core: Core) -> list[dict[str, str]]:
    """The numbers worth starting a tree from: the function numbers plugins claimed (IVRs, hunt
    groups, park positions ...), in numeric order."""
    numbers = getattr(core, "numbers", None)
    claims = numbers.claims if numbers is not None else {}
    return [
        {"number": n, "plugin": o.id, "label": o.label}
        for n, o in sorted(claims.items(), key=lambda item: (len(item[0]), item[0]))
    ]


# -- users, outside and unknown numbers -------------------------------------------------------
async def _user_node(core: Core, number: str, user_id: int, *, alias: bool) -> FlowNode:
    from cordboard.core.exceptions import NotFound

    try:
        user = await core.identity.get_user(user_id)
    except NotFound:
        return FlowNode(number, "unknown", "", note="nobody has this number")
    name = user.full_name.strip() or user.username
    line = user.extension or number
    edges = await _rule_edges(core, user_id, user.groups, line)
    note = f"alias of {line}" if alias else ""
    return FlowNode(number, "user", name, edges, note)


async def _rule_edges(core: Core, user_id: int, groups: list[int], line: str) -> list[FlowEdge]:
    """The destinations of the enabled incoming rules that concern the user, in the order they are
    checked; when every one of them has conditions, "otherwise" the phones ring."""
    from cordboard.core.routing.evaluate import ordered
    from cordboard.core.routing.model import CallFacts

    routing = getattr(core, "routing", None)
    rules: list[Rule] = await routing.rules() if routing is not None else []
    facts = CallFacts(user_id=user_id, at=datetime.now(UTC), group_ids=tuple(groups))
    chosen = [r for r in ordered(rules, facts, "incoming") if r.enabled]
    edges = [destination_edge(d, rule, line) for rule in chosen for d in rule.destinations]
    if not chosen:
        edges.append(FlowEdge("at once", None, "phones", "no rule: rings their phones"))
    elif all(r.conditions for r in chosen):
        edges.append(FlowEdge("otherwise", None, "phones", "no rule applies: rings their phones"))
    return edges


def destination_edge(destination: Destination, rule: Rule, line: str) -> FlowEdge:
    note = rule.name + (" (when its conditions hold)" if rule.conditions else "")
    target: str | None = None
    if destination.kind == "number":
        target = destination.target
    elif destination.kind == "voicemail":
        target = line
    return FlowEdge(after_label(destination.after_s), target, destination.kind, note)


def _other_node(core: Core, number: str) -> FlowNode:
    trunks = getattr(core, "trunks", None)
    chosen = trunks.outbound_trunks(number) if trunks is not None else []
    if chosen:
        return FlowNode(number, "outside", chosen[0].trunk.name, note="out over the SIP trunk")
    if number.startswith(("+", "0")) and len(number) > 4:
        return FlowNode(number, "outside", "", note="no SIP trunk reaches it")
    return FlowNode(number, "unknown", "", note="nobody has this number")
