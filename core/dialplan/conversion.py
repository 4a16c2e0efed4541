"""Number conversion (CNV-01..08): what a dialled number becomes before it is routed or classified.

A rule has a prefix, "followed by" exactly N digits (None: any number of digits, at least one),
optional intervals those N digits must lie in, and a rewrite prefix that replaces the prefix. When
several rules match, the longest prefix wins, then the narrowest interval (CNV-08). Emergency and
special numbers (CNV-06) are never converted.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import voluptuous as vol

from cordboard.core.exceptions import ConfigValidationError
from cordboard.core.http.errors import validated

_DIGITS: Final = re.compile(r"^[0-9]*$")
_REWRITE: Final = re.compile(r"^\+?[0-9]*$")
MAX_DIGITS: Final = 15


@dataclass(frozen=True, slots=True)
class ConversionRule:
    id: int
    prefix: str
    digits: int | None
    """How many digits follow the prefix (None: any number, at least one)."""
    intervals: tuple[tuple[str, str], ...]
    """Ranges the following digits must lie in, each end with ``digits`` digits; empty: any."""
    rewrite: str
    label: str = ""

    def matches(self, number: str) -> bool:
        if not number.startswith(self.prefix):
            return False
        rest = number[len(self.prefix) :]
        if not rest.isdigit():
            return False
        if self.digits is not None and len(rest) != self.digits:
            return False
        return not self.intervals or any(low <= rest <= high for low, high in self.intervals)

    def width(self) -> int:
        """How many numbers the intervals admit (narrower wins among equal prefixes)."""
        if not self.intervals:
            return 10 ** (self.digits or MAX_DIGITS)
        return sum(int(high) - int(low) + 1 for low, high in self.intervals)

    def apply(self, number: str) -> str:
        return self.rewrite + number[len(self.prefix) :]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "prefix": self.prefix,
            "digits": self.digits,
            "intervals": [list(i) for i in self.intervals],
            "rewrite": self.rewrite,
            "label": self.label,
        }


def best_rule(number: str, rules: Iterable[ConversionRule]) -> ConversionRule | None:
    """CNV-08: of the rules that match, the longest prefix, then the narrowest interval."""
    matching = [r for r in rules if r.matches(number)]
    if not matching:
        return None
    return min(matching, key=lambda r: (-len(r.prefix), r.width(), r.id))


def convert(
    number: str, rules: Iterable[ConversionRule], special: Sequence[str]
) -> tuple[str, ConversionRule | None]:
    """The number to route, and the rule that made it (None: unchanged). Special numbers (112,
    114, ...) and numbers already in E.164 are left as dialled (CNV-06)."""
    if number in special or number.startswith("+"):
        return number, None
    rule = best_rule(number, rules)
    return (rule.apply(number), rule) if rule else (number, None)


def _interval(value: Any) -> tuple[str, str]:
    if isinstance(value, str):
        low, sep, high = value.partition("-")
        if not sep:
            low = high = value
    elif isinstance(value, list | tuple) and len(value) == 2:
        low, high = str(value[0]), str(value[1])
    else:
        raise vol.Invalid("an interval such as 07-15")
    low, high = low.strip(), high.strip()
    if not (low.isdigit() and high.isdigit()) or len(low) != len(high):
        raise vol.Invalid("two numbers of the same length, such as 07-15")
    if low > high:
        raise vol.Invalid("the interval ends before it starts")
    return low, high


def _digits_text(value: Any) -> str:
    text = str(value).strip()
    if not _DIGITS.match(text) or len(text) > MAX_DIGITS:
        raise vol.Invalid(f"digits only (up to {MAX_DIGITS})")
    return text


def _rewrite(value: Any) -> str:
    text = str(value).strip()
    if not _REWRITE.match(text) or len(text) > MAX_DIGITS + 1:
        raise vol.Invalid("digits, optionally after a +, such as +451")
    return text


RULE_SCHEMA: Final = vol.Schema(
    {
        vol.Required("prefix"): _digits_text,
        vol.Optional("digits", default=None): vol.Any(
            None, vol.All(int, vol.Range(min=1, max=MAX_DIGITS, msg=f"1 to {MAX_DIGITS} digits"))
        ),
        vol.Optional("intervals", default=list): [_interval],
        vol.Required("rewrite"): _rewrite,
        vol.Optional("label", default=""): vol.All(str, vol.Length(max=80)),
    },
    extra=vol.PREVENT_EXTRA,
)


def validate_rule(raw: Mapping[str, Any], special: Sequence[str]) -> dict[str, Any]:
    """A conversion rule as entered; errors name the field (``intervals.1``)."""
    data = validated(RULE_SCHEMA, raw, "The conversion rule is invalid")
    errors: dict[str, str] = {}
    if data["intervals"] and data["digits"] is None:
        errors["digits"] = "intervals need a fixed number of digits"
    for index, (low, _high) in enumerate(data["intervals"]):
        if data["digits"] is not None and len(low) != data["digits"]:
            errors[f"intervals.{index}"] = f"each end has {data['digits']} digits"
    spans = sorted(data["intervals"])
    for (_l1, h1), (l2, _h2) in itertools.pairwise(spans):
        if l2 <= h1:
            errors["intervals"] = "the intervals overlap"
    candidate = ConversionRule(0, data["prefix"], data["digits"], tuple(data["intervals"]), "")
    if any(candidate.matches(number) for number in special):
        errors["prefix"] = "emergency and special numbers are never converted (CNV-06)"
    if not data["prefix"] and data["digits"] is None:
        errors["digits"] = "a rule without a prefix needs a number of digits"
    if errors:
        raise ConfigValidationError("The conversion rule is invalid", errors)
    data["intervals"] = [list(i) for i in data["intervals"]]
    return data


COUNTRY_TEMPLATES: Final[dict[str, tuple[tuple[str, int | None, str, str], ...]]] = {
    # (prefix, digits, rewrite, label): CNV-05's international prefix and national numbers.
    "DK": (("00", None, "+", "International"), ("", 8, "+45", "National (8 digits)")),
    "DE": (("00", None, "+", "International"), ("0", None, "+49", "National (0 + area code)")),
    "GB": (("00", None, "+", "International"), ("0", 10, "+44", "National (0 + 10 digits)")),
    "US": (
        ("011", None, "+", "International"),
        ("1", 10, "+1", "Long distance"),
        ("", 10, "+1", "National (10 digits)"),
    ),
}
SPECIAL_NUMBERS: Final[dict[str, tuple[str, ...]]] = {
    # CNV-06 / EMR-01..02: recognised before conversion, sent as dialled, never barred.
    "DK": ("112", "114"),
    "DE": ("110", "112", "115", "116116", "116117"),
    "GB": ("999", "112", "111", "101"),
    "US": ("911", "988", "311", "211"),
}
DEFAULT_SPECIAL: Final = ("112",)
