"""The schedule data model (SCH-01..09): windows, working hours, function-number schedules, and
their validation from and to JSON.

Times of day are minutes after midnight (0..1440, "24:00" = 1440) and windows are half-open
(``start <= t < end``). Weekdays count from Monday = 0, like ``date.weekday()``. Nothing here
knows about time zones: evaluate.py applies them.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final, Literal

import voluptuous as vol

from cordboard.core.config import validation as cv
from cordboard.core.exceptions import ConfigValidationError
from cordboard.core.http.errors import invalid_fields

MINUTES_PER_DAY: Final = 24 * 60
WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Action = Literal["open", "closed", "forward"]
ACTIONS: Final[tuple[Action, ...]] = ("open", "closed", "forward")
Repeat = Literal["weekly", "once", "always"]
NAME_MAX: Final = 80
EVENTS_MAX: Final = 100
DATES_MAX: Final = 500
_TIME_RE: Final = re.compile(r"^([01][0-9]|2[0-4]):([0-5][0-9])$")
_DIALLABLE_RE: Final = re.compile(r"^\+?[0-9*#]{2,20}$")
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
ALWAYS: Final = "Always"


# -- small value validators --------------------------------------------------------------------


def time_of_day(value: Any) -> int:
    """ "HH:MM" (00:00 to 24:00) as minutes after midnight."""
    match = _TIME_RE.match(cv.string(value).strip()) if isinstance(value, str) else None
    minutes = int(match.group(1)) * 60 + int(match.group(2)) if match else -1
    if not match or minutes > MINUTES_PER_DAY:
        raise vol.Invalid("expected a time from 00:00 to 24:00 such as 07:30")
    return minutes


def format_time(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def iso_date(value: Any) -> date:
    """A calendar date "YYYY-MM-DD" that exists (2026-02-30 does not)."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not re.match(r"^\d{4}-\d{2}-\d{2}$", value.strip()):
        raise vol.Invalid("expected a date such as 2026-12-24")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise vol.Invalid(f"{value.strip()} is not a date in the calendar") from None


def weekday(value: Any) -> int:
    """A weekday: "mon".."sun" (or 0..6, Monday = 0)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
        return value
    if isinstance(value, str) and value.strip().lower()[:3] in WEEKDAYS:
        return WEEKDAYS.index(value.strip().lower()[:3])
    raise vol.Invalid(f"unknown weekday {value!r}: expected one of {', '.join(WEEKDAYS)}")


def diallable(value: Any) -> str:
    """A number the PBX can dial: 2 to 20 digits, * or #, optionally with a leading +."""
    text = cv.string(value).replace(" ", "").strip() if value is not None else ""
    if not _DIALLABLE_RE.match(text):
        raise vol.Invalid("expected a number to dial, such as 1001 or +4533123456")
    return text


def name(value: Any) -> str:
    text = " ".join(cv.string(value).split())
    if not text:
        raise vol.Invalid("required")
    if len(text) > NAME_MAX or _CONTROL.search(text):
        raise vol.Invalid(f"at most {NAME_MAX} characters on one line")
    return text


# -- the model ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, order=True)
class Window:
    """A time window within one day: ``start <= t < end`` in minutes after midnight."""

    start: int
    end: int

    def contains(self, minute: float) -> bool:
        return self.start <= minute < self.end

    def overlaps(self, other: Window) -> bool:
        return self.start < other.end and other.start < self.end

    def as_dict(self) -> dict[str, str]:
        return {"from": format_time(self.start), "to": format_time(self.end)}


WeekHours = tuple[tuple[Window, ...], ...]
"""Seven entries, Monday first; each holds the day's windows (empty: not working that day)."""


@dataclass(frozen=True, slots=True, order=True)
class ExtraWindow:
    """Additional working time on one date (SCH-03), e.g. a late opening."""

    day: date
    window: Window

    def as_dict(self) -> dict[str, str]:
        return {"date": self.day.isoformat(), **self.window.as_dict()}


@dataclass(frozen=True, slots=True)
class HoursLevel:
    """What one level (org, a group, a user) defines; None: not defined here, the level above applies."""

    week: WeekHours | None = None
    exceptions: frozenset[date] | None = None
    extra: tuple[ExtraWindow, ...] | None = None

    @property
    def empty(self) -> bool:
        return self.week is None and self.exceptions is None and self.extra is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "week": None if self.week is None else week_as_dict(self.week),
            "exceptions": None
            if self.exceptions is None
            else [d.isoformat() for d in sorted(self.exceptions)],
            "extra": None if self.extra is None else [x.as_dict() for x in self.extra],
        }


@dataclass(frozen=True, slots=True)
class WorkingTime:
    """A user's (or a level's) effective working hours, in its time zone.

    ``week`` None means no level defines working hours: every moment counts as working time, so
    night mode never starts for someone nobody gave hours to.
    """

    week: WeekHours | None
    exceptions: frozenset[date] = frozenset()
    extra: tuple[ExtraWindow, ...] = ()
    zone: str = "UTC"
    sources: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    """Where each part comes from: {"week": "group:3", "exceptions": "org", "extra": "user"}."""


@dataclass(frozen=True, slots=True)
class ScheduleEvent:
    """One event of a function-number schedule (SCH-08)."""

    name: str
    repeat: Repeat
    start: int = 0
    end: int = MINUTES_PER_DAY
    weekdays: frozenset[int] = frozenset()
    """For "weekly": the days it applies."""
    start_date: date | None = None
    end_date: date | None = None
    """Weekly: the first and last day it applies (inclusive). Once: the days its start and end
    times fall on (end_date defaults to start_date)."""
    prompt: str | None = None
    action: Action = "open"
    target: str | None = None
    """The number a Forward action dials."""

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "repeat": self.repeat,
            "from": format_time(self.start),
            "to": format_time(self.end),
            "weekdays": [WEEKDAYS[d] for d in sorted(self.weekdays)],
            "start_date": self.start_date.isoformat() if self.start_date else None,
            "end_date": self.end_date.isoformat() if self.end_date else None,
            "prompt": self.prompt,
            "action": self.action,
            "target": self.target,
        }
        return data


def always(action: Action = "open", target: str | None = None, prompt: str | None = None) -> ScheduleEvent:
    """The default event that applies when no other matches (SCH-07)."""
    return ScheduleEvent(name=ALWAYS, repeat="always", action=action, target=target, prompt=prompt)


@dataclass(frozen=True, slots=True)
class Schedule:
    """A function number's schedule: ordered events, the first match decides, else ``default``."""

    id: int
    owner: str
    """Who uses it: "number:1600", a plugin's id such as "ivr:3"."""
    name: str
    events: tuple[ScheduleEvent, ...] = ()
    default: ScheduleEvent = field(default_factory=always)
    updated: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "owner": self.owner,
            "name": self.name,
            "events": [e.as_dict() for e in self.events],
            "default": {
                "action": self.default.action,
                "target": self.default.target,
                "prompt": self.default.prompt,
            },
            "updated": self.updated,
        }


def week_as_dict(week: WeekHours) -> dict[str, list[dict[str, str]]]:
    return {WEEKDAYS[i]: [w.as_dict() for w in windows] for i, windows in enumerate(week)}


# -- parsing and validation (every error names its field) --------------------------------------


class _Errors:
    def __init__(self) -> None:
        self.fields: dict[str, str] = {}

    def add(self, path: str, message: str) -> None:
        self.fields.setdefault(path, message)

    def check(self, path: str, validator: Any, value: Any) -> Any:
        try:
            return validator(value)
        except vol.Invalid as err:
            self.add(path, err.msg)
            return None

    def raise_if_any(self, message: str) -> None:
        if self.fields:
            raise ConfigValidationError(message, self.fields)


def _window(errors: _Errors, path: str, raw: Any) -> Window | None:
    if not isinstance(raw, Mapping):
        errors.add(path, "expected {from, to}")
        return None
    unknown = set(raw) - {"from", "to"}
    for key in sorted(unknown):
        errors.add(f"{path}.{key}", "unknown field")
    start = errors.check(f"{path}.from", time_of_day, raw.get("from"))
    end = errors.check(f"{path}.to", time_of_day, raw.get("to"))
    if start is None or end is None:
        return None
    if end <= start:
        errors.add(f"{path}.to", "the window ends before it starts (or when it starts)")
        return None
    return Window(start, end)


def _no_overlaps(errors: _Errors, path: str, windows: Sequence[tuple[str, Window]]) -> None:
    ordered = sorted(windows, key=lambda item: item[1])
    for (_, first), (second_path, second) in itertools.pairwise(ordered):
        if first.overlaps(second):
            errors.add(second_path, f"overlaps {format_time(first.start)}-{format_time(first.end)}")


def _week(errors: _Errors, path: str, raw: Any) -> WeekHours | None:
    if not isinstance(raw, Mapping):
        errors.add(path, 'expected windows per weekday, e.g. {"mon": [{"from": "07:00", "to": "18:00"}]}')
        return None
    days: list[list[tuple[str, Window]]] = [[] for _ in WEEKDAYS]
    for key, value in raw.items():
        day_path = f"{path}.{key}"
        try:
            day = weekday(key)
        except vol.Invalid as err:
            errors.add(day_path, err.msg)
            continue
        if value is None:
            continue
        items = [value] if isinstance(value, Mapping) else value  # one From/To pair (SCH-01), or a list
        if not isinstance(items, list) or len(items) > 10:
            errors.add(day_path, "expected a list of at most 10 {from, to} windows")
            continue
        for i, item in enumerate(items):
            window = _window(errors, f"{day_path}.{i}", item)
            if window is not None:
                days[day].append((f"{day_path}.{i}", window))
    for day_windows in days:
        if day_windows:
            _no_overlaps(errors, day_windows[0][0].rsplit(".", 1)[0], day_windows)
    return tuple(tuple(sorted(w for _, w in d)) for d in days)


def _exceptions(errors: _Errors, path: str, raw: Any) -> frozenset[date] | None:
    if not isinstance(raw, list) or len(raw) > DATES_MAX:
        errors.add(path, f"expected a list of at most {DATES_MAX} dates")
        return None
    days = [errors.check(f"{path}.{i}", iso_date, value) for i, value in enumerate(raw)]
    return frozenset(d for d in days if d is not None)


def _extra(errors: _Errors, path: str, raw: Any) -> tuple[ExtraWindow, ...] | None:
    if not isinstance(raw, list) or len(raw) > DATES_MAX:
        errors.add(path, f"expected a list of at most {DATES_MAX} {{date, from, to}} windows")
        return None
    result: list[tuple[str, ExtraWindow]] = []
    for i, item in enumerate(raw):
        item_path = f"{path}.{i}"
        if not isinstance(item, Mapping):
            errors.add(item_path, "expected {date, from, to}")
            continue
        day = errors.check(f"{item_path}.date", iso_date, item.get("date"))
        window = _window(errors, item_path, {k: v for k, v in item.items() if k != "date"})
        if day is not None and window is not None:
            result.append((item_path, ExtraWindow(day, window)))
    by_day: dict[date, list[tuple[str, Window]]] = {}
    for item_path, extra in result:
        by_day.setdefault(extra.day, []).append((item_path, extra.window))
    for windows in by_day.values():
        _no_overlaps(errors, windows[0][0], windows)
    return tuple(sorted(x for _, x in result))


def parse_level(raw: Any) -> HoursLevel:
    """A level's working hours from JSON ``{week, exceptions, extra}``; a part left out or null is
    not set at this level (the level above applies)."""
    errors = _Errors()
    if not isinstance(raw, Mapping):
        raise ConfigValidationError("Invalid working hours", {"": "expected an object"})
    for key in sorted(set(raw) - {"week", "exceptions", "extra"}):
        errors.add(key, "unknown field")
    week = None if raw.get("week") is None else _week(errors, "week", raw["week"])
    exceptions = (
        None if raw.get("exceptions") is None else _exceptions(errors, "exceptions", raw["exceptions"])
    )
    extra = None if raw.get("extra") is None else _extra(errors, "extra", raw["extra"])
    errors.raise_if_any("Invalid working hours")
    return HoursLevel(week, exceptions, extra)


def parse_event(raw: Any, path: str = "", *, default: bool = False) -> ScheduleEvent:
    """One schedule event (SCH-08) from JSON; ``default``: the "Always" event (action only)."""
    errors = _Errors()
    event = _event(errors, path, raw, default=default)
    errors.raise_if_any("Invalid schedule event")
    assert event is not None
    return event


def _prefixed(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


_EVENT_KEYS: Final = {
    "name",
    "repeat",
    "from",
    "to",
    "weekdays",
    "start_date",
    "end_date",
    "prompt",
    "action",
    "target",
}


def _event(errors: _Errors, path: str, raw: Any, *, default: bool = False) -> ScheduleEvent | None:
    if not isinstance(raw, Mapping):
        errors.add(path, "expected an event object")
        return None
    allowed = {"prompt", "action", "target"} if default else _EVENT_KEYS
    for key in sorted(set(raw) - allowed):
        errors.add(_prefixed(path, key), "unknown field")
    action = errors.check(
        _prefixed(path, "action"),
        vol.In(ACTIONS, msg="expected open, closed or forward"),
        raw.get("action", "open"),
    )
    target = None
    if action == "forward":
        target = errors.check(_prefixed(path, "target"), diallable, raw.get("target"))
    elif raw.get("target") not in (None, ""):
        errors.add(_prefixed(path, "target"), "only a Forward action has a target")
    prompt = None
    if raw.get("prompt") not in (None, ""):
        prompt = errors.check(_prefixed(path, "prompt"), cv.prompt_id, raw.get("prompt"))
    if default:
        return None if errors.fields else always(action, target, prompt)
    event_name = errors.check(_prefixed(path, "name"), name, raw.get("name"))
    repeat = errors.check(
        _prefixed(path, "repeat"),
        vol.In(("weekly", "once"), msg="expected weekly or once"),
        raw.get("repeat"),
    )
    start = errors.check(_prefixed(path, "from"), time_of_day, raw.get("from", "00:00"))
    end = errors.check(_prefixed(path, "to"), time_of_day, raw.get("to", "24:00"))
    start_date = (
        None
        if raw.get("start_date") in (None, "")
        else errors.check(_prefixed(path, "start_date"), iso_date, raw["start_date"])
    )
    end_date = (
        None
        if raw.get("end_date") in (None, "")
        else errors.check(_prefixed(path, "end_date"), iso_date, raw["end_date"])
    )
    days: set[int] = set()
    raw_days = raw.get("weekdays", [])
    if not isinstance(raw_days, list):
        errors.add(_prefixed(path, "weekdays"), 'expected a list of weekdays such as ["mon", "tue"]')
    else:
        for i, value in enumerate(raw_days):
            day = errors.check(_prefixed(path, f"weekdays.{i}"), weekday, value)
            if day is not None:
                days.add(day)
    if start_date and end_date and end_date < start_date:
        errors.add(_prefixed(path, "end_date"), "the end date is before the start date")
    if repeat == "weekly":
        if isinstance(raw_days, list) and not days and not errors.fields:
            errors.add(_prefixed(path, "weekdays"), "choose at least one weekday")
        if start is not None and end is not None and end <= start:
            errors.add(_prefixed(path, "to"), "the window ends before it starts (or when it starts)")
    elif repeat == "once":
        if start_date is None and _prefixed(path, "start_date") not in errors.fields:
            errors.add(_prefixed(path, "start_date"), "a one-off event needs its date")
        last = end_date or start_date
        if (
            start_date
            and last
            and start is not None
            and end is not None
            and (last, end) <= (start_date, start)
        ):
            errors.add(_prefixed(path, "to"), "the event ends before it starts (or when it starts)")
        if days:
            errors.add(_prefixed(path, "weekdays"), "a one-off event has no weekdays")
    if errors.fields:
        return None
    return ScheduleEvent(
        name=event_name,
        repeat=repeat,
        start=start,
        end=end,
        weekdays=frozenset(days),
        start_date=start_date,
        end_date=end_date if repeat == "weekly" else (end_date or start_date),
        prompt=prompt,
        action=action,
        target=target,
    )


def parse_events(raw: Any, path: str = "events") -> tuple[ScheduleEvent, ...]:
    """An ordered list of events (SCH-07); every invalid field is named, e.g. ``events.2.to``."""
    errors = _Errors()
    if not isinstance(raw, list) or len(raw) > EVENTS_MAX:
        raise ConfigValidationError(
            "Invalid schedule", {path: f"expected a list of at most {EVENTS_MAX} events"}
        )
    events = [_event(errors, f"{path}.{i}", item) for i, item in enumerate(raw)]
    errors.raise_if_any("Invalid schedule")
    return tuple(e for e in events if e is not None)


SCHEDULE_FIELDS: Final = vol.Schema(
    {
        vol.Required("name"): name,
        vol.Required("owner"): vol.All(
            str,
            vol.Match(
                r"^[a-z][a-z0-9_]*:[A-Za-z0-9_.\-+*#]{1,64}$",
                msg="expected an owner such as number:1600 or ivr:3",
            ),
        ),
        vol.Optional("events", default=list): list,
        vol.Optional("default", default=dict): dict,
    },
    extra=vol.PREVENT_EXTRA,
)


def parse_schedule_fields(raw: Any) -> tuple[str, str, tuple[ScheduleEvent, ...], ScheduleEvent]:
    """(name, owner, events, default event) of a schedule's JSON, all fields checked together."""
    fields: dict[str, str] = {}
    try:
        data = SCHEDULE_FIELDS(raw)
    except vol.Invalid as err:
        fields.update(invalid_fields(err))
        data = {}
    events: tuple[ScheduleEvent, ...] = ()
    default = always()
    if isinstance(raw, Mapping):
        try:
            events = parse_events(raw.get("events", []))
        except ConfigValidationError as err:
            fields.update(err.fields)
        try:
            default = parse_event(raw.get("default") or {}, "default", default=True)
        except ConfigValidationError as err:
            fields.update(err.fields)
    if fields:
        raise ConfigValidationError("Invalid schedule", fields)
    return data["name"], data["owner"], events, default


def weekdays_list(days: Iterable[int]) -> list[str]:
    return [WEEKDAYS[d] for d in sorted(days)]
