"""The event bus: typed events with a Context; ``listen()`` returns the callable that unsubscribes."""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from cordboard.core.const import MATCH_ALL
from cordboard.core.context import Context, current_context

_LOGGER = logging.getLogger(__name__)
_DataT = TypeVar("_DataT", bound=Mapping[str, Any])


class EventType(str, Generic[_DataT]):
    """An event name that carries the TypedDict type of its payload."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Event(Generic[_DataT]):
    """One fired event: its type, payload, causing context and time fired (epoch seconds)."""

    event_type: str
    data: _DataT
    context: Context
    time_fired: float = field(default_factory=time.time)

    def as_dict(self) -> dict[str, Any]:
        return {
            "event_type": self.event_type,
            "data": dict(self.data),
            "context": self.context.as_dict(),
            "time_fired": self.time_fired,
        }


Listener = Callable[[Event[Any]], Coroutine[Any, Any, None] | None]
EventFilter = Callable[[Event[Any]], bool]
TaskSpawner = Callable[[Coroutine[Any, Any, Any], str], "asyncio.Task[Any]"]


@dataclass(slots=True)
class _Subscription:
    listener: Listener
    event_filter: EventFilter | None
    is_coroutine: bool


class EventBus:
    """Dispatches events to listeners.

    Plain functions are called synchronously during ``fire`` (they must not block); coroutine
    functions run as tracked tasks, so a slow listener never delays the one who fired.
    """

    def __init__(self, spawn: TaskSpawner) -> None:
        self._spawn = spawn
        self._listeners: dict[str, list[_Subscription]] = {}

    def listen(
        self,
        event_type: str,
        listener: Listener,
        *,
        event_filter: EventFilter | None = None,
    ) -> Callable[[], None]:
        """Subscribe ``listener`` to ``event_type`` (or ``MATCH_ALL``); returns the unsubscribe callable."""
        sub = _Subscription(listener, event_filter, inspect.iscoroutinefunction(listener))
        self._listeners.setdefault(event_type, []).append(sub)

        def remove() -> None:
            subs = self._listeners.get(event_type)
            if subs and sub in subs:
                subs.remove(sub)
                if not subs:
                    del self._listeners[event_type]

        return remove

    def listen_once(self, event_type: str, listener: Listener) -> Callable[[], None]:
        """Like ``listen`` but the listener is removed after its first event."""
        remove: Callable[[], None] | None = None

        def once(event: Event[Any]) -> Coroutine[Any, Any, None] | None:
            if remove is not None:
                remove()
            return listener(event)

        remove = self.listen(event_type, once)
        return remove

    def listener_count(self) -> dict[str, int]:
        return {name: len(subs) for name, subs in self._listeners.items()}

    def fire(
        self,
        event_type: EventType[_DataT] | str,
        data: _DataT | None = None,
        context: Context | None = None,
    ) -> Event[Any]:
        """Fire an event now. Without a context, the current one (or a fresh one) is used."""
        ctx = context or current_context.get() or Context()
        event: Event[Any] = Event(str(event_type), data if data is not None else {}, ctx)
        subs = [*self._listeners.get(str(event_type), ()), *self._listeners.get(MATCH_ALL, ())]
        for sub in subs:
            if sub.event_filter is not None and not sub.event_filter(event):
                continue
            self._dispatch(sub, event)
        return event

    def _dispatch(self, sub: _Subscription, event: Event[Any]) -> None:
        token = current_context.set(event.context)
        try:
            if sub.is_coroutine:
                result = sub.listener(event)
                assert inspect.iscoroutine(result)
                self._spawn(result, f"listener for {event.event_type}")
            else:
                sub.listener(event)
        except Exception:
            _LOGGER.exception("Error in listener %r for %s", sub.listener, event.event_type)
        finally:
            current_context.reset(token)
