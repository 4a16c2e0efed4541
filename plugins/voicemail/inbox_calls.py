"""Calls to group inboxes and voicemail numbers. A group inbox's number greets the caller with
its greeting prompt and takes a message (GIB-02, the mailboxes' ``take_message``: size limit and
shortest message apply). A voicemail number (GIB-07) of kind ``user_inbox`` opens the caller's
own mailbox as ``*50*`` does (a caller who is no user here keys their extension and PIN, as with
``*51*``); one of kind ``group_inbox`` asks for the inbox's code (GIB-04): members of its member
groups calling from their own phone then listen (GIB-03); anybody else (a withheld or outside
number, another user's phone) only after the inbox's PIN, and only when the inbox allows
anonymous callers after PIN. Wrong codes and PINs count towards the lock-out of BYD-32."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Final

from cordboard.core.calls.channel import Channel, ChannelHungUp
from cordboard.core.core import Core
from cordboard.core.identity import sessions
from cordboard.core.identity.passwords import verify_secret
from cordboard.plugins.voicemail.const import CODE_DIGITS, KIND_USER_INBOX
from cordboard.plugins.voicemail.listen import (
    PIN_DIGITS,
    listen,
    open_by_extension,
    open_own,
    say_and_hang_up,
)
from cordboard.plugins.voicemail.mailboxes import Mailboxes
from cordboard.plugins.voicemail.storage import GroupInbox, VoicemailNumber

if TYPE_CHECKING:
    from cordboard.plugins.voicemail.inboxes import GroupInboxes

_LOGGER = logging.getLogger(__name__)
TRIES: Final = 3


async def leave_message(mailboxes: Mailboxes, inbox: GroupInbox, channel: Channel) -> None:
    """GIB-02: the inbox's greeting, then the caller's message."""
    greeting = [inbox.greeting_prompt] if inbox.greeting_prompt else None
    await mailboxes.take_message(channel, inbox.box, greeting=greeting)


async def listen_at(
    core: Core, mailboxes: Mailboxes, inboxes: GroupInboxes, number: VoicemailNumber, channel: Channel
) -> None:
    """GIB-04, GIB-07: a call to a voicemail number."""
    caller = channel.call.caller_user_id
    try:
        if number.kind == KIND_USER_INBOX:
            if caller is not None and caller > 0:
                await open_own(core, mailboxes, channel, caller)
            else:
                await open_by_extension(core, mailboxes, channel)
            return
        await channel.answer()
        inbox = inboxes.get(number.inbox_id) if number.inbox_id is not None else None
        if inbox is None or not await _code_accepted(core, channel, inbox):
            return
        if caller is not None and caller > 0:
            user = await core.identity.get_user(caller)
            if inboxes.member_of(inbox, user.groups):
                await listen(channel, mailboxes, inbox.box)
                return
        if not (inbox.allow_anonymous_after_pin and inbox.pin_hash):
            _LOGGER.info(
                "Group inbox %s: %s is no member and the inbox takes no PIN", inbox.name, channel.call.caller
            )
            await say_and_hang_up(channel, ["feature_not_allowed", "goodbye"])
            return
        if await _secret_accepted(core, channel, inbox, ("enter_pin", PIN_DIGITS), inbox.pin_hash):
            await listen(channel, mailboxes, inbox.box)
    except ChannelHungUp:
        return


async def _code_accepted(core: Core, channel: Channel, inbox: GroupInbox) -> bool:
    return await _secret_accepted(core, channel, inbox, ("vm_enter_inbox_code", CODE_DIGITS), None)


async def _secret_accepted(
    core: Core,
    channel: Channel,
    inbox: GroupInbox,
    ask: tuple[str, int],
    hashed: str | None,
) -> bool:
    """Ask (``ask``: the prompt and the most digits) for the inbox's code (``hashed`` None) or its
    PIN, three tries; every wrong one counts towards the inbox's lock-out (BYD-32), the right one
    clears it."""
    prompt, digits = ask
    what = "code" if hashed is None else "PIN"
    key = f"group_inbox_{what}:{inbox.id}"
    for _attempt in range(TRIES):
        keyed = await channel.ask(prompt, digits)
        if await core.db.call(lambda db: sessions.blocked_for(db, key)):
            _LOGGER.warning("Group inbox %s: %s locked after repeated wrong ones", inbox.name, what)
            await say_and_hang_up(channel, ["pin_locked", "goodbye"])
            return False
        right = keyed == inbox.code if hashed is None else verify_secret(keyed, hashed)
        if keyed and right:
            await core.db.call(lambda db: sessions.clear_failures(db, key))
            return True
        _LOGGER.info("Group inbox %s: wrong %s from %s", inbox.name, what, channel.call.caller)
        await core.db.call(lambda db: sessions.record_failure(db, key))
        await channel.play(["wrong_pin" if hashed is not None else "invalid_option"])
    await say_and_hang_up(channel, ["goodbye"])
    return False
