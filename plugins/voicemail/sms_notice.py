"""VM-06: an SMS to the user's mobile number when a caller leaves them a message, if they (or their
group, or the organisation) switched on ``voicemail.sms_notice``. In the user's language: who
called, how long the message is, when it came. It goes through the notify plugin's SMS queue (the
GSM modem; the lookup is GIB-05's ``sms_service``); without the plugin or its modem, or without a
mobile number in the user's record, nothing is queued and the reason is logged."""

from __future__ import annotations

import logging
from typing import Final

from cordboard.core.core import Core
from cordboard.core.exceptions import NotFound
from cordboard.plugins.voicemail.const import SMS_NOTICE_SETTING
from cordboard.plugins.voicemail.group_notice import sms_service
from cordboard.plugins.voicemail.notice import _length, _when
from cordboard.plugins.voicemail.storage import Message

_LOGGER = logging.getLogger(__name__)

TEXTS: Final[dict[str, dict[str, str]]] = {
    "en": {"sms": "New voice message from {caller}, {length}, on {when}.", "unknown": "an unknown caller"},
    "de": {
        "sms": "Neue Sprachnachricht von {caller}, {length}, am {when}.",
        "unknown": "einem unbekannten Anrufer",
    },
    "da": {"sms": "Ny talebesked fra {caller}, {length}, {when}.", "unknown": "en ukendt opkalder"},
}


def compose_sms(message: Message, language: str, timezone: str) -> str:
    """The SMS text about ``message`` in ``language`` (en, de, da; others get English)."""
    words = TEXTS.get(language, TEXTS["en"])
    if message.caller_name and message.caller:
        caller = f"{message.caller_name} ({message.caller})"
    else:
        caller = message.caller_name or message.caller or words["unknown"]
    return words["sms"].format(
        caller=caller, length=_length(message.seconds), when=_when(message.received, timezone)
    )


async def send_sms_notice(core: Core, message: Message) -> int | None:
    """Queue the SMS about a user's new message when they want one; the SMS's id, or None when
    none goes out (not wanted, a group inbox's message, no mobile number, no modem)."""
    if message.inbox_id is not None:  # GIB-05 tells a group inbox's users
        return None
    if not await core.settings.resolve(message.user_id, SMS_NOTICE_SETTING):
        return None
    try:
        user = await core.identity.get_user(message.user_id)
    except NotFound:
        return None
    if not user.mobile:
        _LOGGER.info("No SMS about voice message %s: %s has no mobile number", message.id, user.username)
        return None
    sms = sms_service(core)
    if sms is None:
        _LOGGER.info("No SMS about voice message %s: no GSM modem is set up", message.id)
        return None
    timezone = str(await core.settings.resolve(message.user_id, "core.timezone"))
    try:
        sms_id = await sms.send(user.mobile, compose_sms(message, user.language, timezone))
    except ValueError as err:  # a mobile number the modem cannot dial
        _LOGGER.warning("No SMS to %s about voice message %s: %s", user.username, message.id, err)
        return None
    _LOGGER.info("SMS %d to %s about voice message %s queued", sms_id, user.username, message.id)
    return sms_id
