"""Constants of the ivr plugin."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from cordboard.core.bus import EventType
from cordboard.core.keys import DataKey

if TYPE_CHECKING:
    from cordboard.plugins.ivr.service import IvrMenus

DOMAIN: Final = "ivr"
IVR_MENUS_KEY: Final[DataKey[IvrMenus]] = DataKey("ivr.menus")
EVENT_IVR_CALL: Final = EventType[dict[str, Any]]("ivr.call")
"""Fired when a menu is done with a call: menu id and number, call id, outcome, the keys pressed
and how often the welcome prompt played."""

KEYS: Final = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "*", "#")
"""IVR-03: the keys an option may have."""
KIND_NUMBER: Final = "number"
KIND_VOICEMAIL: Final = "voicemail"
KIND_HANGUP: Final = "hangup"
KIND_REPEAT: Final = "repeat"
KINDS: Final = (KIND_NUMBER, KIND_VOICEMAIL, KIND_HANGUP, KIND_REPEAT)
LANGUAGES: Final = ("en", "de", "da")
IVR_PURPOSES: Final = ("ivr", "any")
"""IVR-01: a menu's local number must lie in a number range for these purposes (1600-1699 by default)."""

DEFAULT_TIMEOUT_S: Final = 5
MIN_TIMEOUT_S: Final = 1
MAX_TIMEOUT_S: Final = 60
DEFAULT_RETRIES: Final = 2
MAX_RETRIES: Final = 10
NAME_MAX: Final = 80
DIRECT_DIAL_MAX: Final = 8
"""The longest extension a caller may key (IVR-04)."""
DIRECT_DIAL_PAUSE_S: Final = 3.0
"""After a digit, a pause this long ends a directly dialled number (as ``#`` does)."""

PROMPT_WELCOME: Final = "please_hold"
PROMPT_INVALID: Final = "invalid_option"
PROMPT_NOT_AVAILABLE: Final = "not_available"
PROMPT_GOODBYE: Final = "goodbye"

OUTCOME_TRANSFERRED: Final = "transferred"
OUTCOME_VOICEMAIL: Final = "voicemail"
OUTCOME_HUNG_UP: Final = "hung_up"
OUTCOME_GOODBYE: Final = "goodbye"
OUTCOME_CALLER_LEFT: Final = "caller_hung_up"
OUTCOME_LOOP: Final = "loop"
OUTCOME_CLOSED: Final = "closed"
"""SCH-07: the schedule said closed; the caller heard its prompt (or "not available")."""
