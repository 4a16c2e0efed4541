"""Pure presence answers for call handling: may a call be offered, where is it diverted, call state.

Nothing here touches storage or the bus; the routing engine (FEATURES.md RTE) and call
distribution call these with a ``Presence`` from ``core.presence.get(user_id)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from cordboard.core.presence.model import AVAILABLE, CallState, Presence

RINGING_CALL_STATES: Final = frozenset(("trying", "ringing"))
"""Live ``call.<id>`` states (core/calls) in which the callee's phones are ringing."""


def offerable_for_direct_call(presence: Presence) -> bool:
    """Whether a direct call to this user may be offered to the user's terminals now (PRS-10).

    Do-not-disturb says no: the call follows the user's busy or fallback rules instead. Being
    Busy (PRS-01) or in another call does not stop a direct call; the routing engine decides
    about call waiting and busy forwarding with its own conditions. The routing rules engine
    (FEATURES.md RTE, ``cordboard_route_call``) will ask this before ringing a user's terminals.
    """
    return not presence.dnd


def available_for_distribution(presence: Presence) -> bool:
    """Whether presence-aware call distribution (hunt groups, ACD) may pick this user (PRS-01):
    Available, no do-not-disturb, and not on the phone already."""
    return presence.availability == AVAILABLE and not presence.dnd and presence.call_state is CallState.IDLE


def diversion_target(presence: Presence) -> str | None:
    """The number that calls to this user go to while a shortcut with a diversion is active (PRS-05)."""
    return presence.diversion


def call_state_of(user_id: int, calls: Iterable[tuple[str, Mapping[str, Any]]]) -> CallState:
    """PRS-09: a user's call state from the live calls, each ``(state, attributes)`` of a ``call.<id>``.

    The callee of a call that is trying or ringing is ringing; the caller of any live call, and
    either party of an answered one, is in a call. In a call wins over ringing (call waiting).
    """
    state = CallState.IDLE
    for call_state, attributes in calls:
        if call_state == "ended":
            continue
        caller = attributes.get("caller_user_id")
        parties = {v for v in (attributes.get("user_ids") or ()) if v is not None}
        parties.update(v for v in (caller, attributes.get("callee_user_id")) if v is not None)
        if user_id not in parties:
            continue
        if call_state in RINGING_CALL_STATES and caller != user_id:
            state = CallState.RINGING
        else:
            return CallState.IN_CALL
    return state
