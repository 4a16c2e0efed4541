"""Where calls to an IVR menu go (AA-02, the call-flow tree): the keys' destinations, direct
dialling (IVR-04) and where the call goes when no key is pressed (IVR-08)."""

from __future__ import annotations

from cordboard.core.core import Core
from cordboard.core.numbers.flow import FlowEdge, FlowNode
from cordboard.plugins.ivr.const import IVR_MENUS_KEY, KEYS, KIND_HANGUP
from cordboard.plugins.ivr.model import Destination, IvrMenu


def number_flow(core: Core, number: str) -> FlowNode | None:
    """The menu whose number is ``number`` as a node, else None (not ours)."""
    menus = core.data.get(IVR_MENUS_KEY)
    menu = next((m for m in menus.all() if m.number == number), None) if menus is not None else None
    return menu_node(menu) if menu is not None else None


def menu_node(menu: IvrMenu) -> FlowNode:
    edges: list[FlowEdge] = []
    if menu.direct_dial:
        edges.append(FlowEdge("direct dialling", None, "direct_dial", "the caller keys an extension"))
    else:
        order = {key: i for i, key in enumerate(KEYS)}
        for key in sorted(menu.options, key=lambda k: order.get(k, len(KEYS))):
            edges.append(_edge(f"key {key}", menu.options[key]))
    retries = f"after {menu.retries + 1} tries of {menu.timeout_s} s"
    if menu.timeout_destination is None:
        edges.append(FlowEdge("no key pressed", None, KIND_HANGUP, f"goodbye, {retries}"))
    else:
        edges.append(_edge("no key pressed", menu.timeout_destination, retries, automatic=True))
    note = f"opening hours: schedule {menu.schedule_id}" if menu.schedule_id is not None else ""
    return FlowNode(menu.number, "ivr", menu.name, edges, note)


def _edge(label: str, destination: Destination, note: str = "", *, automatic: bool = False) -> FlowEdge:
    return FlowEdge(label, destination.target, destination.kind, note, automatic=automatic)
