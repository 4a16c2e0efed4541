"""MAC addresses as provisioning requests carry them: in a file name or in the phone's User-Agent."""

from __future__ import annotations

import re
from typing import Final

_PLAIN: Final = re.compile(r"[0-9a-f]{12}")
_SEPARATED: Final = re.compile(r"[0-9a-f]{2}(?P<sep>[:-])(?:[0-9a-f]{2}(?P=sep)){4}[0-9a-f]{2}")
# In a User-Agent: "aa:bb:cc:dd:ee:ff", "AA-BB-..." or twelve hex digits standing alone (Snom,
# Grandstream's "DevId 000b82..."); never a run of more than twelve hex digits.
_IN_USER_AGENT: Final = re.compile(
    r"(?<![0-9A-Fa-f])"
    r"(?:[0-9A-Fa-f]{2}(?P<sep>[:-])(?:[0-9A-Fa-f]{2}(?P=sep)){4}[0-9A-Fa-f]{2}|[0-9A-Fa-f]{12})"
    r"(?![0-9A-Fa-f]|[:-][0-9A-Fa-f])"
)


def normalise_mac(text: str) -> str | None:
    """Twelve lower-case hex digits from ``001565A1B2C3``, ``00:15:65:a1:b2:c3`` or
    ``00-15-65-A1-B2-C3``; None for anything else."""
    lowered = text.strip().lower()
    if _PLAIN.fullmatch(lowered):
        return lowered
    if _SEPARATED.fullmatch(lowered):
        return re.sub("[:-]", "", lowered)
    return None


def mac_in_user_agent(user_agent: str) -> str | None:
    """The MAC a desk phone puts in its User-Agent (Yealink, Snom, Grandstream, Fanvil, Mitel
    do), normalised; None when there is none or more than one distinct MAC."""
    found = {normalise_mac(m.group(0)) for m in _IN_USER_AGENT.finditer(user_agent)}
    found.discard(None)
    if len(found) != 1:
        return None
    return found.pop()


def path_mac_allowed(
    mac: str, user_agent: str, *, prefixes: tuple[str, ...], user_agent_matches: bool
) -> bool:
    """Whether a MAC found in a requested file name may be served by a vendor: the MAC is one of
    the vendor's OUIs or the User-Agent names the vendor's phone, and a MAC the User-Agent
    carries is that same MAC (a phone asking for another phone's file is refused)."""
    if mac == "000000000000" or not (mac[:6] in prefixes or user_agent_matches):
        return False
    ua_mac = mac_in_user_agent(user_agent)
    return ua_mac is None or ua_mac == mac
