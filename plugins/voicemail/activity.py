"""What the greeting says of the user's presence (VM-02, VM-03): their current activity and until
when it lasts.

The activity is said by its own prompt (an organisation's prompt the admin chose for it, such as
"I am at lunch"); an activity without one is free text espeak-ng cannot say, so a system sentence
takes its place, chosen by the activity's show-as ("... is busy", "... is away"). The end time is
that of the current timed change (a shortcut's, a planned activity's); when further busy events
follow back to back (the timed change that comes back at its end, a planned activity starting
then), the end of the last of them: lunch 12:00-12:30 and a meeting 12:30-14:00 say "until 14:00",
in the user's time zone. Everything here but ``activity_info`` is pure, for the tests' clocks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cordboard.core.calls.channel import Prompt
from cordboard.core.core import Core
from cordboard.core.media.prompts import say_time
from cordboard.core.presence.model import BUSY, Activity, Presence, PresencePlan
from cordboard.plugins.voicemail.const import ACTIVITY_INFO_SETTING, BACK_TO_BACK_S


def _plan_busy(plan: PresencePlan, activities: Mapping[int, Activity]) -> bool:
    activity = activities.get(plan.activity_id)
    shows = plan.availability or (activity.show_as if activity is not None else None)
    return activity is not None and shows == BUSY


def busy_until(
    presence: Presence,
    plans: Sequence[PresencePlan],
    activities: Mapping[int, Activity],
    now: float,
    *,
    gap_s: float = BACK_TO_BACK_S,
) -> float | None:
    """When the user's current timed presence is over, counting the busy events that follow it
    back to back (at most ``gap_s`` apart): the timed change that comes back at its end, planned
    activities (VM-03). None when the presence has no end time."""
    end = presence.until
    if end is None or end <= now:
        return None
    snapshot: Mapping[str, Any] | None = presence.previous
    while True:
        # What comes back at ``end``: the outer timed change, unless it has ended by then too.
        while snapshot is not None and snapshot.get("until") is not None and float(snapshot["until"]) <= end:
            snapshot = snapshot.get("previous")
        later: list[float] = []
        if (
            snapshot is not None
            and snapshot.get("availability") == BUSY
            and snapshot.get("until") is not None
        ):
            later.append(float(snapshot["until"]))
        later += [
            p.end for p in plans if p.start <= end + gap_s and p.end > end and _plan_busy(p, activities)
        ]
        if not later:
            return end
        end = max(later)


def local_time(epoch: float, zone: str) -> datetime:
    """``epoch`` on the clock of ``zone`` (UTC when the zone is unknown)."""
    try:
        tz: ZoneInfo | Any = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        tz = UTC
    return datetime.fromtimestamp(epoch, tz)


def activity_prompts(activity: Activity, until: datetime | None, language: str) -> list[Prompt]:
    """The prompts that say ``activity`` (its own prompt, else a sentence by its show-as) and,
    with ``until``, "until HH:MM" (VM-02, VM-03)."""
    prompts: list[Prompt] = []
    if activity.message:
        prompts.append(activity.message)
    else:
        prompts.append("vm_activity_busy" if activity.show_as == BUSY else "vm_activity_away")
    if until is not None:
        prompts += ["until", *say_time(until.hour, until.minute, language)]
    return prompts


async def activity_info(core: Core, user_id: int, language: str) -> list[Prompt]:
    """What the greeting of ``user_id``'s mailbox says of their activity now; nothing when they
    did not switch it on (``voicemail.activity_info``) or have no activity."""
    if not await core.settings.resolve(user_id, ACTIVITY_INFO_SETTING):
        return []
    presence_service = core.presence
    if presence_service is None:
        return []
    presence = presence_service.get(user_id)
    activities = {a.id: a for a in presence_service.activities}
    activity = activities.get(presence.activity_id) if presence.activity_id is not None else None
    if activity is None:
        return []
    end = busy_until(presence, presence_service.plans(user_id), activities, presence_service.clock())
    if end is None:
        return activity_prompts(activity, None, language)
    from cordboard.core.schedules.storage import user_zone

    zone = await core.db.call(lambda db: user_zone(db, user_id))
    return activity_prompts(activity, local_time(end, zone), language)
