"""The nightly auto-logout: at a time of day in the organisation's time zone every seated phone
is freed, so that nobody stays logged in on a desk they left."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cordboard.core.core import Core

_LOGGER = logging.getLogger(__name__)


def seconds_until(at: str, timezone: str, now: datetime) -> float:
    """Seconds from ``now`` (aware) to the next ``HH:MM`` wall-clock time in ``timezone`` (UTC if
    unknown); a time skipped by a daylight-saving change counts as the hour after."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    hour, minute = (int(part) for part in at.split(":"))
    local = now.astimezone(zone)
    target = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if target <= local:
        target = (target.replace(tzinfo=None) + timedelta(days=1)).replace(tzinfo=zone)
    return max(1.0, (target - now).total_seconds())


async def run(core: Core, at: str) -> None:
    """Free every seated phone at ``at`` each day, until cancelled."""
    assert core.provisioning is not None
    while True:
        timezone = str(await core.settings.org_value("core.timezone") or "UTC")
        delay = seconds_until(at, timezone, datetime.now().astimezone())
        await asyncio.sleep(delay)
        freed = await core.provisioning.hot_desk.logout_all("auto-logout")
        _LOGGER.info("Hot desk: auto-logout at %s freed %d phone(s)", at, freed)
        await asyncio.sleep(61)  # not twice in the same minute
