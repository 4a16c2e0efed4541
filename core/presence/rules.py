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


def call_state_in(user_id: int, call_state: str, attributes: Mapping[str, Any]) -> CallState:
    """PRS-09: what one ``call.<id>`` in ``call_state`` makes the user: the callee of a call that is
    trying or ringing is ringing; the caller of any live call, and either party of an answered
    one, is in a call; anyone else, and everyone once it ended, idle."""
    if call_state == "ended":
        return CallState.IDLE
    caller = attributes.get("caller_user_id")
    if (
        user_id != caller
        and user_id != attributes.get("callee_user_id")
        and user_id not in (attributes.get("user_ids") or ())
    ):
        return CallState.IDLE
    if call_state in RINGING_CALL_STATES and caller != user_id:
        return CallState.RINGING
    return CallState.IN_CALL


def call_state_of(user_id: int, calls: Iterable[tuple[str, Mapping[str, Any]]]) -> CallState:
    """PRS-09: a user's call state from the live calls, each ``(state, attributes)`` of a ``call.<id>``.
    In a call wins over ringing (call waiting)."""
    state = CallState.IDLE
    for call_state, attributes in calls:
        one = call_state_in(user_id, call_state, attributes)
        if one is CallState.IN_CALL:
            return one
        if one is CallState.RINGING:
            state = one
    return state


class LiveCallStates:
    """What each user's live calls make them (``call_state_in``), kept per call as the calls
    change, with counts: a user's call state is then a look-up, not a pass over their calls (a
    queue's agent or a trunk's user can have dozens at once, and every change asks)."""

    __slots__ = ("_calls", "_counts")

    def __init__(self) -> None:
        self._calls: dict[int, dict[str, CallState]] = {}
        self._counts: dict[int, list[int]] = {}
        """Per user: how many of their calls make them in a call, and how many ringing."""

    def update(self, user_id: int, entity_id: str, state: CallState) -> None:
        """The call ``entity_id`` now makes the user ``state`` (IDLE: it no longer concerns them)."""
        calls = self._calls.get(user_id)
        before = calls.pop(entity_id, CallState.IDLE) if calls is not None else CallState.IDLE
        if before is state:
            if calls is not None and state is not CallState.IDLE:
                calls[entity_id] = state
            return
        counts = self._counts.get(user_id)
        if counts is None:
            counts = self._counts[user_id] = [0, 0]
        if before is not CallState.IDLE:
            counts[before is CallState.RINGING] -= 1
        if state is not CallState.IDLE:
            counts[state is CallState.RINGING] += 1
            if calls is None:
                calls = self._calls[user_id] = {}
            calls[entity_id] = state
        elif calls is not None and not calls:
            del self._calls[user_id]
            del self._counts[user_id]

    def state_of(self, user_id: int) -> CallState:
        counts = self._counts.get(user_id)
        if counts is None:
            return CallState.IDLE
        if counts[0]:
            return CallState.IN_CALL
        return CallState.RINGING if counts[1] else CallState.IDLE
