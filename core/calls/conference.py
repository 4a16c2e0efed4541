"""Conference rooms on the call-control API (BYD-17 basics): channels ``join`` a ``Conference`` and
each hears everyone but themselves.

The room mixes at 16 kHz on the channels' shared 20 ms media clock: every tick takes the newest
frame each member's endpoint decoded (resampled when the member speaks narrowband), mixes with
``ConferenceMixer`` (sum minus one's own, saturating) and feeds each member's endpoint what it
should hear. Members join and leave with a tone; muted members are not heard.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from cordboard.core.media.clock import MediaClock
from cordboard.core.media.codecs.resample import Resampler
from cordboard.core.media.endpoint import Pcm
from cordboard.core.media.mixer import ConferenceMixer

if TYPE_CHECKING:
    from cordboard.core.calls.channel import Channel

MIX_RATE: Final = 16000
INPUT_DEPTH: Final = 3
"""Received frames kept per member between ticks (the member's clock and the room's drift)."""
INPUT_START: Final = 2
"""Frames a member's inbox must hold before the room takes them (slack for timer jitter)."""


@dataclass(eq=False)
class Member:
    channel: Channel
    inbox: deque[Pcm] = field(default_factory=lambda: deque(maxlen=INPUT_DEPTH))
    upsample: Resampler | None = None
    downsample: Resampler | None = None
    flowing: bool = False
    """The inbox had INPUT_START frames once; False again after it ran dry."""


class Conference:
    """A room: members join with ``await channel.join(room)`` and stay until they hang up."""

    def __init__(self, name: str, *, max_members: int = 20) -> None:
        self.name = name
        self.max_members = max_members
        self._mixer = ConferenceMixer(MIX_RATE)
        self._members: dict[int, Member] = {}
        self._clock: tuple[MediaClock, int] | None = None
        """The media clock the room ticks on (its first member's) and its key there."""

    def __len__(self) -> int:
        return len(self._members)

    @property
    def full(self) -> bool:
        return len(self._members) >= self.max_members

    def set_muted(self, channel: Channel, muted: bool) -> None:
        self._mixer.set_muted(id(channel), muted)

    async def run(self, channel: Channel) -> None:
        """Keep ``channel`` in the room until the call ends (or the awaiting task is cancelled)."""
        member = Member(channel)
        if channel.sample_rate != MIX_RATE:
            member.upsample = Resampler(channel.sample_rate, MIX_RATE)
            member.downsample = Resampler(MIX_RATE, channel.sample_rate)
        key = id(channel)
        self._members[key] = member
        self._mixer.add(key, announce=len(self._members) > 1)
        channel.endpoint.listeners.append(member.inbox.append)
        if self._clock is None:
            clock = channel.endpoint.clock
            self._clock = (clock, clock.add(self._tick)[0])
        try:
            await channel.wait_ended()
        finally:
            if member.inbox.append in channel.endpoint.listeners:
                channel.endpoint.listeners.remove(member.inbox.append)
            del self._members[key]
            self._mixer.remove(key, announce=bool(self._members))
            if not self._members and self._clock is not None:
                clock, key = self._clock
                clock.remove(key)
                self._clock = None

    def _tick(self, _index: int, _now: float) -> None:
        """One 20 ms frame of the shared media clock: mix what members sent, feed what they hear."""
        for key, member in self._members.items():
            inbox = member.inbox
            member.flowing = bool(inbox) and (member.flowing or len(inbox) >= INPUT_START)
            if member.flowing:
                frame = inbox.popleft()
                if member.upsample is not None:
                    frame = member.upsample.process(frame)
                self._mixer.push(key, frame)
        for participant, heard in self._mixer.mix().items():
            member = self._members[participant]  # type: ignore[index]  # keys are id(channel)
            out = member.downsample.process(heard) if member.downsample is not None else heard
            member.channel.endpoint.feed(out)
