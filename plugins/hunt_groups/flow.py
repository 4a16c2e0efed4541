"""Where calls to a hunt group go (AA-02, the call-flow tree): its members in the order they ring,
all at once or one by one (HG-02, HG-03), then its fallback (HG-04)."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from cordboard.core.core import Core
from cordboard.core.numbers.flow import FlowEdge, FlowNode
from cordboard.plugins.hunt_groups.const import HUNT_GROUPS_KEY
from cordboard.plugins.hunt_groups.members import members_of
from cordboard.plugins.hunt_groups.model import HuntGroup


def number_flow(core: Core, number: str) -> Coroutine[Any, Any, FlowNode] | None:
    """Not ours: None. Ours: the node, awaited by the core (the members come from the database)."""
    groups = core.data.get(HUNT_GROUPS_KEY)
    group = next((g for g in groups.all() if g.number == number), None) if groups is not None else None
    return group_node(core, group) if group is not None else None


async def group_node(core: Core, group: HuntGroup) -> FlowNode:
    how = "parallel" if group.distribution == "parallel" else "one by one"
    ring = f"{how}, {group.ring_s} s"
    edges = [FlowEdge("member", m.target, "number", ring) for m in await members_of(core, group)]
    if group.fallback:
        edges.append(FlowEdge("fallback", group.fallback, "number"))
    else:
        edges.append(FlowEdge("fallback", None, "hangup", "nobody available"))
    note = f"opening hours: schedule {group.schedule_id}" if group.schedule_id is not None else ""
    return FlowNode(group.number, "hunt_group", group.name, edges, note)
