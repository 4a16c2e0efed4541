"""``cv``: small named validators that raise ``vol.Invalid`` with text a person can act on."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any, Final

import voluptuous as vol

_EXTENSION_RE: Final = re.compile(r"^[0-9]{2,8}$")
_E164_RE: Final = re.compile(r"^\+[1-9][0-9]{6,14}$")
_USERNAME_RE: Final = re.compile(r"^[a-z][a-z0-9._-]{0,63}$")
_EMAIL_RE: Final = re.compile(r"^[^@\s]+@[^@\s]+$")
_PIN_RE: Final = re.compile(r"^[0-9]{4,12}$")
_ORG_PROMPT_RE: Final = re.compile(r"^org:[1-9][0-9]{0,17}$")
LOG_LEVELS: Final = ("debug", "info", "warning", "error")


def string(value: Any) -> str:
    """A string; numbers are accepted and turned into text, everything else is refused."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise vol.Invalid("expected text")


def non_empty_string(value: Any) -> str:
    text = string(value).strip()
    if not text:
        raise vol.Invalid("must not be empty")
    return text


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "yes", "on", "1"):
        return True
    if isinstance(value, str) and value.lower() in ("false", "no", "off", "0"):
        return False
    raise vol.Invalid(f"expected true or false, got {value!r}")


def port(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise vol.Invalid(f"expected a port number (1-65535), got {value!r}")
    if not 1 <= value <= 65535:
        raise vol.Invalid(f"port must be between 1 and 65535, got {value}")
    return value


def ip_address(value: Any) -> str:
    try:
        return str(ipaddress.ip_address(string(value)))
    except ValueError:
        raise vol.Invalid(f"expected an IP address such as 0.0.0.0 or ::, got {value!r}") from None


def log_level(value: Any) -> str:
    level = string(value).lower()
    if level not in LOG_LEVELS:
        raise vol.Invalid(f"expected one of {', '.join(LOG_LEVELS)}, got {value!r}")
    return level


def extension(value: Any) -> str:
    text = string(value).strip()
    if not _EXTENSION_RE.match(text):
        raise vol.Invalid("an extension is 2 to 8 digits")
    return text


_DIAL_CODE_RE = re.compile(r"^[*#0-9]{2,12}$")


def dial_code(value: Any) -> str:
    """A number dialled from a phone keypad for a built-in service, such as ``*43``."""
    text = string(value).strip()
    if not _DIAL_CODE_RE.match(text):
        raise vol.Invalid("expected 2 to 12 keypad characters (0-9, * and #), such as *43")
    return text


def e164(value: Any) -> str:
    text = string(value).replace(" ", "")
    if not _E164_RE.match(text):
        raise vol.Invalid("expected an international number such as +4533123456")
    return text


def username(value: Any) -> str:
    text = string(value).strip().lower()
    if not _USERNAME_RE.match(text):
        raise vol.Invalid(
            "a username starts with a letter and holds only a-z, 0-9, '.', '_' or '-' (at most 64)"
        )
    return text


def email(value: Any) -> str:
    text = string(value).strip()
    if not _EMAIL_RE.match(text) or len(text) > 254:
        raise vol.Invalid("expected an e-mail address such as anna@example.com")
    return text


def pin(value: Any) -> str:
    text = string(value).strip()
    if not _PIN_RE.match(text):
        raise vol.Invalid("a PIN is 4 to 12 digits")
    return text


def password(value: Any) -> str:
    if not isinstance(value, str):
        raise vol.Invalid("expected text")
    if len(value) < 8:
        raise vol.Invalid("a password has at least 8 characters")
    if len(value) > 1024:
        raise vol.Invalid("a password has at most 1024 characters")
    return value


def positive_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise vol.Invalid(f"expected a whole number of at least 1, got {value!r}")
    return value


_DIALLABLE_RE = re.compile(r"^\+?[0-9*#]{2,20}$")


def diallable(value: Any) -> str:
    """A number the PBX can dial: 2 to 20 digits, * or #, optionally with a leading +."""
    text = string(value).replace(" ", "").strip() if value is not None else ""
    if not _DIALLABLE_RE.match(text):
        raise vol.Invalid("expected a number to dial, such as 1001 or +4533123456")
    return text


_CLOCK_TIME_RE = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


def clock_time_or_empty(value: Any) -> str:
    """``HH:MM`` (24 hours), or empty for never."""
    text = string(value).strip()
    if text and not _CLOCK_TIME_RE.fullmatch(text):
        raise vol.Invalid("a time such as 03:00 (24 hours), or empty for never")
    return text


def prompt_id(value: Any) -> str:
    """A voice prompt to play: a system prompt's id (``goodbye``) or one of the organisation's own
    (``org:7``, core/media/prompts.py). System ids must exist; whether ``org:<n>`` still exists
    is the database's to say (playback of a deleted one fails as a missing recording)."""
    from cordboard.core.media.prompts import PROMPT_TEXTS  # numpy: loaded only when a prompt is chosen

    text = string(value).strip()
    if _ORG_PROMPT_RE.match(text) or text in PROMPT_TEXTS:
        return text
    raise vol.Invalid("expected a prompt: a system prompt such as goodbye, or one of your own such as org:7")


class MultiSelect:
    """A list of distinct choices out of ``options`` (value -> label), in the options' order; the
    settings UI shows it as a group of checkboxes (``multi_select``)."""

    def __init__(self, options: Mapping[str, str]) -> None:
        self.options = dict(options)

    def __call__(self, value: Any) -> list[str]:
        if not isinstance(value, list):
            raise vol.Invalid(f"expected a list of: {', '.join(self.options)}")
        unknown = [str(v) for v in value if v not in self.options]
        if unknown:
            raise vol.Invalid(f"unknown: {', '.join(unknown)} (choose from {', '.join(self.options)})")
        return [option for option in self.options if option in value]
