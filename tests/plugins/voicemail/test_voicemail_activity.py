"""What the greeting says of the user's presence (VM-02, VM-03), with a fixed clock: the activity's
own prompt, else a sentence by its show-as; "until HH:MM" in the user's time zone; back-to-back busy
events (lunch 12:00-12:30, then a planned meeting 12:30-14:00) announce the end of the last one
(14:00); clock times read in en, de and da (``say_time``)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from cordboard.core.media.prompts import PROMPT_TEXTS, say_time
from cordboard.core.presence.model import Activity, Presence, PresencePlan, apply_change
from cordboard.plugins.voicemail.activity import activity_prompts, busy_until, local_time

CPH = ZoneInfo("Europe/Copenhagen")
LUNCH = Activity(1, "Lunch", "busy")
MEETING = Activity(2, "Meeting", "busy", message="org:4")
HOME = Activity(3, "Working from home", "available")
ACTIVITIES = {a.id: a for a in (LUNCH, MEETING, HOME)}


def at(hour: int, minute: int) -> float:
    return datetime(2026, 12, 7, hour, minute, tzinfo=CPH).timestamp()


NOW = at(12, 10)


def lunch_until(hour: int, minute: int, before: Presence | None = None) -> Presence:
    base = before or Presence(7)
    return apply_change(base, {"activity_id": 1, "availability": "busy", "until": at(hour, minute)}, NOW)


def plan(
    pid: int, activity: Activity, start: float, end: float, availability: str | None = None
) -> PresencePlan:
    return PresencePlan(pid, 7, activity.id, start, end, availability=availability)


def test_vm_03_lunch_then_a_meeting_back_to_back_say_the_meeting_s_end() -> None:
    meeting = plan(1, MEETING, at(12, 30), at(14, 0))
    end = busy_until(lunch_until(12, 30), [meeting], ACTIVITIES, NOW)
    assert end == at(14, 0)
    assert local_time(end, "Europe/Copenhagen").strftime("%H:%M") == "14:00"


def test_vm_03_a_chain_of_three_and_a_gap_that_ends_it() -> None:
    plans = [
        plan(1, MEETING, at(12, 30), at(13, 0)),
        plan(2, LUNCH, at(13, 0), at(13, 45)),
        plan(3, MEETING, at(15, 0), at(16, 0)),  # an hour later: not back to back
    ]
    assert busy_until(lunch_until(12, 30), plans, ACTIVITIES, NOW) == at(13, 45)


def test_vm_03_what_is_not_busy_does_not_extend_the_end() -> None:
    plans = [
        plan(1, HOME, at(12, 30), at(17, 0)),  # shows as available
        plan(2, MEETING, at(12, 30), at(18, 0), availability="available"),
    ]
    assert busy_until(lunch_until(12, 30), plans, ACTIVITIES, NOW) == at(12, 30)


def test_vm_03_the_timed_change_that_comes_back_counts_as_the_next_event() -> None:
    """A meeting set until 14:00, then a 20-minute lunch shortcut on top: at 12:30 the meeting
    comes back, so the end is 14:00; a permanent activity underneath does not extend it."""
    meeting = apply_change(
        Presence(7), {"activity_id": 2, "availability": "busy", "until": at(14, 0)}, NOW - 600
    )
    assert busy_until(lunch_until(12, 30, meeting), [], ACTIVITIES, NOW) == at(14, 0)
    home = apply_change(Presence(7), {"activity_id": 3, "availability": "available", "until": None}, NOW)
    assert busy_until(lunch_until(12, 30, home), [], ACTIVITIES, NOW) == at(12, 30)
    # a timed change underneath that is over by then is skipped
    short = apply_change(Presence(7), {"activity_id": 2, "availability": "busy", "until": at(12, 20)}, NOW)
    assert busy_until(lunch_until(12, 30, short), [], ACTIVITIES, NOW) == at(12, 30)


def test_vm_03_no_end_time_without_a_timed_presence() -> None:
    permanent = apply_change(Presence(7), {"activity_id": 1, "availability": "busy", "until": None}, NOW)
    assert busy_until(permanent, [plan(1, MEETING, NOW, at(14, 0))], ACTIVITIES, NOW) is None


def test_vm_02_the_activity_s_own_prompt_else_a_sentence_by_show_as() -> None:
    until = datetime(2026, 12, 7, 14, 0, tzinfo=CPH)
    assert activity_prompts(MEETING, until, "en") == ["org:4", "until", "n14", "time_o_clock"]
    assert activity_prompts(LUNCH, until, "de") == ["vm_activity_busy", "until", "n14", "time_o_clock"]
    assert activity_prompts(HOME, None, "da") == ["vm_activity_away"]
    for prompt_id in (
        "vm_activity_busy",
        "vm_activity_away",
        "until",
        "vm_press_2_bypass",
        "vm_no_other_way",
    ):
        assert set(PROMPT_TEXTS[prompt_id]) == {"en", "de", "da"}


def test_vm_03_the_time_is_on_the_user_s_clock() -> None:
    end = datetime(2026, 12, 7, 13, 0, tzinfo=ZoneInfo("UTC")).timestamp()
    assert local_time(end, "Europe/Copenhagen").strftime("%H:%M") == "14:00"
    assert local_time(end, "America/New_York").strftime("%H:%M") == "08:00"
    assert local_time(end, "Not/AZone").strftime("%H:%M") == "13:00"


@pytest.mark.parametrize(
    ("hour", "minute", "language", "ids"),
    [
        (14, 0, "en", ["n14", "time_o_clock"]),
        (14, 30, "en", ["n14", "n30"]),
        (9, 5, "en", ["n9", "time_oh", "n5"]),
        (14, 0, "de", ["n14", "time_o_clock"]),
        (14, 30, "de", ["n14", "time_o_clock", "n30"]),
        (14, 0, "da", ["time_o_clock", "n14"]),
        (9, 5, "da", ["time_o_clock", "n9", "time_oh", "n5"]),
    ],
)
def test_say_time_reads_a_clock_time(hour: int, minute: int, language: str, ids: list[str]) -> None:
    assert say_time(hour, minute, language) == ids
    assert all(prompt_id in PROMPT_TEXTS for prompt_id in ids)


def test_say_time_refuses_what_is_no_clock_time() -> None:
    with pytest.raises(ValueError, match="00:00 to 23:59"):
        say_time(24, 0, "en")
