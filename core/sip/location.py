"""The location service: registered contacts (bindings) per user, with expiry (sans-IO, clock injected)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

MAX_BINDINGS_PER_USER: Final = 5  # TERM-01: up to five terminals per user


@dataclass(frozen=True, slots=True)
class Binding:
    """One registered contact of a user (RFC 3261 10.3)."""

    user_id: int
    contact: str
    """The Contact URI as the device sent it (where requests to it are addressed)."""
    call_id: str
    cseq: int
    expires_at: float
    registered_at: float
    transport: str
    source_host: str
    source_port: int
    """Where the REGISTER came from: requests are sent there (NAT-friendly, RFC 3581 spirit)."""
    user_agent: str = ""
    instance_id: str = ""
    """``+sip.instance`` (RFC 5626) when the device sends one: the stable device identity."""

    def remaining(self, now: float) -> int:
        return max(0, int(self.expires_at - now + 0.5))

    @property
    def key(self) -> str:
        return self.instance_id or self.contact


class OutOfOrderRegister(Exception):
    """Same Call-ID with a CSeq not higher than the stored one (RFC 3261 10.3 step 7)."""


@dataclass(frozen=True, slots=True)
class ContactUpdate:
    """One Contact of a REGISTER: its URI, granted expiry (0 removes) and device identity."""

    contact: str
    expires: int
    instance_id: str = ""


class LocationService:
    """Bindings by user id. Every method takes ``now``; nothing here reads a clock or does I/O."""

    def __init__(self, *, max_bindings: int = MAX_BINDINGS_PER_USER) -> None:
        self._max = max_bindings
        self._by_user: dict[int, dict[str, Binding]] = {}

    def bindings(self, user_id: int, now: float) -> list[Binding]:
        """Live bindings of a user, most recently registered first."""
        live = [b for b in self._by_user.get(user_id, {}).values() if b.expires_at > now]
        return sorted(live, key=lambda b: b.registered_at, reverse=True)

    def all(self, now: float) -> list[Binding]:
        return [b for user_id in list(self._by_user) for b in self.bindings(user_id, now)]

    def restore(self, bindings: Iterable[Binding]) -> None:
        for binding in bindings:
            self._by_user.setdefault(binding.user_id, {})[binding.key] = binding

    def update(
        self,
        user_id: int,
        updates: list[ContactUpdate],
        *,
        call_id: str,
        cseq: int,
        now: float,
        transport: str,
        source_host: str,
        source_port: int,
        user_agent: str = "",
    ) -> tuple[list[Binding], list[Binding]]:
        """Apply a REGISTER's contacts; returns (added or refreshed, removed) bindings.

        When a user would exceed the binding limit, the binding that would lapse first makes room:
        a phone that rebooted onto a new port must not be locked out by its own stale binding.
        """
        current = self._by_user.setdefault(user_id, {})
        for update in updates:
            existing = current.get(update.instance_id or update.contact)
            if existing is not None and existing.call_id == call_id and cseq <= existing.cseq:
                raise OutOfOrderRegister(f"CSeq {cseq} is not higher than {existing.cseq}")
        changed: list[Binding] = []
        removed: list[Binding] = []
        for update in updates:
            key = update.instance_id or update.contact
            if update.expires == 0:
                gone = current.pop(key, None)
                if gone is not None:
                    removed.append(gone)
                continue
            old = current.get(key)
            binding = Binding(
                user_id=user_id,
                contact=update.contact,
                call_id=call_id,
                cseq=cseq,
                expires_at=now + update.expires,
                registered_at=old.registered_at if old is not None else now,
                transport=transport,
                source_host=source_host,
                source_port=source_port,
                user_agent=user_agent,
                instance_id=update.instance_id,
            )
            current[key] = binding
            changed.append(binding)
        removed.extend(self._expire_user(user_id, now))
        # Make room from the binding that will lapse first among those this REGISTER did not
        # refresh: a stale binding (a phone that rebooted onto a new port) stops being refreshed,
        # while a desk phone that registered long ago but refreshes keeps its place.
        fresh = {b.key for b in changed}
        live = sorted(current.values(), key=lambda b: (b.key in fresh, b.expires_at, b.registered_at))
        while len(live) > self._max:
            oldest = live.pop(0)
            del current[oldest.key]
            removed.append(oldest)
        return changed, removed

    def remove_all(self, user_id: int) -> list[Binding]:
        """Unregister everything of a user (``Contact: *`` or a locked user)."""
        return list(self._by_user.pop(user_id, {}).values())

    def remove_flow(self, transport: str, host: str, port: int) -> list[Binding]:
        """Drop and return the bindings registered over one connection (it closed: nothing can reach
        those phones through it, and their own port behind NAT cannot be connected to)."""
        gone: list[Binding] = []
        for user_id in list(self._by_user):
            current = self._by_user[user_id]
            for binding in [
                b
                for b in current.values()
                if (b.transport, b.source_host, b.source_port) == (transport, host, port)
            ]:
                del current[binding.key]
                gone.append(binding)
            if not current:
                del self._by_user[user_id]
        return gone

    def expire(self, now: float) -> list[Binding]:
        """Drop and return every binding whose time is up."""
        expired: list[Binding] = []
        for user_id in list(self._by_user):
            expired.extend(self._expire_user(user_id, now))
        return expired

    def _expire_user(self, user_id: int, now: float) -> list[Binding]:
        current = self._by_user.get(user_id, {})
        gone = [b for b in current.values() if b.expires_at <= now]
        for binding in gone:
            del current[binding.key]
        if not current:
            self._by_user.pop(user_id, None)
        return gone
