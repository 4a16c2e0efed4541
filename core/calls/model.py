"""Call records: one per call attempt, published live as ``call.<id>`` and stored as history (CDR)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Final

from cordboard.core.bus import EventType


class CallResult(enum.StrEnum):
    ANSWERED = "answered"
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    CANCELLED = "cancelled"
    FAILED = "failed"
    REJECTED = "rejected"


EVENT_CALL_STARTED: Final = EventType[dict[str, Any]]("call.started")
EVENT_CALL_RINGING: Final = EventType[dict[str, Any]]("call.ringing")
EVENT_CALL_ANSWERED: Final = EventType[dict[str, Any]]("call.answered")
EVENT_CALL_ENDED: Final = EventType[dict[str, Any]]("call.ended")
EVENT_CALL_HISTORY_SAVED: Final = EventType[dict[str, Any]]("call_history.saved")
"""Ended calls are in the call history now: their ``call_ids`` and the ``user_ids`` they concern
(the history pages fetch again on it)."""


@dataclass(slots=True)
class CallRecord:
    """What the history keeps of a call (FEATURES.md CDR-01 basics)."""

    id: str
    sip_call_id: str
    caller: str
    caller_name: str
    caller_user_id: int | None
    callee: str
    callee_name: str
    callee_user_id: int | None
    started: float
    answered: float | None = None
    ended: float | None = None
    result: CallResult | None = None
    sip_code: int | None = None
    reason: str = ""
    route: str = ""
    """What routed it, in words: "rule Night to mobile", "terminals one by one", "diverted to 1003"."""

    def add_route(self, step: str) -> None:
        """Add a step to the route ("trunk provider, DID +4589...; rule Night to mobile")."""
        if self.route.rpartition("; ")[2] != step:
            self.route = f"{self.route}; {step}" if self.route else step

    @property
    def duration(self) -> float:
        if self.answered is None or self.ended is None:
            return 0.0
        return max(0.0, self.ended - self.answered)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "caller": self.caller,
            "caller_name": self.caller_name,
            "caller_user_id": self.caller_user_id,
            "callee": self.callee,
            "callee_name": self.callee_name,
            "callee_user_id": self.callee_user_id,
            "started": self.started,
            "answered": self.answered,
            "ended": self.ended,
            "duration": round(self.duration, 3),
            "result": self.result.value if self.result else None,
            "sip_code": self.sip_code,
            "reason": self.reason,
            "route": self.route,
        }


def result_for_status(status: int) -> CallResult:
    """How a final failure response from the callee side reads in the history."""
    if status in (486, 600):
        return CallResult.BUSY
    if status in (480, 408):
        return CallResult.NO_ANSWER
    if status in (603, 403):
        return CallResult.REJECTED
    if status == 487:
        return CallResult.CANCELLED
    return CallResult.FAILED


def status_for_caller(statuses: list[int]) -> int:
    """The one final response the caller gets when every fork failed (RFC 3261 16.7 spirit)."""
    if not statuses:
        return 480
    for preferred in (486, 600, 603):
        if preferred in statuses:
            return preferred
    best = min(statuses)
    if best in (401, 407):
        return 480  # a phone's own challenge means nothing to the caller
    if 500 <= best < 600:
        return 503
    if best in (404, 408, 410):
        return 480
    return best


def call_event_data(record: CallRecord, user_id: int | None) -> dict[str, Any]:
    """A call's ``call.*`` event payload: the record, its id as ``call_id``, and whose call it is."""
    data = record.as_dict()
    data["call_id"] = data.pop("id")
    data["user_id"] = user_id
    return data
