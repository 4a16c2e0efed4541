"""Outbound policy settings (BAR-05, BYD-15, CNV-06): international calls, emergency numbers, limits."""

from __future__ import annotations

import re
from typing import Any, Final

import voluptuous as vol

from cordboard.core.config.scopes import ALL_SCOPES
from cordboard.core.config.settings import SettingSpec

INTERNATIONAL: Final = "core.international_calls"
EMERGENCY: Final = "core.emergency_numbers"
MAX_EXTERNAL: Final = "core.max_external_calls"
DAILY_EXTERNAL: Final = "core.daily_external_calls"
_SHORT: Final = re.compile(r"^[0-9]{2,8}$")


def _special(value: Any) -> str:
    """Numbers separated by spaces or commas (a list is taken too); stored as "112 114"."""
    items = value if isinstance(value, list) else re.split(r"[\s,;]+", str(value))
    numbers = [str(v).strip() for v in items if str(v).strip()]
    if not numbers:
        raise vol.Invalid("numbers separated by spaces, such as 112 114")
    bad = [n for n in numbers if not _SHORT.match(n)]
    if bad:
        raise vol.Invalid(f"not a short number: {', '.join(bad)}")
    if "112" not in numbers:
        raise vol.Invalid("112 is always an emergency number")
    return " ".join(sorted(set(numbers), key=lambda n: (len(n), n)))


DIALPLAN_SPECS: Final = (
    SettingSpec(
        key=INTERNATIONAL,
        scopes=frozenset(ALL_SCOPES),
        validator=vol.In(("blocked", "released", "pin"), msg="blocked, released or pin"),
        default="blocked",
        description="Calls to numbers outside the organisation's country (BAR-05, BYD-15): blocked "
        "(the default on a new installation, against toll fraud), released, or pin (released when "
        "the caller enters their own PIN first). Number types marked released are callable even "
        "while international calls are blocked.",
    ),
    SettingSpec(
        key=EMERGENCY,
        validator=_special,
        default=None,
        description="Emergency and special numbers (CNV-06, EMR-01/02): recognised before anything "
        "else, never converted and never barred. Empty: the country's list (DK: 112, 114).",
    ),
    SettingSpec(
        key=MAX_EXTERNAL,
        validator=vol.All(vol.Coerce(int), vol.Range(min=0, max=1000, msg="0 (no limit) to 1000")),
        default=0,
        description="Most calls to external numbers at the same time (BYD-15); 0: no limit.",
    ),
    SettingSpec(
        key=DAILY_EXTERNAL,
        scopes=frozenset(ALL_SCOPES),
        validator=vol.All(vol.Coerce(int), vol.Range(min=0, max=10000, msg="0 (no limit) to 10000")),
        default=0,
        description="Most calls to external numbers a user may place per day (BYD-15); 0: no limit.",
    ),
)
