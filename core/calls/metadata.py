"""Call metadata: the display text the phones show before the caller's name while a call is offered
(``Support line: Ann Tester``), set by a step of the call path (an IVR menu, a hunt group) and, when
a later step keeps derived metadata (IVR-05), inherited by it instead of its own text.

The channel's ``InboundCall.metadata`` holds the bare text, never the whole display: each step builds
the display from it and the caller once, so an inherited text does not repeat the caller's name."""

from __future__ import annotations

import dataclasses
from typing import Final

from cordboard.core.calls.channel import Channel, InboundCall

DISPLAY_TEXT_MAX: Final = 60
"""The longest display text an administrator may give a menu or group."""


def step_metadata(call: InboundCall, own: str, keep_derived: bool) -> str:
    """The display text of a step that takes ``call``: the one an earlier step set, when the step
    keeps derived metadata and there is one, else ``own`` (the step's display text or name)."""
    if keep_derived and call.metadata:
        return call.metadata
    return own


def shown_caller(call: InboundCall, text: str) -> tuple[str, str]:
    """What the ringing phones show: the caller's number, and their name after ``text``
    (``Sales: Ann Tester``); only the caller's name when there is no text."""
    name = call.caller_name or call.caller
    return call.caller, f"{text}: {name}" if text else name


def with_metadata(channel: Channel, text: str) -> None:
    """Set ``text`` on the channel's call, so that the steps after this one (a hunt group behind a
    menu, another menu) may inherit it."""
    channel.call = dataclasses.replace(channel.call, metadata=text)
