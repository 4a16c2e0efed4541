"""Session timers (RFC 4028) on the caller's side of the calls the B2BUA answers.

The caller's INVITE says whether it wants a session timer and who refreshes (core/sip/
session_timer.py negotiates). When the caller refreshes, each re-INVITE or UPDATE it sends restarts
the timer and its 2xx states the interval again; when the appliance refreshes, it sends an UPDATE at
half the interval. A call whose caller stops refreshing, or whose refresh is answered 408 or 481 or
not at all, is hung up on both sides: the caller is gone without a BYE.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from cordboard.core.sip import headers as h
from cordboard.core.sip.message import SipRequest, SipResponse
from cordboard.core.sip.session_timer import TIMER, SessionTimer, negotiate
from cordboard.core.sip.status import SipStatusError

if TYPE_CHECKING:
    from cordboard.core.calls.b2bua import ActiveCall, B2bua

_LOGGER = logging.getLogger(__name__)

GONE: tuple[int | None, ...] = (None, 408, 481)
"""Answers to our refresh that mean the caller's side of the session no longer exists."""


def _timer_of(request: SipRequest, previous: SessionTimer | None = None) -> SessionTimer | None:
    try:
        return negotiate(request) or previous
    except SipStatusError:  # the INVITE was checked before the call was placed; a refresh keeps
        return previous  # the interval it had


def _say(timer: SessionTimer, ok: SipResponse) -> None:
    ok.headers.set(h.SESSION_EXPIRES, timer.answer_header)
    ok.headers.set(h.SUPPORTED, TIMER)
    if not timer.we_refresh:
        ok.headers.set(h.REQUIRE, TIMER)  # section 9: the caller must know it is the refresher


class SessionRefresh:
    """Keeps the session timers of the B2BUA's calls (``ActiveCall.session_timer``)."""

    def __init__(self, b2bua: B2bua) -> None:
        self._b2bua = b2bua

    def answering(self, call: ActiveCall, ok: SipResponse) -> None:
        """Our 2xx to the caller's INVITE: agree the timer it asked for and start it."""
        timer = _timer_of(call.invite)
        call.session_timer = timer
        if timer is not None:
            _say(timer, ok)
            self._arm(call)

    def refreshed(self, call: ActiveCall, request: SipRequest, ok: SipResponse) -> None:
        """Our 2xx to a re-INVITE or UPDATE from the caller: a refresh; restart the timer."""
        timer = _timer_of(request, call.session_timer)
        call.session_timer = timer
        if timer is not None:
            _say(timer, ok)
            self._arm(call)

    def stop(self, call: ActiveCall) -> None:
        if call.session_handle is not None:
            call.session_handle.cancel()
            call.session_handle = None

    def _arm(self, call: ActiveCall) -> None:
        self.stop(call)
        timer = call.session_timer
        assert timer is not None
        loop = asyncio.get_running_loop()
        if timer.we_refresh:
            call.session_handle = loop.call_later(timer.refresh_after, self._refresh, call)
        else:
            call.session_handle = loop.call_later(timer.expires_after, self._expired, call)

    def _refresh(self, call: ActiveCall) -> None:
        call.session_handle = None
        timer, leg = call.session_timer, call.a
        if call.state != "answered" or timer is None or leg is None:
            return
        self._b2bua.send_in_dialog(
            leg.dialog,
            leg.peer,
            "UPDATE",
            extra_headers=((h.SESSION_EXPIRES, timer.request_header), (h.SUPPORTED, TIMER)),
            on_response=lambda response: self._refresh_answered(call, response),
        )

    def _refresh_answered(self, call: ActiveCall, response: SipResponse | None) -> None:
        if call.state != "answered":
            return
        status = response.status if response is not None else None
        if status in GONE:
            _LOGGER.info("Call %s: session refresh answered %s", call.record.id, status or "not at all")
            self._b2bua.hang_up_both(call, "the caller's session is gone (session refresh refused)")
        elif status is not None and status >= 200:
            self._arm(call)  # 2xx, or an error that leaves the session as it was: refresh again later

    def _expired(self, call: ActiveCall) -> None:
        call.session_handle = None
        if call.state != "answered":
            return
        _LOGGER.info("Call %s: no session refresh from the caller; hanging up", call.record.id)
        self._b2bua.hang_up_both(call, "no session refresh from the caller (session timer)")
