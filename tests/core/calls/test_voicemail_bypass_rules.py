"""VM-05, "press 2 to bypass voicemail", in the rule timeline (core/calls/rule_calls.py) without
SIP: while a rule's mailbox has the caller, ``voicemail_bypass()`` goes on with the next matching
rule's destinations on the same (answered) channel, which hears ringback; a rule after that one
may lead to voicemail again and go on from there; with no rule left the mailbox keeps the caller;
a mailbox no rule led to (no rule id) gets no way on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from cordboard.core.calls.channel import Channel, ChannelHandler
from cordboard.core.calls.dialer import NotAnswered
from cordboard.core.calls.model import CallResult
from cordboard.core.calls.rule_calls import follow_destinations, voicemail_bypass
from cordboard.core.routing.model import Destination, Rule


@dataclass
class _Call:
    id: str = "call-1"


@dataclass
class FakeChannel:
    """What follow_destinations uses of a Channel, writing down what happened."""

    state: str = "ringing"
    call: _Call = field(default_factory=_Call)
    log: list[str] = field(default_factory=list)

    @property
    def ended(self) -> bool:
        return self.state == "ended"

    async def ring(self) -> None:
        self.log.append("ring")

    def start_tone(self, name: str) -> None:
        self.log.append(f"tone {name}")

    def stop_tone(self) -> None:
        self.log.append("tone off")

    async def hangup(self, status: int | None = None) -> None:
        self.log.append(f"hangup {status}")
        self.state = "ended"

    async def dial(
        self, targets: Sequence[str], ring_s: float, caller_id: tuple[str, str] | None = None
    ) -> NotAnswered:
        self.log.append(f"dial {','.join(targets)}")
        return NotAnswered(CallResult.BUSY, 486, "Busy Here")


def _rule(rid: int, destinations: Sequence[Destination]) -> Rule:
    return Rule(rid, "user", 7, "incoming", None, rid, f"rule {rid}", True, {}, tuple(destinations))


async def _run(channel: FakeChannel, rules: dict[int, Rule], first: int, pressed: list[bool | None]) -> None:
    """Rule ``first``'s destinations; each mailbox visit asks to go on (VM-05) and notes the answer."""
    order = sorted(rules)

    async def next_rule(after: int) -> Rule | None:
        channel.log.append(f"next after {after}")
        later = [rid for rid in order if rid > after]
        return rules[later[0]] if later else None

    async def mailbox(ch: Channel) -> None:
        cast(FakeChannel, ch).state = "answered"
        channel.log.append("mailbox")
        bypass = voicemail_bypass()
        if bypass is None:
            pressed.append(None)
            return
        went_on = await bypass()
        pressed.append(went_on)
        if not went_on:
            channel.log.append("message left")

    def voicemail() -> ChannelHandler:
        return mailbox

    await follow_destinations(
        cast(Any, channel),
        rules[first].destinations,
        owner="1007",
        ring_s=10.0,
        reachable=lambda number: True,
        voicemail=voicemail,
        rule_id=first,
        next_rule=next_rule,
    )


async def test_vm_05_the_caller_goes_on_to_the_next_rule_on_the_same_channel() -> None:
    rules = {1: _rule(1, [Destination("voicemail")]), 2: _rule(2, [Destination("number", 0, "1003")])}
    channel, pressed = FakeChannel(), []
    await _run(channel, rules, 1, pressed)
    assert pressed == [True]
    assert channel.log == [
        "ring",
        "mailbox",
        "next after 1",
        "tone ringback",  # the caller, answered by the mailbox, hears ringback while cy rings
        "dial 1003",
        "hangup 486",  # cy was busy: the call ends as any call nobody answered
    ]
    assert voicemail_bypass() is None, "the way on is the mailbox's only while it has the caller"


async def test_vm_05_from_voicemail_to_voicemail_and_then_no_rule_is_left() -> None:
    rules = {
        1: _rule(1, [Destination("voicemail")]),
        2: _rule(2, [Destination("voicemail")]),
    }
    channel, pressed = FakeChannel(), []
    await _run(channel, rules, 1, pressed)
    # rule 1's mailbox goes on to rule 2's; there, no rule is left: the caller stays and leaves a message
    assert pressed == [False, True]
    assert channel.log == [
        "ring",
        "mailbox",
        "next after 1",
        "tone ringback",
        "tone off",
        "mailbox",
        "next after 2",
        "message left",
    ]


async def test_vm_05_a_mailbox_no_rule_led_to_has_no_way_on() -> None:
    channel, pressed = FakeChannel(), []

    async def mailbox(ch: Channel) -> None:
        pressed.append(voicemail_bypass() is not None)

    await follow_destinations(
        cast(Any, channel),
        [Destination("voicemail")],
        owner="1007",
        ring_s=10.0,
        reachable=lambda number: True,
        voicemail=lambda: mailbox,
    )
    assert pressed == [False]
