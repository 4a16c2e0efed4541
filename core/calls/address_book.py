"""What users' address books add to calls (DIR, BAR-07): the names of the outside numbers they call
and that call them, outside callers they blocked, and the speed dials they dial."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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
    kind: str = ""
    """What the number is to the user: a contact's type (``favourite``, ``contact``, ``vip``,
    ``blocked``) or ``colleague`` (a user's own number); routing rules can test it (RTE)."""


def _ask(core: Core, hook: str, **kwargs: object) -> Any:
    """The first answer of the enabled plugins to ``hook``; a failing hook counts as no answer
    (the call goes on as if no address book knew the number)."""
    plugins = getattr(core, "plugins", None)
    if plugins is None:
        return None
    try:
        return getattr(plugins.pm.hook, hook)(core=core, **kwargs)
    except Exception:
        _LOGGER.exception("A plugin failed answering %s for %s", hook, kwargs)
        return None


def look_up_number(core: Core, user_id: int, number: str) -> ContactMatch | None:
    """What ``number`` is in the address books of user ``user_id`` (``cordboard_contact_lookup``)."""
    if not number or number == "anonymous":
        return None
    found: ContactMatch | None = _ask(core, "cordboard_contact_lookup", user_id=user_id, number=number)
    return found


def expand_shortcut(core: Core, user_id: int, dialled: str) -> str | None:
    """The number that ``dialled`` is a speed dial of for user ``user_id`` (DIR-16), if a plugin
    knows one (``cordboard_dial_shortcut``)."""
    found: str | None = _ask(core, "cordboard_dial_shortcut", user_id=user_id, dialled=dialled)
    return found
