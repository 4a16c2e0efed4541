"""Constants of the voicemail plugin."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from cordboard.core.bus import EventType
from cordboard.core.keys import DataKey

if TYPE_CHECKING:
    from cordboard.plugins.voicemail.inboxes import GroupInboxes
    from cordboard.plugins.voicemail.mailboxes import Mailboxes

DOMAIN: Final = "voicemail"
MAILBOXES_KEY: Final[DataKey[Mailboxes]] = DataKey("voicemail.mailboxes")
EVENT_VOICEMAIL_NEW: Final = EventType[dict[str, Any]]("voicemail.new")
"""A message was left: ``user_id`` (the mailbox), ``message_id``, ``caller``, ``caller_name``, ``seconds``."""
EVENT_VOICEMAIL_CHANGED: Final = EventType[dict[str, Any]]("voicemail.changed")
"""A user's messages changed (new, heard, deleted, expired): ``user_id``; the web UI reloads."""
FOLDER: Final = "voicemail"
"""Under the data folder: one folder per mailbox (the user's id), one WAV per message."""

DEFAULT_RETENTION_DAYS: Final = 30
DEFAULT_MAX_MAILBOX_MB: Final = 50
DEFAULT_MAX_MESSAGE_S: Final = 180
DEFAULT_MIN_MESSAGE_S: Final = 1.0
SILENCE_ENDS_S: Final = 5.0
CLEANUP_EVERY_S: Final = 3600.0
GREETING_PROMPTS: Final = ("not_available", "leave_message")
"""The greeting of a mailbox whose owner has recorded none and the organisation chose no other (VM-10)."""
ACTIVE_SETTING: Final = "voicemail.active"
"""VM-11: the user's voicemail is on; off, the voicemail steps of their rules are skipped."""
ASSISTANCE_SETTING: Final = "voicemail.assistance_number"
"""VM-04: where "for personal assistance press 1" takes the caller; empty: not offered."""
ASSISTANCE_KEY: Final = "1"
TAKE_MESSAGES_SETTING: Final = "voicemail.take_messages"
"""VM-12: callers may leave messages; off, they hear the greeting and the call ends."""
BYPASS_SETTING: Final = "voicemail.bypass_key"
"""VM-05: "to reach <the user> another way, press 2" before the greeting; the key leaves the
mailbox for the user's next matching routing rule."""
BYPASS_KEY: Final = "2"
ACTIVITY_INFO_SETTING: Final = "voicemail.activity_info"
"""VM-02, VM-03: the greeting says the user's current activity and until when it lasts."""
BACK_TO_BACK_S: Final = 60.0
"""VM-03: a busy event starting at most this long after the one before ends follows it."""
SMS_NOTICE_SETTING: Final = "voicemail.sms_notice"
"""VM-06: an SMS to the user's mobile number about each new message (off by default)."""
ATTACHMENT_FORMATS: Final = ("wav", "mp3", "opus")
"""VM-07: the recording attached to the e-mails as WAV, MP3 or Ogg Opus (smaller)."""
DISK_FULL_NOTE: Final = "disk full"
"""VM-14: the call history's note when the disk has no room for a recording."""

# -- group inboxes (GIB-01..05) and voicemail numbers (GIB-07) ----------------------------------
INBOXES_KEY: Final[DataKey[GroupInboxes]] = DataKey("voicemail.group_inboxes")
KIND_USER_INBOX: Final = "user_inbox"
"""GIB-07: a voicemail number where callers reach their own mailbox."""
KIND_GROUP_INBOX: Final = "group_inbox"
"""GIB-07: a voicemail number for one group inbox's messages (after its code)."""
NUMBER_KINDS: Final = (KIND_USER_INBOX, KIND_GROUP_INBOX)
FUNCTION_PURPOSES: Final = ("groups", "ivr", "rules", "any")
"""NUM-03 has no range purpose for voicemail: group inboxes and voicemail numbers are function
numbers and may lie in any range that is not for user lines."""
NAME_MAX: Final = 80
CODE_DIGITS: Final = 8
"""The longest inbox code (GIB-04)."""
