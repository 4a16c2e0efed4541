"""DialPlanService (``core.dialplan``): what happens to a number a user dials that is no one's in the
organisation: emergency numbers first (EMR-01/02, never converted or barred), then conversion
(CNV), classification (BAR-01), barring (barred types, international calls blocked until released,
BAR-05) and the toll-fraud limits (BYD-15). The trunks ask it before choosing a trunk
(``outbound``); ``POST /api/dialplan/test`` shows the same decision. Function numbers (IVR menus,
hunt groups) ask ``blocked_by`` whether their blocking groups (BAR-04) let them send a caller to an
outside number.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cordboard.core.dialplan import storage
from cordboard.core.dialplan.blocking import BlockingGroup
from cordboard.core.dialplan.conversion import DEFAULT_SPECIAL, SPECIAL_NUMBERS, ConversionRule, convert
from cordboard.core.dialplan.numbers import NumberType, classify, is_international
from cordboard.core.dialplan.settings import (
    DAILY_EXTERNAL,
    EMERGENCY,
    INTERNATIONAL,
    MAX_EXTERNAL,
)

if TYPE_CHECKING:
    from cordboard.core.core import Core

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OutboundDecision:
    dialled: str
    number: str
    """What to send to the trunk: the converted number (E.164), or the emergency number as dialled."""
    allowed: bool
    status: int = 200
    reason: str = ""
    emergency: bool = False
    number_type: str | None = None
    rule: ConversionRule | None = None
    international: bool = False
    needs_pin: bool = False
    """BAR-05: refused until the caller enters their PIN (then ``number`` may be dialled)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "dialled": self.dialled,
            "number": self.number,
            "allowed": self.allowed,
            "status": self.status,
            "reason": self.reason,
            "emergency": self.emergency,
            "number_type": self.number_type,
            "rule": self.rule.as_dict() if self.rule else None,
            "international": self.international,
            "needs_pin": self.needs_pin,
        }


class DialPlanService:
    def __init__(self, core: Core) -> None:
        self._core = core
        self.conversions: list[ConversionRule] = []
        self.types: list[NumberType] = []
        self.blocking_groups: list[BlockingGroup] = []
        self._unlisten: list[Callable[[], None]] = []
        self._released_once: dict[str, int] = {}
        self.emergency: frozenset[str] = frozenset()
        """The emergency and special numbers now (kept current), for checks that cannot wait."""

    async def start(self) -> None:
        from cordboard.core.config.settings import EVENT_SETTINGS_CHANGED

        await self._core.db.call(storage.ensure_schema)
        country = await self._core.settings.org_value("core.country")
        if country:
            await self._core.db.call(lambda db: storage.seed_country(db, country))
        await self.reload()
        self._unlisten.append(self._core.bus.listen(EVENT_SETTINGS_CHANGED, self._settings_changed))

    def stop(self) -> None:
        for unlisten in self._unlisten:
            unlisten()
        self._unlisten.clear()

    async def _settings_changed(self, event: Any) -> None:
        keys = event.data.get("keys", [])
        if event.data.get("scope") != "org" or not {"core.country", EMERGENCY} & set(keys):
            return
        self.emergency = frozenset(await self.special_numbers())
        if "core.country" not in keys:
            return
        country = await self._core.settings.org_value("core.country")
        if country and await self._core.db.call(lambda db: storage.seed_country(db, country)):
            _LOGGER.info("Dial plan: the conversions and number types of %s", country)
            await self.reload()

    async def reload(self) -> None:
        self.conversions = await self._core.db.call(storage.list_conversions)
        self.types = await self._core.db.call(storage.list_types)
        self.blocking_groups = await self._core.db.call(storage.list_blocking_groups)
        self.emergency = frozenset(await self.special_numbers())

    async def special_numbers(self) -> list[str]:
        configured = await self._core.settings.org_value(EMERGENCY)
        if configured:
            return str(configured).split()
        country = await self._core.settings.org_value("core.country")
        return list(SPECIAL_NUMBERS.get(country or "", DEFAULT_SPECIAL))

    async def classify_number(self, dialled: str) -> tuple[str, str | None]:
        """What ``dialled`` becomes (conversion) and its number type, if any (BAR-01); emergency
        and special numbers stay as dialled."""
        number, _rule = convert(dialled, self.conversions, await self.special_numbers())
        found = classify(number, self.types)
        return number, found.name if found else None

    def blocking_group_ids(self) -> set[int]:
        return {group.id for group in self.blocking_groups}

    async def blocked_by(self, group_ids: Iterable[int], dialled: str) -> BlockingGroup | None:
        """BAR-04: the first of the blocking groups ``group_ids`` that blocks the outside number
        ``dialled`` (after conversion); None for no such group, an emergency or special number
        (BAR-06) or a number of this PBX (a user's, a function number). Unknown ids are ignored."""
        wanted = set(group_ids)
        groups = [group for group in self.blocking_groups if group.id in wanted]
        if not groups or self._internal(dialled):
            return None
        if dialled in self.emergency:  # kept current: no settings read for each call
            return None
        number, _rule = convert(dialled, self.conversions, sorted(self.emergency))
        found = classify(number, self.types)
        international = is_international(number, await self._core.settings.org_value("core.country"))
        return next(
            (g for g in groups if g.blocks(number, found.name if found else None, international)), None
        )

    def _internal(self, number: str) -> bool:
        calls = getattr(self._core, "calls", None)
        numbers = getattr(self._core, "numbers", None)
        return (calls is not None and calls.find_account(number) is not None) or (
            numbers is not None and numbers.plugin_of(number) is not None
        )

    def release_once(self, number: str) -> None:
        """BAR-05: the caller entered their PIN, so the next call to ``number`` may go out."""
        self._released_once[number] = self._released_once.get(number, 0) + 1

    def _take_release(self, number: str) -> bool:
        left = self._released_once.get(number, 0)
        if not left:
            return False
        if left == 1:
            del self._released_once[number]
        else:
            self._released_once[number] = left - 1
        return True

    async def outbound(
        self, caller: Any, dialled: str, blocking_groups: Iterable[int] = ()
    ) -> OutboundDecision:
        """The decision for ``caller`` (a SIP account or anything with ``user_id``) dialling
        ``dialled``; ``blocking_groups``: as sent on by a function number in those groups (BAR-04)."""
        special = await self.special_numbers()
        if dialled in special:
            return OutboundDecision(dialled, dialled, True, emergency=True, reason="emergency number")
        number, rule = convert(dialled, self.conversions, special)
        found = classify(number, self.types)
        type_name = found.name if found else None
        country = await self._core.settings.org_value("core.country")
        international = is_international(number, country)

        def refuse(status: int, reason: str) -> OutboundDecision:
            return OutboundDecision(
                dialled, number, False, status, reason, False, type_name, rule, international
            )

        if found is not None and found.barred:
            return refuse(403, f"Forbidden - {found.name} Numbers Are Barred")
        blocking = await self.blocked_by(blocking_groups, dialled)
        if blocking is not None:
            return refuse(403, f"Forbidden - Blocked By {blocking.name}")
        user_id = getattr(caller, "user_id", None)
        settings = self._core.settings
        if international and not self._take_release(number):
            policy = (
                await settings.resolve(user_id, INTERNATIONAL)
                if user_id
                else await settings.org_value(INTERNATIONAL)
            )
            if policy == "pin" and not (found is not None and found.released):
                return OutboundDecision(
                    dialled, number, False, 403, "Forbidden - International Calls Need The Release PIN",
                    False, type_name, rule, international, needs_pin=True,
                )  # fmt: skip
            if policy != "released" and not (found is not None and found.released):
                return refuse(403, "Forbidden - International Calls Are Barred")
        limit = int(await settings.org_value(MAX_EXTERNAL) or 0)
        if limit and self._external_calls_now() >= limit:
            return refuse(503, "Service Unavailable - Too Many External Calls")
        if user_id:
            daily = int(await settings.resolve(user_id, DAILY_EXTERNAL) or 0)
            if daily and await self._external_calls_today(user_id) >= daily:
                return refuse(403, "Forbidden - Daily Limit Of External Calls Reached")
        return OutboundDecision(dialled, number, True, 200, "", False, type_name, rule, international)

    def _external_calls_now(self) -> int:
        calls = getattr(self._core, "calls", None)
        if calls is None:
            return 0
        return sum(1 for call in calls.calls.values() if call.record.callee.startswith("+"))

    async def _external_calls_today(self, user_id: int) -> int:
        midnight = dt.datetime.combine(dt.date.today(), dt.time()).timestamp()

        def count(db: Any) -> int:
            row = db.execute(
                "SELECT COUNT(*) FROM calls WHERE caller_user_id = ? AND started >= ? AND callee LIKE '+%'",
                [user_id, midnight],
            ).fetchone()
            return int(row[0])

        return await self._core.db.call(count)
