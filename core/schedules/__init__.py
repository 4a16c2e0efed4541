"""Schedules (SCH): working hours per org, group and user, night mode, and function-number schedules."""

from __future__ import annotations

from cordboard.core.schedules.evaluate import (
    UserHours,
    in_working_hours,
    next_decision_change,
    next_night_mode_change,
    next_working_change,
    night_mode,
    resolve_working_time,
    schedule_decision,
    working,
)
from cordboard.core.schedules.model import (
    ExtraWindow,
    HoursLevel,
    Schedule,
    ScheduleEvent,
    Window,
    WorkingTime,
)

__all__ = [
    "ExtraWindow",
    "HoursLevel",
    "Schedule",
    "ScheduleEvent",
    "UserHours",
    "Window",
    "WorkingTime",
    "in_working_hours",
    "next_decision_change",
    "next_night_mode_change",
    "next_working_change",
    "night_mode",
    "resolve_working_time",
    "schedule_decision",
    "working",
]
