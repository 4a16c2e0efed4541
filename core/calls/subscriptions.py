"""Event subscriptions of desk phones (RFC 6665): busy-lamp keys watch colleagues' calls through the
dialog package (RFC 4235, BYD-09), the message lamp follows the mailbox through message-summary
(RFC 3842, BYD-10), and presence keys follow availability through PIDF (RFC 3863).

Every SUBSCRIBE is authenticated like a call (407). A phone may watch a colleague's calls or
presence only with the right to see that colleague's status (PRS-11), and only its own user's
mailbox. Changes are sent at once, one NOTIFY at a time per subscription (RFC 6665 4.2.2); a phone
that answers a NOTIFY with 481, or not at all, loses the subscription. Counts of messages come from
the plugin that keeps mailboxes (hook ``cordboard_message_counts``); it fires
``mailbox.counts_changed`` with the user's id when they change.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from cordboard.core.bus import EventType
from cordboard.core.random_tokens import token_hex
from cordboard.core.sip import headers as h
from cordboard.core.sip.dialog import Dialog
from cordboard.core.sip.event_bodies import (
    DIALOG_INFO,
    MESSAGE_SUMMARY,
    PIDF,
    DialogInfo,
    dialog_info,
    message_summary,
    pidf,
)
from cordboard.core.sip.message import SipRequest, SipResponse, make_response
from cordboard.core.sip.peer import Peer

if TYPE_CHECKING:
    from cordboard.core.calls.b2bua import B2bua
    from cordboard.core.core import Core
    from cordboard.core.sip.transaction import TransactionKey

_LOGGER = logging.getLogger(__name__)
PACKAGES: Final = ("dialog", "presence", "message-summary")
DEFAULT_EXPIRES: Final = 3600
MIN_EXPIRES: Final = 60
MAX_EXPIRES: Final = 3600
SEE_STATUS: Final = "see_status"
EVENT_MESSAGE_COUNTS: Final = EventType[dict[str, Any]]("mailbox.counts_changed")
"""A mailbox plugin fires it (``{"user_id": 7}``) when a user's message counts change."""
EVENT_MAILBOX_FULL: Final = EventType[dict[str, Any]]("mailbox.full")
"""A mailbox plugin fires it (``{"user_id": 7, "caller": "1001", "caller_name": "Ann"}``) when a
user's mailbox is too full to take a caller's message (VM-14; the notify plugin e-mails, NTF-02)."""
EVENT_NUMBER_DIALOGS: Final = EventType[dict[str, Any]]("number.dialogs_changed")
"""A plugin fires it (``{"number": "1700"}``) when what a busy-lamp key on its number shows changes."""


@dataclass(frozen=True, slots=True)
class MessageCounts:
    """A user's voice messages (RFC 3842 Voice-Message): new and old, urgent ones among them."""

    new: int
    old: int
    new_urgent: int = 0
    old_urgent: int = 0


@dataclass(slots=True)
class Subscription:
    package: str
    event: str
    """The Event header as the phone sent it (with its ``id`` parameter, if any)."""
    subscriber_id: int
    target_id: int | None
    """The user watched; None for a number a plugin answers (a park position)."""
    number: str
    entity: str
    dialog: Dialog
    peer: Peer
    expires_at: float
    timer: asyncio.TimerHandle | None = None
    version: int = 0
    sent: object = None
    """The state last notified (compared to skip NOTIFYs that would say nothing new)."""
    in_flight: bool = False
    dirty: bool = False
    ended: bool = False


class SubscriptionService:
    def __init__(self, core: Core, calls: B2bua) -> None:
        self._core = core
        self._calls = calls
        self._sip = calls.sip
        self.min_expires = MIN_EXPIRES
        self.max_expires = MAX_EXPIRES
        self.subscriptions: dict[tuple[str, str], Subscription] = {}
        """By (Call-ID, our tag)."""
        self._unlisten: list[Callable[[], None]] = []

    def start(self) -> None:
        from cordboard.core.calls.model import (
            EVENT_CALL_ANSWERED,
            EVENT_CALL_ENDED,
            EVENT_CALL_RINGING,
            EVENT_CALL_STARTED,
        )
        from cordboard.core.presence.service import EVENT_PRESENCE_CHANGED

        bus = self._core.bus
        for event in (EVENT_CALL_STARTED, EVENT_CALL_RINGING, EVENT_CALL_ANSWERED, EVENT_CALL_ENDED):
            self._unlisten.append(bus.listen(event, lambda _e: self._refresh("dialog", None)))
        self._unlisten.append(
            bus.listen(EVENT_NUMBER_DIALOGS, lambda e: self._refresh_number(e.data.get("number")))
        )
        self._unlisten.append(
            bus.listen(EVENT_PRESENCE_CHANGED, lambda e: self._refresh("presence", e.data.get("user_id")))
        )
        self._unlisten.append(
            bus.listen(
                EVENT_MESSAGE_COUNTS, lambda e: self._refresh("message-summary", e.data.get("user_id"))
            )
        )

    def stop(self) -> None:
        for unlisten in self._unlisten:
            unlisten()
        self._unlisten.clear()
        for subscription in list(self.subscriptions.values()):
            self._end(subscription, "deactivated")

    # -- SUBSCRIBE ----------------------------------------------------------------------------
    def on_subscribe(self, key: TransactionKey, request: SipRequest, peer: Peer) -> None:
        to_tag = request.to_tag or token_hex(6)

        def respond(status: int, reason: str | None = None, **headers: str) -> None:
            response = make_response(request, status, reason, to_tag=to_tag)
            for name, value in headers.items():
                response.headers.set(name.replace("_", "-"), value)
            self._sip.respond(key, response)

        event = (request.headers.get(h.EVENT) or "").strip()
        package = event.split(";", 1)[0].strip().lower()
        if package not in PACKAGES:
            respond(489, "Bad Event", Allow_Events=", ".join(PACKAGES))
            return
        outcome = self._sip.authenticator.check(request, peer.host, asyncio.get_running_loop().time())
        if outcome.account is None:
            assert outcome.response is not None
            if request.to_tag is None:
                outcome.response.headers.set(h.TO, str(request.to.with_tag(to_tag)))
            self._sip.respond(key, outcome.response)
            return
        subscriber = outcome.account
        try:
            expires = int(request.headers.get(h.EXPIRES) or DEFAULT_EXPIRES)
        except ValueError:
            respond(400, "Bad Request - Malformed Expires")
            return
        if 0 < expires < self.min_expires:
            respond(423, "Interval Too Brief", Min_Expires=str(self.min_expires))
            return
        expires = min(expires, self.max_expires)
        if request.to_tag is not None:
            self._refresh_subscription(respond, request, peer, expires)
            return
        resource = getattr(request.uri, "user", None) or ""
        target = self._calls.find_account(resource) if resource else None
        if target is None and not (package == "dialog" and self._plugin_number(resource)):
            respond(404, "Not Found")
            return
        if target is not None and package == "message-summary" and target.user_id != subscriber.user_id:
            respond(403, "Forbidden - Not Your Mailbox")
            return
        if (
            target is not None
            and package != "message-summary"
            and not self._core.rights.allows(SEE_STATUS, subscriber.user_id, target.user_id)
        ):
            respond(403, "Forbidden - Not Allowed To See This Status")
            return
        response = make_response(request, 200, to_tag=to_tag)
        response.headers.set(h.EXPIRES, str(expires))
        response.headers.set(h.CONTACT, self._sip.contact_for(peer.transport))
        self._sip.respond(key, response)
        dialog = Dialog.from_uas(request, response)
        number = (target.extension or target.username) if target is not None else resource
        entity = f"sip:{number}@{self._sip.advertise}"
        now = asyncio.get_running_loop().time()
        subscription = Subscription(
            package,
            event,
            subscriber.user_id,
            target.user_id if target is not None else None,
            number,
            entity,
            dialog,
            peer,
            now + expires,
        )
        if expires == 0:  # a fetch: the state once, then nothing (RFC 6665 4.4.3)
            subscription.ended = True
            self._notify(subscription, "terminated;reason=timeout")
            return
        self.subscriptions[(dialog.call_id, dialog.local_tag)] = subscription
        self._arm(subscription, expires)
        _LOGGER.info("%s subscribed to %s of %s for %d s", subscriber.username, package, entity, expires)
        self._notify(subscription)

    def _refresh_subscription(
        self, respond: Callable[..., None], request: SipRequest, peer: Peer, expires: int
    ) -> None:
        subscription = self.subscriptions.get((request.call_id, request.to_tag or ""))
        if subscription is None:
            respond(481, "Subscription Does Not Exist")
            return
        respond(200, Expires=str(expires))
        subscription.peer = peer
        if expires == 0:
            self._end(subscription, None)
            return
        subscription.expires_at = asyncio.get_running_loop().time() + expires
        self._arm(subscription, expires)
        subscription.sent = None  # RFC 6665 4.2.1.2: a refresh gets a NOTIFY with the state
        self._notify(subscription)

    def _arm(self, subscription: Subscription, expires: int) -> None:
        if subscription.timer is not None:
            subscription.timer.cancel()
        subscription.timer = asyncio.get_running_loop().call_later(
            expires, self._end, subscription, "timeout"
        )

    def _end(self, subscription: Subscription, reason: str | None) -> None:
        """Drop a subscription, telling the phone (``reason``: timeout, deactivated; None: it asked)."""
        if subscription.ended:
            return
        subscription.ended = True
        if subscription.timer is not None:
            subscription.timer.cancel()
        self.subscriptions.pop((subscription.dialog.call_id, subscription.dialog.local_tag), None)
        self._notify(subscription, "terminated" + (f";reason={reason}" if reason else ""))

    # -- NOTIFY -------------------------------------------------------------------------------
    def _refresh(self, package: str, user_id: int | None) -> None:
        for subscription in list(self.subscriptions.values()):
            if subscription.package == package and (user_id is None or subscription.target_id == user_id):
                self._notify(subscription)

    def _refresh_number(self, number: str | None) -> None:
        for subscription in list(self.subscriptions.values()):
            if subscription.target_id is None and subscription.number == number:
                self._notify(subscription)

    def _plugin_number(self, number: str) -> bool:
        numbers = getattr(self._core, "numbers", None)
        return bool(number) and numbers is not None and numbers.plugin_of(number) is not None

    def _notify(self, subscription: Subscription, final_state: str | None = None) -> None:
        if subscription.in_flight and final_state is None:
            subscription.dirty = True
            return
        state, content_type, body = self._state(subscription)
        if final_state is None and state == subscription.sent:
            return
        if final_state is None:
            remaining = max(0, int(subscription.expires_at - asyncio.get_running_loop().time()))
            status = f"active;expires={remaining}"
        else:
            status = final_state
        subscription.version += 1
        subscription.sent = state
        subscription.in_flight = True
        self._calls.send_in_dialog(
            subscription.dialog,
            subscription.peer,
            "NOTIFY",
            body=body,
            content_type=content_type,
            extra_headers=((h.EVENT, subscription.event), (h.SUBSCRIPTION_STATE, status)),
            on_response=lambda r: self._notified(subscription, r),
        )

    def _notified(self, subscription: Subscription, response: SipResponse | None) -> None:
        subscription.in_flight = False
        if response is None or response.status in (404, 405, 481, 489, 501):
            if not subscription.ended:
                _LOGGER.info(
                    "A phone of user %s dropped its %s subscription (%s)",
                    subscription.subscriber_id,
                    subscription.package,
                    "no answer" if response is None else response.status,
                )
                subscription.ended = True
                if subscription.timer is not None:
                    subscription.timer.cancel()
                self.subscriptions.pop((subscription.dialog.call_id, subscription.dialog.local_tag), None)
            return
        if subscription.dirty and not subscription.ended:
            subscription.dirty = False
            self._notify(subscription)

    def _state(self, subscription: Subscription) -> tuple[object, str, bytes]:
        """What the subscription's package says now: a comparable state, content type and body."""
        user_id = subscription.target_id
        if subscription.package == "dialog":
            found = (
                self.dialogs_of(user_id) if user_id is not None else self.number_dialogs(subscription.number)
            )
            dialogs = tuple(found)
            return dialogs, DIALOG_INFO, dialog_info(subscription.entity, subscription.version, dialogs)
        assert user_id is not None, "presence and mailboxes are users'"
        if subscription.package == "presence":
            open_, note = self._presence_of(user_id)
            return (open_, note), PIDF, pidf(subscription.entity, open_, note)
        counts = self.message_counts(user_id)
        return (
            counts,
            MESSAGE_SUMMARY,
            message_summary(
                subscription.entity, counts.new, counts.old, counts.new_urgent, counts.old_urgent
            ),
        )

    def number_dialogs(self, number: str) -> list[DialogInfo]:
        """What the plugin that answers ``number`` says a busy-lamp key on it shows."""
        try:
            found = self._core.plugins.pm.hook.cordboard_number_dialogs(core=self._core, number=number)
        except Exception:
            _LOGGER.exception("A plugin failed telling the calls on %s", number)
            found = None
        return [d for d in found or () if isinstance(d, DialogInfo)]

    def message_counts(self, user_id: int) -> MessageCounts:
        try:
            counts = self._core.plugins.pm.hook.cordboard_message_counts(core=self._core, user_id=user_id)
        except Exception:
            _LOGGER.exception("A plugin failed counting the messages of user %s", user_id)
            counts = None
        return counts if isinstance(counts, MessageCounts) else MessageCounts(0, 0)

    def _presence_of(self, user_id: int) -> tuple[bool, str]:
        presence_service = self._core.presence
        if presence_service is None:
            return True, ""
        presence = presence_service.get(user_id)
        activity = next((a for a in presence_service.activities if a.id == presence.activity_id), None)
        note = activity.name if activity is not None else ("Do not disturb" if presence.dnd else "")
        return presence.availability == "available" and not presence.dnd, note

    def dialogs_of(self, user_id: int) -> list[DialogInfo]:
        """The user's calls as a busy-lamp key shows them: ringing at their phones (early,
        recipient, with the ringing INVITE's Call-ID and tags for a pickup by Replaces), calling
        out (early, initiator), in a call (confirmed); calls a plugin placed (a hunt group) too."""
        from cordboard.core.calls.pickup import ringing_calls

        host = self._sip.advertise
        found: list[DialogInfo] = []
        ringing_ids: set[str] = set()
        for ringing, fork in ringing_calls(self._calls):
            record = (ringing.relayed or ringing.dialled).record  # type: ignore[union-attr]
            if ringing.user_id != user_id or record.id in ringing_ids:
                continue
            ringing_ids.add(record.id)
            found.append(
                DialogInfo(
                    record.id,
                    "early",
                    "recipient",
                    fork.request.call_id,
                    local_tag=fork.to_tag or "",
                    remote_tag=fork.request.from_tag or "",
                    remote_identity=f"sip:{record.caller}@{host}",
                    remote_name=record.caller_name,
                )
            )
        for call in list(self._calls.calls.values()):
            record = call.record
            if call.state in ("trying", "ringing") and record.caller_user_id == user_id:
                found.append(DialogInfo(record.id, "early", "initiator", call.invite.call_id))
            elif call.state == "answered":
                answered_here = any(f.dialog is not None and f.binding.user_id == user_id for f in call.forks)
                if record.caller_user_id == user_id:
                    found.append(DialogInfo(record.id, "confirmed", "initiator", call.invite.call_id))
                elif answered_here:
                    found.append(self._confirmed(record.id, record.caller, record.caller_name))
        for dialled in list(self._calls.dialer.calls.values()):
            record = dialled.record
            if dialled.state == "answered" and record.callee_user_id == user_id:
                found.append(self._confirmed(record.id, record.caller, record.caller_name))
        return found

    def _confirmed(self, call_id: str, caller: str, caller_name: str) -> DialogInfo:
        return DialogInfo(
            call_id,
            "confirmed",
            "recipient",
            remote_identity=f"sip:{caller}@{self._sip.advertise}",
            remote_name=caller_name,
        )
