"""What a feature code is (registered by the core or a plugin) and what its handler receives."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from cordboard.core.exceptions import CordboardError

if TYPE_CHECKING:
    from cordboard.core.calls.channel import Channel
    from cordboard.core.core import Core

PROMPT_UNKNOWN: Final = "feature_unknown"
PROMPT_NOT_ALLOWED: Final = "feature_not_allowed"


class FeatureRefused(CordboardError):
    """A handler refuses the code (no right, no such target): the caller hears ``prompt``."""

    def __init__(self, reason: str, prompt: str = PROMPT_NOT_ALLOWED) -> None:
        super().__init__(reason)
        self.reason = reason
        self.prompt = prompt


@dataclass(frozen=True, slots=True)
class FeatureRequest:
    """A dialled code for its handler: who dialled it, on or off, and its fields by name."""

    core: Core
    channel: Channel
    user_id: int
    """The caller; 0 for a caller who is no user here (an outside caller transferred to the code)."""
    on: bool
    fields: Mapping[str, str]
    code: FeatureCode


FeatureHandler = Callable[[FeatureRequest], Awaitable[Sequence[str] | None]]
"""Does what the code asks. Returns the prompts that confirm it (the engine answers, plays them and
hangs up), or None when it drove the channel itself (a pickup bridges the call). Raises
FeatureRefused to have the caller told why not."""


@dataclass(frozen=True, slots=True)
class FeatureCode:
    """One code: ``*CODE*FIELD*`` to use or turn on, ``#CODE#`` (``**CODE*FIELD*`` with fields) to
    turn off. ``on_fields`` / ``off_fields`` name the fields of each form; None: no such form."""

    key: str
    """Stable id (``forward_all``): the admin's digits are stored under it."""
    default: str
    """The digits it has until an admin changes them (``21``)."""
    label: str
    feature: str
    """The catalogue's row (``FC-09``)."""
    handler: FeatureHandler
    on_fields: tuple[str, ...] | None = ()
    off_fields: tuple[str, ...] | None = None
    description: str = ""
    transfer_target: bool = False
    """A call may be transferred to the code (``*1*EXT*``: to EXT's voicemail, PKP-09); it then
    runs for the transferred caller, who may be no user here."""

    def fields_for(self, on: bool) -> tuple[str, ...] | None:
        return self.on_fields if on else self.off_fields

    def forms(self, digits: str) -> dict[str, str | None]:
        """What a person dials: ``{"on": "*21*NUMBER*", "off": "#21#"}``."""

        def form(prefix: str, fields: tuple[str, ...] | None) -> str | None:
            if fields is None:
                return None
            if not fields:
                return f"{prefix}{digits}{'#' if prefix == '#' else '*'}"
            return prefix + "*".join([digits, *(f.upper() for f in fields)]) + "*"

        return {
            "on": form("*", self.on_fields),
            "off": form("#" if not self.off_fields else "**", self.off_fields),
        }


@dataclass(frozen=True, slots=True)
class ActiveCode:
    """A registered code with the digits it answers to now."""

    code: FeatureCode
    digits: str
    source: str
    """``core`` or the plugin's domain."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.code.key,
            "feature": self.code.feature,
            "label": self.code.label,
            "description": self.code.description,
            "code": self.digits,
            "default": self.code.default,
            "source": self.source,
            "forms": self.code.forms(self.digits),
            "on_fields": list(self.code.on_fields) if self.code.on_fields is not None else None,
            "off_fields": list(self.code.off_fields) if self.code.off_fields is not None else None,
        }
