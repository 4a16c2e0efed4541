"""Group inboxes (GIB-01..04) and voicemail numbers (GIB-07) in memory, for the number registry and
the routing of every call, and their changes (checked against the PBX, then the database, then the
number registry). A group inbox's number takes messages (GIB-02); a voicemail number lets callers
listen: to their own mailbox (``user_inbox``) or, after its code, to a group inbox's.

The numbers are function numbers: NUM-03 has no range purpose for voicemail, so any range that is
not for user lines will do (groups, ivr, rules, any). A group inbox may also have a public number."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from cordboard.core.calls.channel import Channel, ChannelHandler
from cordboard.core.core import Core
from cordboard.core.exceptions import ConfigValidationError, Conflict, NotFound
from cordboard.core.http.errors import validated
from cordboard.core.numbers.function_number_checks import FunctionNumberRules, prompt_problem, unknown_ids
from cordboard.core.numbers.model import NumberClaim
from cordboard.plugins.voicemail import storage
from cordboard.plugins.voicemail.const import DOMAIN, FUNCTION_PURPOSES, KIND_GROUP_INBOX, MAILBOXES_KEY
from cordboard.plugins.voicemail.schema import INBOX_SCHEMA, NUMBER_SCHEMA
from cordboard.plugins.voicemail.storage import GroupInbox, VoicemailNumber

_LOGGER = logging.getLogger(__name__)
INVALID_INBOX = "The group inbox is invalid"
INVALID_NUMBER = "The voicemail number is invalid"
_NUMBERS = FunctionNumberRules(DOMAIN, FUNCTION_PURPOSES, "function numbers")


class GroupInboxes:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._inboxes: dict[int, GroupInbox] = {}
        self._numbers: dict[str, VoicemailNumber] = {}
        self._saving = asyncio.Lock()
        """One change at a time: each is checked against what the one before left."""

    async def load(self) -> None:
        self._inboxes = {i.id: i for i in await self._core.db.call(storage.all_inboxes)}
        self._numbers = {n.number: n for n in await self._core.db.call(storage.all_numbers)}

    # -- reading ------------------------------------------------------------------------------
    def all(self) -> list[GroupInbox]:
        return sorted(self._inboxes.values(), key=lambda i: (len(i.number), i.number))

    def get(self, inbox_id: int) -> GroupInbox:
        inbox = self._inboxes.get(inbox_id)
        if inbox is None:
            raise NotFound(f"No group inbox with id {inbox_id}")
        return inbox

    def numbers(self) -> list[VoicemailNumber]:
        return sorted(self._numbers.values(), key=lambda n: (len(n.number), n.number))

    def by_code(self, code: str) -> GroupInbox | None:
        return next((i for i in self._inboxes.values() if i.code == code), None)

    def member_of(self, inbox: GroupInbox, groups: Sequence[int]) -> bool:
        """GIB-03: a user in one of the member groups."""
        return bool(set(groups) & set(inbox.member_groups))

    def mine(self, groups: Sequence[int]) -> list[GroupInbox]:
        return [i for i in self.all() if self.member_of(i, groups)]

    def claims(self) -> list[NumberClaim]:
        """NUM-07: the inboxes' numbers and the voicemail numbers are the plugin's."""
        found = [
            NumberClaim(
                i.number,
                f"group inbox {i.name}",
                contact_name="" if i.exclude_from_search else i.name,  # NUM-11
                function="group_inbox",
            )
            for i in self.all()
        ]
        for number in self.numbers():
            if number.kind == KIND_GROUP_INBOX and number.inbox_id in self._inboxes:
                label = f"voicemail number of the group inbox {self._inboxes[number.inbox_id].name}"
            else:
                label = "voicemail number (own mailbox)"
            found.append(NumberClaim(number.number, label))
        return found

    def handler(self, dialled: str) -> ChannelHandler | None:
        """The call handler for an inbox's number (GIB-02) or a voicemail number (GIB-04, GIB-07)."""
        from cordboard.plugins.voicemail.inbox_calls import leave_message, listen_at

        inbox = next((i for i in self._inboxes.values() if i.number == dialled), None)
        number = self._numbers.get(dialled)
        mailboxes = self._core.data.get(MAILBOXES_KEY)
        if mailboxes is None or (inbox is None and number is None):
            return None

        async def run(channel: Channel) -> None:
            if inbox is not None:
                await leave_message(mailboxes, inbox, channel)
            elif number is not None:
                await listen_at(self._core, mailboxes, self, number, channel)

        return run

    # -- changes: group inboxes ---------------------------------------------------------------
    async def create(self, data: Mapping[str, Any]) -> GroupInbox:
        async with self._saving:
            fields = await self._checked_inbox(data, None)
            inbox = await self._core.db.call(lambda db: storage.create_inbox(db, fields))
            self._inboxes[inbox.id] = inbox
        _LOGGER.info("Group inbox %s (%s) created", inbox.number, inbox.name)
        await self._core.numbers.refresh()
        return inbox

    async def update(self, inbox_id: int, data: Mapping[str, Any]) -> GroupInbox:
        async with self._saving:
            self.get(inbox_id)
            fields = await self._checked_inbox(data, inbox_id)
            inbox = await self._core.db.call(lambda db: storage.update_inbox(db, inbox_id, fields))
            self._inboxes[inbox.id] = inbox
        _LOGGER.info("Group inbox %s (%s) changed", inbox.number, inbox.name)
        await self._core.numbers.refresh()
        return inbox

    async def delete(self, inbox_id: int) -> None:
        """Delete the inbox with its messages; refused while a voicemail number leads to it."""
        async with self._saving:
            inbox = self.get(inbox_id)
            used = [n.number for n in self._numbers.values() if n.inbox_id == inbox_id]
            if used:
                raise Conflict(
                    f"The voicemail number {', '.join(sorted(used))} leads to the group inbox "
                    f"{inbox.name}: delete it first"
                )
            gone = await self._core.db.call(lambda db: storage.delete_inbox(db, inbox_id))
            del self._inboxes[inbox_id]
        mailboxes = self._core.data.get(MAILBOXES_KEY)
        if mailboxes is not None:
            mailboxes.forget_box(gone)
        _LOGGER.info("Group inbox %s (%s) deleted with %d messages", inbox.number, inbox.name, len(gone))
        await self._core.numbers.refresh()

    # -- changes: voicemail numbers -----------------------------------------------------------
    async def put_number(self, previous: str | None, data: Mapping[str, Any]) -> VoicemailNumber:
        """Add a voicemail number (``previous`` None) or change the one at ``previous``."""
        async with self._saving:
            if previous is not None and previous not in self._numbers:
                raise NotFound(f"No voicemail number {previous}")
            fields = validated(NUMBER_SCHEMA, data, INVALID_NUMBER)
            problems = {"number": await self._number_problem(fields["number"], own=previous)}
            if fields["kind"] == KIND_GROUP_INBOX:
                if fields["inbox_id"] is None:
                    problems["inbox_id"] = "choose the group inbox (create it first)"
                elif fields["inbox_id"] not in self._inboxes:
                    problems["inbox_id"] = f"no group inbox with the id {fields['inbox_id']}"
            else:
                fields["inbox_id"] = None
            errors = {name: problem for name, problem in problems.items() if problem}
            if errors:
                raise ConfigValidationError(INVALID_NUMBER, errors)
            wanted = VoicemailNumber(fields["number"], fields["kind"], fields["inbox_id"])
            await self._core.db.call(lambda db: storage.put_number(db, previous, wanted))
            if previous is not None:
                del self._numbers[previous]
            self._numbers[wanted.number] = wanted
        _LOGGER.info("Voicemail number %s (%s) saved", wanted.number, wanted.kind)
        await self._core.numbers.refresh()
        return wanted

    async def delete_number(self, number: str) -> None:
        async with self._saving:
            if number not in self._numbers:
                raise NotFound(f"No voicemail number {number}")
            await self._core.db.call(lambda db: storage.delete_number(db, number))
            del self._numbers[number]
        _LOGGER.info("Voicemail number %s deleted", number)
        await self._core.numbers.refresh()

    # -- checks ---------------------------------------------------------------------------------
    async def _checked_inbox(self, data: Mapping[str, Any], inbox_id: int | None) -> dict[str, Any]:
        fields = validated(INBOX_SCHEMA, data, INVALID_INBOX)
        for name in ("id", "has_pin", "new", "old"):
            fields.pop(name, None)
        others = [i for i in self._inboxes.values() if i.id != inbox_id]
        own = self._inboxes[inbox_id].number if inbox_id is not None else None
        known_groups = {g.id for g in await self._core.identity.list_groups()}
        had_pin = inbox_id is not None and self._inboxes[inbox_id].pin_hash is not None
        will_have_pin = bool(fields["pin"]) or (fields["pin"] is None and had_pin)
        problems: dict[str, str | None] = {
            "number": await self._number_problem(fields["number"], own=own),
            "code": next(
                (f"{fields['code']} is the code of {o.name}" for o in others if o.code == fields["code"]),
                None,
            ),
            "pin": None
            if will_have_pin or not fields["allow_anonymous_after_pin"]
            else "set a PIN: anonymous callers listen after keying it",
            "greeting_prompt": await prompt_problem(self._core, fields["greeting_prompt"])
            if fields["greeting_prompt"]
            else None,
            "member_groups": "choose at least one user group: their users may listen"
            if not fields["member_groups"]
            else unknown_ids(fields["member_groups"], known_groups, "user group"),
            "sms_groups": unknown_ids(fields["sms_groups"], known_groups, "user group"),
            "email_groups": unknown_ids(fields["email_groups"], known_groups, "user group"),
            "admin_groups": unknown_ids(fields["admin_groups"], known_groups, "user group"),
        }
        errors = {name: problem for name, problem in problems.items() if problem}
        if errors:
            raise ConfigValidationError(INVALID_INBOX, errors)
        return fields

    async def _number_problem(self, number: str, *, own: str | None) -> str | None:
        """Why ``number`` cannot be one of the plugin's (``own``: the one being changed), or None.
        A voicemail number is local (``NUMBER_SCHEMA``); a group inbox's may be public."""
        taken = {i.number: f"the group inbox {i.name}" for i in self._inboxes.values()}
        taken.update({n.number: "a voicemail number" for n in self._numbers.values()})
        if own is not None:
            del taken[own]
        return await _NUMBERS.problem(self._core, number, await self._core.numbers.ranges(), taken=taken)
