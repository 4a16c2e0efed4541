"""GIB-05: when a message arrives in a group inbox, the users of its SMS groups who have a mobile
number get an SMS, the users of its e-mail groups who have an address get an e-mail with the
recording attached, each in their language. Both go through the notify plugin's queues; without
the plugin, or with its mail relay or modem not set up, that kind is skipped with a log line."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Final

from cordboard.core.core import Core
from cordboard.core.identity.users import User
from cordboard.plugins.voicemail.const import INBOXES_KEY
from cordboard.plugins.voicemail.storage import GroupInbox, Message

if TYPE_CHECKING:
    from cordboard.plugins.notify.sms import SmsService

_LOGGER = logging.getLogger(__name__)

TEXTS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "subject": "New voice message in {inbox} from {caller}",
        "body": "{caller} left a voice message of {length} in the group inbox {inbox} ({number}).",
        "attached": "The recording is attached.",
        "sms": "New voice message in {inbox} ({number}) from {caller}, {length}.",
        "unknown": "an unknown caller",
    },
    "de": {
        "subject": "Neue Sprachnachricht in {inbox} von {caller}",
        "body": "{caller} hat eine Sprachnachricht von {length} in der Gruppen-Mailbox {inbox} ({number}) "
        "hinterlassen.",
        "attached": "Die Aufnahme ist angehängt.",
        "sms": "Neue Sprachnachricht in {inbox} ({number}) von {caller}, {length}.",
        "unknown": "einem unbekannten Anrufer",
    },
    "da": {
        "subject": "Ny talebesked i {inbox} fra {caller}",
        "body": "{caller} har lagt en talebesked på {length} i gruppepostkassen {inbox} ({number}).",
        "attached": "Optagelsen er vedhæftet.",
        "sms": "Ny talebesked i {inbox} ({number}) fra {caller}, {length}.",
        "unknown": "en ukendt opkalder",
    },
}


def compose(message: Message, inbox: GroupInbox, language: str) -> dict[str, str]:
    """The e-mail's subject and text and the SMS text, in ``language``."""
    words = TEXTS.get(language, TEXTS["en"])
    if message.caller_name:
        caller = f"{message.caller_name} ({message.caller})"
    else:
        caller = message.caller or words["unknown"]
    whole = int(message.seconds)
    values = {
        "caller": caller,
        "inbox": inbox.name,
        "number": inbox.number,
        "length": f"{whole // 60}:{whole % 60:02d}",
    }
    return {
        "subject": words["subject"].format(**values),
        "text": f"{words['body'].format(**values)}\n\n{words['attached']}\n",
        "sms": words["sms"].format(**values),
    }


async def _users_of(core: Core, group_ids: list[int]) -> list[User]:
    wanted = set(group_ids)
    return [u for u in await core.identity.list_users() if not u.locked and wanted & set(u.groups)]


def sms_service(core: Core) -> SmsService | None:
    """The notify plugin's SMS queue when a GSM modem is set up; None without the plugin or with
    its modem not set up (nothing is queued then to go out by surprise once it is). GIB-05 and
    VM-06 find it here."""
    from cordboard.plugins.notify.const import SMS_KEY

    sms = core.data.get(SMS_KEY)
    if sms is None or sms.settings.missing() is not None:
        return None
    return sms


async def send_group_notices(
    core: Core, message: Message, audio: bytes, *, attachment_format: str = "wav"
) -> tuple[int, int]:
    """Queue the SMS and e-mails about a group inbox's new message; how many of each. The
    recording is attached in ``attachment_format`` (``wav``, ``mp3``, ``opus``; VM-07)."""
    from cordboard.plugins.notify.const import MAIL_KEY
    from cordboard.plugins.voicemail.notice import attachment as encoded_attachment

    inboxes = core.data.get(INBOXES_KEY)
    if inboxes is None or message.inbox_id is None:
        return 0, 0
    inbox = inboxes.get(message.inbox_id)
    texts: dict[str, dict[str, str]] = {}

    def words(user: User) -> dict[str, str]:
        return texts.setdefault(user.language, compose(message, inbox, user.language))

    sms_sent = mails_sent = 0
    if inbox.sms_groups:
        sms = sms_service(core)
        if sms is None:
            _LOGGER.info(
                "No SMS about voice message %s in %s: no GSM modem is set up", message.id, inbox.name
            )
        else:
            for user in await _users_of(core, inbox.sms_groups):
                if not user.mobile:
                    continue  # GIB-05: only users with a mobile number
                try:
                    await sms.send(user.mobile, words(user)["sms"])
                    sms_sent += 1
                except ValueError as err:
                    _LOGGER.warning("No SMS to %s about voice message %s: %s", user.username, message.id, err)
    if inbox.email_groups:
        mailer = core.data.get(MAIL_KEY)
        if mailer is None or mailer.settings.missing() is not None:
            _LOGGER.info("No e-mail about voice message %s in %s: no mail relay", message.id, inbox.name)
        else:
            attachment = await encoded_attachment(core, message, audio, attachment_format)
            from cordboard.plugins.notify.notices import notification_address

            for user in await _users_of(core, inbox.email_groups):
                address = await notification_address(core, user)  # NTF-01
                if address is None:
                    continue
                text = words(user)
                await mailer.send(
                    to=address,
                    subject=text["subject"],
                    text=text["text"],
                    attachments=[attachment],
                    language=user.language,
                )
                mails_sent += 1
    _LOGGER.info(
        "Voice message %s in %s: %d SMS and %d e-mails queued", message.id, inbox.name, sms_sent, mails_sent
    )
    return sms_sent, mails_sent
