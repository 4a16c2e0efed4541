"""Caller ID (CLI-01, CLI-05, NUM-06): which number a user's calls present, and whether it is hidden.

A user presents one of the numbers the organisation allows them: their own line, its aliases, their
mobile (or phone) number from the profile, and the organisation's switchboard number
(``core.main_number``). They may hide it (CLIR) while ``core.allow_anonymous_calls`` is on. Calls
between users show the caller's extension unless hidden; the trunks present the chosen number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import voluptuous as vol

from cordboard.core.config import validation as cv
from cordboard.core.config.scopes import ALL_SCOPES
from cordboard.core.config.settings import SettingSpec
from cordboard.core.exceptions import ConfigValidationError

if TYPE_CHECKING:
    from cordboard.core.core import Core

PRESENTED: Final = "core.presented_number"
HIDDEN: Final = "core.hide_number"
MAIN_NUMBER: Final = "core.main_number"
ALLOW_ANONYMOUS: Final = "core.allow_anonymous_calls"
ANONYMOUS: Final = ("anonymous", "Anonymous")
"""What a callee's phone shows for a hidden number (RFC 3323's anonymous identity)."""

CALLER_ID_SPECS: Final = (
    SettingSpec(
        key=MAIN_NUMBER,
        validator=vol.Any(None, cv.e164),
        default=None,
        description="The organisation's switchboard number in E.164 (NUM-06): users may present it "
        "on their calls, and rules may send calls to it.",
    ),
    SettingSpec(
        key=ALLOW_ANONYMOUS,
        kind="bool",
        validator=cv.boolean,
        default=True,
        description="Whether users may hide their number on outgoing calls (CLI-05).",
    ),
    SettingSpec(
        key=PRESENTED,
        scopes=frozenset(ALL_SCOPES),
        validator=vol.Any(None, vol.All(str, vol.Length(min=2, max=16))),
        default=None,
        description="The number a user's calls present (CLI-01), one of those allowed to them; "
        "empty: their own line.",
    ),
    SettingSpec(
        key=HIDDEN,
        scopes=frozenset(ALL_SCOPES),
        validator=cv.boolean,
        default=False,
        description="Hide the user's number on their calls (CLIR, CLI-05).",
    ),
)


@dataclass(frozen=True, slots=True)
class Line:
    """One of a user's two personal lines (NUM-04)."""

    number: str
    type: str
    """``office_landline`` or ``office_mobile``."""
    primary: bool

    def as_dict(self) -> dict[str, Any]:
        return {"number": self.number, "type": self.type, "primary": self.primary}


def personal_lines(landline: str | None, mobile: str | None) -> tuple[Line, ...]:
    """NUM-04: the landline (the user's own number) is the primary line and the mobile the
    secondary; a user with only a mobile has it as the primary line."""
    lines = [Line(landline, "office_landline", True)] if landline else []
    if mobile:
        lines.append(Line(mobile, "office_mobile", not lines))
    return tuple(lines)


@dataclass(frozen=True, slots=True)
class CallerIdentity:
    number: str
    name: str
    hidden: bool
    allowed: tuple[str, ...]
    lines: tuple[Line, ...] = ()

    def shown(self) -> tuple[str, str]:
        """(number, name) as the called phone should show them."""
        return ANONYMOUS if self.hidden else (self.number, self.name)

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "name": self.name,
            "hidden": self.hidden,
            "allowed": list(self.allowed),
            "lines": [line.as_dict() for line in self.lines],
        }


async def allowed_numbers(core: Core, user_id: int) -> list[str]:
    """CLI-01: the numbers a user may present, their own line first."""
    user = await core.identity.get_user(user_id)
    owners = await core.numbers.owners()
    found = [user.extension] if user.extension else []
    found += sorted(n for n, o in owners.items() if o.kind == "alias" and o.id == str(user_id))
    found += [n for n in (user.mobile, user.phone) if n]
    main = await core.settings.org_value(MAIN_NUMBER)
    if main:
        found.append(main)
    return list(dict.fromkeys(n.replace(" ", "") for n in found))


async def identity_of(core: Core, user_id: int) -> CallerIdentity:
    user = await core.identity.get_user(user_id)
    allowed = await allowed_numbers(core, user_id)
    chosen = await core.settings.resolve(user_id, PRESENTED)
    number = chosen if chosen in allowed else (allowed[0] if allowed else user.username)
    hidden = bool(await core.settings.resolve(user_id, HIDDEN)) and bool(
        await core.settings.org_value(ALLOW_ANONYMOUS)
    )
    lines = personal_lines(user.extension, (user.mobile or "").replace(" ", "") or None)
    return CallerIdentity(number, user.full_name, hidden, tuple(allowed), lines)


async def choose(core: Core, user_id: int, *, number: str | None, hidden: bool | None) -> CallerIdentity:
    """CLI-01/05: the user's choice, refused by field when the number is not theirs to present or
    anonymous calls are not allowed."""
    allowed = await allowed_numbers(core, user_id)
    errors: dict[str, str] = {}
    if number is not None and number not in allowed:
        errors["number"] = f"not one of your numbers ({', '.join(allowed) or 'none'})"
    if hidden and not await core.settings.org_value(ALLOW_ANONYMOUS):
        errors["hidden"] = "the organisation does not allow hiding your number"
    if errors:
        raise ConfigValidationError("The caller ID is invalid", errors)
    changes: dict[str, Any] = {}
    if number is not None:
        changes[PRESENTED] = number
    if hidden is not None:
        changes[HIDDEN] = hidden
    if changes:
        await core.settings.set_many("user", user_id, changes)
    return await identity_of(core, user_id)
