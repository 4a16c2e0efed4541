"""What users' address books add to calls (DIR, BAR-07): an outside caller's name on the called
phone or their call refused because the user blocked them, and the speed dials a user dials."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cordboard.core.core import Core

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CallerMatch:
    """An address-book entry that matched the caller's number (``cordboard_caller_lookup``)."""

    name: str
    """What the called phone shows instead of the name the network sent ("" keeps that one)."""
    blocked: bool = False
    """The called user (or their group or organisation) blocked this caller: the call is refused."""
    source: str = ""
    """Where the match came from, for the call history ("contact 12 of user 4")."""


def look_up_caller(core: Core, user_id: int, number: str) -> CallerMatch | None:
    """Ask the enabled plugins about ``number`` calling user ``user_id``; a failing hook counts as
    not knowing the caller (the call goes on with the network's name)."""
    plugins = getattr(core, "plugins", None)
    if plugins is None or not number or number == "anonymous":
        return None
    try:
        found: CallerMatch | None = plugins.pm.hook.cordboard_caller_lookup(
            core=core, user_id=user_id, number=number
        )
    except Exception:
        _LOGGER.exception("A plugin failed looking up caller %s", number)
        return None
    return found


def expand_shortcut(core: Core, user_id: int, dialled: str) -> str | None:
    """The number that ``dialled`` is a speed dial of for user ``user_id`` (DIR-16), if a plugin
    knows one; a failing hook counts as none (the call goes on as dialled)."""
    plugins = getattr(core, "plugins", None)
    if plugins is None:
        return None
    try:
        found: str | None = plugins.pm.hook.cordboard_dial_shortcut(
            core=core, user_id=user_id, dialled=dialled
        )
    except Exception:
        _LOGGER.exception("A plugin failed expanding %s", dialled)
        return None
    return found
