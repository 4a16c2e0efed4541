"""Live domain states (``extension.1001``, ``system_info.uptime``) and their state_changed events."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final, TypedDict

from cordboard.core.bus import EventBus, EventType
from cordboard.core.context import Context

VALID_ENTITY_ID: Final = re.compile(r"^[a-z0-9_]+\.[A-Za-z0-9_\-]+$")


def valid_entity_id(entity_id: str) -> bool:
    return bool(VALID_ENTITY_ID.match(entity_id))


@dataclass(frozen=True, slots=True)
class State:
    """An immutable snapshot of one entity's state."""

    entity_id: str
    state: str
    attributes: Mapping[str, Any] = field(default_factory=dict)
    context: Context = field(default_factory=Context)
    last_changed: float = field(default_factory=time.time)
    last_updated: float = field(default_factory=time.time)

    @property
    def domain(self) -> str:
        return self.entity_id.split(".", 1)[0]

    @property
    def object_id(self) -> str:
        return self.entity_id.split(".", 1)[1]

    def as_dict(self) -> dict[str, Any]:
        return {
            "entity_id": self.entity_id,
            "state": self.state,
            "attributes": dict(self.attributes),
            "context": self.context.as_dict(),
            "last_changed": self.last_changed,
            "last_updated": self.last_updated,
        }


class StateChangedData(TypedDict):
    entity_id: str
    old_state: State | None
    new_state: State | None


EVENT_STATE_CHANGED: Final = EventType[StateChangedData]("state_changed")

PersistHook = Callable[[State | None, str], None]


class StateMachine:
    """Holds the current State of every entity; each change fires ``state_changed``.

    Entities marked ``persist=True`` are handed to ``persist_hook`` so they survive a restart.
    """

    def __init__(self, bus: EventBus, persist_hook: PersistHook | None = None) -> None:
        self._bus = bus
        self._states: dict[str, State] = {}
        self._persisted: set[str] = set()
        self._persist_hook = persist_hook

    def set_persist_hook(self, hook: PersistHook | None) -> None:
        self._persist_hook = hook

    def get(self, entity_id: str) -> State | None:
        return self._states.get(entity_id.lower())

    def all(self, domain: str | None = None) -> list[State]:
        if domain is None:
            return list(self._states.values())
        return [s for s in self._states.values() if s.domain == domain]

    def entity_ids(self, domain: str | None = None) -> list[str]:
        return [s.entity_id for s in self.all(domain)]

    def set(
        self,
        entity_id: str,
        new_state: str,
        attributes: Mapping[str, Any] | None = None,
        *,
        context: Context | None = None,
        force_update: bool = False,
        persist: bool = False,
    ) -> State:
        """Set an entity's state. Nothing fires when state and attributes are unchanged."""
        entity_id = entity_id.lower()
        if not valid_entity_id(entity_id):
            raise ValueError(f"Invalid entity id {entity_id!r}: expected <domain>.<object_id>")
        attrs = MappingProxyType(dict(attributes or {}))
        old = self._states.get(entity_id)
        same_state = old is not None and old.state == new_state
        if same_state and old is not None and old.attributes == attrs and not force_update:
            return old
        now = time.time()
        state = State(
            entity_id,
            str(new_state),
            attrs,
            context or Context(),
            last_changed=old.last_changed if same_state and old is not None else now,
            last_updated=now,
        )
        self._states[entity_id] = state
        if persist:
            self._persisted.add(entity_id)
        if entity_id in self._persisted and self._persist_hook is not None:
            self._persist_hook(state, entity_id)
        self._bus.fire(
            EVENT_STATE_CHANGED,
            StateChangedData(entity_id=entity_id, old_state=old, new_state=state),
            state.context,
        )
        return state

    def restore(self, state: State) -> None:
        """Put back a persisted state at start-up, without firing."""
        self._states[state.entity_id] = state
        self._persisted.add(state.entity_id)

    def remove(self, entity_id: str, *, context: Context | None = None) -> bool:
        entity_id = entity_id.lower()
        old = self._states.pop(entity_id, None)
        if old is None:
            return False
        if entity_id in self._persisted:
            self._persisted.discard(entity_id)
            if self._persist_hook is not None:
                self._persist_hook(None, entity_id)
        self._bus.fire(
            EVENT_STATE_CHANGED,
            StateChangedData(entity_id=entity_id, old_state=old, new_state=None),
            context or Context(),
        )
        return True
