"""Blocking groups (BAR-04): named limits on the outside numbers a function number (an IVR menu, a
hunt group) may send callers to. A group blocks a converted number when its number type (BAR-01) is
one of the group's, when it is international and the group blocks international numbers, or when it
starts with one of the group's prefixes. Emergency and special numbers are never blocked (BAR-06):
``DialPlanService.blocked_by`` checks that before it asks the groups."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Final

import voluptuous as vol

from cordboard.core.dialplan.numbers import prefix
from cordboard.core.exceptions import ConfigValidationError
from cordboard.core.http.errors import validated


@dataclass(frozen=True, slots=True)
class BlockingGroup:
    id: int
    name: str
    number_types: tuple[str, ...]
    """Names of number types (BAR-01) whose numbers the group blocks."""
    international: bool
    """Every international number is blocked (BAR-05's sense of international)."""
    prefixes: tuple[str, ...]
    """Converted numbers starting with one of these are blocked."""

    def blocks(self, number: str, number_type: str | None, international: bool) -> bool:
        """Whether the group blocks the converted ``number`` of ``number_type``."""
        return (
            (number_type is not None and number_type.casefold() in {t.casefold() for t in self.number_types})
            or (self.international and international)
            or any(number.startswith(p) for p in self.prefixes)
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "number_types": list(self.number_types),
            "international": self.international,
            "prefixes": list(self.prefixes),
        }


BLOCKING_GROUP_SCHEMA: Final = vol.Schema(
    {
        vol.Required("name"): vol.All(str, vol.Strip, vol.Length(min=1, max=40, msg="1 to 40 characters")),
        vol.Optional("number_types", default=list): vol.All([str], vol.Length(max=100)),
        vol.Optional("international", default=False): bool,
        vol.Optional("prefixes", default=list): vol.All(
            [str], vol.Length(max=500, msg="at most 500 prefixes")
        ),
    },
    extra=vol.PREVENT_EXTRA,
)


def validate_blocking_group(raw: Mapping[str, Any], type_names: Collection[str]) -> dict[str, Any]:
    """The checked fields of a blocking group; ``type_names`` are the number types that exist.
    A group must block something: a type, international numbers or a prefix."""
    data = validated(BLOCKING_GROUP_SCHEMA, raw, "The blocking group is invalid")
    known = {name.casefold(): name for name in type_names}
    unknown = [name for name in data["number_types"] if name.casefold() not in known]
    if unknown:
        raise ConfigValidationError(
            "The blocking group is invalid", {"number_types": f"no number type named {unknown[0]}"}
        )
    data["number_types"] = sorted({known[name.casefold()] for name in data["number_types"]})
    prefixes = set()
    for text in data["prefixes"]:
        try:
            prefixes.add(prefix(text))
        except vol.Invalid as err:  # one message for the whole field, naming the wrong prefix
            raise ConfigValidationError(
                "The blocking group is invalid", {"prefixes": f"{text.strip()!r} is not {err.msg}"}
            ) from err
    data["prefixes"] = sorted(prefixes)
    if not (data["number_types"] or data["international"] or data["prefixes"]):
        raise ConfigValidationError(
            "The blocking group is invalid",
            {"number_types": "choose what the group blocks: number types, international numbers or prefixes"},
        )
    return data
