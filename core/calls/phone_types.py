"""Which kind of phone a registration is (HG-06: a hunt group says which kinds ring for it): a
desk phone, a softphone (the browser's, over WebSocket, or a softphone app known by its
User-Agent), or the user's mobile, reached over a trunk rather than registered here."""

from __future__ import annotations

from typing import Final

from cordboard.core.sip.location import Binding
from cordboard.core.sip.peer import WEB_TRANSPORTS

DESK: Final = "desk"
SOFTPHONE: Final = "softphone"
MOBILE: Final = "mobile"
PHONE_TYPES: Final = (DESK, SOFTPHONE, MOBILE)

SOFTPHONE_AGENTS: Final = (
    "baresip",
    "linphone",
    "zoiper",
    "microsip",
    "bria",
    "x-lite",
    "groundwire",
    "acrobits",
    "jitsi",
    "pjsua",
    "pjsip",
    "csipsimple",
    "sipdroid",
    "blink",
    "jami",
    "phonerlite",
    "3cxphone",
)
"""User-Agent words of softphone apps; any other registered device counts as a desk phone."""


def phone_type(binding: Binding) -> str:
    """``softphone`` or ``desk`` for a registered contact."""
    if binding.transport.lower() in WEB_TRANSPORTS:
        return SOFTPHONE
    agent = binding.user_agent.lower()
    return SOFTPHONE if any(word in agent for word in SOFTPHONE_AGENTS) else DESK
