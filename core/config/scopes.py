"""SettingScope: how a plugin declares the levels (org, group, user) at which one of its fields may be set."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

Scope = Literal["org", "group", "user"]
SettingKind = Literal["scalar", "bool", "list"]
ALL_SCOPES: Final[tuple[Scope, ...]] = ("org", "group", "user")


@dataclass(frozen=True, slots=True, kw_only=True)
class SettingScope:
    """Levels a plugin setting allows and how its values combine across them."""

    scopes: tuple[Scope, ...] = ALL_SCOPES
    """Levels at which the setting may be set; "org" is always allowed."""
    kind: SettingKind = "scalar"
    """scalar: most specific wins; bool: OR-ed across levels; list: added up across levels."""
    user_editable: bool = False
    """Whether a user may set it for themselves in the user portal."""
