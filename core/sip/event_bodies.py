"""Bodies of the NOTIFYs the appliance sends, sans-IO: dialog state for busy-lamp keys (RFC 4235),
message summaries for the message-waiting lamp (RFC 3842) and presence documents (PIDF, RFC 3863)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal
from xml.sax.saxutils import escape, quoteattr

DIALOG_INFO: Final = "application/dialog-info+xml"
MESSAGE_SUMMARY: Final = "application/simple-message-summary"
PIDF: Final = "application/pidf+xml"
DialogStateName = Literal["trying", "proceeding", "early", "confirmed", "terminated"]


@dataclass(frozen=True, slots=True)
class DialogInfo:
    """One of the watched user's dialogs, as a busy-lamp key shows it."""

    id: str
    state: DialogStateName
    direction: Literal["initiator", "recipient"]
    call_id: str = ""
    local_tag: str = ""
    remote_tag: str = ""
    remote_identity: str = ""
    """The other party's URI (``sip:1001@pbx``), shown by some phones beside the key."""
    remote_name: str = ""


def dialog_info(entity: str, version: int, dialogs: Sequence[DialogInfo]) -> bytes:
    """A full-state dialog-info document (RFC 4235 section 4) for ``entity``."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" '
        f'version="{version}" state="full" entity={quoteattr(entity)}>',
    ]
    for dialog in dialogs:
        attributes = f"id={quoteattr(dialog.id)}"
        for name, value in (
            ("call-id", dialog.call_id),
            ("local-tag", dialog.local_tag),
            ("remote-tag", dialog.remote_tag),
        ):
            if value:
                attributes += f" {name}={quoteattr(value)}"
        lines.append(f"<dialog {attributes} direction={quoteattr(dialog.direction)}>")
        lines.append(f"<state>{dialog.state}</state>")
        if dialog.remote_identity:
            display = f" display={quoteattr(dialog.remote_name)}" if dialog.remote_name else ""
            lines.append(f"<remote><identity{display}>{escape(dialog.remote_identity)}</identity></remote>")
        lines.append("</dialog>")
    lines.append("</dialog-info>")
    return ("\r\n".join(lines) + "\r\n").encode()


def message_summary(account: str, new: int, old: int, new_urgent: int = 0, old_urgent: int = 0) -> bytes:
    """RFC 3842 section 5: whether messages wait, and the voice messages' counts."""
    waiting = "yes" if new > 0 else "no"
    return (
        f"Messages-Waiting: {waiting}\r\n"
        f"Message-Account: {account}\r\n"
        f"Voice-Message: {new}/{old} ({new_urgent}/{old_urgent})\r\n"
    ).encode()


def pidf(entity: str, open_: bool, note: str = "") -> bytes:
    """A PIDF document (RFC 3863) with one tuple: open (reachable) or closed, and a note."""
    note_xml = f"<note>{escape(note)}</note>" if note else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\r\n'
        f'<presence xmlns="urn:ietf:params:xml:ns:pidf" entity={quoteattr(entity)}>\r\n'
        f'<tuple id="cordboard"><status><basic>{"open" if open_ else "closed"}</basic></status>'
        f"{note_xml}</tuple>\r\n"
        "</presence>\r\n"
    ).encode()
