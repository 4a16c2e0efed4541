"""What users' address books add to calls (DIR, BAR-07): the names of the outside numbers they call
and that call them, outside callers they blocked, and the speed dials they dial."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cordboard.core.core import Core

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ContactMatch:
    """An address-book entry that matched a number (``cordboard_contact_lookup``)."""

    name: str
    """The contact's name: what the called phone shows instead of the name the network sent, and
    what the call history shows ("" keeps the network's)."""
    blocked: bool = False
    """The user (or their group or organisation) blocked this number: its calls are refused."""
    source: str = ""
    """Where the match came from, for the call history ("contact 12 of user 4")."""


def look_up_number(core: Core, user_id: int, number: str) -> ContactMatch | None:
    """Ask the enabled plugins what ``number`` is in the address books of user ``user_id``; a
    failing hook counts as not knowing it (the call goes on with the network's name)."""
    plugins = getattr(core, "plugins", None)
    if plugins is None or not number or number == "anonymous":
        return None
    try:
        found: ContactMatch | None = plugins.pm.hook.cordboard_contact_lookup(
            core=core, user_id=user_id, number=number
        )
    except Exception:
        _LOGGER.exception("A plugin failed looking up number %s", number)
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
