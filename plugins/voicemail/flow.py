"""Where calls to the voicemail plugin's numbers go (AA-02, the call-flow tree): a group inbox's
number takes a message into the inbox (GIB-02), whose member groups listen (GIB-03); a voicemail
number (GIB-07) leads to a group inbox (after its code, GIB-04) or to the caller's own mailbox."""

from __future__ import annotations

from collections.abc import Awaitable

from cordboard.core.core import Core
from cordboard.core.numbers.flow import FlowEdge, FlowNode
from cordboard.plugins.voicemail.const import INBOXES_KEY, KIND_GROUP_INBOX
from cordboard.plugins.voicemail.inboxes import GroupInboxes
from cordboard.plugins.voicemail.storage import GroupInbox, VoicemailNumber

KIND_INBOX_NODE = "group_inbox"
KIND_NUMBER_NODE = "voicemail_number"


def number_flow(core: Core, number: str) -> FlowNode | Awaitable[FlowNode] | None:
    """The group inbox or voicemail number ``number`` as a node, else None (not ours). An inbox's
    node names its member groups: an awaitable, as the groups are asked for."""
    inboxes: GroupInboxes | None = core.data.get(INBOXES_KEY)
    if inboxes is None:
        return None
    inbox = next((i for i in inboxes.all() if i.number == number), None)
    if inbox is not None:
        return inbox_node(core, inbox)
    found = next((n for n in inboxes.numbers() if n.number == number), None)
    return number_node(inboxes, found) if found is not None else None


async def inbox_node(core: Core, inbox: GroupInbox) -> FlowNode:
    names = {g.id: g.name for g in await core.identity.list_groups()}
    members = ", ".join(names.get(g, f"#{g}") for g in inbox.member_groups) or "nobody"
    edge = FlowEdge("message", inbox.number, "voicemail", f"group inbox of {members}")
    return FlowNode(inbox.number, KIND_INBOX_NODE, inbox.name, [edge])


def number_node(inboxes: GroupInboxes, number: VoicemailNumber) -> FlowNode:
    if number.kind != KIND_GROUP_INBOX:
        edge = FlowEdge("listen", None, "voicemail", "the caller's own mailbox")
        return FlowNode(number.number, KIND_NUMBER_NODE, "Voicemail (own mailbox)", [edge])
    inbox = next((i for i in inboxes.all() if i.id == number.inbox_id), None)
    if inbox is None:
        return FlowNode(number.number, KIND_NUMBER_NODE, "Voicemail", note="its group inbox is gone")
    edge = FlowEdge("after the inbox's code", inbox.number, "number", f"listen to {inbox.name}")
    return FlowNode(number.number, KIND_NUMBER_NODE, f"Voicemail of {inbox.name}", [edge])
