"""Listening to the mailbox by phone (VM-15): ``*50*`` from the user's own phone (no PIN unless the
organisation wants one), ``*51*EXT*`` from any phone with EXT's PIN; wrong PINs count towards the
lock-out of BYD-32 (``IdentityService.check_pin``). The caller hears how many new and saved messages
there are, then each message, new ones first, newest first, and after each: 1 again, 7 delete,
9 keep (and go on), 5 call the caller back; ``#`` skips to the next. 0 while the counts are told
opens the greetings (VM-10, when the organisation allows personal ones): 1 record the greeting for
when the owner does not answer, 2 the one for when they are busy, 3 back to the standard greeting;
the recording is guided like a prompt's (core/media/phone_recording.py). The same menu serves a
group inbox's members (GIB-03, GIB-04: ``inbox_calls.py``), without the greetings."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Final

from cordboard.core.calls.channel import Channel, ChannelHungUp
from cordboard.core.core import Core
from cordboard.core.exceptions import TooManyAttempts
from cordboard.core.features.model import FeatureRefused, FeatureRequest
from cordboard.core.media.phone_recording import RecordingFailed, record_guided
from cordboard.core.media.prompts import say_digits, say_number
from cordboard.plugins.voicemail.const import MAILBOXES_KEY
from cordboard.plugins.voicemail.greetings import BUSY, KINDS, UNAVAILABLE
from cordboard.plugins.voicemail.mailboxes import Mailboxes
from cordboard.plugins.voicemail.storage import Box, Message, as_box

_LOGGER = logging.getLogger(__name__)
PIN_DIGITS: Final = 12
MENU_WAIT_S: Final = 8.0
REPEAT: Final = "1"
CALL_BACK: Final = "5"
DELETE: Final = "7"
KEEP: Final = "9"
NEXT: Final = "#"
GREETINGS: Final = "0"
GREETING_KEYS: Final = {"1": UNAVAILABLE, "2": BUSY}
STANDARD_GREETING: Final = "3"


def _mailboxes(request: FeatureRequest) -> Mailboxes:
    found = request.core.data.get(MAILBOXES_KEY)
    if found is None:
        raise FeatureRefused("the mailboxes are not running")
    return found


async def own_mailbox(request: FeatureRequest) -> Sequence[str] | None:
    """``*50*``: the caller's own mailbox."""
    if request.user_id <= 0:
        raise FeatureRefused("only a user's own phone may open their mailbox")
    await open_own(request.core, _mailboxes(request), request.channel, request.user_id)
    return None


async def open_own(core: Core, mailboxes: Mailboxes, channel: Channel, user_id: int) -> None:
    """The caller's own mailbox from their own phone (``*50*``, a ``user_inbox`` number)."""
    await channel.answer()
    if mailboxes.own_phone_needs_pin and not await pin_accepted(core, channel, user_id):
        return
    await listen(channel, mailboxes, user_id)


async def open_by_extension(core: Core, mailboxes: Mailboxes, channel: Channel) -> None:
    """A caller who is no user here (GIB-07 ``user_inbox``): their extension, then its PIN."""
    await channel.answer()
    calls = core.calls
    for _attempt in range(3):
        try:
            extension = await channel.ask("enter_extension", PIN_DIGITS)
        except ChannelHungUp:
            return
        account = calls.find_account(extension) if calls is not None and extension else None
        if account is not None:
            if await pin_accepted(core, channel, account.user_id):
                await listen(channel, mailboxes, account.user_id)
            return
        await channel.play(["invalid_option"])
    await say_and_hang_up(channel, ["goodbye"])


async def any_mailbox(request: FeatureRequest) -> Sequence[str] | None:
    """``*51*EXT*``: EXT's mailbox from any phone, with EXT's PIN."""
    calls = request.core.calls
    account = calls.find_account(request.fields["extension"]) if calls is not None else None
    if account is None:
        raise FeatureRefused(f"no user has extension {request.fields['extension']}", "not_available")
    mailboxes = _mailboxes(request)
    await request.channel.answer()
    if await pin_accepted(request.core, request.channel, account.user_id):
        await listen(request.channel, mailboxes, account.user_id)
    return None


async def pin_accepted(core: Core, channel: Channel, user_id: int) -> bool:
    """Ask for the mailbox owner's PIN (three tries); a wrong one is told, a locked one too."""
    for _attempt in range(3):
        pin = await channel.ask("enter_pin", PIN_DIGITS)
        try:
            if await core.identity.check_pin(user_id, pin):
                return True
        except TooManyAttempts:
            _LOGGER.warning("Mailbox of user %s: PIN locked after repeated wrong PINs", user_id)
            await say_and_hang_up(channel, ["pin_locked", "goodbye"])
            return False
        _LOGGER.info("Mailbox of user %s: wrong PIN from %s", user_id, channel.call.caller)
        await channel.play(["wrong_pin"])
    await say_and_hang_up(channel, ["goodbye"])
    return False


async def say_and_hang_up(channel: Channel, prompts: list[str]) -> None:
    try:
        await channel.play(prompts)
    except ChannelHungUp:
        return
    await channel.hangup()


def _counts_prompts(new: int, old: int, language: str) -> list[str]:
    return [
        "vm_you_have",
        *say_number(new, language),
        "vm_new_messages",
        "vm_and",
        *say_number(old, language),
        "vm_old_messages",
    ]


async def listen(channel: Channel, mailboxes: Mailboxes, target: int | Box) -> None:
    """The mailbox's menu until the messages are through or the caller hangs up (a user's id:
    their own mailbox, with its greetings; a group inbox's ``Box``: its messages only)."""
    box = as_box(target)
    greetings = mailboxes.greetings.allowed and box.inbox_id is None
    try:
        counts = mailboxes.counts(box)
        told = _counts_prompts(counts.new, counts.old, channel.language)
        if greetings:
            told.append("vm_greeting_option")
        if await channel.play(told, interrupt_on_dtmf=True) == GREETINGS and greetings:
            await _greeting_menu(channel, mailboxes, box.user_id)
            return
        # New first (oldest of them first, as they came), then the saved ones.
        queue = sorted(mailboxes.messages(box), key=lambda m: (m.heard, m.received))
        for message in queue:
            if await _one_message(channel, mailboxes, message) == CALL_BACK:
                return
        await channel.play(["vm_no_more_messages", "goodbye"])
        await channel.hangup()
    except ChannelHungUp:
        return


async def _one_message(channel: Channel, mailboxes: Mailboxes, message: Message) -> str | None:
    """Play one message and follow the caller's choice; CALL_BACK when the call went on to them."""
    caller = say_digits(message.caller) if message.caller else ["vm_unknown_caller"]
    while True:
        pressed = await channel.play(["vm_message_from", *caller], interrupt_on_dtmf=True)
        if pressed is None:
            pressed = await channel.play([mailboxes.audio_path(message)], interrupt_on_dtmf=True)
        if pressed is None:
            await mailboxes.mark_heard(message.id)
            pressed = await channel.play(["vm_message_menu"], interrupt_on_dtmf=True)
        if pressed is None:
            pressed = await channel.collect_digits(1, timeout=MENU_WAIT_S, terminator=None) or KEEP
        if pressed == REPEAT:
            continue
        if pressed == DELETE:
            await mailboxes.delete(message.id)
            await channel.play(["vm_deleted"])
            return pressed
        if pressed == CALL_BACK and message.caller:
            await mailboxes.mark_heard(message.id)
            await channel.transfer(message.caller)
            return CALL_BACK
        await mailboxes.mark_heard(message.id)
        if pressed == KEEP:
            await channel.play(["vm_saved"])
        return pressed


async def _greeting_menu(channel: Channel, mailboxes: Mailboxes, user_id: int) -> None:
    """VM-10 by phone: record one of the greetings or go back to the standard one, then hang up."""
    pressed = await channel.play(["vm_greeting_menu"], interrupt_on_dtmf=True)
    if pressed is None:
        pressed = await channel.collect_digits(1, timeout=MENU_WAIT_S, terminator=None)
    greetings = mailboxes.greetings
    core = mailboxes.core
    if pressed in GREETING_KEYS:
        kind = GREETING_KEYS[pressed]
        scratch = greetings.path(user_id, kind).with_suffix(".take.wav")
        try:
            samples = await record_guided(core, channel, scratch)
        except RecordingFailed as err:
            _LOGGER.info("Greeting of user %s not recorded: %s", user_id, err)
            return  # the caller was told (and the guide said goodbye)
        finally:
            scratch.unlink(missing_ok=True)
        await core.run_in_executor(greetings.store, user_id, kind, samples)
        _LOGGER.info("User %s recorded their %s greeting by phone", user_id, kind)
        mailboxes.greetings_changed(user_id)
        await say_and_hang_up(channel, ["vm_greeting_saved", "goodbye"])
    elif pressed == STANDARD_GREETING:
        for kind in KINDS:
            await core.run_in_executor(greetings.delete, user_id, kind)
        mailboxes.greetings_changed(user_id)
        await say_and_hang_up(channel, ["vm_greeting_removed", "goodbye"])
    else:
        await say_and_hang_up(channel, ["goodbye"])
