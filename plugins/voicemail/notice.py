"""The e-mail that tells a user about a new voice message (VM-07, VM-09): in the user's language,
with the recording attached when they want it, and a link to their mailbox in the web UI unless the
organisation hides it. Sent through the notify plugin's queue, so a mail server that is down delays
the mail and never the call."""

from __future__ import annotations

import datetime
import logging
from typing import TYPE_CHECKING, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cordboard.core.core import Core
from cordboard.core.exceptions import NotFound
from cordboard.plugins.voicemail.storage import Message

if TYPE_CHECKING:
    from cordboard.plugins.notify.smtp import Attachment

_LOGGER = logging.getLogger(__name__)
EMAIL_CHOICES: Final = ("no", "yes", "attach")
"""VM-07: no e-mail, an e-mail, an e-mail with the recording attached."""

TEXTS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "subject": "New voice message from {caller}",
        "body": "{caller} left you a voice message of {length} on {when}.",
        "attached": "The recording is attached.",
        "link": "Listen to it in your mailbox: {link}",
        "unknown": "an unknown caller",
    },
    "de": {
        "subject": "Neue Sprachnachricht von {caller}",
        "body": "{caller} hat Ihnen am {when} eine Sprachnachricht von {length} hinterlassen.",
        "attached": "Die Aufnahme ist angehängt.",
        "link": "Hören Sie sie in Ihrer Mailbox an: {link}",
        "unknown": "einem unbekannten Anrufer",
    },
    "da": {
        "subject": "Ny talebesked fra {caller}",
        "body": "{caller} har lagt en talebesked på {length} til dig {when}.",
        "attached": "Optagelsen er vedhæftet.",
        "link": "Lyt til den i din postkasse: {link}",
        "unknown": "en ukendt opkalder",
    },
}


def _length(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _when(received: float, timezone: str) -> str:
    try:
        zone: datetime.tzinfo = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = datetime.UTC
    return datetime.datetime.fromtimestamp(received, zone).strftime("%Y-%m-%d %H:%M")


def compose(
    message: Message, language: str, timezone: str, link: str | None, attached: bool
) -> tuple[str, str]:
    """The subject and text of the notice."""
    words = TEXTS.get(language, TEXTS["en"])
    if message.caller_name:
        caller = f"{message.caller_name} ({message.caller})"
    else:
        caller = message.caller or words["unknown"]
    lines = [
        words["body"].format(
            caller=caller, length=_length(message.seconds), when=_when(message.received, timezone)
        )
    ]
    if attached:
        lines.append(words["attached"])
    if link:
        lines.append(words["link"].format(link=link))
    return words["subject"].format(caller=caller), "\n\n".join(lines) + "\n"


def portal_link(core: Core) -> str:
    """The user's mailbox page in the web UI, at the appliance's LAN address."""
    provisioning = core.provisioning
    host = (provisioning.address if provisioning is not None else None) or core.config.http_bind
    http = core.http
    port = http.port if http is not None and http.port else core.config.http_port
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/voicemail"


async def attachment(
    core: Core, message: Message, audio: bytes, attachment_format: str = "wav"
) -> Attachment:
    """VM-07: the recording as the e-mails attach it, in the organisation's format (``wav``,
    ``mp3``, ``opus``): encoded in an executor; the WAV when it cannot be compressed (logged)."""
    from cordboard.core.media.audio_encode import compress_wav
    from cordboard.plugins.notify.smtp import Attachment

    encoded = await core.run_in_executor(
        compress_wav, audio, attachment_format, name=f"Voice message {message.id}"
    )
    return Attachment(encoded.file_name(f"voicemail-{message.id}"), encoded.data, encoded.mime_type)


async def send_notice(
    core: Core, message: Message, audio: bytes, *, hide_link: bool, attachment_format: str = "wav"
) -> int | None:
    """Queue the notice for the message's owner as they chose (``voicemail.email``); the mail's id,
    or None when none goes out (they want none, have no address, or no mail relay is set up). The
    recording is attached in ``attachment_format`` (``wav``, ``mp3``, ``opus``)."""
    from cordboard.plugins.notify.const import MAIL_KEY
    from cordboard.plugins.notify.notices import notification_address

    choice = await core.settings.resolve(message.user_id, "voicemail.email")
    if choice not in ("yes", "attach"):
        return None
    try:
        user = await core.identity.get_user(message.user_id)
    except NotFound:
        return None
    mailer = core.data.get(MAIL_KEY)
    if mailer is not None and mailer.settings.missing() is not None:
        mailer = None  # not set up: no mail queued now to go out by surprise once it is
    address = await notification_address(core, user)  # NTF-01: the address they chose, or their own
    if not address or mailer is None:
        _LOGGER.info(
            "No e-mail about voice message %s: %s", message.id, "no address" if mailer else "no mail relay"
        )
        return None
    timezone = str(await core.settings.resolve(message.user_id, "core.timezone"))
    attached = choice == "attach"
    subject, text = compose(
        message, user.language, timezone, None if hide_link else portal_link(core), attached
    )
    files = [await attachment(core, message, audio, attachment_format)] if attached else []
    return await mailer.send(
        to=address, subject=subject, text=text, attachments=files, language=user.language
    )
