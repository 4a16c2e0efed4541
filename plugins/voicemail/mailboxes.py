"""Every user's mailbox (VM-01, VM-10, VM-13, VM-14) and every group inbox's (GIB-02): taking a
message from a caller, the messages kept in memory for their counts (the message-waiting lamps) and
the web UI, listened-to ones deleted after the retention days. A mailbox is named by a ``Box`` (a
user's id stands for their own)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from cordboard.core.bus import Event
from cordboard.core.calls.channel import Channel, ChannelHandler, ChannelHungUp, Prompt
from cordboard.core.calls.rule_calls import Bypass, voicemail_bypass
from cordboard.core.calls.subscriptions import EVENT_MAILBOX_FULL, EVENT_MESSAGE_COUNTS, MessageCounts
from cordboard.core.config.settings import EVENT_SETTINGS_CHANGED
from cordboard.core.context import ulid_now
from cordboard.core.core import Core
from cordboard.core.event_loop import cancel_and_wait
from cordboard.core.exceptions import NotFound
from cordboard.core.media import disk_space
from cordboard.core.media.prompts import PromptNotFound
from cordboard.plugins.voicemail import storage
from cordboard.plugins.voicemail.const import (
    ACTIVE_SETTING,
    ASSISTANCE_KEY,
    ASSISTANCE_SETTING,
    BYPASS_KEY,
    BYPASS_SETTING,
    CLEANUP_EVERY_S,
    DISK_FULL_NOTE,
    EVENT_VOICEMAIL_CHANGED,
    EVENT_VOICEMAIL_NEW,
    FOLDER,
    GREETING_PROMPTS,
    SILENCE_ENDS_S,
    TAKE_MESSAGES_SETTING,
)
from cordboard.plugins.voicemail.greetings import Greetings
from cordboard.plugins.voicemail.storage import Box, Message, as_box

_LOGGER = logging.getLogger(__name__)
DAY_S = 86400.0


class Mailboxes:
    def __init__(self, core: Core, config: Mapping[str, Any], clock: Callable[[], float] = time.time) -> None:
        self._core = core
        self.retention_days = int(config["retention_days"])
        self.max_bytes = int(config["max_mailbox_mb"]) * 1024 * 1024
        self.max_message_s = float(config["max_message_s"])
        self.hide_portal_link = bool(config.get("hide_portal_link", False))
        self.attachment_format = str(config.get("attachment_format") or "wav")
        """VM-07: the e-mails attach the recording as ``wav``, ``mp3`` or ``opus``."""
        self.own_phone_needs_pin = bool(config.get("own_phone_needs_pin", False))
        self.min_message_s = float(config["min_message_s"])
        self.folder = core.data_dir / FOLDER
        self.clock = clock
        self.greetings = Greetings(
            core,
            self.folder,
            allowed=bool(config.get("personal_greetings", True)),
            default_prompt=str(config.get("default_greeting") or ""),
        )
        self._messages: dict[str, Message] = {}
        self._switched_off: set[int] = set()
        """VM-11: users whose voicemail is off (kept here: the routing asks without waiting)."""
        self._cleaner: asyncio.Task[None] | None = None
        self._unlisten: Callable[[], None] | None = None

    async def load(self) -> None:
        for message in await self._core.db.call(storage.all_messages):
            self._messages[message.id] = message
        await self._find_switched_off()
        self._unlisten = self._core.bus.listen(EVENT_SETTINGS_CHANGED, self._settings_changed)

    async def _settings_changed(self, event: Event[Any]) -> None:
        # A save of the plugin's own settings reloads it: this instance may hear of it after stop(),
        # when the plugin's settings are unknown for a moment.
        if self._unlisten is not None and ACTIVE_SETTING in event.data.get("keys", ()):
            await self._find_switched_off()

    async def _find_switched_off(self) -> None:
        settings = self._core.settings
        off = set()
        for user in await self._core.identity.list_users():
            if not await settings.resolve(user.id, ACTIVE_SETTING):
                off.add(user.id)
        self._switched_off = off

    def is_on(self, user_id: int) -> bool:
        return user_id not in self._switched_off

    def start_cleaning(self) -> None:
        self._cleaner = self._core.create_task(self._clean_every_hour(), "voicemail retention")

    async def stop(self) -> None:
        if self._unlisten is not None:
            self._unlisten()
            self._unlisten = None
        if self._cleaner is not None:
            await cancel_and_wait(self._cleaner)

    # -- what is kept ---------------------------------------------------------------------------
    def messages(self, target: int | Box) -> list[Message]:
        """The mailbox's messages (a user's id: their own), newest first."""
        box = as_box(target)
        found = [m for m in self._messages.values() if box.holds(m)]
        return sorted(found, key=lambda m: m.received, reverse=True)

    def message(self, message_id: str) -> Message:
        found = self._messages.get(message_id)
        if found is None:
            raise NotFound(f"No voice message {message_id}")
        return found

    def audio_path(self, message: Message) -> Path:
        return self.folder / message.box.folder_name / f"{message.id}.wav"

    def counts(self, target: int | Box) -> MessageCounts:
        box = as_box(target)
        mine = [m for m in self._messages.values() if box.holds(m)]
        new = sum(1 for m in mine if not m.heard)
        return MessageCounts(new, len(mine) - new)

    def used_bytes(self, target: int | Box) -> int:
        box = as_box(target)
        return sum(m.size for m in self._messages.values() if box.holds(m))

    def is_full(self, target: int | Box) -> bool:
        return self.used_bytes(target) >= self.max_bytes

    # -- callers ----------------------------------------------------------------------------------
    def handler(self, user_id: int) -> ChannelHandler:
        """What takes a caller into ``user_id``'s mailbox (VM-01)."""

        async def leave_message(channel: Channel) -> None:
            await self.take_message(channel, user_id)

        return leave_message

    async def take_message(
        self, channel: Channel, target: int | Box, *, greeting: Sequence[Prompt] | None = None
    ) -> Message | None:
        """Greet the caller, record what they say and keep it (a message too short to be one is
        not kept); a full mailbox tells the caller so instead (VM-14). A user's mailbox greets
        with their greeting (VM-10); a group inbox with ``greeting`` (GIB-02)."""
        box = as_box(target)
        await channel.answer()
        full = self.is_full(box)
        disk_full = not full and not await self.has_disk_room(box)
        if self._core.calls is not None:  # VM-18: the call history says where the call went
            where = "voicemail" if box.inbox_id is None else "group inbox"
            if full or disk_full:
                where = f"{where}: {'mailbox full' if full else DISK_FULL_NOTE}"
            self._core.calls.note_route(channel.call.id, where)
        if disk_full:  # VM-14: no room on the disk; the caller is told, the owner's mailbox is not full
            _LOGGER.error(
                "No room on the disk for a message in mailbox %s: the caller %s is told",
                box.folder_name, channel.call.caller,
            )  # fmt: skip
            with contextlib.suppress(ChannelHungUp):
                await channel.play(["recording_unavailable", "goodbye"])
                await channel.hangup()
            return None
        if full:
            _LOGGER.info("Mailbox %s is full: the caller %s is told", box.folder_name, channel.call.caller)
            if box.inbox_id is None:  # NTF-02: the owner may want to hear of it
                self._core.bus.fire(
                    EVENT_MAILBOX_FULL,
                    {
                        "user_id": box.user_id,
                        "caller": channel.call.caller,
                        "caller_name": channel.call.caller_name,
                    },
                )
            with contextlib.suppress(ChannelHungUp):
                await channel.play(["mailbox_full", "goodbye"])
                await channel.hangup()
            return None
        message_id = ulid_now()
        path = self.folder / box.folder_name / f"{message_id}.wav"
        takes_messages = box.inbox_id is not None or bool(
            await self._core.settings.resolve(box.user_id, TAKE_MESSAGES_SETTING)
        )
        assistance = "" if box.inbox_id is not None else await self._assistance_number(box.user_id)
        bypass = None if box.inbox_id is not None else await self._bypass_of(box.user_id)
        activity: list[Prompt] = []
        if box.inbox_id is None:  # VM-02, VM-03: what the user is doing, and until when
            from cordboard.plugins.voicemail.activity import activity_info

            activity = await activity_info(self._core, box.user_id, channel.language)
        try:
            pressed = await self._greet(
                channel,
                box,
                greeting,
                offer_assistance=bool(assistance),
                offer_bypass=bypass is not None,
                activity=activity,
            )
            # VM-04: a person instead of the mailbox
            if (
                pressed == ASSISTANCE_KEY
                and assistance
                and await self._to_assistance(channel, box, assistance)
            ):
                return None
            # VM-05: the user's next matching rule instead of the mailbox
            if (
                pressed == BYPASS_KEY
                and bypass is not None
                and await self._to_next_rule(channel, box, bypass)
            ):
                return None
            if not takes_messages:  # VM-12: the greeting only
                await channel.play(["no_messages_allowed", "goodbye"])
                await channel.hangup()
                return None
            recording = await channel.record(
                path, max_s=self.max_message_s, silence_s=SILENCE_ENDS_S, beep=True, keep_on_hangup=True
            )
        except ChannelHungUp:
            return None  # gone during the greeting: nothing said, nothing kept
        if recording.seconds < max(self.min_message_s, 0.001):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            return None
        message = await self.keep(
            box, channel.call.caller, channel.call.caller_name, message_id, recording.seconds
        )
        with contextlib.suppress(ChannelHungUp):
            await channel.hangup()
        return message

    async def has_disk_room(self, target: int | Box) -> bool:
        """VM-14: whether the disk has room for a message of the longest length (plus
        ``disk_space.MARGIN_BYTES``) before the recording starts."""
        folder = self.folder / as_box(target).folder_name
        return await self._core.run_in_executor(disk_space.has_room, folder, self.max_message_s)

    async def _bypass_of(self, user_id: int) -> Bypass | None:
        """VM-05: the way on to the user's next matching rule when they offer it ("press 2") and
        a rule led the caller here; else None."""
        bypass = voicemail_bypass()
        if bypass is None or not await self._core.settings.resolve(user_id, BYPASS_SETTING):
            return None
        return bypass

    async def _to_next_rule(self, channel: Channel, box: Box, bypass: Bypass) -> bool:
        """VM-05: go on with the user's next matching rule; True when it took the call (it is over
        now), False when no rule is left (the caller is told and may leave a message)."""
        _LOGGER.info("Mailbox %s: the caller %s left the voicemail for the next rule", box.folder_name,
                     channel.call.caller)  # fmt: skip
        if await bypass():
            return True
        await channel.play(["vm_no_other_way"])
        return False

    async def _assistance_number(self, user_id: int) -> str:
        return str(await self._core.settings.resolve(user_id, ASSISTANCE_SETTING) or "")

    async def _to_assistance(self, channel: Channel, box: Box, number: str) -> bool:
        """VM-04: ring the user's assistance number for the caller; True when someone took the
        call (it is over now), False when nobody did (the caller is told and may leave a message)."""
        _LOGGER.info("Mailbox %s: the caller %s asked for personal assistance at %s", box.folder_name,
                     channel.call.caller, number)  # fmt: skip
        if self._core.calls is not None:
            self._core.calls.note_route(channel.call.id, f"voicemail: personal assistance {number}")
        missed = await channel.transfer(number, metadata={"reason": "voicemail: personal assistance"})
        if missed is None:
            return True
        await channel.play(["not_available"])
        return False

    async def _greet(
        self,
        channel: Channel,
        box: Box,
        chosen: Sequence[Prompt] | None,
        *,
        offer_assistance: bool = False,
        offer_bypass: bool = False,
        activity: Sequence[Prompt] = (),
    ) -> str | None:
        """Play the mailbox's greeting after what is offered (VM-04: "for personal assistance
        press 1", VM-05: "to reach ... another way, press 2"; then a key ends it) and the user's
        activity (VM-02, VM-03); the key pressed, if any."""
        if chosen:
            greeting = list(chosen)
        elif box.inbox_id is not None:
            greeting = list(GREETING_PROMPTS)
        else:
            greeting = await self._core.run_in_executor(self.greetings.for_caller, box.user_id)
        keys: list[Prompt] = ["vm_press_1_assistance"] if offer_assistance else []
        if offer_bypass:
            keys.append("vm_press_2_bypass")
        interrupt = bool(keys)
        pressed = await channel.play(keys, interrupt_on_dtmf=True) if keys else None
        if pressed is None and activity:
            try:
                pressed = await channel.play(activity, interrupt_on_dtmf=interrupt)
            except PromptNotFound:  # the activity's prompt was deleted: the greeting still plays
                _LOGGER.warning("The activity prompt in %s is gone: only the greeting plays", activity)
        if pressed is not None:
            return pressed
        try:
            return await channel.play(greeting, interrupt_on_dtmf=interrupt)
        except PromptNotFound:  # the organisation's default greeting was deleted
            _LOGGER.warning("Voicemail greeting %s is gone: the standard greeting plays", greeting)
            return await channel.play(list(GREETING_PROMPTS), interrupt_on_dtmf=interrupt)

    async def keep(
        self, target: int | Box, caller: str, caller_name: str, message_id: str, seconds: float
    ) -> Message:
        """File the recording ``message_id`` (already in the mailbox's folder) as a new message."""
        box = as_box(target)
        path = self.folder / box.folder_name / f"{message_id}.wav"
        message = Message(
            message_id,
            box.user_id,
            caller,
            caller_name,
            self.clock(),
            seconds,
            path.stat().st_size,
            inbox_id=box.inbox_id,
        )
        await self._core.db.call(lambda db: storage.add_message(db, message))
        self._messages[message.id] = message
        _LOGGER.info(
            "Voice message %s for mailbox %s from %s (%.1f s)", message.id, box.folder_name, caller, seconds
        )
        new: dict[str, Any] = {
            "user_id": box.user_id,
            "message_id": message.id,
            "caller": caller,
            "caller_name": caller_name,
            "seconds": round(seconds, 1),
        }
        if box.inbox_id is not None:
            new["inbox_id"] = box.inbox_id
        self._core.bus.fire(EVENT_VOICEMAIL_NEW, new)
        self._changed(box)
        self._core.create_task(self._send_notice(message), f"e-mail about voice message {message.id}")
        return message

    async def _send_notice(self, message: Message) -> None:
        """VM-07: the owner's e-mail about it, queued (GIB-05: a group inbox's SMS and e-mails;
        VM-06: the owner's SMS); a failure is logged and the message stays."""
        from cordboard.plugins.voicemail.group_notice import send_group_notices
        from cordboard.plugins.voicemail.notice import send_notice

        if message.inbox_id is None:
            await self._send_sms_notice(message)
        try:
            audio = await self._core.run_in_executor(self.audio_path(message).read_bytes)
            if message.inbox_id is not None:
                await send_group_notices(self._core, message, audio, attachment_format=self.attachment_format)
                return
            await send_notice(
                self._core,
                message,
                audio,
                hide_link=self.hide_portal_link,
                attachment_format=self.attachment_format,
            )
        except Exception:
            _LOGGER.exception("The e-mail about voice message %s could not be queued", message.id)

    async def _send_sms_notice(self, message: Message) -> None:
        """VM-06: the owner's SMS about it, when they want one; a failure is logged."""
        from cordboard.plugins.voicemail.sms_notice import send_sms_notice

        try:
            await send_sms_notice(self._core, message)
        except Exception:
            _LOGGER.exception("The SMS about voice message %s could not be queued", message.id)

    # -- the owner ------------------------------------------------------------------------------
    async def mark_heard(self, message_id: str, heard: bool = True) -> Message:
        message = self.message(message_id)
        if message.heard == heard:
            return message
        heard_at = self.clock() if heard else None
        await self._core.db.call(lambda db: storage.set_heard(db, message_id, heard_at))
        changed = dataclasses.replace(message, heard_at=heard_at)
        self._messages[message_id] = changed
        self._changed(message.box)
        return changed

    async def delete(self, message_id: str) -> None:
        message = self.message(message_id)
        await self._forget([message])
        self._changed(message.box)

    async def clean(self) -> int:
        """VM-13: delete the listened-to messages older than the retention days; how many."""
        cutoff = self.clock() - self.retention_days * DAY_S
        expired = [m for m in self._messages.values() if m.heard and m.received < cutoff]
        if expired:
            await self._forget(expired)
            _LOGGER.info(
                "Deleted %d listened-to voice messages older than %d days", len(expired), self.retention_days
            )
            for box in {m.box for m in expired}:
                self._changed(box)
        return len(expired)

    async def _forget(self, messages: list[Message]) -> None:
        ids = [m.id for m in messages]
        await self._core.db.call(lambda db: storage.delete_messages(db, ids))
        for message in messages:
            self._messages.pop(message.id, None)
            with contextlib.suppress(FileNotFoundError):
                self.audio_path(message).unlink()

    async def _clean_every_hour(self) -> None:
        while True:
            try:
                await self.clean()
            except Exception:
                _LOGGER.exception("Voice message retention failed; trying again in an hour")
            await asyncio.sleep(CLEANUP_EVERY_S)

    @property
    def core(self) -> Core:
        return self._core

    def greetings_changed(self, user_id: int) -> None:
        self._core.bus.fire(EVENT_VOICEMAIL_CHANGED, {"user_id": user_id, "greetings": True})

    def forget_box(self, message_ids: Sequence[str]) -> None:
        """A group inbox was deleted with these messages' rows: their files go too."""
        for message_id in message_ids:
            message = self._messages.pop(message_id, None)
            if message is not None:
                with contextlib.suppress(FileNotFoundError):
                    self.audio_path(message).unlink()

    def _changed(self, target: int | Box) -> None:
        box = as_box(target)
        if box.inbox_id is not None:  # GIB-03: the members' web UI reloads; no lamp
            self._core.bus.fire(EVENT_VOICEMAIL_CHANGED, {"user_id": 0, "inbox_id": box.inbox_id})
            return
        self._core.bus.fire(EVENT_MESSAGE_COUNTS, {"user_id": box.user_id})
        self._core.bus.fire(EVENT_VOICEMAIL_CHANGED, {"user_id": box.user_id})
