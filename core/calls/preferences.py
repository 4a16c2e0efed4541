"""Per-user call preferences the SIP engine needs on every call, kept in memory from the settings
(``core.call_preferences``): who hides their number (CLI-05), who has call waiting off (RTE-12:
a second call while they are in a call is busy), and who may use a softphone in the browser
(TERM-06)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from cordboard.core.calls.caller_id import ALLOW_ANONYMOUS, HIDDEN
from cordboard.core.config import validation as cv
from cordboard.core.config.scopes import ALL_SCOPES
from cordboard.core.config.settings import SettingSpec
from cordboard.core.exceptions import NotFound

if TYPE_CHECKING:
    from cordboard.core.core import Core

CALL_WAITING: Final = "core.call_waiting"
SOFTPHONE: Final = "core.softphone"
PREFERENCE_SPECS: Final = (
    SettingSpec(
        key=CALL_WAITING,
        kind="bool",
        scopes=frozenset(ALL_SCOPES),
        validator=cv.boolean,
        default=True,
        user_editable=True,
        description="Call waiting (RTE-12): a second call while the user is in a call rings their "
        "phone as a waiting call; off, it is busy.",
    ),
    SettingSpec(
        key=SOFTPHONE,
        kind="bool",
        scopes=frozenset(ALL_SCOPES),
        validator=cv.boolean,
        default=False,
        description="The user may log in with a softphone in the browser (SIP over WebSocket, "
        "TERM-06); until an administrator turns it on, its registration and calls are refused.",
    ),
)
_KEYS: Final = frozenset({HIDDEN, ALLOW_ANONYMOUS, CALL_WAITING, SOFTPHONE})


class CallPreferences:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._hidden: frozenset[int] = frozenset()
        self._no_waiting: frozenset[int] = frozenset()
        self._softphone: frozenset[int] = frozenset()
        self._unlisten: list[Callable[[], None]] = []

    async def start(self) -> None:
        from cordboard.core.config.settings import EVENT_SETTINGS_CHANGED
        from cordboard.core.identity.service import (
            EVENT_GROUP_UPDATED,
            EVENT_USER_CREATED,
            EVENT_USER_DELETED,
        )

        await self.refresh()
        bus = self._core.bus
        self._unlisten.append(bus.listen(EVENT_SETTINGS_CHANGED, self._settings_changed))
        for event in (EVENT_USER_CREATED, EVENT_USER_DELETED):
            self._unlisten.append(bus.listen(event, self._user_changed))
        self._unlisten.append(bus.listen(EVENT_GROUP_UPDATED, self._changed))

    def stop(self) -> None:
        for unlisten in self._unlisten:
            unlisten()
        self._unlisten.clear()

    async def _settings_changed(self, event: Any) -> None:
        if not _KEYS & set(event.data.get("keys", [])):
            return
        if event.data.get("scope") == "user" and str(event.data.get("scope_id", "")).isdigit():
            await self.refresh_user(int(event.data["scope_id"]))
        else:
            await self.refresh()

    async def _changed(self, _event: Any) -> None:
        await self.refresh()

    async def _user_changed(self, event: Any) -> None:
        await self.refresh_user(int(event.data["user_id"]))

    async def refresh_user(self, user_id: int) -> None:
        """One user's preferences again (their own settings changed, or they were added or deleted)."""
        settings = self._core.settings
        try:
            hidden = bool(await settings.org_value(ALLOW_ANONYMOUS)) and bool(
                await settings.resolve(user_id, HIDDEN)
            )
            waiting = bool(await settings.resolve(user_id, CALL_WAITING))
            softphone = bool(await settings.resolve(user_id, SOFTPHONE))
        except NotFound:
            hidden, waiting, softphone = False, True, False
        self._hidden = self._hidden | {user_id} if hidden else self._hidden - {user_id}
        self._no_waiting = self._no_waiting - {user_id} if waiting else self._no_waiting | {user_id}
        self._softphone = self._softphone | {user_id} if softphone else self._softphone - {user_id}

    async def refresh(self) -> None:
        settings = self._core.settings
        users = await self._core.identity.list_users()
        anonymous = bool(await settings.org_value(ALLOW_ANONYMOUS))
        self._hidden = frozenset([u.id for u in users if anonymous and await settings.resolve(u.id, HIDDEN)])
        self._no_waiting = frozenset([u.id for u in users if not await settings.resolve(u.id, CALL_WAITING)])
        self._softphone = frozenset([u.id for u in users if await settings.resolve(u.id, SOFTPHONE)])

    def hidden(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self._hidden

    def no_call_waiting(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self._no_waiting

    def softphone_allowed(self, user_id: int) -> bool:
        """TERM-06: whether the user may log in with a softphone in the browser."""
        return user_id in self._softphone
