"""RoutingService (``core.routing``): the routing rules of every level, and the routing test tool
(BYD-25) that answers which rule a call would follow and where it would go, without placing it.

The facts come from the other services: the user's groups (in priority order) from the identity,
availability, activity, role, do-not-disturb and call state from presence, working hours and night
mode from the schedules, the owner of the called number from the number registry (calls to
function numbers follow the function's own settings, RTE-06).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cordboard.core.exceptions import ConfigValidationError, NotFound
from cordboard.core.routing import storage
from cordboard.core.routing.evaluate import Explanation, decide
from cordboard.core.routing.model import RULE_NUMBERS, CallFacts, Rule, validate_rule
from cordboard.core.routing.settings import USER_DESTINATIONS

if TYPE_CHECKING:
    from cordboard.core.core import Core


class RoutingService:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._rules: list[Rule] = []
        """Every rule, as stored (reloaded after each change): calls check them without the database."""

    async def start(self) -> None:
        await self._core.db.call(storage.ensure_schema)
        await self._reload()

    async def _reload(self) -> None:
        self._rules = await self._core.db.call(storage.list_rules)

    def may_apply_outgoing(self) -> bool:
        """Whether any outgoing rule is enabled (calls skip the outgoing rules at no cost when not)."""
        return any(rule.enabled and rule.list == "outgoing" for rule in self._rules)

    async def decide_outgoing(self, user_id: int, *, caller: str, dialled: str) -> Explanation:
        """What a call the user places now follows (RTE-07): their outgoing rules for the number as
        the dial plan converts and classifies it."""
        called, number_type = await self._classified(dialled)
        facts = await self.facts(user_id, caller=caller, called=called, at=self._now())
        facts = dataclasses.replace(facts, number_type=number_type)
        return decide(self._rules, facts, "outgoing")

    def _now(self) -> datetime:
        """Now, by the working-hours clock (one clock for schedules and rules; tests set it)."""
        schedules = getattr(self._core, "schedules", None)
        return schedules.clock() if schedules is not None else datetime.now(UTC)

    async def _classified(self, dialled: str) -> tuple[str, str | None]:
        dialplan = getattr(self._core, "dialplan", None)
        return await dialplan.classify_number(dialled) if dialplan is not None else (dialled, None)

    def may_apply(self, user_id: int, group_ids: Sequence[int] | None = None) -> bool:
        """Whether any enabled incoming or fallback rule could concern calls to this user (when not,
        calls skip the rules at no cost). Group rules count when ``group_ids`` is None (unknown)."""
        for rule in self._rules:
            if not rule.enabled or rule.list not in ("incoming", "fallback"):
                continue
            if rule.scope == "org" or (rule.scope == "user" and rule.scope_id == user_id):
                return True
            if rule.scope == "group" and (group_ids is None or rule.scope_id in group_ids):
                return True
        return False

    async def decide_incoming(
        self, user_id: int, *, caller: str, called: str, after_rule_id: int | None = None
    ) -> Explanation:
        """What a call to the user now follows (the same decision the test tool explains);
        ``after_rule_id``: the next matching rule after that one (VM-05), or none."""
        facts = await self.facts(user_id, caller=caller, called=called, at=self._now())
        return decide(self._rules, facts, "incoming", after_rule_id=after_rule_id)

    async def decide_rule_number(
        self, *, caller: str, called: str, at: datetime | None = None
    ) -> Explanation:
        """RBN-01: where a call to the rule-based number ``called`` goes, by the organisation's
        rules for rule-based numbers (no destinations when none matches)."""
        return decide(
            self._rules, await self._rule_number_facts(caller, called, at or self._now()), RULE_NUMBERS
        )

    async def _rule_number_facts(self, caller: str, called: str, at: datetime) -> CallFacts:
        """The facts of a call that concerns no user yet: who calls, what they called, and whether
        it is inside the organisation's working hours."""
        schedules = getattr(self._core, "schedules", None)
        working = await schedules.org_in_working_hours(at) if schedules is not None else True
        return CallFacts(
            user_id=0,
            at=at,
            in_working_hours=working,
            caller_kind=await self._caller_kind(caller),
            caller_number=caller,
            called_number=called,
        )

    # -- rules ----------------------------------------------------------------------------------
    async def rules(self, scope: str | None = None, scope_id: int | None = None) -> list[Rule]:
        if scope is None:
            return list(self._rules)
        return await self._core.db.call(lambda db: storage.list_rules(db, scope, scope_id))

    async def get(self, rule_id: int) -> Rule:
        return await self._core.db.call(lambda db: storage.get_rule(db, rule_id))

    async def _validated(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        own: frozenset[str] = frozenset()
        if raw.get("scope") == "user" and isinstance(raw.get("scope_id"), int):
            own = await self._numbers_of(int(raw["scope_id"]))
        data = validate_rule(raw, own_numbers=own)
        if data["scope"] == "user":
            allowed = await self._core.settings.resolve(data["scope_id"], USER_DESTINATIONS)
            errors = {
                f"destinations.{i}.kind": f"not allowed in your rules (allowed: {', '.join(allowed)})"
                for i, d in enumerate(data["destinations"])
                if d["kind"] not in allowed
            }
            if errors:
                raise ConfigValidationError("The rule is invalid", errors)
        return data

    async def _numbers_of(self, user_id: int) -> frozenset[str]:
        owners = await self._core.numbers.owners()
        return frozenset(n for n, o in owners.items() if o.kind in ("user", "alias") and o.id == str(user_id))

    async def create(self, raw: Mapping[str, Any]) -> Rule:
        data = await self._validated(raw)
        rule = await self._core.db.call(lambda db: storage.create_rule(db, data))
        await self._reload()
        return rule

    async def update(self, rule_id: int, raw: Mapping[str, Any]) -> Rule:
        current = await self.get(rule_id)
        whole = {**current.as_dict(), **raw}
        for key in ("id", "position"):
            whole.pop(key, None)
        data = await self._validated(whole)
        rule = await self._core.db.call(lambda db: storage.update_rule(db, rule_id, data))
        await self._reload()
        return rule

    async def delete(self, rule_id: int) -> None:
        await self._core.db.call(lambda db: storage.delete_rule(db, rule_id))
        await self._reload()

    async def reorder(self, ids: Sequence[int]) -> list[Rule]:
        ordered = await self._core.db.call(lambda db: storage.reorder(db, ids))
        await self._reload()
        return ordered

    # -- facts and decisions --------------------------------------------------------------------
    async def facts(self, user_id: int, *, caller: str, called: str, at: datetime) -> CallFacts:
        """What the rules see for a call between ``caller`` and ``called`` concerning ``user_id``."""
        user = await self._core.identity.get_user(user_id)
        groups = [g.id for g in await self._core.identity.list_groups() if g.id in user.groups]
        presence = getattr(self._core, "presence", None)
        state = presence.get(user_id) if presence is not None else None
        schedules = getattr(self._core, "schedules", None)
        working = True
        if schedules is not None:
            working = not (await schedules.status(user_id, at)).night_mode
        return CallFacts(
            user_id=user_id,
            at=at,
            availability=state.availability if state else "available",
            activity_id=state.activity_id if state else None,
            role_id=state.role_id if state else None,
            dnd=state.dnd if state else False,
            in_call=bool(state and state.call_state.value != "idle"),
            phones_registered=self._registered(user),
            in_working_hours=working,
            caller_kind=(kind := await self._caller_kind(caller)),
            caller_number=caller,
            caller_contact=self._caller_contact(user_id, caller, kind),
            called_number=called,
            group_ids=tuple(groups),
        )

    def _registered(self, user: Any) -> bool:
        sip = getattr(self._core, "sip", None)
        if sip is None:
            return False
        account = sip.accounts.find(user.extension or user.username)
        return account is not None and bool(sip.targets(account))

    def _caller_contact(self, user_id: int, caller: str, kind: str) -> str:
        """What the caller is in the user's contacts: colleagues are colleagues, an outside number
        is what the address books say (DIR), else unknown."""
        if kind == "internal":
            return "colleague"
        if kind == "anonymous":
            return "unknown"
        from cordboard.core.calls.address_book import look_up_number

        match = look_up_number(self._core, user_id, caller)
        return match.kind if match is not None and match.kind else "unknown"

    async def _caller_kind(self, caller: str) -> str:
        if not caller or caller.lower() in ("anonymous", "unknown"):
            return "anonymous"
        owner = await self._core.numbers.owner_of(caller)
        if owner is not None and owner.kind in ("user", "alias"):
            return "internal"
        users = await self._core.identity.list_users()
        return "internal" if any(u.username == caller for u in users) else "external"

    async def explain(
        self, *, caller: str, number: str, at: datetime | None = None, direction: str = "incoming"
    ) -> Explanation:
        """BYD-25: the rules a call would meet and where it would go; nothing is dialled.

        ``incoming``: a call from ``caller`` to ``number`` (the called user's rules). ``outgoing``:
        the rules of the calling user (``caller`` is their number) for dialling ``number``."""
        when = at or self._now()
        if direction == "outgoing":
            owner = await self._core.numbers.owner_of(caller)
            if owner is None or owner.kind not in ("user", "alias"):
                raise NotFound(f"{caller} is not a user's number")
            called, number_type = await self._classified(number)
            facts = await self.facts(int(owner.id), caller=caller, called=called, at=when)
            return decide(await self.rules(), dataclasses.replace(facts, number_type=number_type), "outgoing")
        owner = await self._core.numbers.owner_of(number)
        if owner is None:
            raise NotFound(f"Nobody owns {number}: the caller would hear that it does not exist")
        if owner.kind == "plugin" and owner.id == RULE_NUMBERS:
            return await self.decide_rule_number(caller=caller, called=number, at=when)
        if owner.kind == "plugin":
            facts = CallFacts(user_id=0, at=when, caller_number=caller, called_number=number)
            note = f"{number} is a function number of the {owner.id} plugin: its own settings decide (RTE-06)"
            return Explanation(facts, [], None, (), "function", note)
        facts = await self.facts(int(owner.id), caller=caller, called=number, at=when)
        return decide(await self.rules(), facts, "incoming")
