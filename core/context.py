"""Context(id, parent_id, user_id): the causality chain carried by events, states and service calls."""

from __future__ import annotations

import contextvars
import time
from dataclasses import dataclass, field
from typing import Any

from cordboard.core.random_tokens import token_bytes

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_PAIRS = tuple(a + b for a in _CROCKFORD for b in _CROCKFORD)
"""Two Crockford digits for each 10-bit value: a ULID is 13 look-ups (ids are made per call)."""


def ulid_now() -> str:
    """A 26-character ULID: 48 bits of milliseconds then 80 random bits, so ids sort by time."""
    value = (time.time_ns() // 1_000_000 << 80) | int.from_bytes(token_bytes(10), "big")
    return "".join([_PAIRS[(value >> shift) & 1023] for shift in range(120, -10, -10)])


@dataclass(frozen=True, slots=True)
class Context:
    """Who and what caused a change; ``parent_id`` links a chain (inbound call -> IVR -> ACD ...)."""

    user_id: str | None = None
    parent_id: str | None = None
    id: str = field(default_factory=ulid_now)

    def child(self, user_id: str | None = None) -> Context:
        """A new context caused by this one."""
        return Context(user_id=user_id if user_id is not None else self.user_id, parent_id=self.id)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "parent_id": self.parent_id, "user_id": self.user_id}


current_context: contextvars.ContextVar[Context | None] = contextvars.ContextVar(
    "cordboard_context", default=None
)
