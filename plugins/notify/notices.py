"""Per-user e-mail notifications (NTF-01, NTF-02): the bus listeners that tell a user about a call
nobody answered, each of their calls (the call data), a change to their account and a voice mailbox
too full to take a message, each with one e-mail in the user's language to their notification
address, when they have that event on (user-editable scoped settings ``notify.on_*``).

New voice messages are ``voicemail.email`` (plugins/voicemail/notice.py); it sends to the same
address (``notification_address``). Every mail goes through the Mailer's queue: nothing here waits
for the mail server, and nothing is sent while no mail relay is set up. A failure is logged and
never reaches a call.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import time
from collections.abc import Callable, Coroutine, Mapping
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cordboard.core.bus import Event
from cordboard.core.calls.model import EVENT_CALL_ENDED, CallResult
from cordboard.core.calls.subscriptions import EVENT_MAILBOX_FULL
from cordboard.core.core import Core
from cordboard.core.exceptions import NotFound
from cordboard.core.identity.service import EVENT_USER_UPDATED
from cordboard.core.identity.users import User
from cordboard.plugins.notify.const import (
    ACCOUNT_CHANGES,
    CONF_EMAIL_ADDRESS,
    CONF_ON_ACCOUNT_CHANGE,
    CONF_ON_CALL_DATA,
    CONF_ON_MAILBOX_FULL,
    CONF_ON_MISSED_CALL,
    DOMAIN,
    MAIL_KEY,
)

if TYPE_CHECKING:
    from cordboard.plugins.notify.service import Mailer

_LOGGER = logging.getLogger(__name__)
MISSED_RESULTS: Final = frozenset({CallResult.NO_ANSWER.value, CallResult.CANCELLED.value})
"""A call to a user ends missed when nobody answered: it rang out or the caller gave up. Busy,
rejected (the user's choice) and failed calls are not missed calls."""

TEXTS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "unknown": "an unknown caller",
        "missed.subject": "Missed call from {caller}",
        "missed.body": "{caller} called you on {when}. Nobody answered.",
        "call.subject": "Call with {other}: {result}",
        "call.body": "From: {caller}\nTo: {callee}\nStarted: {when}\nDuration: {length}\nResult: {result}",
        "account.subject": "Your account was changed",
        "account.body": "These details of your account {username} were changed on {when}:\n{what}\n\n"
        "If you did not expect this, tell your administrator.",
        "full.subject": "Your voice mailbox is full",
        "full.body": "{caller} tried to leave you a voice message on {when}, but your mailbox is full. "
        "Delete old messages to make room for new ones.",
        "change.password": "your web password",
        "change.pin": "your PIN",
        "change.sip_password": "your phone's SIP password",
        "change.email": "your e-mail address (now {email})",
        "change.username": "your user name (now {username})",
        "change.role": "your role (now {role})",
        "change.locked": "your account is now locked",
        "change.unlocked": "your account is now unlocked",
        "role.admin": "administrator",
        "role.user": "user",
        "result.answered": "answered",
        "result.busy": "busy",
        "result.no_answer": "not answered",
        "result.cancelled": "cancelled",
        "result.failed": "failed",
        "result.rejected": "rejected",
    },
    "de": {
        "unknown": "Ein unbekannter Anrufer",
        "missed.subject": "Verpasster Anruf von {caller}",
        "missed.body": "{caller} hat Sie am {when} angerufen. Niemand hat angenommen.",
        "call.subject": "Anruf mit {other}: {result}",
        "call.body": "Von: {caller}\nAn: {callee}\nBeginn: {when}\nDauer: {length}\nErgebnis: {result}",
        "account.subject": "Ihr Konto wurde geändert",
        "account.body": "Diese Angaben Ihres Kontos {username} wurden am {when} geändert:\n{what}\n\n"
        "Falls Sie das nicht erwartet haben, wenden Sie sich an Ihren Administrator.",
        "full.subject": "Ihre Mailbox ist voll",
        "full.body": "{caller} wollte Ihnen am {when} eine Sprachnachricht hinterlassen, aber Ihre "
        "Mailbox ist voll. Löschen Sie alte Nachrichten, um Platz für neue zu schaffen.",
        "change.password": "Ihr Web-Passwort",
        "change.pin": "Ihre PIN",
        "change.sip_password": "das SIP-Passwort Ihres Telefons",
        "change.email": "Ihre E-Mail-Adresse (jetzt {email})",
        "change.username": "Ihr Benutzername (jetzt {username})",
        "change.role": "Ihre Rolle (jetzt {role})",
        "change.locked": "Ihr Konto ist jetzt gesperrt",
        "change.unlocked": "Ihr Konto ist jetzt entsperrt",
        "role.admin": "Administrator",
        "role.user": "Benutzer",
        "result.answered": "angenommen",
        "result.busy": "besetzt",
        "result.no_answer": "nicht angenommen",
        "result.cancelled": "abgebrochen",
        "result.failed": "fehlgeschlagen",
        "result.rejected": "abgewiesen",
    },
    "da": {
        "unknown": "En ukendt opkalder",
        "missed.subject": "Ubesvaret opkald fra {caller}",
        "missed.body": "{caller} ringede til dig {when}. Ingen svarede.",
        "call.subject": "Opkald med {other}: {result}",
        "call.body": "Fra: {caller}\nTil: {callee}\nStart: {when}\nVarighed: {length}\nResultat: {result}",
        "account.subject": "Din konto er blevet ændret",
        "account.body": "Disse oplysninger for din konto {username} blev ændret {when}:\n{what}\n\n"
        "Hvis du ikke ventede det, så kontakt din administrator.",
        "full.subject": "Din talepostkasse er fuld",
        "full.body": "{caller} prøvede at lægge en talebesked til dig {when}, men din postkasse er fuld. "
        "Slet gamle beskeder for at gøre plads til nye.",
        "change.password": "din webadgangskode",
        "change.pin": "din PIN-kode",
        "change.sip_password": "din telefons SIP-adgangskode",
        "change.email": "din e-mailadresse (nu {email})",
        "change.username": "dit brugernavn (nu {username})",
        "change.role": "din rolle (nu {role})",
        "change.locked": "din konto er nu spærret",
        "change.unlocked": "din konto er nu åbnet igen",
        "role.admin": "administrator",
        "role.user": "bruger",
        "result.answered": "besvaret",
        "result.busy": "optaget",
        "result.no_answer": "ikke besvaret",
        "result.cancelled": "afbrudt",
        "result.failed": "mislykkedes",
        "result.rejected": "afvist",
    },
}


def words_for(language: str) -> dict[str, str]:
    return TEXTS.get(language, TEXTS["en"])


def _when(moment: float, timezone: str) -> str:
    try:
        zone: datetime.tzinfo = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = datetime.UTC
    return datetime.datetime.fromtimestamp(moment, zone).strftime("%Y-%m-%d %H:%M")


def _length(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _party(number: str | None, name: str | None, unknown: str) -> str:
    if name and number and name != number:
        return f"{name} ({number})"
    return name or number or unknown


async def notification_address(core: Core, user: User) -> str | None:
    """NTF-01: where ``user``'s notification e-mails go: the address they set (``notify.email_address``),
    else their own e-mail address; None when they have neither."""
    try:
        chosen = await core.settings.resolve(user.id, f"{DOMAIN}.{CONF_EMAIL_ADDRESS}")
    except NotFound:  # the notify plugin is not loaded (or the user is gone)
        chosen = None
    address = str(chosen or "").strip() or user.email.strip()
    return address or None


# -- composing ------------------------------------------------------------------------------------


def compose_missed(call: Mapping[str, Any], language: str, timezone: str) -> tuple[str, str]:
    words = words_for(language)
    caller = _party(call.get("caller"), call.get("caller_name"), words["unknown"])
    when = _when(float(call.get("started") or 0.0), timezone)
    return words["missed.subject"].format(caller=caller), words["missed.body"].format(
        caller=caller, when=when
    ) + "\n"


def compose_call(call: Mapping[str, Any], user_id: int, language: str, timezone: str) -> tuple[str, str]:
    words = words_for(language)
    caller = _party(call.get("caller"), call.get("caller_name"), words["unknown"])
    callee = _party(call.get("callee"), call.get("callee_name"), words["unknown"])
    result = str(call.get("result") or "")
    result_text = words.get(f"result.{result}", result)
    other = callee if call.get("caller_user_id") == user_id else caller
    body = words["call.body"].format(
        caller=caller,
        callee=callee,
        when=_when(float(call.get("started") or 0.0), timezone),
        length=_length(float(call.get("duration") or 0.0)),
        result=result_text,
    )
    return words["call.subject"].format(other=other, result=result_text), body + "\n"


def compose_account(
    user: User, changes: list[str], language: str, timezone: str, now: float
) -> tuple[str, str]:
    """Names what changed and never a secret: a new password or PIN is only said to be new."""
    words = words_for(language)
    lines = []
    for change in changes:
        if change == "locked":
            key = "change.locked" if user.locked else "change.unlocked"
        else:
            key = f"change.{change}"
        role = words.get(f"role.{user.role}", user.role)
        lines.append("- " + words[key].format(email=user.email, username=user.username, role=role))
    body = words["account.body"].format(
        username=user.username, when=_when(now, timezone), what="\n".join(lines)
    )
    return words["account.subject"], body + "\n"


def compose_full(data: Mapping[str, Any], language: str, timezone: str, now: float) -> tuple[str, str]:
    words = words_for(language)
    caller = _party(data.get("caller"), data.get("caller_name"), words["unknown"])
    return words["full.subject"], words["full.body"].format(caller=caller, when=_when(now, timezone)) + "\n"


# -- the listeners --------------------------------------------------------------------------------


class Notices:
    """Listens on the bus while the plugin is loaded; each event becomes at most one e-mail per
    user who has it on. The work runs in tasks of its own, which ``stop`` ends."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self._unlisten: list[Callable[[], None]] = []
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        bus = self._core.bus
        self._unlisten = [
            bus.listen(EVENT_CALL_ENDED, self._on_call_ended),
            bus.listen(EVENT_USER_UPDATED, lambda event: self._spawn(self._user_updated(event))),
            bus.listen(EVENT_MAILBOX_FULL, lambda event: self._spawn(self._mailbox_full(event))),
        ]

    async def stop(self) -> None:
        for remove in self._unlisten:
            remove()
        self._unlisten = []
        tasks, self._tasks = list(self._tasks), set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def idle(self) -> None:
        """Wait until every e-mail for the events so far is queued (for tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _on_call_ended(self, event: Event[Any]) -> None:
        # Every call ends here: without a mail relay no notice can go out, so the settings
        # look-ups (and a task) per call would be wasted.
        if self._mail_relay() is not None:
            self._spawn(self._call_ended(event))

    def _mail_relay(self) -> Mailer | None:
        """The mailer when a mail relay is set up, or None."""
        mailer = self._core.data.get(MAIL_KEY)
        return mailer if mailer is not None and mailer.settings.missing() is None else None

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = self._core.loop.create_task(self._guarded(work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _guarded(work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception:
            _LOGGER.exception("A notification e-mail could not be queued")

    async def _wants(self, user_id: int, field: str) -> bool:
        try:
            return bool(await self._core.settings.resolve(user_id, f"{DOMAIN}.{field}"))
        except NotFound:
            return False

    async def _send(
        self, user_id: int, what: str, compose: Callable[[User, str], tuple[str, str]]
    ) -> int | None:
        """Queue one e-mail to the user's notification address, composed in their language and
        time zone; the mail's id, or None when none goes out (no address, no mail relay)."""
        if self._mail_relay() is None:
            _LOGGER.debug("No e-mail about %s to user %s: no mail relay", what, user_id)
            return None
        try:
            user = await self._core.identity.get_user(user_id)
        except NotFound:
            return None
        address = await notification_address(self._core, user)
        if address is None:
            _LOGGER.info("No e-mail about %s to user %s: no address", what, user.username)
            return None
        timezone = str(await self._core.settings.resolve(user_id, "core.timezone"))
        subject, text = compose(user, timezone)
        return await self._mailer_send(address, subject, text, user.language)

    async def _mailer_send(self, address: str, subject: str, text: str, language: str) -> int | None:
        mailer = self._core.data.get(MAIL_KEY)
        if mailer is None:
            return None
        try:
            return await mailer.send(to=address, subject=subject, text=text, language=language)
        except ValueError as err:  # an address the relay would never take
            _LOGGER.warning("No notification e-mail to %s: %s", address, err)
            return None

    async def _call_ended(self, event: Event[Any]) -> None:
        """NTF-02: a missed call to the callee; the call data to each user who took part."""
        call: Mapping[str, Any] = event.data
        caller_id, callee_id = call.get("caller_user_id"), call.get("callee_user_id")
        if (
            isinstance(callee_id, int)
            and callee_id != caller_id
            and call.get("result") in MISSED_RESULTS
            and await self._wants(callee_id, CONF_ON_MISSED_CALL)
        ):
            await self._send(
                callee_id, "a missed call", lambda user, tz: compose_missed(call, user.language, tz)
            )
        for user_id in dict.fromkeys(u for u in (caller_id, callee_id) if isinstance(u, int)):
            if await self._wants(user_id, CONF_ON_CALL_DATA):
                await self._send(
                    user_id, "a call", lambda user, tz: compose_call(call, user.id, user.language, tz)
                )

    async def _user_updated(self, event: Event[Any]) -> None:
        """NTF-02: the user's account changed (password, PIN, e-mail, role, locked ...)."""
        user_id = event.data.get("user_id")
        changes = [c for c in event.data.get("changes") or () if c in ACCOUNT_CHANGES]
        if not isinstance(user_id, int) or not changes:
            return
        if not await self._wants(user_id, CONF_ON_ACCOUNT_CHANGE):
            return
        moment = time.time()
        await self._send(
            user_id,
            "an account change",
            lambda user, tz: compose_account(user, changes, user.language, tz, moment),
        )

    async def _mailbox_full(self, event: Event[Any]) -> None:
        """NTF-02: the user's voice mailbox was too full to take a caller's message."""
        user_id = event.data.get("user_id")
        if not isinstance(user_id, int) or not await self._wants(user_id, CONF_ON_MAILBOX_FULL):
            return
        data: Mapping[str, Any] = event.data
        moment = time.time()
        await self._send(
            user_id, "a full mailbox", lambda user, tz: compose_full(data, user.language, tz, moment)
        )
