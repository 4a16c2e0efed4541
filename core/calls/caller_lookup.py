"""Who an outside caller is to the user they call (DIR, BAR-07): a plugin's address book may know
the number, give the name the phone shows, or say the owner blocked it."""

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
