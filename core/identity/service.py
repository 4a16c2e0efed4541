"""IdentityService: the async face of users, groups, sessions and setup for the HTTP API and plugins."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, NotRequired, TypedDict, TypeVar

import sqlite_utils

from cordboard.core.bus import EventType
from cordboard.core.exceptions import TooManyAttempts, Unauthorized
from cordboard.core.http.access import AuthUser
from cordboard.core.identity import sessions, setup, users
from cordboard.core.identity.passwords import verify_secret
from cordboard.core.identity.sessions import AccountLocked, check_password, ip_key, login_key, token_hash
from cordboard.core.identity.users import Group, User

if TYPE_CHECKING:
    from cordboard.core.core import Core

_LOGGER = logging.getLogger(__name__)
_T = TypeVar("_T")


class UserEventData(TypedDict):
    user_id: int
    changes: NotRequired[list[str]]
    """On ``user.updated``: what changed, when known ("password", "pin", "sip_password", "locked",
    "groups" or profile fields such as "email" and "role"); never a value."""


class GroupEventData(TypedDict):
    group_id: int | None
    """None when the whole order of groups changed."""


EVENT_USER_CREATED: Final[EventType[UserEventData]] = EventType("user.created")
EVENT_USER_UPDATED: Final[EventType[UserEventData]] = EventType("user.updated")
EVENT_USER_DELETED: Final[EventType[UserEventData]] = EventType("user.deleted")
EVENT_GROUP_UPDATED: Final[EventType[GroupEventData]] = EventType("group.updated")
MEMBERSHIP_EVENTS: Final = (EVENT_USER_CREATED, EVENT_USER_UPDATED, EVENT_USER_DELETED, EVENT_GROUP_UPDATED)
"""The events after which who is in which group may differ (listen to EVENT_EXTERNAL_CHANGE too:
another process, such as the CLI, changes users without them)."""


_PROFILE_KEYS: Final = frozenset(
    {
        "username",
        "first_name",
        "last_name",
        "email",
        "phone",
        "mobile",
        "extension",
        "language",
        "timezone",
        "role",
        "locked",
    }
)
"""The fields of ``User`` that ``update_user`` may change, named in ``changes`` of ``user.updated``."""


def auth_user(user: User) -> AuthUser:
    return AuthUser(id=user.id, username=user.username, is_admin=user.is_admin)


class IdentityService:
    """Users, groups, log-in and first-run setup; every method runs its SQL on the database thread."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self.setup_token: str | None = None
        """The first-run setup token while no administrator exists (the runner prints the link)."""

    async def _db(self, func: Callable[[sqlite_utils.Database], _T]) -> _T:
        return await self._core.db.call(func)

    def _fire_user(
        self, event: EventType[UserEventData], user_id: int, changes: Sequence[str] | None = None
    ) -> None:
        data: UserEventData = {"user_id": user_id}
        if changes is not None:
            data["changes"] = list(changes)
        self._core.bus.fire(event, data)

    def _fire_group(self, group_id: int | None) -> None:
        self._core.bus.fire(EVENT_GROUP_UPDATED, {"group_id": group_id})

    # -- lifecycle --------------------------------------------------------------------------
    async def start(self) -> None:
        """Create a setup token if no administrator exists yet."""
        if await self.needs_setup():
            self.setup_token = await self._db(setup.create_setup_token)
            _LOGGER.warning(
                "No administrator exists yet: finish setup at /setup?token=%s (valid 24 h) "
                "or run `cordboard setup --admin`",
                self.setup_token,
            )

    async def stop(self) -> None:
        self.setup_token = None

    # -- setup ------------------------------------------------------------------------------
    async def needs_setup(self) -> bool:
        return await self._db(setup.needs_setup)

    async def setup(
        self, token: str, *, username: str, password: str, first_name: str, last_name: str, email: str
    ) -> User:
        """Create the first administrator with the setup token (see ``setup.consume_setup_token``)."""
        user = await self._db(
            lambda db: setup.consume_setup_token(
                db,
                token,
                username=username,
                password=password,
                first_name=first_name,
                last_name=last_name,
                email=email,
            )
        )
        self.setup_token = None
        _LOGGER.info("First administrator %s created", user.username)
        self._fire_user(EVENT_USER_CREATED, user.id)
        return user

    # -- sessions ---------------------------------------------------------------------------
    async def authenticate_token(self, token: str) -> AuthUser | None:
        """The caller behind a bearer token or session cookie; None if it is not a live session."""
        user = await self.resolve_token(token)
        return None if user is None else auth_user(user)

    async def resolve_token(self, token: str) -> User | None:
        return await self._db(lambda db: sessions.resolve_session(db, token))

    async def login(self, username: str, password: str, remote: str, client: str = "") -> tuple[str, User]:
        """Check the password and start a session; returns (token, user).

        Failures count against both the username and the remote address; a blocked key raises
        TooManyAttempts before the password is looked at.
        """
        keys = (login_key(username), ip_key(remote))
        found = await self._db(lambda db: users.password_hash_for(db, username))
        candidate, hashed = found if found is not None else (None, None)
        user = await self._throttled_check(
            keys, candidate=candidate, hashed=hashed, password=password, username=username, remote=remote
        )

        def finish(db: sqlite_utils.Database) -> str:
            for key in keys:
                sessions.clear_failures(db, key)
            return sessions.create_session(db, user.id, client=client)

        token = await self._db(finish)
        _LOGGER.info("User %s logged in from %s", user.username, remote)
        return token, user

    async def _throttled_check(
        self,
        keys: tuple[str, ...],
        *,
        candidate: User | None,
        hashed: str | None,
        password: str,
        username: str,
        remote: str,
    ) -> User:
        """``check_password`` off the loop, refused while a key is blocked; failures count on every key."""
        wait = await self._db(lambda db: max(sessions.blocked_for(db, key) for key in keys))
        if wait:
            raise TooManyAttempts(f"Too many failed log-ins; try again in {wait} s", wait)
        try:
            return await self._core.run_in_executor(check_password, candidate, hashed, password)
        except AccountLocked:
            _LOGGER.warning("Log-in of locked user %s from %s refused", username[:100], remote)
            raise
        except Unauthorized:
            blocked = await self._db(lambda db: max(sessions.record_failure(db, key) for key in keys))
            _LOGGER.warning(
                "Failed log-in for %r from %s%s",
                username[:100],
                remote,
                f"; blocked for {blocked} s" if blocked else "",
            )
            raise

    async def confirm_password(self, user_id: int, password: str, remote: str) -> None:
        """Re-check a logged-in user's password (e.g. before changing it), throttled like a log-in."""
        user = await self.get_user(user_id)
        hashed = await self._db(lambda db: users.password_hash_of(db, user_id))
        keys = (login_key(user.username), ip_key(remote))
        try:
            await self._throttled_check(
                keys, candidate=user, hashed=hashed, password=password, username=user.username, remote=remote
            )
        except AccountLocked:
            raise
        except Unauthorized:
            raise Unauthorized("The current password is wrong") from None
        await self._db(lambda db: sessions.clear_failures(db, keys[0]))

    async def logout(self, token: str) -> None:
        await self._db(lambda db: sessions.delete_session(db, token))

    async def session_expires(self, token: str) -> float | None:
        return await self._db(lambda db: sessions.session_expires(db, token))

    async def check_password(self, user_id: int, password: str) -> bool:
        """Whether ``password`` is the user's current web password (for a self-service change)."""
        hashed = await self._db(lambda db: users.password_hash_of(db, user_id))
        return await self._core.run_in_executor(verify_secret, password, hashed)

    # -- users ------------------------------------------------------------------------------
    async def list_users(self, search: str | None = None) -> list[User]:
        return await self._db(lambda db: users.list_users(db, search))

    async def get_user(self, user_id: int) -> User:
        return await self._db(lambda db: users.get_user(db, user_id))

    async def get_user_by_username(self, username: str) -> User:
        return await self._db(lambda db: users.get_user_by_username(db, username))

    async def create_user(self, **fields: Any) -> User:
        """Create a user; keyword arguments as ``users.create_user``."""
        user = await self._db(lambda db: users.create_user(db, **fields))
        if fields.get("sip_password"):
            await self._keep_sip_password(user.id, fields["sip_password"])
        self._fire_user(EVENT_USER_CREATED, user.id)
        for group_id in user.groups:
            self._fire_group(group_id)
        return user

    async def update_user(self, user_id: int, changes: Mapping[str, Any]) -> User:
        before = await self.get_user(user_id)
        user = await self._db(lambda db: users.update_user(db, user_id, changes))
        if changes.get("sip_password"):
            await self._keep_sip_password(user_id, changes["sip_password"])
        changed = [k for k in changes if k in _PROFILE_KEYS and getattr(before, k) != getattr(user, k)]
        if changes.get("sip_password"):
            changed.append("sip_password")
        self._fire_user(EVENT_USER_UPDATED, user_id, changed)
        return user

    async def delete_user(self, user_id: int) -> None:
        await self._db(lambda db: users.delete_user(db, user_id))
        self._fire_user(EVENT_USER_DELETED, user_id)

    async def lock_user(self, user_id: int) -> User:
        user = await self._db(lambda db: users.lock_user(db, user_id))
        self._fire_user(EVENT_USER_UPDATED, user_id, ["locked"])
        return user

    async def unlock_user(self, user_id: int) -> User:
        user = await self._db(lambda db: users.unlock_user(db, user_id))
        self._fire_user(EVENT_USER_UPDATED, user_id, ["locked"])
        return user

    async def set_password(self, user_id: int, password: str, *, keep_token: str | None = None) -> None:
        """Set the web password; every other session of the user ends (``keep_token`` survives)."""
        keep = token_hash(keep_token) if keep_token else None
        await self._db(lambda db: users.set_password(db, user_id, password, keep_token_hash=keep))
        self._fire_user(EVENT_USER_UPDATED, user_id, ["password"])

    async def set_pin(self, user_id: int, pin: str) -> None:
        await self._db(lambda db: users.set_pin(db, user_id, pin))
        self._fire_user(EVENT_USER_UPDATED, user_id, ["pin"])

    async def verify_pin(self, user_id: int, pin: str) -> bool:
        return await self._db(lambda db: users.verify_pin(db, user_id, pin))

    async def check_pin(self, user_id: int | None, pin: str, *, also: Sequence[str] = ()) -> bool:
        """A PIN keyed on a phone (the release PIN, a hot-desk log-in): like ``verify_pin``, but
        wrong PINs count in the failed-login throttle (kept across restarts) for the user and for
        the ``also`` keys (``phone:<mac>``), so that calling again and again does not guess it.
        ``user_id`` None (nobody has the extension keyed) only counts a failure. Raises
        TooManyAttempts while any of the keys is blocked; the right PIN clears their counts."""
        keys = [sessions.pin_key(user_id)] if user_id is not None else []
        keys += also
        wait = await self._db(lambda db: max((sessions.blocked_for(db, key) for key in keys), default=0))
        if wait:
            raise TooManyAttempts("Too many wrong PINs", wait)
        if user_id is not None and await self._db(lambda db: users.verify_pin(db, user_id, pin)):

            def clear(db: sqlite_utils.Database) -> None:
                for key in keys:
                    sessions.clear_failures(db, key)

            await self._db(clear)
            return True
        blocked = await self._db(
            lambda db: max((sessions.record_failure(db, key) for key in keys), default=0)
        )
        if blocked:
            _LOGGER.warning(
                "PIN checks for %s blocked for %d s after repeated wrong PINs", ", ".join(keys), blocked
            )
        return False

    async def set_sip_password(self, user_id: int, sip_password: str) -> None:
        await self._db(lambda db: users.set_sip_password(db, user_id, sip_password))
        await self._keep_sip_password(user_id, sip_password)
        self._fire_user(EVENT_USER_UPDATED, user_id, ["sip_password"])

    async def _keep_sip_password(self, user_id: int, sip_password: str) -> None:
        """Keep a SIP password just set retrievable, encrypted, for provisioned desk phones
        (core/provisioning/secrets.py); HA1 stays what registration checks."""
        provisioning = getattr(self._core, "provisioning", None)
        if provisioning is not None:
            await provisioning.remember_password(user_id, sip_password)

    async def set_user_groups(self, user_id: int, group_ids: Iterable[int]) -> User:
        wanted = list(group_ids)
        before = await self.get_user(user_id)
        user = await self._db(lambda db: users.set_user_groups(db, user_id, wanted))
        self._fire_user(EVENT_USER_UPDATED, user_id, ["groups"])
        for group_id in sorted(set(before.groups) ^ set(user.groups)):
            self._fire_group(group_id)
        return user

    # -- groups -----------------------------------------------------------------------------
    async def list_groups(self) -> list[Group]:
        return await self._db(users.list_groups)

    async def get_group(self, group_id: int) -> Group:
        return await self._db(lambda db: users.get_group(db, group_id))

    async def create_group(self, name: str, description: str = "") -> Group:
        group = await self._db(lambda db: users.create_group(db, name, description))
        self._fire_group(group.id)
        return group

    async def update_group(self, group_id: int, changes: Mapping[str, Any]) -> Group:
        group = await self._db(lambda db: users.update_group(db, group_id, changes))
        self._fire_group(group_id)
        return group

    async def delete_group(self, group_id: int) -> None:
        members = (await self.get_group(group_id)).members
        await self._db(lambda db: users.delete_group(db, group_id))
        self._fire_group(group_id)
        for user_id in members:
            self._fire_user(EVENT_USER_UPDATED, user_id)

    async def reorder_groups(self, group_ids: Sequence[int]) -> list[Group]:
        """Rank the groups in this order (first = priority 1); changes effective settings (SET-02)."""
        groups = await self._db(lambda db: users.reorder_groups(db, list(group_ids)))
        self._fire_group(None)
        return groups

    async def set_group_members(self, group_id: int, user_ids: Iterable[int]) -> Group:
        wanted = list(user_ids)
        before = await self.get_group(group_id)
        group = await self._db(lambda db: users.set_group_members(db, group_id, wanted))
        self._fire_group(group_id)
        for user_id in sorted(set(before.members) ^ set(group.members)):
            self._fire_user(EVENT_USER_UPDATED, user_id)
        return group
