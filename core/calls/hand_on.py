"""Handing a caller on from a plugin (an IVR option, a hunt group's fallback, a virtual switch, an
announcement element) to a number, as if the caller had dialled it: a function number's plugin
takes the channel (a hunt group, another menu); a user first has their announcement before connect
played (PRM-06), then their incoming routing rule decides (ring, forward, their mailbox) or,
without one, their phones ring; an outside number rings over the trunks unless one of the
plugin's blocking groups blocks it (BAR-04). The plugin gets the channel back only when nobody
answered or the number was blocked. Plugins handing one caller round in circles (a switch to a
switch pointing back, a menu's timeout to a menu whose timeout comes back) are stopped after
``MAX_HAND_ONS`` steps in a row."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from cordboard.core.calls.announcement import announce, announcement_for

if TYPE_CHECKING:
    from cordboard.core.calls.channel import Channel, ChannelHandler
    from cordboard.core.calls.dialer import NotAnswered
    from cordboard.core.core import Core
    from cordboard.core.dialplan.blocking import BlockingGroup

_LOGGER = logging.getLogger(__name__)
MAX_HAND_ONS: Final = 10
"""One caller handed on by plugins at most this often in a row (each step inside the last)."""
_HAND_ONS: ContextVar[int] = ContextVar("hand_ons", default=0)


@dataclass(frozen=True, slots=True)
class Blocked:
    """BAR-04: the outside number was not rung, one of the plugin's blocking groups blocks it."""

    group: BlockingGroup


@dataclass(frozen=True, slots=True)
class Looped:
    """The caller was already handed on ``MAX_HAND_ONS`` times in a row: function numbers send
    them round in circles, so the number was not tried."""

    steps: int


def _nothing() -> None:
    return None


async def hand_on(
    core: Core,
    channel: Channel,
    number: str,
    *,
    via: str,
    caller_id: tuple[str, str] | None = None,
    metadata: dict[str, Any] | None = None,
    blocking_groups: Sequence[int] = (),
    taken: Callable[[], None] = _nothing,
    ring_s: float | None = None,
) -> NotAnswered | Blocked | Looped | None:
    """Send the channel's caller to ``number`` (``via`` names the step in the log and the call's
    route: "IVR Support 1"); None when the call went on there (and is over for the plugin),
    ``NotAnswered`` when a ringing number was not answered and ``Blocked`` when one of
    ``blocking_groups`` blocks the outside number, ``Looped`` when plugins have handed the caller
    on too often in a row: then the channel is the plugin's again.
    ``taken`` is called as the call goes on (before a function number's plugin or the user's rule
    runs it, or once the number answered). ``caller_id``: what ringing phones show; ``ring_s``: how
    long a rung number rings (default: the organisation's forward ring time)."""
    way = await way_to(core, channel, number, via=via, blocking_groups=blocking_groups)
    if isinstance(way, Blocked | Looped):
        return way
    if way is not None:
        taken()
        await way(channel)
        return None
    await announce_to_user(core, channel, number)
    if ring_s is None:
        ring_s = float(await core.settings.org_value("core.forward_ring_time"))
    missed = await channel.transfer(number, ring_s=ring_s, caller_id=caller_id, metadata=metadata)
    if missed is None:
        taken()
    else:
        _LOGGER.info("%s, call %s: %s did not answer (%s)", via, channel.call.id, number, missed.reason)
    return missed


async def way_to(
    core: Core, channel: Channel, number: str, *, via: str, blocking_groups: Sequence[int] = ()
) -> ChannelHandler | Blocked | Looped | None:
    """How a caller handed on to ``number`` gets there: a handler that takes them (a function
    number's plugin, or the user's own routing rule after their announcement before connect,
    PRM-06), ``Blocked`` or ``Looped`` when the number is not tried, None when it just rings (the
    user's phones, an outside number over the trunks)."""
    steps = _HAND_ONS.get()
    if steps >= MAX_HAND_ONS:
        _LOGGER.warning(
            "%s, call %s: handed on %d times in a row, not to %s", via, channel.call.id, steps, number
        )
        note_step(core, channel, f"{via}: {number} not tried, the call goes round in circles")
        return Looped(steps)
    calls = core.calls
    label = f"{via}, call {channel.call.id}"
    if calls is not None and core.numbers.plugin_of(number) is not None:
        handler = calls.plugin_handler(dataclasses.replace(channel.call, dialled=number))
        if handler is not None:
            _LOGGER.info("%s: to the function number %s", label, number)
            return _counted(handler, steps + 1)
    rules = await calls.user_rules(number, channel.call) if calls is not None else None
    if rules is not None:
        _LOGGER.info("%s: to %s by their routing rule", label, number)

        async def announced_rules(taken: Channel) -> None:
            await announce_to_user(core, taken, number)
            await rules(taken)

        return _counted(announced_rules, steps + 1)
    return await _blocked(core, channel, number, via=via, blocking_groups=blocking_groups)


def _counted(handler: ChannelHandler, steps: int) -> ChannelHandler:
    """``handler`` run as hand-on number ``steps`` in a row (what it hands on counts on from there)."""

    async def run(channel: Channel) -> None:
        token = _HAND_ONS.set(steps)
        try:
            await handler(channel)
        finally:
            _HAND_ONS.reset(token)

    return run


async def _blocked(
    core: Core, channel: Channel, number: str, *, via: str, blocking_groups: Sequence[int]
) -> Blocked | None:
    # Checked at each call: the number's conversion or the groups may have changed since saving.
    group = await core.dialplan.blocked_by(blocking_groups, number) if blocking_groups else None
    if group is None:
        return None
    _LOGGER.info(
        "%s, call %s: %s is blocked by the blocking group %s", via, channel.call.id, number, group.name
    )
    note_step(core, channel, f"{via}: {number} blocked by the blocking group {group.name}")
    return Blocked(group)


def note_step(core: Core, channel: Channel, step: str) -> None:
    """Add a step a plugin took with the caller to the call's route in the history."""
    if core.calls is not None:
        core.calls.note_route(channel.call.id, step)


async def announce_to_user(core: Core, channel: Channel, number: str) -> None:
    """PRM-06 for a caller handed on to the user whose number ``number`` is: their announcement
    before connect, if they have one (nothing for other numbers, or the user calling themselves)."""
    calls = core.calls
    account = calls.find_account(number) if calls is not None else None
    if calls is None or account is None or account.user_id is None:
        return
    prompt_id = await announcement_for(core, channel.call.caller_user_id, account.user_id)
    if prompt_id is not None:
        calls.note_route(channel.call.id, f"announcement {prompt_id}")
        await announce(channel, prompt_id)
