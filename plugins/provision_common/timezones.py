"""Time zone rules of the IANA zones offices use, as desk phones want them: a standard offset,
the daylight saving change dates as "n-th weekday of a month" and the POSIX TZ string.

Phones do not read the IANA database; each vendor has its own codes (Snom ``GER+1``, Yealink
``Germany(Berlin)``) or wants the offset and the DST rule spelled out. The table is data, not
a lookup in the system's tzdata, so that a rendered file depends only on its ``PhoneConfig``.
A zone not in the table falls back to UTC (``ZoneRule.name`` then says ``UTC``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class DstChange:
    """One daylight saving change: the ``week``-th (5 = last) ``weekday`` (0 = Sunday) of
    ``month``, at ``hour`` on the local clock as it reads before the change."""

    month: int
    week: int
    weekday: int
    hour: int


@dataclass(frozen=True, slots=True)
class ZoneRule:
    name: str
    """The IANA name the rule is for (``UTC`` for the fallback)."""
    std_offset_minutes: int
    """Standard time minus UTC, e.g. 60 for Central European Time."""
    posix: str
    """The POSIX TZ string (as in tzdata's footer), e.g. ``CET-1CEST,M3.5.0,M10.5.0/3``."""
    dst_start: DstChange | None = None
    dst_end: DstChange | None = None
    dst_minutes: int = 60

    @property
    def has_dst(self) -> bool:
        return self.dst_start is not None and self.dst_end is not None


def _eu(name: str, hours: int, posix: str) -> ZoneRule:
    # EU rule: last Sunday of March and of October, both at 01:00 UTC.
    return ZoneRule(
        name,
        hours * 60,
        posix,
        dst_start=DstChange(3, 5, 0, 1 + hours),
        dst_end=DstChange(10, 5, 0, 2 + hours),
    )


def _us(name: str, hours: int, posix: str) -> ZoneRule:
    # US/Canada rule: second Sunday of March, first Sunday of November, at 02:00 local time.
    return ZoneRule(
        name,
        hours * 60,
        posix,
        dst_start=DstChange(3, 2, 0, 2),
        dst_end=DstChange(11, 1, 0, 2),
    )


def _fixed(name: str, minutes: int, posix: str) -> ZoneRule:
    return ZoneRule(name, minutes, posix)


_CET: Final = "CET-1CEST,M3.5.0,M10.5.0/3"
_EET: Final = "EET-2EEST,M3.5.0/3,M10.5.0/4"
_CENTRAL_EUROPE: Final = [
    "Amsterdam",
    "Belgrade",
    "Berlin",
    "Bratislava",
    "Brussels",
    "Budapest",
    "Copenhagen",
    "Ljubljana",
    "Luxembourg",
    "Madrid",
    "Malta",
    "Monaco",
    "Oslo",
    "Paris",
    "Prague",
    "Rome",
    "Sarajevo",
    "Skopje",
    "Stockholm",
    "Tirane",
    "Vaduz",
    "Vienna",
    "Warsaw",
    "Zagreb",
    "Zurich",
]
_EASTERN_EUROPE: Final = [
    "Athens",
    "Bucharest",
    "Helsinki",
    "Kiev",
    "Kyiv",
    "Riga",
    "Sofia",
    "Tallinn",
    "Vilnius",
]

UTC: Final = _fixed("UTC", 0, "UTC0")

ZONES: Final[dict[str, ZoneRule]] = {
    "UTC": UTC,
    "Etc/UTC": _fixed("Etc/UTC", 0, "UTC0"),
    "Europe/London": _eu("Europe/London", 0, "GMT0BST,M3.5.0/1,M10.5.0"),
    "Europe/Dublin": _eu("Europe/Dublin", 0, "GMT0IST,M3.5.0/1,M10.5.0"),
    "Europe/Lisbon": _eu("Europe/Lisbon", 0, "WET0WEST,M3.5.0/1,M10.5.0"),
    "Atlantic/Faroe": _eu("Atlantic/Faroe", 0, "WET0WEST,M3.5.0/1,M10.5.0"),
    "Atlantic/Reykjavik": _fixed("Atlantic/Reykjavik", 0, "GMT0"),
    **{f"Europe/{city}": _eu(f"Europe/{city}", 1, _CET) for city in _CENTRAL_EUROPE},
    **{f"Europe/{city}": _eu(f"Europe/{city}", 2, _EET) for city in _EASTERN_EUROPE},
    "Europe/Istanbul": _fixed("Europe/Istanbul", 180, "<+03>-3"),
    "Europe/Moscow": _fixed("Europe/Moscow", 180, "MSK-3"),
    "America/New_York": _us("America/New_York", -5, "EST5EDT,M3.2.0,M11.1.0"),
    "America/Toronto": _us("America/Toronto", -5, "EST5EDT,M3.2.0,M11.1.0"),
    "America/Chicago": _us("America/Chicago", -6, "CST6CDT,M3.2.0,M11.1.0"),
    "America/Denver": _us("America/Denver", -7, "MST7MDT,M3.2.0,M11.1.0"),
    "America/Phoenix": _fixed("America/Phoenix", -420, "MST7"),
    "America/Los_Angeles": _us("America/Los_Angeles", -8, "PST8PDT,M3.2.0,M11.1.0"),
    "America/Vancouver": _us("America/Vancouver", -8, "PST8PDT,M3.2.0,M11.1.0"),
    "America/Anchorage": _us("America/Anchorage", -9, "AKST9AKDT,M3.2.0,M11.1.0"),
    "Pacific/Honolulu": _fixed("Pacific/Honolulu", -600, "HST10"),
    "Asia/Dubai": _fixed("Asia/Dubai", 240, "<+04>-4"),
    "Asia/Kolkata": _fixed("Asia/Kolkata", 330, "IST-5:30"),
    "Asia/Singapore": _fixed("Asia/Singapore", 480, "<+08>-8"),
    "Asia/Shanghai": _fixed("Asia/Shanghai", 480, "CST-8"),
    "Asia/Tokyo": _fixed("Asia/Tokyo", 540, "JST-9"),
}


def zone_rule(name: str) -> ZoneRule:
    """The rule of IANA zone ``name``; UTC for a zone the table does not know."""
    return ZONES.get(name, UTC)


def offset_text(minutes: int, *, hours_only: bool = False) -> str:
    """``+1``, ``-5``, ``+5:30``, ``0``: an offset the way Yealink and others write it."""
    if minutes == 0:
        return "0"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    if rest and not hours_only:
        return f"{sign}{hours}:{rest:02d}"
    return f"{sign}{hours}"
