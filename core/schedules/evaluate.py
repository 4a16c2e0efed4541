"""Evaluating schedules (SCH-01..09): pure functions over model.py's dataclasses and an aware time.

Working hours and events are wall-clock times in a time zone (zoneinfo), so a window 07:00-18:00
starts at 07:00 local time on the days daylight-saving time begins and ends as on any other day.
``next_*_change`` answer when the answer next changes, for timers and the UI; they are exact
across DST changes (a boundary inside a skipped hour takes effect when the clocks jump).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo

from cordboard.core.exceptions import ConfigValidationError
from cordboard.core.schedules.model import (
    MINUTES_PER_DAY,
    Action,
    ExtraWindow,
    HoursLevel,
    Schedule,
    ScheduleEvent,
    WeekHours,
    Window,
    WorkingTime,
)

HORIZON_DAYS: Final = 400
"""How far ahead ``next_*_change`` looks; beyond it they answer None (re-armed timers look again)."""


@lru_cache(maxsize=64)
def zone_info(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("schedules are evaluated at an aware datetime (with a time zone)")
    return at


def local_clock(at: datetime, zone: str) -> tuple[date, float]:
    """The local date and minute of the day (with fractions) of ``at`` in ``zone``."""
    local = _aware(at).astimezone(zone_info(zone))
    minute = local.hour * 60 + local.minute + local.second / 60 + local.microsecond / 60_000_000
    return local.date(), minute


# -- working hours (SCH-01..05) ----------------------------------------------------------------


def in_working_hours(
    hours: WeekHours | None,
    exceptions: Iterable[date],
    extra: Iterable[ExtraWindow],
    at: datetime,
    zone: str = "UTC",
) -> bool:
    """Whether ``at`` is working time: inside an extra window of that date (SCH-03), else not on
    an exception date (SCH-02) and inside one of the weekday's windows (SCH-01).

    ``hours`` None (nobody defined working hours) counts every moment as working time.
    """
    day, minute = local_clock(at, zone)
    if any(x.day == day and x.window.contains(minute) for x in extra):
        return True
    if hours is None:
        return True
    if day in set(exceptions):
        return False
    return any(w.contains(minute) for w in hours[day.weekday()])


def working(time_: WorkingTime, at: datetime) -> bool:
    """``in_working_hours`` of a resolved WorkingTime."""
    return in_working_hours(time_.week, time_.exceptions, time_.extra, at, time_.zone)


def resolve_working_time(levels: Sequence[tuple[str, HoursLevel]], zone: str) -> WorkingTime:
    """A user's working time from the levels that apply, most general first: ("org", ...),
    ("group:<id>", ...) by group rank (priority 1 first), ("user", ...).

    Each part (weekly hours, exceptions, extra windows) comes from the most specific level that
    defines it, like a scalar setting (SET-01/02): the user's own, else the highest-ranked group's,
    else the organisation's. So the organisation's holidays still apply to a user with hours of
    their own, unless that user (or a group) sets a list of exceptions too.
    """
    user = [(label, level) for label, level in levels if label == "user"]
    groups = [(label, level) for label, level in levels if label.startswith("group:")]
    org = [(label, level) for label, level in levels if label == "org"]
    ordered = [*user, *groups, *org]
    sources: dict[str, str] = {}
    week: WeekHours | None = None
    exceptions: frozenset[date] = frozenset()
    extra: tuple[ExtraWindow, ...] = ()
    for label, level in ordered:
        if level.week is not None and "week" not in sources:
            week, sources["week"] = level.week, label
        if level.exceptions is not None and "exceptions" not in sources:
            exceptions, sources["exceptions"] = level.exceptions, label
        if level.extra is not None and "extra" not in sources:
            extra, sources["extra"] = level.extra, label
    return WorkingTime(week, exceptions, extra, zone, sources)


@dataclass(frozen=True, slots=True)
class UserHours:
    """What decides a user's night mode: their working time and their own override (SCH-05)."""

    working_time: WorkingTime
    night_mode_off: bool = False
    """The user turned night mode off until they turn it back on: always inside working hours."""


def night_mode(user: UserHours, at: datetime) -> bool:
    """Night mode (SCH-04): outside the user's working hours, unless they turned it off (SCH-05)."""
    return not user.night_mode_off and not working(user.working_time, at)


def _working_boundaries(time_: WorkingTime) -> Callable[[date], Iterable[int]]:
    extra_by_day: dict[date, list[int]] = {}
    for x in time_.extra:
        extra_by_day.setdefault(x.day, []).extend((x.window.start, x.window.end))
    week = time_.week or ((),) * 7

    def boundaries(day: date) -> Iterable[int]:
        return [0, *(m for w in week[day.weekday()] for m in (w.start, w.end)), *extra_by_day.get(day, ())]

    return boundaries


def next_working_change(time_: WorkingTime, after: datetime) -> datetime | None:
    """The first moment after ``after`` at which ``working()`` changes (UTC), or None."""
    if time_.week is None:
        return None  # always working time (extra windows add nothing to it)
    if not any(time_.week or ()) and not time_.extra:
        return None  # never working time
    return next_change(lambda at: working(time_, at), _working_boundaries(time_), after, time_.zone)


def next_night_mode_change(user: UserHours, after: datetime) -> datetime | None:
    if user.night_mode_off:
        return None
    return next_working_change(user.working_time, after)


def extend_today(
    time_: WorkingTime, own_extra: Iterable[ExtraWindow], at: datetime, minutes: int
) -> tuple[tuple[ExtraWindow, ...], ExtraWindow]:
    """SCH-06: a level's extra windows with today's working time extended by ``minutes``.

    The extension starts where today's working time ends (the latest end of today's weekly and
    extra windows) while that is still ahead, else now; it is merged with an extra window it
    touches and ends at midnight at the latest. Returns (the new extra windows, the one added).
    """
    day, minute = local_clock(at, time_.zone)
    today = [w.end for w in (time_.week or ((),) * 7)[day.weekday()]]
    today += [x.window.end for x in time_.extra if x.day == day]
    ends_ahead = [end for end in today if end >= minute]
    start = max(ends_ahead) if ends_ahead else int(minute)
    end = min(MINUTES_PER_DAY, start + minutes)
    if end <= start:
        raise ConfigValidationError("Nothing left of today to extend", {"minutes": "today has ended"})
    kept: list[ExtraWindow] = []
    window = Window(start, end)
    for extra in own_extra:
        if extra.day == day and extra.window.start <= window.end and window.start <= extra.window.end:
            window = Window(min(window.start, extra.window.start), max(window.end, extra.window.end))
        else:
            kept.append(extra)
    added = ExtraWindow(day, window)
    return tuple(sorted([*kept, added])), added


# -- function-number schedules (SCH-07..09) ----------------------------------------------------


def event_matches(event: ScheduleEvent, day: date, minute: float) -> bool:
    """Whether the event's time matches local ``day`` and ``minute``."""
    if event.repeat == "always":
        return True
    if event.repeat == "once":
        assert event.start_date is not None
        last = event.end_date or event.start_date
        return (event.start_date, event.start) <= (day, minute) < (last, event.end)
    if day.weekday() not in event.weekdays:
        return False
    if (event.start_date and day < event.start_date) or (event.end_date and day > event.end_date):
        return False
    return event.start <= minute < event.end


def _decision_index(schedule: Schedule, at: datetime, zone: str) -> int:
    day, minute = local_clock(at, zone)
    for index, event in enumerate(schedule.events):
        if event_matches(event, day, minute):
            return index
    return -1


def schedule_decision(schedule: Schedule, at: datetime, zone: str = "UTC") -> tuple[ScheduleEvent, Action]:
    """The event that decides at ``at`` and its action: the first matching event from the top,
    else the default event "Always" (SCH-07); a one-off event above weekly ones wins (SCH-09)."""
    index = _decision_index(schedule, at, zone)
    event = schedule.default if index < 0 else schedule.events[index]
    return event, event.action


def decision_index(schedule: Schedule, at: datetime, zone: str = "UTC") -> int | None:
    """The position of the deciding event in ``schedule.events``; None for the default event."""
    index = _decision_index(schedule, at, zone)
    return None if index < 0 else index


def _schedule_boundaries(schedule: Schedule) -> Callable[[date], Iterable[int]]:
    def boundaries(day: date) -> Iterable[int]:
        result = [0]
        for event in schedule.events:
            if event.repeat == "weekly" and day.weekday() in event.weekdays:
                result += [event.start, event.end]
            elif event.repeat == "once":
                if day == event.start_date:
                    result.append(event.start)
                if day == (event.end_date or event.start_date):
                    result.append(event.end)
        return result

    return boundaries


def next_decision_change(schedule: Schedule, after: datetime, zone: str = "UTC") -> datetime | None:
    """The first moment after ``after`` at which another event decides (UTC), or None."""
    if not schedule.events:
        return None
    return next_change(
        lambda at: _decision_index(schedule, at, zone), _schedule_boundaries(schedule), after, zone
    )


# -- the generic search for the next change ----------------------------------------------------


def _instants(day: date, minute: int, zone: ZoneInfo) -> set[datetime]:
    """The UTC instants at which the local clock in ``zone`` shows ``day`` + ``minute``: one
    normally, two in a repeated hour; for a skipped wall time, both readings (the real change
    is then the transition, which ``_transitions`` adds)."""
    wall = datetime.combine(day, time()) + timedelta(minutes=minute)
    return {wall.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1)}


def _transitions(day: date, zone: ZoneInfo) -> list[datetime]:
    """The UTC instant(s) during ``day`` at which the zone's offset changes (to the second)."""
    start = datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)
    if start.astimezone(zone).utcoffset() == end.astimezone(zone).utcoffset():
        return []
    low, high = start, end
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == start.astimezone(zone).utcoffset():
            low = middle
        else:
            high = middle
    return [high.replace(microsecond=0)]


def next_change(
    state: Callable[[datetime], Hashable],
    boundaries: Callable[[date], Iterable[int]],
    after: datetime,
    zone_name: str,
    horizon_days: int = HORIZON_DAYS,
) -> datetime | None:
    """The first instant after ``after`` where ``state`` differs from its value at ``after``.

    ``state`` may change only where the local clock crosses one of the day's ``boundaries``
    (minutes, 0..1440) or the zone's offset changes; those instants are tested in order.
    """
    zone = zone_info(zone_name)
    after = _aware(after).astimezone(UTC)
    current = state(after)
    first_day = after.astimezone(zone).date() - timedelta(days=1)
    for offset in range(horizon_days + 2):
        day = first_day + timedelta(days=offset)
        candidates: set[datetime] = set(_transitions(day, zone))
        for minute in set(boundaries(day)):
            if 0 <= minute <= MINUTES_PER_DAY:
                candidates |= _instants(day, minute, zone)
        for instant in sorted(c for c in candidates if c > after):
            if state(instant) != current:
                return instant
    return None
