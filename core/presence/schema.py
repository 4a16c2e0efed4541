"""Validators and request schemas for presence: each error names its field (ConfigValidationError)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Final

import voluptuous as vol

from cordboard.core.config import validation as cv
from cordboard.core.exceptions import ConfigValidationError
from cordboard.core.http.errors import invalid_fields
from cordboard.core.identity import fields
from cordboard.core.presence.model import AVAILABILITIES

ID_MAX: Final = 999
"""Activity and role ids are dialled after a feature code: 1 to 3 digits."""
LABEL_MAX: Final = 60
ICON_MAX: Final = 16
DURATION_MAX_MINUTES: Final = 60 * 24 * 31
_NUMBER_RE: Final = re.compile(r"^\+?[0-9]{2,20}$")
_SEPARATORS: Final = re.compile(r"[ ()/.-]")


def availability(value: Any) -> str:
    text = cv.string(value).strip().lower()
    if text not in AVAILABILITIES:
        raise vol.Invalid("expected available or busy")
    return text


def numeric_id(value: Any) -> int:
    """An activity or role id: a whole number from 1 to 999 (keyed after a feature code)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= ID_MAX:
        raise vol.Invalid(f"expected a whole number from 1 to {ID_MAX}")
    return value


def optional_id(value: Any) -> int | None:
    return None if value is None else numeric_id(value)


def label(value: Any) -> str:
    text = " ".join(cv.string(value).split())
    if not text:
        raise vol.Invalid("required")
    if len(text) > LABEL_MAX:
        raise vol.Invalid(f"at most {LABEL_MAX} characters")
    return text


def labels(value: Any) -> dict[str, str]:
    """A name per UI language: ``{"en": "Busy", "da": "Forstyr ikke"}``; empty texts are dropped."""
    if not isinstance(value, dict):
        raise vol.Invalid("expected an object of language: text")
    result: dict[str, str] = {}
    for lang, text in value.items():
        try:
            code = fields.language(lang)
        except vol.Invalid as err:
            raise vol.Invalid(err.msg, path=[lang]) from None
        if text is None or not cv.string(text).strip():
            continue
        try:
            result[code] = label(text)
        except vol.Invalid as err:
            raise vol.Invalid(err.msg, path=[lang]) from None
    return result


def optional_prompt(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return cv.prompt_id(value)


def diallable_number(value: Any) -> str | None:
    """A number calls can be diverted to: an extension, a national or an international number
    (``+4533123456``); spaces, dashes and brackets are dropped. Empty means none."""
    if value is None:
        return None
    text = _SEPARATORS.sub("", cv.string(value).strip())
    if not text:
        return None
    if not _NUMBER_RE.match(text):
        raise vol.Invalid("expected a number to dial: 2 to 20 digits, optionally starting with +")
    return text


def end_time(value: Any) -> float | None:
    """An end time as epoch seconds or ISO 8601 with a time zone (``2026-12-01T17:00:00Z``);
    null for none. Whether it lies in the future is checked against the service's clock."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise vol.Invalid("expected a date and time such as 2026-12-01T17:00:00Z") from None
        if moment.tzinfo is None:
            raise vol.Invalid("give the time zone too, such as 2026-12-01T17:00:00+01:00")
        return moment.timestamp()
    raise vol.Invalid("expected a date and time such as 2026-12-01T17:00:00Z")


def duration_minutes(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= DURATION_MAX_MINUTES:
        raise vol.Invalid(f"expected minutes from 1 to {DURATION_MAX_MINUTES}, or null for no end")
    return value


def icon(value: Any) -> str:
    text = cv.string(value).strip()
    if len(text) > ICON_MAX:
        raise vol.Invalid(f"at most {ICON_MAX} characters")
    return text


PRESENCE_BODY: Final = vol.Schema(
    {
        vol.Optional("availability"): availability,
        vol.Optional("activity_id"): optional_id,
        vol.Optional("role_id"): optional_id,
        vol.Optional("dnd"): cv.boolean,
        vol.Optional("diversion"): diallable_number,
        vol.Optional("until"): end_time,
    },
    extra=vol.PREVENT_EXTRA,
)
ACTIVITY_FIELDS: Final = {
    vol.Required("name"): label,
    vol.Required("show_as"): availability,
    vol.Optional("message", default=None): optional_prompt,
    vol.Optional("labels", default=dict): labels,
}
ACTIVITY_CREATE: Final = vol.Schema(
    {vol.Optional("id"): numeric_id, **ACTIVITY_FIELDS}, extra=vol.PREVENT_EXTRA
)
ACTIVITY_UPDATE: Final = vol.Schema(ACTIVITY_FIELDS, extra=vol.PREVENT_EXTRA)
ROLE_FIELDS: Final = {vol.Required("name"): label, vol.Optional("labels", default=dict): labels}
ROLE_CREATE: Final = vol.Schema({vol.Optional("id"): numeric_id, **ROLE_FIELDS}, extra=vol.PREVENT_EXTRA)
ROLE_UPDATE: Final = vol.Schema(ROLE_FIELDS, extra=vol.PREVENT_EXTRA)
SHORTCUT_BODY: Final = vol.Schema(
    {
        vol.Required("name"): label,
        vol.Optional("activity_id", default=None): optional_id,
        vol.Optional("availability", default=None): vol.Any(None, availability),
        vol.Optional("duration_minutes", default=None): duration_minutes,
        vol.Optional("icon", default=""): icon,
        vol.Optional("diversion", default=None): diallable_number,
    },
    extra=vol.PREVENT_EXTRA,
)

PLAN_BODY: Final = vol.Schema(
    {
        vol.Required("activity_id"): numeric_id,
        vol.Required("start"): vol.All(end_time, vol.NotIn([None], msg="required")),
        vol.Required("end"): vol.All(end_time, vol.NotIn([None], msg="required")),
        vol.Optional("availability", default=None): vol.Any(None, availability),
        vol.Optional("diversion", default=None): diallable_number,
    },
    extra=vol.PREVENT_EXTRA,
)


def validate(schema: vol.Schema, data: Any, what: str = "presence") -> dict[str, Any]:
    """``data`` checked by ``schema``; ConfigValidationError names every bad field."""
    try:
        return dict(schema(data))
    except vol.Invalid as err:
        raise ConfigValidationError(f"Some {what} fields are invalid", invalid_fields(err)) from None
