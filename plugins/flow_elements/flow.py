"""Where calls to a switch or an announcement go (AA-02, the call-flow tree): a switch's two
edges ``on`` and ``off``, the current one marked (AA-04); an announcement's prompt and then the
next number or hanging up (AA-03). A locked element says so in its note (CAPA-14)."""

from __future__ import annotations

from cordboard.core.core import Core
from cordboard.core.numbers.flow import FlowEdge, FlowNode
from cordboard.plugins.flow_elements.const import FLOW_ELEMENTS_KEY, KIND_ANNOUNCEMENT, KIND_SWITCH
from cordboard.plugins.flow_elements.model import Announcement, FlowSwitch

LOCKED_NOTE = "locked: takes no calls"


def number_flow(core: Core, number: str) -> FlowNode | None:
    """The element whose number is ``number`` as a node, else None (not ours)."""
    elements = core.data.get(FLOW_ELEMENTS_KEY)
    if elements is None:
        return None
    switch = elements.switch_at(number)
    if switch is not None:
        return switch_node(switch)
    announcement = elements.announcement_at(number)
    return announcement_node(announcement) if announcement is not None else None


def switch_node(switch: FlowSwitch) -> FlowNode:
    edges = [
        FlowEdge("on", switch.on_target, "number", "current" if switch.on else "", automatic=True),
        FlowEdge("off", switch.off_target, "number", "" if switch.on else "current", automatic=True),
    ]
    state = "on" if switch.on else "off"
    note = f"{LOCKED_NOTE}; switch is {state}" if switch.locked else f"switch is {state}"
    return FlowNode(switch.number, KIND_SWITCH, switch.name, edges, note)


def announcement_node(announcement: Announcement) -> FlowNode:
    note = f"plays {announcement.prompt}"
    if announcement.next_number is not None:
        edge = FlowEdge("then", announcement.next_number, "number", "after the prompt", automatic=True)
    else:
        edge = FlowEdge("then", None, "hangup", "after the prompt")
    if announcement.locked:
        note = f"{LOCKED_NOTE}; {note}"
    return FlowNode(announcement.number, KIND_ANNOUNCEMENT, announcement.name, [edge], note)
