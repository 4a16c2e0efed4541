"""SIP session timers (RFC 4028) for the dialogs the appliance answers, sans-IO.

A caller's INVITE may ask for a session interval (``Session-Expires``, no less than anybody's
``Min-SE``). The 2xx states the interval and who refreshes the session: the caller ("uac") sends a
re-INVITE or UPDATE before the interval runs out, or the appliance ("uas") sends an UPDATE at half
of it. A session whose refreshes stop has ended without a BYE (a phone that lost power, a provider
that forgot the call): the appliance hangs up both sides once the interval minus the smaller of
32 s and a third of it has passed since the last refresh (section 10).

Intervals below :data:`MIN_SE` get 422 with ``Min-SE`` when the caller supports the extension and
can try again (section 9); otherwise the interval is raised to it (RFC 4028 errata 1687), since a
refusal would only fail the call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from cordboard.core.sip import headers as h
from cordboard.core.sip.message import SipRequest
from cordboard.core.sip.status import BadRequest, SessionIntervalTooSmall
from cordboard.core.sip.uri import parse_params

MIN_SE: Final = 90
"""Smallest session interval accepted, in seconds (RFC 4028 section 4: never below 90)."""
TIMER: Final = "timer"
"""The option tag of the extension (Supported, Require)."""


@dataclass(frozen=True, slots=True)
class SessionTimer:
    """An agreed session interval in seconds and whether the appliance refreshes it (else the
    other side does). RFC 4028's ``refresher`` names a side of one transaction, so the header
    values depend on who sends the message: see :meth:`answer_header` and :meth:`request_header`."""

    interval: int
    we_refresh: bool

    @property
    def answer_header(self) -> str:
        """``Session-Expires`` of our 2xx to the other side's request (we are its UAS)."""
        return f"{self.interval};refresher={'uas' if self.we_refresh else 'uac'}"

    @property
    def request_header(self) -> str:
        """``Session-Expires`` of the refresh we send (we are its UAC, and the refresher)."""
        return f"{self.interval};refresher=uac"

    @property
    def refresh_after(self) -> float:
        """When the refresher refreshes, in seconds after the last refresh (section 7.2: half)."""
        return self.interval / 2

    @property
    def expires_after(self) -> float:
        """When a session without refresh is over, in seconds after the last one (section 10)."""
        return self.interval - min(32.0, self.interval / 3)


def _delta_seconds(value: str, name: str) -> tuple[int, str]:
    """``1800;refresher=uac`` -> (1800, "refresher=uac"); BadRequest when it is not one."""
    delta, _, params = value.partition(";")
    delta = delta.strip(" \t")
    if not (delta.isascii() and delta.isdigit()) or len(delta) > 10:
        raise BadRequest(f"Malformed {name}")
    return int(delta), params


def _tags(request: SipRequest, name: str) -> set[str]:
    return {tag.strip().lower() for tag in request.headers.get_all(name)}


def negotiate(request: SipRequest, *, min_se: int | None = None) -> SessionTimer | None:
    """The session timer for answering ``request`` (an INVITE or a refresh), or None when it asks
    for none; raises SessionIntervalTooSmall (422) or BadRequest (400)."""
    value = request.headers.get(h.SESSION_EXPIRES)
    if value is None:
        return None
    floor = MIN_SE if min_se is None else min_se
    interval, params = _delta_seconds(value, h.SESSION_EXPIRES)
    try:
        refresher = parse_params(params, where=h.SESSION_EXPIRES).get("refresher") if params else None
    except ValueError as err:  # SipParseError is a ValueError
        raise BadRequest(f"Malformed {h.SESSION_EXPIRES}") from err
    if refresher is not None and refresher.lower() not in ("uac", "uas"):
        raise BadRequest(f"Malformed {h.SESSION_EXPIRES} refresher")
    min_value = request.headers.get(h.MIN_SE)
    if min_value is not None:
        floor = max(floor, _delta_seconds(min_value, h.MIN_SE)[0])
    supported = TIMER in _tags(request, h.SUPPORTED) | _tags(request, h.REQUIRE)
    if interval < floor:
        if supported:
            raise SessionIntervalTooSmall(floor)
        interval = floor
    if not supported:
        return SessionTimer(interval, we_refresh=True)  # a proxy asked; the caller would not refresh
    return SessionTimer(interval, we_refresh=refresher is not None and refresher.lower() == "uas")


def allows_update(request: SipRequest) -> bool:
    """Whether the sender of ``request`` takes UPDATE (Allow lists it, or it sent no Allow)."""
    allow = request.headers.get_all(h.ALLOW)
    return not allow or any(method.strip().upper() == "UPDATE" for method in allow)
