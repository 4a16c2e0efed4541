"""A phone's blind transfer (REFER, RFC 3515) on a call a plugin drives with channels.

The phone talking to a channel that a plugin has bridged to another party (a queue's agent, the
caller a plugin put through) presses transfer and names a number: its REFER asks the appliance to
connect that other party to the number. The appliance takes the other party away from the plugin
(its object ends for the plugin as if hung up; ``Channel.hand_over``), answers the REFER at once with
202 and the NOTIFYs "100 Trying" and "200 OK" (the transfer is the appliance's from then on, as in
Asterisk's blind transfer), hangs up the transferring phone, and rings the number with the party's
caller ID while the party hears ringback. When nobody answers there, the transferring phone is rung
back ("recall") and, answered, gets the party again; otherwise the party is hung up.

Attended transfer (``Replaces`` in Refer-To, RFC 3891) is served on calls between two phones
(transfer.py); here it is refused with 501.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final

from cordboard.core.sip import headers as h
from cordboard.core.sip.errors import SipParseError
from cordboard.core.sip.message import SipRequest
from cordboard.core.sip.uri import NameAddr, SipUri, TelUri

if TYPE_CHECKING:
    from cordboard.core.calls.channel import Channel, ChannelHandler, InboundCall

_LOGGER = logging.getLogger(__name__)

SIPFRAG: Final = "message/sipfrag;version=2.0"
RECALL_RING_S: Final = 30.0
"""How long the transferring phone rings when the transfer target did not answer."""


class ReferRefused(Exception):
    """A REFER the appliance does not carry out: the status and reason to answer it with."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"{status} {reason}")
        self.status = status
        self.reason = reason


def refer_target(request: SipRequest) -> str:
    """The number a REFER names (the Refer-To URI's user part, or a tel: URI's digits); a Refer-To
    with Replaces (attended transfer) is refused: only calls between phones serve it."""
    number, replaces = refer_parts(request)
    if replaces is not None:
        raise ReferRefused(501, "Not Implemented - Attended Transfer To This Call")
    return number


def refer_parts(request: SipRequest) -> tuple[str, str | None]:
    """The number a REFER names and the Replaces of its Refer-To (RFC 3891: the dialog of the call
    the target is in with the transferring phone, for an attended transfer), if any."""
    values = request.headers.get_all(h.REFER_TO)
    if len(values) != 1:
        raise ReferRefused(400, "Bad Request - Exactly One Refer-To Is Needed")
    try:
        uri = NameAddr.parse_general(values[0]).uri
    except SipParseError as err:
        raise ReferRefused(400, f"Bad Request - Malformed Refer-To: {err}") from None
    replaces = None
    if isinstance(uri, SipUri):
        replaces = next((v for name, v in uri.headers.items() if name.lower() == "replaces"), None)
        number = uri.user
    elif isinstance(uri, TelUri):
        number = uri.digits
    else:
        raise ReferRefused(416, "Unsupported URI Scheme")
    if not number:
        raise ReferRefused(400, "Bad Request - Refer-To Names No Number")
    return number, replaces


def sipfrag(status: int, reason: str) -> bytes:
    """The body of a NOTIFY that reports a transfer's progress (RFC 3515 2.4.5)."""
    return f"SIP/2.0 {status} {reason}\r\n".encode()


@dataclass(frozen=True, slots=True)
class Party:
    """Who is on a channel, as the phone rung for them shows it."""

    number: str
    name: str
    user_id: int | None = None
    """The user on it, when it is one of ours."""


async def carry_out(
    party: Channel,
    who: Party,
    target: str,
    transferor: Party,
    *,
    route: Callable[[InboundCall], ChannelHandler | None] | None = None,
    wait_turn: Callable[[Channel, str, int | None], Awaitable[str | None]] | None = None,
) -> None:
    """Ring ``target`` for ``party`` (handed over to the transfer); connect them when it answers,
    else ring the transferring phone back; the party is hung up when neither answers. A number a
    plugin answers (a hunt group, a park slot: ``route`` finds its handler) gets the party instead,
    as a call that ``referred_by`` the transferring phone. ``wait_turn`` lets the party wait in a
    busy colleague's personal queue first (PKP-08), and says what to ring then."""
    from cordboard.core.calls.channel import ChannelHungUp

    shown = (who.number, who.name)
    try:
        referred = replace(party.call, dialled=target, referred_by=transferor.number)
        handler = route(referred) if route is not None else None
        if handler is not None:
            party.call = referred
            await handler(party)
            return
        ring = await wait_turn(party, target, transferor.user_id) if wait_turn is not None else target
        missed = (
            await party.transfer(ring, caller_id=shown, metadata={"reason": "transfer"})
            if ring is not None
            else "the personal queue is full"
        )
        if missed is not None:
            _LOGGER.info(
                "Transfer of %s to %s: %s; ringing %s back",
                who.number,
                target,
                missed if isinstance(missed, str) else f"{missed.result.value} ({missed.reason})",
                transferor.number,
            )
            await party.transfer(
                transferor.number,
                ring_s=RECALL_RING_S,
                caller_id=shown,
                metadata={"reason": "transfer recall"},
            )
    except ChannelHungUp:
        pass
    finally:
        await party.hangup()
