"""Personal queues and pending transfers (PQ-01..03, PKP-08): a call transferred to a colleague who
is on the phone waits in the colleague's personal queue, hearing a welcome prompt, music on hold and
(if the admin wants it) its place in the queue, and rings the colleague as soon as they are free.
A full queue sends the call to the user's queue-full number, or back to the phone that transferred
it (PQ-02). The transferring phone is free at once either way. With callbacks on, a waiting caller
whose number is known may press 5 and hang up: once the user is free (and nobody waits before), the
user's phone rings and, answered, the appliance calls the caller back on their number (PQ-04).
Receptionists with the camp-on right camp calls on busy colleagues this way whatever the pending
transfer setting says (PQ-06); a camped call still waiting after a while is shown to the
receptionist who camped it, later to the whole reception (PQ-07, event ``personal_queue.camped``)."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, Final

import voluptuous as vol

from cordboard.core.bus import EventType
from cordboard.core.config import validation as cv
from cordboard.core.config.scopes import ALL_SCOPES
from cordboard.core.config.settings import SettingSpec
from cordboard.core.media.prompts import say_number

if TYPE_CHECKING:
    from cordboard.core.calls.b2bua import B2bua
    from cordboard.core.calls.channel import Channel

_LOGGER = logging.getLogger(__name__)
PENDING_TRANSFER: Final = "core.pending_transfer"
QUEUE_SIZE: Final = "core.personal_queue_size"
QUEUE_FULL_NUMBER: Final = "core.personal_queue_full_number"
STATUS_INTERVAL: Final = "core.personal_queue_status_interval"
CALLBACK: Final = "core.personal_queue_callback"
CAMPED_NOTIFY_S: Final = "core.camp_on_notify_s"
CAMPED_NOTIFY_ALL_S: Final = "core.camp_on_notify_all_s"
EVENT_CAMPED_WAITING: Final = EventType[dict[str, Any]]("personal_queue.camped_waiting")
"""A camped call has waited long (PQ-07): ``user_ids`` are the receptionists to tell; the caller,
the user it waits for (``number``, ``name``), ``waited_s`` and ``to`` (``camper`` or ``reception``)."""
CALLBACK_KEY: Final = "5"
CALLBACK_RING_S: Final = 30.0
CALLBACK_WAIT_S: Final = 3600.0
"""A callback not made within an hour (the user never free) is given up."""
MAX_WAIT_S: Final = 600.0
"""A call waits at most this long; then it rings the colleague anyway (and, unanswered, goes back)."""
POLL_S: Final = 0.25
PERSONAL_QUEUE_SPECS: Final = (
    SettingSpec(
        key=PENDING_TRANSFER,
        kind="bool",
        validator=cv.boolean,
        default=True,
        description="A call transferred from a desk phone to a colleague who is on the phone waits "
        "in the colleague's personal queue until they are free (PKP-08); off: it rings them at once.",
    ),
    SettingSpec(
        key=QUEUE_SIZE,
        scopes=frozenset(ALL_SCOPES),
        validator=vol.All(vol.Coerce(int), vol.Range(min=1, max=20, msg="1 to 20 calls")),
        default=5,
        description="How many calls wait in a user's personal queue at most (PQ-01).",
    ),
    SettingSpec(
        key=QUEUE_FULL_NUMBER,
        scopes=frozenset(ALL_SCOPES),
        validator=vol.Any(None, vol.All(str, vol.Length(min=2, max=32))),
        default=None,
        description="Where a call goes when the personal queue is full (PQ-02); empty: back to the "
        "phone that transferred it.",
    ),
    SettingSpec(
        key=STATUS_INTERVAL,
        validator=vol.All(vol.Coerce(int), vol.Range(min=0, max=600, msg="0 to 600 seconds")),
        default=0,
        description="Every how many seconds a waiting caller hears their place in the personal "
        "queue (PQ-03); 0: never.",
    ),
    SettingSpec(
        key=CALLBACK,
        kind="bool",
        validator=cv.boolean,
        default=False,
        description="A caller waiting in a personal queue may press 5 and hang up to be called back "
        "on their own number as soon as the user is free (PQ-04).",
    ),
    SettingSpec(
        key=CAMPED_NOTIFY_S,
        validator=vol.All(vol.Coerce(int), vol.Range(min=0, max=3600, msg="0 to 3600 seconds")),
        default=30,
        description="After how many seconds a call a receptionist camped on a busy colleague, still "
        "waiting, is shown to that receptionist (PQ-07); 0: never.",
    ),
    SettingSpec(
        key=CAMPED_NOTIFY_ALL_S,
        validator=vol.All(vol.Coerce(int), vol.Range(min=0, max=3600, msg="0 to 3600 seconds")),
        default=60,
        description="After how many seconds a camped call still waiting is shown to every "
        "receptionist of the camping receptionist's attendant group (PQ-07); 0: never.",
    ),
)


class PersonalQueues:
    def __init__(self, b2bua: B2bua) -> None:
        self._b2bua = b2bua
        self.waiting: dict[int, list[Channel | str]] = {}
        """By user id: the calls waiting for them, first in line first (a caller's number stands for
        a callback they asked for)."""

    def _busy(self, user_id: int) -> bool:
        presence = self._b2bua.core.presence
        return presence is not None and presence.get(user_id).call_state == "in_call"

    async def wait_turn(self, party: Channel, number: str, transferor_id: int | None = None) -> str | None:
        """Before a transferred call rings ``number``: the number to ring now, once the call has
        waited its turn if ``number`` is a user on the phone; the queue-full number, or None (ring
        the transferring phone back) when their queue is full. A call waits when the organisation
        lets every transfer wait (PKP-08, ``core.pending_transfer``) or when the transferring user
        may camp calls on this user (PQ-06: the ``camp_on`` right, the attendants')."""
        from cordboard.core.calls.channel import ChannelHungUp

        account = self._b2bua.find_account(number)
        core = self._b2bua.core
        settings = core.settings
        if account is None or not self._busy(account.user_id):
            return number
        camped = transferor_id is not None and core.rights.allows("camp_on", transferor_id, account.user_id)
        if not camped and not await settings.org_value(PENDING_TRANSFER):
            return number
        user_id = account.user_id
        queue = self.waiting.setdefault(user_id, [])
        if len(queue) >= int(await settings.resolve(user_id, QUEUE_SIZE)):
            full = await settings.resolve(user_id, QUEUE_FULL_NUMBER)
            _LOGGER.info(
                "The personal queue of %s is full: %s goes to %s", number, party.call.caller, full or "back"
            )
            return str(full) if full else None
        queue.append(party)
        _LOGGER.info("%s waits in the personal queue of %s (place %d)", party.call.caller, number, len(queue))
        loop = asyncio.get_running_loop()
        entered = loop.time()
        status_every = float(await settings.org_value(STATUS_INTERVAL))
        callback = bool(await settings.org_value(CALLBACK)) and party.call.caller.lstrip("+").isdigit()
        reminders = (
            _Reminders(
                self._b2bua,
                party,
                transferor_id,
                (account.extension or number, account.display_name),
                camper_after_s=int(await settings.org_value(CAMPED_NOTIFY_S)),
                reception_after_s=int(await settings.org_value(CAMPED_NOTIFY_ALL_S)),
            )
            if camped and transferor_id is not None
            else None
        )
        try:
            await party.play(["please_hold", *(["press_5_for_callback"] if callback else [])])
            await party.hold()
            started = last_status = loop.time()
            while loop.time() - started < MAX_WAIT_S:
                if party.ended:
                    raise ChannelHungUp()
                if queue[0] is party and not self._busy(user_id):
                    break
                if reminders is not None:
                    reminders.check(loop.time() - entered)
                if status_every and loop.time() - last_status >= status_every:
                    await party.unhold()
                    await party.play(
                        ["you_are_caller_number", *say_number(queue.index(party) + 1, party.language)]
                    )
                    await party.hold()
                    last_status = loop.time()
                if not callback:
                    await asyncio.sleep(POLL_S)
                elif await party.collect_digits(1, timeout=POLL_S, terminator=None) == CALLBACK_KEY:
                    queue[queue.index(party)] = party.call.caller
                    self._b2bua.core.create_task(
                        self._call_back(
                            user_id, (account.extension or number, account.display_name), party.call.caller
                        ),
                        f"callback of {party.call.caller} for {number}",
                    )
                    await party.unhold()
                    await party.play(["callback_registered", "goodbye"])
                    raise ChannelHungUp()
            await party.unhold()
            return number
        finally:
            if party in queue:
                queue.remove(party)
            if not queue:
                self.waiting.pop(user_id, None)

    async def _call_back(self, user_id: int, user: tuple[str, str], caller: str) -> None:
        """PQ-04: when the user is free and the callback is first in line, ring the user, then the
        caller's number, and connect them."""
        from cordboard.core.calls.channel import Channel

        extension = user[0]
        loop = asyncio.get_running_loop()
        started = loop.time()
        queue = self.waiting.setdefault(user_id, [])
        try:
            while loop.time() - started < CALLBACK_WAIT_S:
                if queue and queue[0] == caller and not self._busy(user_id):
                    break
                await asyncio.sleep(POLL_S)
            else:
                _LOGGER.info("The callback of %s for %s was given up", caller, extension)
                return
            _LOGGER.info("Calling %s back for %s", caller, extension)
            answered = await self._b2bua.dialer.dial(
                [extension], ring_s=CALLBACK_RING_S, caller_id=(caller, ""), metadata={"reason": "callback"}
            )
            if not isinstance(answered, Channel):
                return
            try:
                other = await answered.dial(
                    [caller], ring_s=CALLBACK_RING_S, caller_id=user, metadata={"reason": "callback"}
                )
                if isinstance(other, Channel):
                    try:
                        await answered.bridge(other)
                    finally:
                        await other.hangup()
            finally:
                await answered.hangup()
        finally:
            if caller in queue:
                queue.remove(caller)
            if not queue:
                self.waiting.pop(user_id, None)


class _Reminders:
    """PQ-07: tells the receptionist who camped a call, then their whole attendant group, that it
    still waits (once each)."""

    def __init__(
        self,
        b2bua: B2bua,
        party: Channel,
        camper_id: int,
        waited_for: tuple[str, str],
        *,
        camper_after_s: int,
        reception_after_s: int,
    ) -> None:
        self._b2bua = b2bua
        self._party = party
        self._camper_id = camper_id
        self._waited_for = waited_for
        due = ((camper_after_s, "camper"), (reception_after_s, "reception"))
        self._due = [(after, to) for after, to in due if after]

    def check(self, waited_s: float) -> None:
        while self._due and waited_s >= self._due[0][0]:
            _after, to = self._due.pop(0)
            rights = self._b2bua.core.rights
            user_ids = (
                {self._camper_id} if to == "camper" else rights.fellow_holders("camp_on", self._camper_id)
            )
            call = self._party.call
            self._b2bua.core.bus.fire(
                EVENT_CAMPED_WAITING,
                {
                    "user_ids": sorted(user_ids),
                    "caller": call.caller,
                    "caller_name": call.caller_name,
                    "number": self._waited_for[0],
                    "name": self._waited_for[1],
                    "waited_s": int(waited_s),
                    "to": to,
                },
            )
