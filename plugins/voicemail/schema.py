"""The organisation's mailbox defaults (VM-13, VM-14, VM-17), the plugin's settings form."""

from __future__ import annotations

from typing import Final

import voluptuous as vol

from cordboard.core.config import validation as cv
from cordboard.plugins.voicemail.const import (
    DEFAULT_MAX_MAILBOX_MB,
    DEFAULT_MAX_MESSAGE_S,
    DEFAULT_MIN_MESSAGE_S,
    DEFAULT_RETENTION_DAYS,
)
from cordboard.plugins.voicemail.notice import EMAIL_CHOICES

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
            "active",
            default=True,
            description="Voicemail answers the calls the routing rules send there (VM-11); off, those "
            "steps are skipped. Users may switch theirs off.",
        ): cv.boolean,
        vol.Optional(
            "take_messages",
            default=True,
            description="Callers may leave a message after the greeting (VM-12); off, they hear the "
            "greeting only. Users may choose for themselves.",
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
            default="",
            description="The greeting of mailboxes without a personal one: one of your prompts, such as "
            'org:3; empty for the standard "not available, please leave a message".',
        ): vol.Any("", cv.prompt_id),
        vol.Optional(
            "hide_portal_link",
            default=False,
            description="Leave the link to the web UI out of the e-mails (VM-09).",
        ): cv.boolean,
    },
    extra=vol.PREVENT_EXTRA,
)
