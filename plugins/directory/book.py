"""The address books in memory (DIR-01..07, SET-05): every contact, who may see and change which,
searching them with the company's users, and knowing an outside caller by their number."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, Final

from cordboard.core.bus import Event, EventType
from cordboard.core.calls.address_book import ContactMatch
from cordboard.core.core import Core
from cordboard.core.exceptions import ConfigValidationError, NotFound, Unauthorized
from cordboard.core.http.access import AuthUser
from cordboard.core.identity.users import User
from cordboard.core.numbers.model import NumberClaim
from cordboard.core.provisioning.vendor import DirectoryEntry
from cordboard.plugins.directory import storage
from cordboard.plugins.directory.const import (
    CONF_BLOCK_CALLERS,
    CONF_NAME_CALLERS,
    CONF_PHONE_BOOK,
    CONF_SHOW_MOBILES,
    MATCH_DIGITS,
    MAX_ENTRIES,
)
from cordboard.plugins.directory.model import (
    Contact,
    checked_contact,
    dialable,
    matches_query,
    number_key,
    numbers_match,
    query_words,
)

_LOGGER = logging.getLogger(__name__)
EVENT_DIRECTORY_CHANGED = EventType[dict[str, Any]]("directory.changed")
BOOKS = ("all", "company", "own")
FUNCTION_NUMBERS_GROUP: Final = "Function numbers"
"""The phone book group of the function numbers (NUM-11)."""
FUNCTION_KINDS: Final = {"hunt_group": "hunt group", "ivr": "IVR menu", "group_inbox": "group inbox"}
"""What a listed function number is, in words a search finds it by."""

Owner = tuple[str, int | None]


class Directory:
    """All contacts of the organisation, its groups and its users, kept in memory for searches and
    for the caller lookup of every inbound call; changes go to the database first."""

    def __init__(self, core: Core, config: Mapping[str, Any]) -> None:
        self._core = core
        self.config = dict(config)
        self._contacts: dict[int, Contact] = {}
        self._users: dict[int, User] = {}
        self._by_suffix: dict[str, list[tuple[str, Contact]]] = {}

    async def load(self) -> None:
        contacts = await self._core.db.call(storage.all_contacts)
        self._contacts = {c.id: c for c in contacts}
        self._reindex()
        await self.reload_users()

    def _reindex(self) -> None:
        """Every contact number by its last MATCH_DIGITS digits (all of them when shorter), so that
        an inbound call's lookup reads one bucket instead of every contact."""
        index: dict[str, list[tuple[str, Contact]]] = {}
        for contact in self._contacts.values():
            for number in contact.numbers:
                key = number_key(number.number)
                if key:
                    index.setdefault(key[-MATCH_DIGITS:], []).append((key, contact))
        self._by_suffix = index

    async def reload_users(self, event: Event[Any] | None = None) -> None:
        """The users (names, numbers, groups) as the identity service has them now."""
        self._users = {u.id: u for u in await self._core.identity.list_users()}
        if event is not None and event.event_type == "user.deleted":
            gone = int(event.data["user_id"])
            removed = await self._core.db.call(lambda db: storage.delete_owned_by(db, "user", gone))
            if removed:
                self._contacts = {i: c for i, c in self._contacts.items() if c.owner != ("user", gone)}
                self._reindex()
                _LOGGER.info("Removed the %d contacts of deleted user %d", removed, gone)

    # -- who sees and changes what ------------------------------------------------------------
    def _groups_of(self, user_id: int) -> list[int]:
        user = self._users.get(user_id)
        return list(user.groups) if user else []

    def lists_of(self, user_id: int) -> list[Owner]:
        """The lists a user sees, most personal first (SET-05): their own, their groups' by rank,
        the organisation's."""
        return [("user", user_id), *(("group", g) for g in self._groups_of(user_id)), ("org", None)]

    def may_edit_list(self, requester: AuthUser, scope: str, scope_id: int | None) -> bool:
        """Admins change every list; a user their own (DIR-04), and the organisation's or a group's
        when one of their groups has the right to edit the company directory there (DIR-02)."""
        if requester.is_admin or (scope, scope_id) == ("user", requester.id):
            return True
        return scope != "user" and self._core.rights.allows_scope(
            "edit_directory", requester.id, scope, scope_id
        )

    def may_change(self, requester: AuthUser, contact: Contact) -> bool:
        return self.may_edit_list(requester, contact.scope, contact.scope_id)

    def editable_lists(self, requester: AuthUser, group_names: Mapping[int, str]) -> list[dict[str, Any]]:
        """The lists the requester may add contacts to: their own, then the organisation's and the
        groups' that they administer or have the right to edit (DIR-02)."""
        found: list[dict[str, Any]] = [{"scope": "user", "scope_id": requester.id, "name": None}]
        if self.may_edit_list(requester, "org", None):
            found.append({"scope": "org", "scope_id": None, "name": None})
        found += [
            {"scope": "group", "scope_id": group_id, "name": name}
            for group_id, name in group_names.items()
            if self.may_edit_list(requester, "group", group_id)
        ]
        return found

    def check_list_access(self, requester: AuthUser, scope: str, scope_id: int | None) -> None:
        if not self.may_edit_list(requester, scope, scope_id):
            raise Unauthorized(
                "You manage your own contacts; the company directory needs an administrator "
                "or a group with the right to edit it"
            )

    def contact(self, contact_id: int, requester: AuthUser) -> Contact:
        """A contact the requester can see (else NotFound, as if it did not exist)."""
        found = self._contacts.get(contact_id)
        if found is None or not (requester.is_admin or found.owner in self.lists_of(requester.id)):
            raise NotFound(f"No contact with id {contact_id}")
        return found

    def as_dict(self, contact: Contact, requester: AuthUser) -> dict[str, Any]:
        return {**contact.as_dict(), "editable": self.may_change(requester, contact)}

    # -- lists --------------------------------------------------------------------------------
    def list_of(self, scope: str, scope_id: int | None) -> list[Contact]:
        return sorted((c for c in self._contacts.values() if c.owner == (scope, scope_id)), key=_order)

    async def create(
        self, requester: AuthUser, scope: str, scope_id: int | None, data: Mapping[str, Any]
    ) -> Contact:
        return (await self.create_many(requester, scope, scope_id, [checked_contact(data)]))[0]

    async def create_many(
        self, requester: AuthUser, scope: str, scope_id: int | None, checked: Sequence[Mapping[str, Any]]
    ) -> list[Contact]:
        """Add checked contacts to one list (all or none)."""
        self.check_list_access(requester, scope, scope_id)
        taken: dict[str, str] = {}
        for fields in checked:
            self._check_fits(scope, scope_id, fields, None, taken)
        created = await self._core.db.call(lambda db: storage.create_contacts(db, scope, scope_id, checked))
        for contact in created:
            self._contacts[contact.id] = contact
        self._changed(scope, scope_id, requester)
        return created

    async def update(self, requester: AuthUser, contact_id: int, data: Mapping[str, Any]) -> Contact:
        current = self.contact(contact_id, requester)
        if not self.may_change(requester, current):
            raise Unauthorized("This contact is on a list you cannot change")
        fields = checked_contact(data)
        self._check_fits(current.scope, current.scope_id, fields, contact_id, {})
        updated = await self._core.db.call(lambda db: storage.update_contact(db, contact_id, fields))
        self._contacts[contact_id] = updated
        self._changed(current.scope, current.scope_id, requester)
        return updated

    def _check_fits(
        self,
        scope: str,
        scope_id: int | None,
        fields: Mapping[str, Any],
        contact_id: int | None,
        taken: dict[str, str],
    ) -> None:
        """A contact may join a list: only shared lists hold mandatory contacts (DIR-06), and a
        speed dial is one contact's on a list (DIR-16). ``taken`` collects the speed dials of a
        batch being added."""
        if scope == "user" and fields["mandatory"]:
            raise ConfigValidationError(
                "The contact is invalid",
                {"mandatory": "only the organisation's and groups' contacts can be mandatory"},
            )
        code = fields["speed_dial"]
        if not code:
            return
        for other in self._contacts.values():
            if other.owner == (scope, scope_id) and other.id != contact_id and other.speed_dial:
                taken.setdefault(other.speed_dial, other.name)
        if code in taken:
            raise ConfigValidationError(
                "The contact is invalid", {"speed_dial": f"speed dial {code} is already {taken[code]}'s"}
            )
        person = f"{fields['first_name']} {fields['last_name']}".strip()
        taken[code] = person or fields["company"] or fields["short_name"]

    async def delete(self, requester: AuthUser, contact_id: int) -> None:
        current = self.contact(contact_id, requester)
        if not self.may_change(requester, current):
            raise Unauthorized("This contact is on a list you cannot change")
        await self._core.db.call(lambda db: storage.delete_contact(db, contact_id))
        self._contacts.pop(contact_id, None)
        self._changed(current.scope, current.scope_id, requester)

    def _changed(self, scope: str, scope_id: int | None, requester: AuthUser) -> None:
        self._reindex()
        from cordboard.core.context import Context

        self._core.bus.fire(
            EVENT_DIRECTORY_CHANGED,
            {"scope": scope, "scope_id": scope_id},
            Context(user_id=requester.context_id),
        )

    # -- the address book a user sees (DIR-01, DIR-03, DIR-15) -----------------------------------
    def entries(
        self, requester: AuthUser, query: str | None, book: str = "all"
    ) -> tuple[list[dict[str, Any]], int]:
        """The colleagues and contacts the requester sees that match ``query``: favourites first,
        then by name; at most ``MAX_ENTRIES`` (and how many matched)."""
        words = query_words(query)
        lists = self.lists_of(requester.id)
        found: list[tuple[tuple[int, str], dict[str, Any]]] = []
        if book in ("all", "company"):
            for user in self._users.values():
                entry = self._user_entry(user, requester)
                if entry is not None and matches_query(entry.pop("_text"), words):
                    found.append(((1, str(entry["name"]).casefold()), entry))
            for claim in self.function_numbers():  # NUM-11: unless excluded from contact searches
                entry = _function_entry(claim)
                if matches_query(entry.pop("_text"), words):
                    found.append(((1, claim.contact_name.casefold()), entry))
        wanted = lists if book == "all" else lists[:1] if book == "own" else lists[1:]
        for contact in self._contacts.values():
            if contact.owner in wanted and matches_query(contact.search_text, words):
                entry = {"kind": "contact", **self.as_dict(contact, requester)}
                found.append((_order(contact), entry))
        found.sort(key=lambda item: item[0])
        return [entry for _, entry in found[:MAX_ENTRIES]], len(found)

    def _user_entry(self, user: User, requester: AuthUser) -> dict[str, Any] | None:
        if user.locked or not (user.extension or user.phone or user.mobile):
            return None
        numbers = [{"type": "work", "number": user.extension, "short": ""}] if user.extension else []
        if user.phone:
            numbers.append({"type": "work", "number": user.phone, "short": ""})
        if user.mobile and self.config.get(CONF_SHOW_MOBILES, True):
            numbers.append({"type": "mobile", "number": user.mobile, "short": ""})
        rights = self._core.rights
        # PRS-11: a colleague's status only for those whose groups may see it.
        if requester.is_admin or rights.allows("see_status", requester.id, user.id):
            availability, activity, dnd = self._presence_of(user.id)
        else:
            availability, activity, dnd = None, None, False
        text = [user.first_name, user.last_name, user.username, user.email, activity or ""]
        text += [str(n["number"]) for n in numbers] + [number_key(str(n["number"])) for n in numbers]
        return {
            "kind": "user",
            "id": user.id,
            "name": user.full_name.strip() or user.username,
            "extension": user.extension,
            "numbers": numbers,
            "email": user.email,
            "department": "",
            "availability": availability,
            "activity": activity,
            "dnd": dnd,
            # PRS-07: whether the requester may see or plan this colleague's future presence.
            "can_view_plans": requester.is_admin
            or rights.allows("view_future_presence", requester.id, user.id),
            "can_plan": requester.is_admin or rights.allows("edit_future_presence", requester.id, user.id),
            "_text": " ".join(t for t in text if t).casefold(),
        }

    def function_numbers(self) -> list[NumberClaim]:
        """NUM-11: the hunt groups, IVR menus and group inboxes that contact searches list (the
        number registry's; those excluded from contact searches are not among them), by name."""
        numbers = getattr(self._core, "numbers", None)
        listed: dict[str, NumberClaim] = getattr(numbers, "listed", {}) if numbers is not None else {}
        return sorted(listed.values(), key=lambda c: (c.contact_name.casefold(), c.number))

    def _presence_of(self, user_id: int) -> tuple[str | None, str | None, bool]:
        presence = self._core.presence
        if presence is None:
            return None, None, False
        now = presence.get(user_id)
        activity = next((a for a in presence.activities if a.id == now.activity_id), None)
        return now.availability, (activity.name if activity else None), now.dnd

    # -- calls --------------------------------------------------------------------------------
    def lookup(self, user_id: int, number: str) -> ContactMatch | None:
        """The contact that ``number`` is in the address books of ``user_id``: their own list
        first, then their groups' and the organisation's (the most personal entry decides), then
        a colleague's own phone or mobile ("Pia Prinz (mobile)" when she calls from it)."""
        key = number_key(number)
        if not key:
            return None
        candidates = self._by_suffix.get(key[-MATCH_DIGITS:], [])
        for owner in self.lists_of(user_id):
            for found, contact in candidates:
                if contact.owner == owner and numbers_match(key, found):
                    return self._match(contact)
        for user in self._users.values():
            for kind, own in (("phone", user.phone), ("mobile", user.mobile)):
                if own and numbers_match(key, number_key(own)):
                    name = f"{user.full_name.strip() or user.username} ({kind})"
                    named = name if self.config.get(CONF_NAME_CALLERS, True) else ""
                    return ContactMatch(name=named, source=f"the {kind} of user {user.id}", kind="colleague")
        return None

    def shortcut(self, user_id: int, dialled: str) -> str | None:
        """DIR-16: the number a speed dial of the user's contacts stands for (the most personal
        list first): a contact's speed dial calls its first number, a number's abbreviated number
        that number."""
        for owner in self.lists_of(user_id):
            for contact in sorted(self._contacts.values(), key=lambda c: c.id):
                if contact.owner != owner or contact.type == "blocked" or not contact.numbers:
                    continue
                if contact.speed_dial == dialled:
                    return dialable(contact.numbers[0].number)
                for number in contact.numbers:
                    if number.short == dialled:
                        return dialable(number.number)
        return None

    def _match(self, contact: Contact) -> ContactMatch:
        blocked = contact.type == "blocked" and bool(self.config.get(CONF_BLOCK_CALLERS, True))
        name = contact.caller_name if self.config.get(CONF_NAME_CALLERS, True) else ""
        owner = f"{contact.scope} {contact.scope_id}" if contact.scope_id is not None else contact.scope
        return ContactMatch(
            name=name, blocked=blocked, source=f"contact {contact.id} of {owner}", kind=contact.type
        )

    def phone_book(self, user_id: int | None) -> list[DirectoryEntry]:
        """BYD-29: the contacts for a desk phone's phone book (the organisation's, and the phone
        user's groups' and own), each number an entry, blocked contacts left out."""
        if not self.config.get(CONF_PHONE_BOOK, True):
            return []
        lists = self.lists_of(user_id) if user_id is not None else [("org", None)]
        entries = []
        for contact in sorted(self._contacts.values(), key=_order):
            if contact.owner in lists and contact.type != "blocked":
                entries += [
                    DirectoryEntry(_with_type(contact.name, n.type), n.number, "Contacts")
                    for n in contact.numbers
                ]
        entries += [  # NUM-11: the function numbers not excluded from contact searches
            DirectoryEntry(claim.contact_name, claim.number, FUNCTION_NUMBERS_GROUP)
            for claim in self.function_numbers()
        ]
        return entries


def _function_entry(claim: NumberClaim) -> dict[str, Any]:
    """A function number as the address book lists it (NUM-11), with its search text."""
    what = FUNCTION_KINDS.get(claim.function, "function number")
    text = [claim.contact_name, claim.number, number_key(claim.number), what, "function number"]
    return {
        "kind": "function",
        "id": claim.number,
        "name": claim.contact_name,
        "extension": claim.number,
        "function": claim.function,
        "numbers": [{"type": "work", "number": claim.number, "short": ""}],
        "email": "",
        "department": "",
        "_text": " ".join(t for t in text if t).casefold(),
    }


def _order(contact: Contact) -> tuple[int, str]:
    return (0 if contact.type == "favourite" else 1, contact.name.casefold())


def _with_type(name: str, number_type: str) -> str:
    return name if number_type == "work" else f"{name} ({number_type})"
