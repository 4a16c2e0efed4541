"""A call to a user that one of their routing rules took (RTE-04): its destinations in time.

The caller's call becomes a channel that is not answered while the destinations ring (the caller
hears their own ringback, 180): each ringing destination (``phones``: the user's registered phones;
``number``: another user's phones) starts at its ``after_s`` and keeps ringing until the call is
answered or the ring time is over; ``busy`` and ``reject`` end the call at their time with 486 and
603, whatever still rings stops. When everything that rang has failed (busy, unreachable), the next
destination starts at once ("forward on busy"). The first phone to answer is bridged with the caller.

Outside numbers ring over the SIP trunks. ``voicemail`` stops whatever still rings and hands the
caller to the user's mailbox (the voicemail plugin, VM-01); without one it is skipped with a log
line, as are numbers nothing can reach (no user's and no trunk's).

VM-05, "press 2 to bypass voicemail": while a rule's mailbox has the caller, ``voicemail_bypass()``
gives the mailbox a way on: the next matching rule after the one that led there, run here on the
same (answered) channel. The mailbox asks for it only when the caller pressed the key; it returns
False when no further rule matches (the caller stays in the mailbox and may leave a message).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

from cordboard.core.calls.dialer import NotAnswered
from cordboard.core.calls.model import status_for_caller
from cordboard.core.routing.model import ENDING_KINDS, Destination, Rule

if TYPE_CHECKING:
    from cordboard.core.calls.channel import Channel, ChannelHandler

_LOGGER = logging.getLogger(__name__)
ENDING_STATUS: Final = {"busy": 486, "reject": 603}
MIN_RING_S: Final = 5.0

NextRule = Callable[[int], Awaitable[Rule | None]]
"""The next matching incoming (or fallback) rule after the rule with this id, None when none (VM-05)."""
Bypass = Callable[[], Awaitable[bool]]
"""VM-05: leave the mailbox for the next matching rule; True when that rule ran (the call is over
now), False when no further rule matches (nothing happened)."""
_BYPASS: Final = contextvars.ContextVar[Bypass | None]("voicemail_bypass", default=None)


def voicemail_bypass() -> Bypass | None:
    """For the mailbox that has the caller now: how to go on to the user's next matching rule
    (VM-05), None when no rule led to the mailbox (a transfer, the voicemail code)."""
    return _BYPASS.get()


def ringing_target(destination: Destination, owner: str) -> str | None:
    """The number to ring for a destination, or None when it rings nothing."""
    if destination.kind == "phones":
        return owner
    if destination.kind == "number":
        return destination.target
    return None


def is_plain(destinations: Sequence[Destination]) -> bool:
    """Whether the destinations are just "ring the user's phones now" (the ordinary relayed call)."""
    return len(destinations) == 1 and destinations[0].kind == "phones" and destinations[0].after_s == 0


@dataclass(frozen=True, slots=True)
class Ending:
    """How a timeline ended: ``answered`` (``target`` answered), ``handed_over`` (``target``'s
    function number plugin or user's own rule took the caller), ``voicemail``, ``busy`` or
    ``reject`` (a destination ended the call) or ``not_answered``; for the last three ``target`` is
    the last number that rang (None: nothing rang)."""

    how: Literal["answered", "handed_over", "voicemail", "busy", "reject", "not_answered"]
    target: str | None = None


NumberWay = Callable[[str, bool], Awaitable["ChannelHandler | Literal['ring', 'skip']"]]
"""How a ``number`` destination is reached, asked as it starts (with whether it is alone: nothing
else rings then): a handler that takes the caller there instead (a function number's plugin, the
called user's own routing rule), ``ring`` to ring it with the rest, ``skip`` to leave it out (a
blocking group blocks it)."""


async def follow_destinations(
    channel: Channel,
    destinations: Sequence[Destination],
    *,
    owner: str,
    ring_s: float,
    reachable: Callable[[str], bool],
    forward_ring_s: float | None = None,
    voicemail: Callable[[], ChannelHandler | None] | None = None,
    rule_id: int | None = None,
    next_rule: NextRule | None = None,
    number_way: NumberWay | None = None,
    caller_id: tuple[str, str] | None = None,
    note: Callable[[str], None] | None = None,
) -> Ending:
    """Run the timeline; ``owner`` is the called user's number, ``reachable`` says which numbers
    can be dialled, ``forward_ring_s`` how long a forward to a number rings (RTE-09), ``voicemail``
    finds the user's mailbox. ``rule_id`` is the rule the destinations are of and ``next_rule``
    finds the one after it: the mailbox may then go on there (VM-05, ``voicemail_bypass``).
    ``number_way`` decides how each ``number`` destination is reached (default: it rings);
    ``caller_id`` is what the rung phones show (default: the caller); ``note`` adds a step to the
    call's route (a number that did not answer)."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    dials: dict[asyncio.Task[Channel | NotAnswered], str] = {}
    failed: list[NotAnswered] = []
    rang: str | None = None
    # A caller a plugin answered already (an IVR's, a hunt group's) hears ringback from here.
    answered_before = channel.state == "answered"
    if answered_before:
        channel.start_tone("ringback")
    else:
        await channel.ring()

    def ringing_over() -> None:
        if answered_before and not channel.ended:
            channel.stop_tone()

    try:
        for destination in sorted(destinations, key=lambda d: d.after_s):
            answered = await _wait_until(dials, started + destination.after_s, failed, note)
            if answered is not None:
                ringing_over()
                await _connect(channel, answered[1], dials)
                return Ending("answered", answered[0])
            if destination.kind in ENDING_KINDS:
                await channel.hangup(ENDING_STATUS[destination.kind])
                return Ending("busy" if destination.kind == "busy" else "reject", rang)
            mailbox = voicemail() if destination.kind == "voicemail" and voicemail is not None else None
            if mailbox is not None:
                await _stop(dials)
                ringing_over()
                bypass: Bypass | None = None
                if rule_id is not None and next_rule is not None:
                    bypass = functools.partial(
                        _go_on,
                        channel,
                        rule_id,
                        next_rule,
                        owner=owner,
                        ring_s=ring_s,
                        reachable=reachable,
                        forward_ring_s=forward_ring_s,
                        voicemail=voicemail,
                    )
                token = _BYPASS.set(bypass)
                try:
                    await mailbox(channel)
                finally:
                    _BYPASS.reset(token)
                return Ending("voicemail", rang)
            target = ringing_target(destination, owner)
            way: ChannelHandler | Literal["ring", "skip"] = "ring"
            if number_way is not None and destination.kind == "number" and target is not None:
                way = await number_way(target, not dials)
            if way == "skip":
                continue
            if way != "ring":
                await _stop(dials)
                ringing_over()
                await way(channel)
                return Ending("handed_over", target)
            if target is None or not reachable(target):
                _LOGGER.info(
                    "Call %s: destination %s%s cannot be reached yet; skipped",
                    channel.call.id,
                    destination.kind,
                    f" {target}" if target else "",
                )
                continue
            remaining = max(MIN_RING_S, ring_s - destination.after_s)
            if destination.ring_s is not None:
                remaining = min(remaining, destination.ring_s)
            elif destination.kind == "number" and forward_ring_s is not None:
                remaining = min(remaining, forward_ring_s)  # RTE-09: a forward rings this long
            dialling = channel.dial([target], ring_s=remaining, caller_id=caller_id)
            dials[asyncio.ensure_future(dialling)] = rang = target
        answered = await _wait_until(dials, None, failed, note)
        if answered is not None:
            ringing_over()
            await _connect(channel, answered[1], dials)
            return Ending("answered", answered[0])
        # Why the caller's call ends: as for any call nobody answered (busy wins, then no answer).
        await channel.hangup(status_for_caller([f.status for f in failed if f.status]) if failed else 480)
        return Ending("not_answered", rang)
    finally:
        for dial in dials:
            dial.cancel()


async def _go_on(
    channel: Channel,
    after: int,
    find: NextRule,
    *,
    owner: str,
    ring_s: float,
    reachable: Callable[[str], bool],
    forward_ring_s: float | None,
    voicemail: Callable[[], ChannelHandler | None] | None,
) -> bool:
    """VM-05 (a ``Bypass``): the destinations of the next matching rule after rule ``after`` on
    the caller's channel; False at once when no further rule matches."""
    rule = await find(after)
    if rule is None:
        _LOGGER.info("Call %s left the voicemail: no rule after rule %s matches", channel.call.id, after)
        return False
    _LOGGER.info("Call %s left the voicemail for the rule %r", channel.call.id, rule.name)
    await follow_destinations(
        channel,
        rule.destinations,
        owner=owner,
        ring_s=ring_s,
        reachable=reachable,
        forward_ring_s=forward_ring_s,
        voicemail=voicemail,
        rule_id=rule.id,
        next_rule=find,
    )
    return True


async def _wait_until(
    dials: dict[asyncio.Task[Channel | NotAnswered], str],
    deadline: float | None,
    failed: list[NotAnswered],
    note: Callable[[str], None] | None,
) -> tuple[str, Channel] | None:
    """Until ``deadline`` (None: until every dial is over) or an answer, which is returned with
    the number that answered; dials that ended without one leave ``dials`` for ``failed``."""
    from cordboard.core.calls.channel import Channel

    loop = asyncio.get_running_loop()
    while True:
        for done in [dial for dial in dials if dial.done()]:
            target = dials.pop(done)
            result = done.result() if not done.cancelled() else None
            if isinstance(result, Channel):
                return target, result
            if isinstance(result, NotAnswered):
                failed.append(result)
                if note is not None:
                    note(f"{target} did not answer ({result.reason})")
        timeout = None if deadline is None else deadline - loop.time()
        if (timeout is not None and timeout <= 0) or (not dials and deadline is None):
            return None
        if not dials:
            if not failed:  # nothing was rung yet: the next destination starts at its time
                await asyncio.sleep(timeout or 0)
            return None  # what rang is busy or gone: the next destination starts now
        await asyncio.wait(dials, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)


async def _stop(dials: dict[asyncio.Task[Channel | NotAnswered], str]) -> None:
    """Whatever still rings stops (a mailbox or a plugin takes the caller)."""
    for dial in dials:
        dial.cancel()
    await _hang_up_late_answers(dials)
    dials.clear()


async def _hang_up_late_answers(cancelled: Iterable[asyncio.Task[Channel | NotAnswered]]) -> None:
    """The cancelled dials over; one answered in the same instant is hung up."""
    from cordboard.core.calls.channel import Channel, ChannelHungUp

    for dial in cancelled:
        with contextlib.suppress(asyncio.CancelledError, ChannelHungUp):
            late = await dial
            if isinstance(late, Channel):
                await late.hangup()


async def _connect(
    channel: Channel, answered: Channel, others: Iterable[asyncio.Task[Channel | NotAnswered]]
) -> None:
    for dial in others:
        dial.cancel()
    await _hang_up_late_answers(others)
    try:
        await channel.bridge(answered)
    finally:
        await answered.hangup()
        await channel.hangup()
