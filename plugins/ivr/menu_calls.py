"""A call to an IVR menu's number: answer, play the welcome prompt (a key stops it), wait for a key
and send the caller where the key points (IVR-02, IVR-03); or, with direct dialling on, take the
number the caller keys (IVR-04). No key or an invalid one plays the menu again, up to ``retries``
times, then the timeout destination or "goodbye" (IVR-08). Outside its opening hours (SCH-07) the
menu is closed or forwards its callers. Everything goes through the Channel API;
the caller's choice is kept in the call history (the route, and the reason of the call it makes)."""

from __future__ import annotations

import dataclasses
import logging

from cordboard.core.calls.channel import Channel
from cordboard.core.calls.hand_on import Looped, hand_on, note_step
from cordboard.core.calls.metadata import shown_caller, step_metadata, with_metadata
from cordboard.core.core import Core
from cordboard.core.schedules.function_numbers import Followed, follow_schedule, play_event_prompt
from cordboard.core.schedules.model import ScheduleEvent
from cordboard.plugins.ivr.const import (
    DIRECT_DIAL_MAX,
    DIRECT_DIAL_PAUSE_S,
    EVENT_IVR_CALL,
    KIND_HANGUP,
    KIND_NUMBER,
    KIND_REPEAT,
    KIND_VOICEMAIL,
    OUTCOME_CALLER_LEFT,
    OUTCOME_CLOSED,
    OUTCOME_GOODBYE,
    OUTCOME_HUNG_UP,
    OUTCOME_LOOP,
    OUTCOME_TRANSFERRED,
    OUTCOME_VOICEMAIL,
    PROMPT_GOODBYE,
    PROMPT_NOT_AVAILABLE,
)
from cordboard.plugins.ivr.model import Destination, IvrMenu

_LOGGER = logging.getLogger(__name__)


@dataclasses.dataclass
class _Result:
    outcome: str = OUTCOME_CALLER_LEFT
    keys: list[str] = dataclasses.field(default_factory=list)
    """What the caller keyed, in order (single keys, or directly dialled numbers)."""
    plays: int = 0
    """How often the welcome prompt started."""
    target: str | None = None


async def take_call(core: Core, menu: IvrMenu, channel: Channel) -> None:
    """Drive the caller's channel for ``menu`` (the ``cordboard_route_call`` handler)."""
    result = _Result()
    try:
        await _run(core, menu, channel, result)
    finally:
        core.bus.fire(
            EVENT_IVR_CALL,
            {
                "menu_id": menu.id,
                "number": menu.number,
                "call_id": channel.call.id,
                "outcome": result.outcome,
                "keys": list(result.keys),
                "plays": result.plays,
                "target": result.target,
            },
        )


async def _run(core: Core, menu: IvrMenu, channel: Channel, result: _Result) -> None:
    # IVR-05: set before any hand-on, so that the steps after the menu may keep it
    text = step_metadata(channel.call, menu.display_text or menu.name, menu.keep_derived_metadata)
    with_metadata(channel, text)
    if menu.language:
        channel.language = menu.language  # IVR-07: the menu's own language, else the caller's
    if await _outside_opening_hours(core, menu, channel, result):
        return
    await channel.answer()
    misses = 0
    while misses <= menu.retries:
        result.plays += 1
        first = await channel.play([menu.welcome_prompt], interrupt_on_dtmf=True)
        if menu.direct_dial:
            number = await _keyed_number(channel, menu, first)
            if not number:
                misses += 1
                continue
            result.keys.append(number)
            if not await _dialable(core, number):
                _LOGGER.info(
                    "IVR %s, call %s: %s may not be dialled from an IVR", menu.number, channel.call.id, number
                )
                await channel.play([menu.invalid_prompt])
                misses += 1
                continue
            if await _to_number(core, menu, channel, number, choice=f"extension {number}", result=result):
                return
            continue
        key = first or await channel.collect_digits(1, timeout=menu.timeout_s, terminator=None)
        if not key:
            misses += 1
            continue
        result.keys.append(key)
        destination = menu.options.get(key)
        if destination is None:
            await channel.play([menu.invalid_prompt])
            misses += 1
            continue
        if destination.kind == KIND_REPEAT:
            continue
        if await _follow(core, menu, channel, destination, choice=f"option {key}", result=result):
            return
    _LOGGER.info("IVR %s, call %s: no choice after %d plays", menu.number, channel.call.id, result.plays)
    timeout = menu.timeout_destination
    if (
        timeout is not None
        and timeout.kind != KIND_REPEAT
        and await _follow(core, menu, channel, timeout, choice="no choice", result=result)
    ):
        return
    await _goodbye(channel, result)


async def _outside_opening_hours(core: Core, menu: IvrMenu, channel: Channel, result: _Result) -> bool:
    """SCH-07: when the menu's schedule says closed, the caller hears the event's prompt (or "not
    available") and the call ends; forward sends the caller to the event's number (subject to the
    menu's blocking groups) without the menu. False when it is open."""

    async def forward(number: str, event: ScheduleEvent) -> None:
        await _to_number(core, menu, channel, number, choice=f"schedule event {event.name}", result=result)

    def closed(event: ScheduleEvent) -> None:
        note_step(core, channel, f"IVR {menu.name}: closed (schedule event {event.name})")
        result.outcome = OUTCOME_CLOSED

    followed = await follow_schedule(
        core,
        channel,
        menu.schedule_id,
        what=f"IVR {menu.number}",
        forward=forward,
        closed=closed,
        default_prompt=PROMPT_NOT_AVAILABLE,
    )
    return followed is not Followed.OPEN


async def _keyed_number(channel: Channel, menu: IvrMenu, first: str | None) -> str:
    """IVR-04: the number the caller keys, ended by ``#`` or a pause."""
    if first == "#":
        return ""
    keyed = first or ""
    rest = await channel.collect_digits(
        DIRECT_DIAL_MAX - len(keyed),
        timeout=DIRECT_DIAL_PAUSE_S if keyed else menu.timeout_s,
        inter_digit_timeout=DIRECT_DIAL_PAUSE_S,
        terminator="#",
    )
    return keyed + rest


async def _dialable(core: Core, number: str) -> bool:
    """IVR-04, NUM-10: someone has ``number`` and it lies in a range marked "dialable from IVR"."""
    ranges = await core.numbers.ranges()
    if not any(r.ivr_dialable and r.contains(number) for r in ranges):
        return False
    return await core.numbers.owner_of(number) is not None


async def _follow(
    core: Core, menu: IvrMenu, channel: Channel, destination: Destination, *, choice: str, result: _Result
) -> bool:
    """Send the caller to ``destination``; False when it did not take the call (back to the menu)."""
    if destination.kind == KIND_HANGUP:
        note_step(core, channel, f"IVR {menu.name}: {choice}, hang up")
        await _goodbye(channel, result, OUTCOME_HUNG_UP)
        return True
    if destination.kind == KIND_VOICEMAIL and destination.target:
        return await _to_voicemail(core, menu, channel, destination.target, choice=choice, result=result)
    if destination.kind == KIND_NUMBER and destination.target:
        return await _to_number(core, menu, channel, destination.target, choice=choice, result=result)
    return False


async def _to_number(
    core: Core, menu: IvrMenu, channel: Channel, number: str, *, choice: str, result: _Result
) -> bool:
    """IVR-03: the caller goes on to ``number`` as if they had dialled it (core/calls/hand_on.py:
    a function number's plugin, a user's announcement and rule or phones, an outside number unless
    one of the menu's blocking groups blocks it, BAR-04); "not available" and back to the menu when
    nobody answered or the number is blocked."""
    reason = f"IVR {menu.name} {choice}"
    note_step(core, channel, f"{reason}: {number}")
    result.target = number
    caller = channel.call

    def taken() -> None:
        result.outcome = OUTCOME_TRANSFERRED

    missed = await hand_on(
        core,
        channel,
        number,
        via=reason,
        caller_id=shown_caller(caller, caller.metadata),
        metadata={"reason": reason},
        blocking_groups=menu.blocking_groups,
        taken=taken,
    )
    if missed is None:
        return True
    await play_event_prompt(channel, None, PROMPT_NOT_AVAILABLE)  # answers a caller the menu did not
    if isinstance(missed, Looped):  # menus and other function numbers send the caller in circles
        result.outcome = OUTCOME_LOOP
        await channel.hangup()
        return True
    return False


async def _to_voicemail(
    core: Core, menu: IvrMenu, channel: Channel, number: str, *, choice: str, result: _Result
) -> bool:
    calls = core.calls
    account = calls.find_account(number) if calls is not None else None
    handler = calls.voicemail_of(account.user_id) if calls and account and account.user_id else None
    result.target = number
    if handler is None:
        _LOGGER.warning("IVR %s: no mailbox for %s; back to the menu", menu.number, number)
        await channel.play([PROMPT_NOT_AVAILABLE])
        return False
    note_step(core, channel, f"IVR {menu.name} {choice}: voicemail of {number}")
    result.outcome = OUTCOME_VOICEMAIL
    await handler(channel)
    return True


async def _goodbye(channel: Channel, result: _Result, outcome: str = OUTCOME_GOODBYE) -> None:
    result.outcome = outcome
    await channel.play([PROMPT_GOODBYE])
    await channel.hangup()
