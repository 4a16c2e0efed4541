"""The pure schedule evaluator (SCH-01..05, SCH-07..09): working hours, night mode, decisions and
the next change, in Europe/Copenhagen across its daylight-saving days."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from cordboard.core.exceptions import ConfigValidationError
from cordboard.core.schedules.evaluate import (
    UserHours,
    in_working_hours,
    next_decision_change,
    next_night_mode_change,
    next_working_change,
    night_mode,
    resolve_working_time,
    schedule_decision,
)
from cordboard.core.schedules.model import (
    HoursLevel,
    Schedule,
    WorkingTime,
    parse_events,
    parse_level,
)

CPH = "Europe/Copenhagen"
SEED_WEEK = {day: {"from": "07:00", "to": "18:00"} for day in ("mon", "tue", "wed", "thu", "fri")}


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(CPH))  # type: ignore[misc]


def seed(**extra: object) -> HoursLevel:
    return parse_level({"week": SEED_WEEK, **extra})


def hours_at(level: HoursLevel, at: datetime) -> bool:
    return in_working_hours(level.week, level.exceptions or (), level.extra or (), at, CPH)


def test_sch_01_seed_week_mon_to_fri_7_to_18_weekend_empty() -> None:
    level = seed()
    assert level.week is not None and level.week[5] == () and level.week[6] == ()
    assert hours_at(level, local(2026, 12, 2, 7, 0))  # Wednesday 07:00: the window starts
    assert hours_at(level, local(2026, 12, 2, 17, 59))
    assert not hours_at(level, local(2026, 12, 2, 18, 0))  # 18:00 is already outside
    assert not hours_at(level, local(2026, 12, 2, 6, 59))
    assert not hours_at(level, local(2026, 12, 5, 12, 0))  # Saturday: not working
    assert not hours_at(level, local(2026, 12, 6, 12, 0))  # Sunday


def test_sch_01_evaluated_in_the_time_zone_not_utc() -> None:
    level = seed()
    # 06:30 UTC is 07:30 in Copenhagen (winter time): inside there, outside in UTC.
    at = datetime(2026, 12, 2, 6, 30, tzinfo=UTC)
    assert in_working_hours(level.week, (), (), at, CPH)
    assert not in_working_hours(level.week, (), (), at, "UTC")


def test_sch_02_exception_date_is_outside_all_day() -> None:
    level = seed(exceptions=["2026-12-24", "2026-12-25"])
    assert not hours_at(level, local(2026, 12, 24, 10, 0))  # Thursday, Christmas Eve
    assert not hours_at(level, local(2026, 12, 25, 10, 0))
    assert hours_at(level, local(2026, 12, 23, 10, 0))


def test_sch_03_extra_window_counts_as_working_time() -> None:
    level = seed(
        exceptions=["2026-12-24"],
        extra=[
            {"date": "2026-12-05", "from": "10:00", "to": "14:00"},  # a Saturday opening
            {"date": "2026-12-02", "from": "18:00", "to": "21:00"},  # late opening on a Wednesday
            {"date": "2026-12-24", "from": "09:00", "to": "12:00"},  # open in the morning after all
        ],
    )
    assert hours_at(level, local(2026, 12, 5, 10, 0))
    assert not hours_at(level, local(2026, 12, 5, 14, 0))
    assert hours_at(level, local(2026, 12, 2, 20, 59))
    assert hours_at(level, local(2026, 12, 24, 11, 0))
    assert not hours_at(level, local(2026, 12, 24, 13, 0))


def test_sch_04_night_mode_outside_hours_and_sch_05_override() -> None:
    time_ = WorkingTime(seed().week, zone=CPH)
    user = UserHours(time_)
    assert night_mode(user, local(2026, 12, 2, 19, 0))
    assert not night_mode(user, local(2026, 12, 2, 9, 0))
    # SCH-05: turned off by the user, night mode stays off until turned back on.
    off = UserHours(time_, night_mode_off=True)
    assert not night_mode(off, local(2026, 12, 2, 19, 0))
    assert next_night_mode_change(off, local(2026, 12, 2, 19, 0)) is None


def test_no_hours_defined_anywhere_means_never_night_mode() -> None:
    user = UserHours(resolve_working_time([("org", HoursLevel())], CPH))
    assert not night_mode(user, local(2026, 12, 6, 3, 0))
    assert next_night_mode_change(user, local(2026, 12, 6, 3, 0)) is None


def test_sch_01_inheritance_most_specific_level_wins_per_part() -> None:
    org = seed(exceptions=["2026-12-24"])
    late = parse_level({"week": {"mon": {"from": "12:00", "to": "20:00"}}})
    early = parse_level({"week": {"mon": {"from": "06:00", "to": "10:00"}}})
    # Groups by rank, the highest (priority 1) first: its hours win over the second group's.
    time_ = resolve_working_time([("org", org), ("group:2", late), ("group:5", early)], CPH)
    assert time_.sources == {"week": "group:2", "exceptions": "org"}
    assert in_working_hours(time_.week, time_.exceptions, (), local(2026, 12, 7, 19, 0), CPH)
    user = parse_level({"week": {"tue": {"from": "08:00", "to": "09:00"}}, "exceptions": []})
    time_ = resolve_working_time([("org", org), ("group:2", late), ("user", user)], CPH)
    assert time_.sources == {"week": "user", "exceptions": "user"}
    assert time_.exceptions == frozenset()


def test_next_change_on_a_normal_week() -> None:
    time_ = WorkingTime(seed().week, zone=CPH)
    # Friday evening -> Monday 07:00 local (06:00 UTC in winter).
    assert next_working_change(time_, local(2026, 12, 4, 18, 30)) == datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
    assert next_working_change(time_, local(2026, 12, 7, 7, 0)) == datetime(2026, 12, 7, 17, 0, tzinfo=UTC)


def test_dst_spring_forward_copenhagen() -> None:
    """29 March 2026: clocks jump 02:00 -> 03:00; hours stay wall-clock times."""
    time_ = WorkingTime(seed().week, zone=CPH)
    # Friday 27 March 18:00 CET, then Monday 30 March 07:00 CEST = 05:00 UTC (not 06:00).
    assert next_working_change(time_, local(2026, 3, 27, 12, 0)) == datetime(2026, 3, 27, 17, 0, tzinfo=UTC)
    assert next_working_change(time_, local(2026, 3, 27, 19, 0)) == datetime(2026, 3, 30, 5, 0, tzinfo=UTC)
    assert in_working_hours(time_.week, (), (), datetime(2026, 3, 30, 5, 0, tzinfo=UTC), CPH)
    # A Sunday window starting inside the skipped hour starts when the clocks jump.
    sunday = parse_level({"week": {"sun": {"from": "02:30", "to": "04:00"}}})
    time_ = WorkingTime(sunday.week, zone=CPH)
    assert next_working_change(time_, local(2026, 3, 29, 0, 0)) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert in_working_hours(sunday.week, (), (), datetime(2026, 3, 29, 1, 0, tzinfo=UTC), CPH)
    assert next_working_change(time_, datetime(2026, 3, 29, 1, 0, tzinfo=UTC)) == datetime(
        2026, 3, 29, 2, 0, tzinfo=UTC
    )


def test_dst_fall_back_copenhagen() -> None:
    """25 October 2026: clocks go back 03:00 -> 02:00; 02:00-03:00 happens twice."""
    week = parse_level({"week": {"sun": {"from": "02:30", "to": "04:00"}}}).week
    time_ = WorkingTime(week, zone=CPH)
    first = next_working_change(time_, local(2026, 10, 25, 0, 0))
    assert first == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    # At 03:00 CEST the clock shows 02:00 CET again: outside, then 02:30 CET inside again.
    second = next_working_change(time_, first)
    assert second == datetime(2026, 10, 25, 1, 0, tzinfo=UTC)
    third = next_working_change(time_, second)
    assert third == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert next_working_change(time_, third) == datetime(2026, 10, 25, 3, 0, tzinfo=UTC)  # 04:00 CET
    # The ordinary weekday window keeps its wall-clock times across the change.
    seed_time = WorkingTime(seed().week, zone=CPH)
    assert next_working_change(seed_time, local(2026, 10, 23, 19, 0)) == datetime(
        2026, 10, 26, 6, 0, tzinfo=UTC
    )


WEEKLY = [
    {
        "name": "Opening hours",
        "repeat": "weekly",
        "weekdays": ["mon", "tue", "wed", "thu", "fri"],
        "from": "08:00",
        "to": "15:30",
        "action": "open",
    },
    {
        "name": "Evenings",
        "repeat": "weekly",
        "weekdays": ["mon", "tue", "wed", "thu", "fri"],
        "from": "15:30",
        "to": "20:00",
        "action": "forward",
        "target": "+4533123456",
    },
]


def schedule(events: list[dict[str, object]], default: str = "closed") -> Schedule:
    from cordboard.core.schedules.model import always

    return Schedule(1, "number:1600", "Switchboard", parse_events(events), always(default))  # type: ignore[arg-type]


def test_sch_07_first_match_wins_and_default_always() -> None:
    sched = schedule([*WEEKLY, {"name": "Wide", "repeat": "weekly", "weekdays": ["mon"], "action": "closed"}])
    event, action = schedule_decision(sched, local(2026, 12, 7, 9, 0), CPH)  # Monday 09:00
    assert (event.name, action) == ("Opening hours", "open")  # above "Wide", which matches too
    event, action = schedule_decision(sched, local(2026, 12, 7, 16, 0), CPH)
    assert (event.name, action, event.target) == ("Evenings", "forward", "+4533123456")
    event, action = schedule_decision(sched, local(2026, 12, 7, 21, 0), CPH)
    assert (event.name, action) == ("Wide", "closed")
    event, action = schedule_decision(sched, local(2026, 12, 8, 21, 0), CPH)  # Tuesday night
    assert (event.name, event.repeat, action) == ("Always", "always", "closed")


def test_sch_07_empty_schedule_is_always_open_by_default() -> None:
    from cordboard.core.schedules.model import always

    sched = Schedule(1, "number:1600", "Empty", (), always())
    event, action = schedule_decision(sched, local(2026, 12, 7, 9, 0), CPH)
    assert (event.name, action) == ("Always", "open")
    assert next_decision_change(sched, local(2026, 12, 7, 9, 0), CPH) is None


def test_sch_08_seed_event_with_dates_and_prompt() -> None:
    sched = schedule(
        [
            {
                "name": "Summer",
                "repeat": "weekly",
                "weekdays": ["mon"],
                "from": "08:00",
                "to": "15:30",
                "start_date": "2026-06-01",
                "end_date": "2026-08-31",
                "prompt": "goodbye",
                "action": "open",
            },
        ]
    )
    assert sched.events[0].prompt == "goodbye"
    assert schedule_decision(sched, local(2026, 6, 1, 8, 0), CPH)[1] == "open"
    assert schedule_decision(sched, local(2026, 6, 1, 15, 30), CPH)[1] == "closed"
    assert schedule_decision(sched, local(2026, 5, 25, 9, 0), CPH)[1] == "closed"  # before the start date
    assert schedule_decision(sched, local(2026, 8, 31, 9, 0), CPH)[1] == "open"  # the end date is included
    assert schedule_decision(sched, local(2026, 9, 7, 9, 0), CPH)[1] == "closed"


def test_sch_09_one_off_event_above_weekly_overrides_them() -> None:
    holiday = {
        "name": "Closed for the party",
        "repeat": "once",
        "start_date": "2018-01-19",
        "from": "00:00",
        "end_date": "2018-01-20",
        "to": "00:00",
        "action": "closed",
    }
    sched = schedule([holiday, *WEEKLY], default="closed")
    event, action = schedule_decision(sched, local(2018, 1, 19, 9, 0), CPH)  # a Friday
    assert (event.name, action) == ("Closed for the party", "closed")
    assert schedule_decision(sched, local(2018, 1, 19, 23, 59), CPH)[0].name == "Closed for the party"
    assert schedule_decision(sched, local(2018, 1, 22, 9, 0), CPH)[0].name == "Opening hours"
    # Below the weekly events it would not decide: the first match wins.
    below = schedule([*WEEKLY, holiday])
    assert schedule_decision(below, local(2018, 1, 19, 9, 0), CPH)[0].name == "Opening hours"
    # The seed's own example: a one-off Open day.
    seed_open = schedule([{**holiday, "name": "Open day", "action": "open"}], default="closed")
    assert schedule_decision(seed_open, local(2018, 1, 19, 3, 0), CPH)[1] == "open"
    assert schedule_decision(seed_open, local(2018, 1, 20, 0, 0), CPH)[1] == "closed"


def test_next_decision_change() -> None:
    sched = schedule(WEEKLY)
    assert next_decision_change(sched, local(2026, 12, 7, 9, 0), CPH) == datetime(
        2026, 12, 7, 14, 30, tzinfo=UTC
    )
    assert next_decision_change(sched, local(2026, 12, 7, 16, 0), CPH) == datetime(
        2026, 12, 7, 19, 0, tzinfo=UTC
    )
    assert next_decision_change(sched, local(2026, 12, 4, 21, 0), CPH) == datetime(
        2026, 12, 7, 7, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"week": {"mon": {"from": "18:00", "to": "07:00"}}}, "week.mon.0.to"),
        (
            {"week": {"mon": [{"from": "07:00", "to": "12:00"}, {"from": "11:00", "to": "13:00"}]}},
            "week.mon.1",
        ),
        ({"week": {"funday": {"from": "07:00", "to": "12:00"}}}, "week.funday"),
        ({"week": {"mon": {"from": "7", "to": "12:00"}}}, "week.mon.0.from"),
        ({"exceptions": ["2026-02-30"]}, "exceptions.0"),
        ({"extra": [{"date": "2026-12-05", "from": "14:00", "to": "10:00"}]}, "extra.0.to"),
        ({"holidays": []}, "holidays"),
    ],
)
def test_bad_working_hours_are_refused_naming_the_field(raw: dict[str, object], field: str) -> None:
    with pytest.raises(ConfigValidationError) as err:
        parse_level(raw)
    assert field in err.value.fields, err.value.fields


@pytest.mark.parametrize(
    ("event", "field"),
    [
        (
            {"name": "X", "repeat": "weekly", "weekdays": ["mon"], "from": "15:00", "to": "08:00"},
            "events.0.to",
        ),
        (
            {
                "name": "X",
                "repeat": "weekly",
                "weekdays": ["mon"],
                "start_date": "2026-05-01",
                "end_date": "2026-04-01",
            },
            "events.0.end_date",
        ),
        ({"name": "X", "repeat": "weekly", "weekdays": ["xyz"]}, "events.0.weekdays.0"),
        ({"name": "X", "repeat": "weekly", "weekdays": ["mon"], "action": "forward"}, "events.0.target"),
        (
            {"name": "X", "repeat": "weekly", "weekdays": ["mon"], "action": "forward", "target": "sip:x"},
            "events.0.target",
        ),
        ({"name": "X", "repeat": "once", "start_date": "2026-13-01"}, "events.0.start_date"),
        ({"name": "X", "repeat": "once"}, "events.0.start_date"),
        ({"name": "X", "repeat": "monthly"}, "events.0.repeat"),
        ({"name": "", "repeat": "weekly", "weekdays": ["mon"]}, "events.0.name"),
        ({"name": "X", "repeat": "weekly", "weekdays": ["mon"], "action": "maybe"}, "events.0.action"),
    ],
)
def test_bad_events_are_refused_naming_the_field(event: dict[str, object], field: str) -> None:
    with pytest.raises(ConfigValidationError) as err:
        parse_events([event])
    assert field in err.value.fields, err.value.fields


def test_events_round_trip_as_json() -> None:
    events = parse_events(WEEKLY)
    assert parse_events([e.as_dict() for e in events]) == events
    level = seed(exceptions=["2026-12-24"], extra=[{"date": "2026-12-05", "from": "10:00", "to": "14:00"}])
    assert parse_level(level.as_dict()) == level
    assert level.exceptions == frozenset({date(2026, 12, 24)})


def test_sch_06_extend_today_from_the_end_of_working_time() -> None:
    from cordboard.core.schedules.evaluate import extend_today

    time_ = WorkingTime(seed().week, zone=CPH)
    # Wednesday 15:00: one hour more makes it 18:00-19:00.
    extras, added = extend_today(time_, (), local(2026, 12, 2, 15, 0), 60)
    assert added.as_dict() == {"date": "2026-12-02", "from": "18:00", "to": "19:00"}
    assert in_working_hours(time_.week, (), extras, local(2026, 12, 2, 18, 30), CPH)
    # Extending again continues from 19:00 and merges into one window.
    time_ = WorkingTime(seed().week, extra=extras, zone=CPH)
    extras, added = extend_today(time_, extras, local(2026, 12, 2, 18, 30), 60)
    assert [x.as_dict() for x in extras] == [{"date": "2026-12-02", "from": "18:00", "to": "20:00"}]
    # After hours (or on a day off) it starts now, and ends at midnight at the latest.
    _, added = extend_today(WorkingTime(seed().week, zone=CPH), (), local(2026, 12, 5, 23, 30), 120)
    assert added.as_dict() == {"date": "2026-12-05", "from": "23:30", "to": "24:00"}
