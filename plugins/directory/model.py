"""A contact (DIR-07, DIR-08): its fields, how a person's input is checked, and how numbers match."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import voluptuous as vol

from cordboard.core.exceptions import ConfigValidationError
from cordboard.core.http.errors import invalid_fields
from cordboard.plugins.directory.const import (
    CONTACT_TYPES,
    MATCH_DIGITS,
    MAX_NUMBERS,
    NUMBER_TYPES,
    SCOPES,
    TEXT_FIELDS,
)

_NUMBER_RE: Final = re.compile(r"^\+?[0-9][0-9 ()./-]{1,30}$")
_SHORT_RE: Final = re.compile(r"^[0-9*#]{1,8}$")
_EMAIL_RE: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    type: str
    number: str
    short: str = ""
    """The abbreviated number (DIR-08), e.g. a speed dial of the number itself."""

    def as_dict(self) -> dict[str, str]:
        return {"type": self.type, "number": self.number, "short": self.short}


@dataclass(frozen=True, slots=True)
class Contact:
    id: int
    scope: str
    scope_id: int | None
    type: str = "contact"
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    department: str = ""
    short_name: str = ""
    street: str = ""
    postcode: str = ""
    city: str = ""
    country: str = ""
    email: str = ""
    speed_dial: str = ""
    mandatory: bool = False
    numbers: tuple[PhoneNumber, ...] = ()
    search_text: str = field(default="", compare=False)

    @property
    def owner(self) -> tuple[str, int | None]:
        """The list the contact is on: ``("org", None)``, ``("group", id)`` or ``("user", id)``."""
        return (self.scope, self.scope_id)

    @property
    def name(self) -> str:
        """How people and phones see the contact: "First Last", else the company, else the short name."""
        person = f"{self.first_name} {self.last_name}".strip()
        return person or self.company or self.short_name

    @property
    def caller_name(self) -> str:
        """What a desk phone shows for the contact's call: the name, and the company when there is room."""
        person = f"{self.first_name} {self.last_name}".strip()
        return f"{person} ({self.company})" if person and self.company else self.name

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "scope": self.scope,
            "scope_id": self.scope_id,
            "type": self.type,
        }
        data.update({name: getattr(self, name) for name in TEXT_FIELDS})
        data["mandatory"] = self.mandatory
        data["numbers"] = [n.as_dict() for n in self.numbers]
        data["name"] = self.name
        return data


def number_key(number: str) -> str:
    """The digits that identify a number whatever its notation: no ``+``, no international ``00``
    and no national trunk ``0`` (``+45 33 12 34 56``, ``0045 33123456`` and ``33123456`` all end in
    ``33123456``; ``030 123456`` and ``+4930123456`` both end in ``30123456``)."""
    digits = "".join(ch for ch in number if ch.isdigit())
    return digits.lstrip("0")


def dialable(number: str) -> str:
    """A number as typed for people (``+45 33 12 34 56``) as a phone dials it (``+4533123456``)."""
    digits = "".join(ch for ch in number if ch.isdigit())
    return "+" + digits if number.strip().startswith("+") else digits


def numbers_match(a: str, b: str) -> bool:
    """Whether two keys (``number_key``) name the same line: equal, or one ends with the other and
    the shorter is a whole subscriber number (``MATCH_DIGITS`` or more)."""
    if not a or not b:
        return False
    short, long = sorted((a, b), key=len)
    return long.endswith(short) and (len(short) >= MATCH_DIGITS or short == long)


def _text(limit: int) -> vol.All:
    return vol.All(vol.Coerce(str), vol.Strip, vol.Length(max=limit, msg=f"at most {limit} characters"))


def _number(value: Any) -> str:
    text = str(value).strip()
    if not _NUMBER_RE.match(text) or len(number_key(text)) < 2:
        raise vol.Invalid("a phone number: digits, optionally starting with +, such as +45 33 12 34 56")
    return text


def _short(value: Any) -> str:
    text = str(value or "").strip()
    if text and not _SHORT_RE.match(text):
        raise vol.Invalid("up to 8 digits")
    return text


def _email(value: Any) -> str:
    text = str(value or "").strip()
    if text and not _EMAIL_RE.match(text):
        raise vol.Invalid("an e-mail address such as anna@example.com")
    return text


NUMBER_SCHEMA: Final = vol.Schema(
    {
        vol.Optional("type", default="work"): vol.In(NUMBER_TYPES, msg=f"one of {', '.join(NUMBER_TYPES)}"),
        vol.Required("number"): _number,
        vol.Optional("short", default=""): _short,
    }
)
CONTACT_SCHEMA: Final = vol.Schema(
    {
        vol.Optional("type", default="contact"): vol.In(
            CONTACT_TYPES, msg=f"one of {', '.join(CONTACT_TYPES)}"
        ),
        **{
            vol.Optional(name, default=""): _text(120)
            for name in TEXT_FIELDS
            if name not in ("email", "speed_dial")
        },
        vol.Optional("email", default=""): vol.All(_text(200), _email),
        vol.Optional("speed_dial", default=""): _short,
        vol.Optional("mandatory", default=False): bool,
        vol.Optional("numbers", default=list): vol.All(
            [NUMBER_SCHEMA], vol.Length(max=MAX_NUMBERS, msg=f"at most {MAX_NUMBERS} numbers")
        ),
        # Where a new contact goes; a contact never moves, so these are ignored on a change.
        vol.Optional("scope"): vol.In(SCOPES, msg=f"one of {', '.join(SCOPES)}"),
        vol.Optional("scope_id"): vol.Any(None, int),
        # What the API sends back and an edit form may return unchanged.
        vol.Optional("id"): object,
        vol.Optional("name"): object,
        vol.Optional("editable"): object,
    },
    extra=vol.PREVENT_EXTRA,
)


def checked_contact(data: Mapping[str, Any]) -> dict[str, Any]:
    """A contact's fields as a person gave them, checked: ConfigValidationError names every bad field."""
    try:
        fields = dict(CONTACT_SCHEMA(dict(data)))
    except vol.Invalid as err:
        raise ConfigValidationError("The contact is invalid", invalid_fields(err)) from None
    errors: dict[str, str] = {}
    if not (fields["first_name"] or fields["last_name"] or fields["company"]):
        errors["last_name"] = "Give a name or a company."
    if not fields["numbers"]:
        errors["numbers"] = "Give at least one phone number."
    if errors:
        raise ConfigValidationError("The contact is invalid", errors)
    for name in ("id", "name", "editable"):
        fields.pop(name, None)
    return fields


def contact_from(row: Mapping[str, Any], numbers: Sequence[Mapping[str, Any]]) -> Contact:
    """A stored row (and its numbers) as a Contact, with the text that searches match."""
    phone_numbers = tuple(PhoneNumber(n["type"], n["number"], n.get("short") or "") for n in numbers)
    values = {name: row.get(name) or "" for name in TEXT_FIELDS}
    words = [
        *values.values(),
        *(n.number for n in phone_numbers),
        *(number_key(n.number) for n in phone_numbers),
    ]
    words += [n.short for n in phone_numbers if n.short]
    return Contact(
        id=int(row["id"]),
        scope=str(row["scope"]),
        scope_id=row.get("scope_id"),
        type=str(row.get("type") or "contact"),
        mandatory=bool(row.get("mandatory")),
        numbers=phone_numbers,
        search_text=" ".join(w for w in words if w).casefold(),
        **values,
    )


def matches_query(text: str, words: Sequence[str]) -> bool:
    """DIR-03: every word of the search occurs somewhere in the entry's text (already casefolded)."""
    return all(word in text for word in words)


def query_words(query: str | None) -> list[str]:
    """The words of a search, casefolded; a word that is a phone number also matches its digits."""
    words = []
    for word in (query or "").casefold().split():
        key = (
            number_key(word)
            if any(ch.isdigit() for ch in word) and not any(ch.isalpha() for ch in word)
            else ""
        )
        words.append(key or word)
    return words
