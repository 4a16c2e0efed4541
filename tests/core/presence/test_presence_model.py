"""The pure presence functions: timed changes and their restore, routing answers, call state."""

from __future__ import annotations

from typing import Any

import pytest
import voluptuous as vol

from cordboard.core.presence import available_for_distribution, diversion_target, offerable_for_direct_call
from cordboard.core.presence.model import BUSY, MAX_RESTORE_DEPTH, CallState, Presence, apply_change, restore
from cordboard.core.presence.rules import LiveCallStates, call_state_in, call_state_of
from cordboard.core.presence.schema import diallable_number, end_time, labels


def test_prs_05_timed_change_restores_what_was_before() -> None:
    before = Presence(1, availability="available", activity_id=2, diversion=None, updated=1.0)
    during = apply_change(
        before, {"availability": BUSY, "activity_id": 7, "diversion": "+4533123456", "until": 100.0}, 10.0
    )
    assert (during.availability, during.activity_id, during.diversion, during.until) == (
        BUSY,
        7,
        "+4533123456",
        100.0,
    )
    assert restore(during, 99.0) == during
    after = restore(during, 100.0)
    assert (after.availability, after.activity_id, after.diversion, after.until) == (
        "available",
        2,
        None,
        None,
    )


def test_prs_05_stacked_timed_changes_end_in_order() -> None:
    """A shortcut applied during another: its end returns to the first, whose end returns to the start."""
    start = Presence(1)
    lunch = apply_change(start, {"activity_id": 1, "until": 200.0, "shortcut_id": 1}, 0.0)
    meeting = apply_change(lunch, {"activity_id": 2, "until": 100.0, "shortcut_id": 2}, 50.0)
    back_to_lunch = restore(meeting, 120.0)
    assert (back_to_lunch.activity_id, back_to_lunch.until, back_to_lunch.shortcut_id) == (1, 200.0, 1)
    # Both ended while nobody looked (a restart): straight back to the start.
    assert restore(meeting, 300.0).activity_id is None
    assert restore(meeting, 300.0).until is None


def test_a_permanent_change_forgets_the_pending_restore() -> None:
    timed = apply_change(Presence(1), {"activity_id": 1, "until": 200.0}, 0.0)
    permanent = apply_change(timed, {"activity_id": 3, "until": None}, 10.0)
    assert permanent.until is None and permanent.previous is None
    kept = apply_change(timed, {"activity_id": 3}, 10.0)
    assert kept.until == 200.0 and kept.previous is not None


def test_the_restore_stack_is_bounded() -> None:
    presence = Presence(1)
    for n in range(MAX_RESTORE_DEPTH + 5):
        presence = apply_change(presence, {"activity_id": n + 1, "until": 1000.0 - n}, float(n))
    depth, snapshot = 0, presence.previous
    while snapshot is not None:
        depth, snapshot = depth + 1, snapshot["previous"]
    assert depth == MAX_RESTORE_DEPTH


def test_prs_10_dnd_stops_direct_calls_only() -> None:
    assert offerable_for_direct_call(Presence(1))
    assert offerable_for_direct_call(Presence(1, availability=BUSY))
    assert not offerable_for_direct_call(Presence(1, dnd=True))


def test_prs_01_distribution_skips_users_not_available() -> None:
    assert available_for_distribution(Presence(1))
    assert not available_for_distribution(Presence(1, availability=BUSY))
    assert not available_for_distribution(Presence(1, dnd=True))
    assert not available_for_distribution(Presence(1, call_state=CallState.IN_CALL))
    assert diversion_target(Presence(1, diversion="1002")) == "1002"


def test_prs_09_call_state_from_live_calls() -> None:
    ringing = ("ringing", {"caller_user_id": 1, "callee_user_id": 2, "user_ids": [1, 2]})
    answered = ("answered", {"caller_user_id": 3, "callee_user_id": 2, "user_ids": [3, 2]})
    assert call_state_of(2, [ringing]) is CallState.RINGING
    assert call_state_of(1, [ringing]) is CallState.IN_CALL  # the caller is on the phone
    assert call_state_of(2, [ringing, answered]) is CallState.IN_CALL
    assert call_state_of(4, [ringing, answered]) is CallState.IDLE
    dialled = ("trying", {"caller_user_id": None, "callee_user_id": 5, "user_ids": [5]})
    assert call_state_of(5, [dialled]) is CallState.RINGING


def test_validators_name_the_problem() -> None:
    assert diallable_number("+45 33 12-34-56") == "+4533123456"
    assert diallable_number("") is None
    for bad in ("12ab", "1", "*43", "+"):
        with pytest.raises(vol.Invalid):
            diallable_number(bad)
    assert end_time("2026-12-01T17:00:00Z") == 1796144400.0
    with pytest.raises(vol.Invalid, match="time zone"):
        end_time("2026-12-01T17:00:00")
    assert labels({"da": "Forstyr ikke", "en": "Busy", "de": ""}) == {"da": "Forstyr ikke", "en": "Busy"}
    with pytest.raises(vol.Invalid):
        labels({"fr": "Occupé"})


def test_prs_09_live_call_states_follow_each_call() -> None:
    """PRS-09: the per-user counts give the same state as a pass over the user's live calls,
    through calls that ring, are answered, end, and move between users."""
    live = LiveCallStates()
    calls: dict[str, tuple[str, dict[str, Any]]] = {}
    steps = [
        ("call.a", "trying", {"caller_user_id": 1, "callee_user_id": 2, "user_ids": [1, 2]}),
        ("call.b", "ringing", {"caller_user_id": 3, "callee_user_id": 2, "user_ids": [3, 2]}),
        ("call.a", "answered", {"caller_user_id": 1, "callee_user_id": 2, "user_ids": [1, 2]}),
        ("call.b", "ringing", {"caller_user_id": 3, "callee_user_id": 4, "user_ids": [3, 4]}),
        ("call.a", "ended", {"caller_user_id": 1, "callee_user_id": 2, "user_ids": [1, 2]}),
        ("call.c", "ringing", {"caller_user_id": None, "callee_user_id": 2, "user_ids": [2]}),
        ("call.b", "answered", {"caller_user_id": 3, "callee_user_id": 4, "user_ids": [3, 4]}),
        ("call.c", "ended", {"caller_user_id": None, "callee_user_id": 2, "user_ids": [2]}),
        ("call.b", "ended", {"caller_user_id": 3, "callee_user_id": 4, "user_ids": [3, 4]}),
    ]
    seen: list[CallState] = []
    for entity_id, state, attributes in steps:
        calls[entity_id] = (state, attributes)
        for user_id in (1, 2, 3, 4):
            live.update(user_id, entity_id, call_state_in(user_id, state, attributes))
            assert live.state_of(user_id) is call_state_of(user_id, calls.values()), (entity_id, user_id)
        seen.append(live.state_of(2))
    ringing, in_call, idle = CallState.RINGING, CallState.IN_CALL, CallState.IDLE
    assert seen == [ringing, ringing, in_call, in_call, idle, ringing, ringing, idle, idle]
    assert all(live.state_of(user_id) is CallState.IDLE for user_id in (1, 2, 3, 4))
    assert not live._calls and not live._counts  # nothing kept for users without live calls
