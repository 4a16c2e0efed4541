"""Validators for profile fields that users and settings share: names, phone numbers, language, time zone."""

from __future__ import annotations

import re
import zoneinfo
from typing import Any, Final

import voluptuous as vol

from cordboard.core.config import validation as cv

LANGUAGES: Final = ("en", "de", "da")
DEFAULT_LANGUAGE: Final = "en"
ROLES: Final = ("admin", "user")
NAME_MAX: Final = 100
_PHONE_RE: Final = re.compile(r"^\+?[0-9 ()/.-]{3,32}$")


def name(value: Any) -> str:
    """A person's or group's name: non-empty text of at most 100 characters."""
    text = cv.non_empty_string(value)
    if len(text) > NAME_MAX:
        raise vol.Invalid(f"at most {NAME_MAX} characters")
    return text


def description(value: Any) -> str:
    text = cv.string(value).strip()
    if len(text) > 1000:
        raise vol.Invalid("at most 1000 characters")
    return text


def phone(value: Any) -> str | None:
    """An optional public number as the user types it (``+49 30 1234567``); empty means none."""
    if value is None:
        return None
    text = cv.string(value).strip()
    if not text:
        return None
    if not _PHONE_RE.match(text) or sum(ch.isdigit() for ch in text) < 3:
        raise vol.Invalid("expected a phone number such as +49 30 1234567")
    return text


def optional_extension(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return cv.extension(value)


def language(value: Any) -> str:
    text = cv.string(value).strip().lower()
    if text not in LANGUAGES:
        raise vol.Invalid(f"expected one of {', '.join(LANGUAGES)}")
    return text


def timezone(value: Any) -> str:
    """An IANA time zone name such as ``Europe/Berlin``."""
    text = cv.string(value).strip()
    try:
        zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise vol.Invalid("expected a time zone such as Europe/Berlin") from None
    return text


def optional_timezone(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return timezone(value)


def role(value: Any) -> str:
    text = cv.string(value).strip().lower()
    if text not in ROLES:
        raise vol.Invalid("expected admin or user")
    return text
