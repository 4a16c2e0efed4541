"""The organisation's mailbox defaults (VM-13, VM-14, VM-17), the plugin's settings form."""

from __future__ import annotations

import re
from typing import Any, Final

import voluptuous as vol

from cordboard.core.config import validation as cv
from cordboard.core.media.audio_encode import available_formats
from cordboard.core.numbers.function_numbers import (
    LOCAL_RE,
    PROMPT_RE,
    compact,
    function_number,
    id_list,
    name_of_at_most,
)
from cordboard.plugins.voicemail.const import (
    ATTACHMENT_FORMATS,
    CODE_DIGITS,
    DEFAULT_MAX_MAILBOX_MB,
    DEFAULT_MAX_MESSAGE_S,
    DEFAULT_MIN_MESSAGE_S,
    DEFAULT_RETENTION_DAYS,
    NAME_MAX,
    NUMBER_KINDS,
)
from cordboard.plugins.voicemail.notice import EMAIL_CHOICES

_ATTACHMENT_FORMATS: Final = tuple(f for f in ATTACHMENT_FORMATS if f in available_formats())
"""VM-07: the formats this installation's FFmpeg can write (WAV always)."""

CONFIG_SCHEMA: Final = vol.Schema(
    {
        vol.Optional(
            "retention_days",
            default=DEFAULT_RETENTION_DAYS,
            description="Listened-to messages older than this many days are deleted (VM-13).",
        ): vol.All(vol.Coerce(int), vol.Range(min=1, max=3650, msg="1 to 3650 days")),
        vol.Optional(
            "max_mailbox_mb",
            default=DEFAULT_MAX_MAILBOX_MB,
            description="A mailbox this full (MB) refuses new messages and tells the caller (VM-14).",
        ): vol.All(vol.Coerce(int), vol.Range(min=1, max=10000, msg="1 to 10000 MB")),
        vol.Optional(
            "max_message_s", default=DEFAULT_MAX_MESSAGE_S, description="The longest message, in seconds."
        ): vol.All(vol.Coerce(int), vol.Range(min=10, max=3600, msg="10 to 3600 seconds")),
        vol.Optional(
            "min_message_s",
            default=DEFAULT_MIN_MESSAGE_S,
            description="Shorter messages (a caller who hung up at the tone) are not kept, in seconds.",
        ): vol.All(vol.Coerce(float), vol.Range(min=0, max=30, msg="0 to 30 seconds")),
        vol.Optional(
            "email",
            default="attach",
            description="E-mail about new messages (VM-07): no, yes, or attach (with the recording). "
            "Users may choose for themselves.",
        ): vol.In(EMAIL_CHOICES, msg="one of no, yes, attach"),
        vol.Optional(
            "attachment_format",
            default="wav",
            description="The recording attached to the e-mails (VM-07, GIB-05): wav, or the much smaller "
            "mp3 or opus (Ogg Opus); a recording that cannot be compressed goes as WAV.",
        ): vol.In(_ATTACHMENT_FORMATS, msg=f"one of {', '.join(_ATTACHMENT_FORMATS)}"),
        vol.Optional(
            "sms_notice",
            default=False,
            description="An SMS to the user's mobile number about each new message (VM-06; needs the "
            "GSM modem of the notify plugin). Users may choose for themselves.",
        ): cv.boolean,
        vol.Optional(
            "active",
            default=True,
            description="Voicemail answers the calls the routing rules send there (VM-11); off, those "
            "steps are skipped. Users may switch theirs off.",
        ): cv.boolean,
        vol.Optional(
            "assistance_number",
            description='Callers hear "for personal assistance press 1" before the greeting and are '
            "put through to this number when they press it, such as the reception (VM-04); empty: not "
            "offered. Users may set their own.",
        ): cv.diallable,
        vol.Optional(
            "take_messages",
            default=True,
            description="Callers may leave a message after the greeting (VM-12); off, they hear the "
            "greeting only. Users may choose for themselves.",
        ): cv.boolean,
        vol.Optional(
            "bypass_key",
            default=False,
            description='Callers hear "to reach the person you are calling another way, press 2" before '
            "the greeting; the key takes them on to the next matching routing rule of the user (VM-05). "
            "Users may choose for themselves.",
        ): cv.boolean,
        vol.Optional(
            "activity_info",
            default=False,
            description="The greeting says the user's current activity (its prompt, else busy or away) "
            "and until when it lasts, the end of the last of back-to-back busy events (VM-02, VM-03). "
            "Users may choose for themselves.",
        ): cv.boolean,
        vol.Optional(
            "own_phone_needs_pin",
            default=False,
            description="Ask for the PIN also when users listen to their voicemail from their own phone.",
        ): cv.boolean,
        vol.Optional(
            "personal_greetings",
            default=True,
            description="Users may record (by phone, *50* then 0) or upload their own greetings (VM-10).",
        ): cv.boolean,
        vol.Optional(
            "default_greeting",
            description="The greeting of mailboxes without a personal one: one of your prompts, such as "
            'org:3; empty for the standard "not available, please leave a message".',
        ): cv.prompt_id,
        vol.Optional(
            "hide_portal_link",
            default=False,
            description="Leave the link to the web UI out of the e-mails (VM-09).",
        ): cv.boolean,
    },
    extra=vol.PREVENT_EXTRA,
)


# -- group inboxes (GIB-01) and voicemail numbers (GIB-07), as the API takes them ---------------
_CODE_RE: Final = re.compile(rf"^[0-9]{{1,{CODE_DIGITS}}}$")
_PIN_RE: Final = re.compile(r"^[0-9]{4,12}$")


inbox_number: Final = function_number("1590")


def local_number(value: Any) -> str:
    text = compact(value)
    if not LOCAL_RE.match(text):
        raise vol.Invalid("an internal number of 2 to 8 digits, such as 1599")
    return text


def inbox_code(value: Any) -> str:
    text = compact(value)
    if not _CODE_RE.match(text):
        raise vol.Invalid(f"1 to {CODE_DIGITS} digits")
    return text


def inbox_pin(value: Any) -> str | None:
    """None keeps the PIN as it is, "" removes it."""
    if value is None:
        return None
    text = compact(value)
    if text and not _PIN_RE.match(text):
        raise vol.Invalid("a PIN is 4 to 12 digits")
    return text


def greeting_prompt(value: Any) -> str:
    text = str(value).strip() if isinstance(value, str) else ""
    if text and not PROMPT_RE.match(text):
        raise vol.Invalid("a prompt: a system prompt such as leave_message, or one of your own such as org:7")
    return text


_BOOL: Final = vol.All(bool, msg="true or false")

INBOX_SCHEMA: Final = vol.Schema(
    {
        vol.Required("name"): name_of_at_most(NAME_MAX),
        vol.Required("number"): inbox_number,
        vol.Required("code"): inbox_code,
        vol.Optional("pin", default=None): inbox_pin,
        vol.Optional("allow_anonymous_after_pin", default=False): _BOOL,
        vol.Optional("exclude_from_search", default=False): _BOOL,
        vol.Optional("greeting_prompt", default=""): greeting_prompt,
        vol.Required("member_groups"): id_list("a user group"),
        vol.Optional("sms_groups", default=list): id_list("a user group"),
        vol.Optional("email_groups", default=list): id_list("a user group"),
        vol.Optional("admin_groups", default=list): id_list("a user group"),
        # What the API sends back, so that an edit form may return it unchanged.
        vol.Optional("id"): object,
        vol.Optional("has_pin"): object,
        vol.Optional("new"): object,
        vol.Optional("old"): object,
    },
    extra=vol.PREVENT_EXTRA,
)

NUMBER_SCHEMA: Final = vol.Schema(
    {
        vol.Required("number"): local_number,
        vol.Required("kind"): vol.In(NUMBER_KINDS, msg=f"one of {', '.join(NUMBER_KINDS)}"),
        vol.Optional("inbox_id", default=None): vol.Any(None, vol.All(int, msg="a group inbox's id")),
    },
    extra=vol.PREVENT_EXTRA,
)
