"""Number types (BAR-01) and what is international (BAR-05): classifying a converted number."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import voluptuous as vol

from cordboard.core.exceptions import ConfigValidationError
from cordboard.core.http.errors import validated

_PREFIX: Final = re.compile(r"^\+?[0-9]{0,15}$")
COUNTRY_CODES: Final = {
    "DK": "45",
    "DE": "49",
    "GB": "44",
    "US": "1",
    "SE": "46",
    "NO": "47",
    "NL": "31",
    "FR": "33",
}
TYPE_TEMPLATES: Final[dict[str, tuple[tuple[str, tuple[str, ...], bool], ...]]] = {
    # (name, prefixes, barred): a new installation's types for its country (BAR-01).
    "DK": (
        ("Premium", ("+4590",), True),
        ("Mobile", ("+452", "+4530", "+4531", "+4540", "+4541", "+4542"), False),
    ),
    "DE": (("Premium", ("+49900",), True), ("Mobile", ("+4915", "+4916", "+4917"), False)),
    "GB": (("Premium", ("+449",), True), ("Mobile", ("+447",), False)),
    "US": (("Premium", ("+1900",), True),),
}


@dataclass(frozen=True, slots=True)
class NumberType:
    id: int
    name: str
    prefixes: tuple[str, ...]
    barred: bool
    """Calls to numbers of this type are refused for everyone (emergency numbers excepted)."""
    released: bool = False
    """International numbers of this type may be called although international calls are blocked
    (BAR-05, released in part)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "prefixes": list(self.prefixes),
            "barred": self.barred,
            "released": self.released,
        }


def classify(number: str, types: Iterable[NumberType]) -> NumberType | None:
    """The type whose prefix is the longest that ``number`` starts with (BAR-01)."""
    best: tuple[int, NumberType] | None = None
    for number_type in types:
        for prefix in number_type.prefixes:
            if number.startswith(prefix) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), number_type)
    return best[1] if best else None


def is_international(number: str, country: str | None) -> bool:
    """A number in E.164 outside the organisation's country (any E.164 number when it is unknown)."""
    if not number.startswith("+"):
        return False
    code = COUNTRY_CODES.get(country or "")
    return code is None or not number.startswith("+" + code)


def prefix(value: Any) -> str:
    """A number prefix (after conversion): digits with an optional leading +."""
    text = str(value).strip().replace(" ", "")
    if not text or not _PREFIX.match(text):
        raise vol.Invalid("a prefix of digits, such as +4590 or 00")
    return text


TYPE_SCHEMA: Final = vol.Schema(
    {
        vol.Required("name"): vol.All(str, vol.Length(min=1, max=40, msg="1 to 40 characters")),
        vol.Required("prefixes"): vol.All([prefix], vol.Length(min=1, max=500, msg="1 to 500 prefixes")),
        vol.Optional("barred", default=False): bool,
        vol.Optional("released", default=False): bool,
    },
    extra=vol.PREVENT_EXTRA,
)


def validate_type(raw: Mapping[str, Any]) -> dict[str, Any]:
    data = validated(TYPE_SCHEMA, raw, "The number type is invalid")
    data["prefixes"] = sorted(set(data["prefixes"]))
    if data["barred"] and data["released"]:
        raise ConfigValidationError(
            "The number type is invalid", {"released": "a barred type cannot be released"}
        )
    return data
