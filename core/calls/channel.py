"""The call-control API plugins drive (ARCHITECTURE.md "Calls"): a ``Channel`` is one call leg the
appliance handles itself, with awaitables for what a feature does with a caller.

A plugin claims a number with the ``cordboard_route_call`` hook and returns an async function; the
B2BUA calls it with the inbound channel::

    from cordboard.core.calls.channel import Channel, InboundCall
    from cordboard.core.plugin_api import hookimpl

    async def opening_hours(channel: Channel) -> None:
        await channel.answer()
        digit = await channel.play(["please_hold"], interrupt_on_dtmf=True)
        digits = digit or await channel.collect_digits(max_digits=1, timeout=5)
        if digits == "1":
            await channel.play(["goodbye"])
        await channel.hangup()

    @hookimpl
    def cordboard_route_call(core, call: InboundCall):
        return opening_hours if call.dialled == "1600" else None

When the caller hangs up, the awaitable in progress raises ``ChannelHungUp``; the core ends the
call whatever the function does (returns, raises, is cancelled): no media or dialog is left behind,
and the calls a channel dialled end with it.

Connecting the caller with someone (a queue's agent, a menu's "press 1 for sales")::

    async def sales_line(channel: Channel) -> None:
        await channel.answer()
        await channel.play(["please_hold"])
        channel.start_tone("ringback")
        agent = await channel.dial(["201", "202"], strategy="sequential", ring_s=15)
        if isinstance(agent, NotAnswered):
            await channel.play(["not_available"])
            return  # the core hangs up
        await channel.bridge(agent)  # until one of them hangs up
        await agent.hangup()

``transfer("201")`` does the same in one call for a blind transfer.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np

from cordboard.core.calls.dialer import NotAnswered, Strategy
from cordboard.core.event_loop import cancel_and_wait
from cordboard.core.exceptions import CordboardError
from cordboard.core.media.audio_file import PCM as Pcm
from cordboard.core.media.audio_file import write_wav
from cordboard.core.media.bridge import AudioBridge
from cordboard.core.media.dtmf_event import DtmfEvent
from cordboard.core.media.endpoint import MediaEndpoint

if TYPE_CHECKING:
    from cordboard.core.calls.conference import Conference
    from cordboard.core.media.moh import MusicOnHold
    from cordboard.core.media.prompts import PromptLibrary

Prompt = str | Path | Pcm
"""A prompt id (``"goodbye"``), a WAV file, or samples at the channel's sample rate."""
ChannelHandler = Callable[["Channel"], Awaitable[object]]
"""What takes a call as a channel (a plugin's, a routing rule's timeline); its result is not used."""
Dial = Callable[..., Awaitable["Channel | NotAnswered"]]
"""``Dialer.dial`` with this channel's defaults filled in by the channel."""
BEEP_HZ: Final = 1000.0
BEEP_S: Final = 0.25


class ChannelHungUp(CordboardError):
    """The caller hung up (or the call ended) while the channel was being driven."""


@dataclass(frozen=True, slots=True)
class InboundCall:
    """What a plugin sees when it decides whether to take a call (``cordboard_route_call``)."""

    id: str
    """The call's id in the call history."""
    dialled: str
    caller: str
    """The caller's extension (or user name)."""
    caller_name: str
    caller_user_id: int | None
    referred_by: str | None = None
    """The number of the phone that transferred this caller here (a blind transfer), if any."""
    metadata: str = ""
    """The display text an earlier step of the call path set (an IVR menu's, a hunt group's), which
    a later step may keep (IVR-05, ``cordboard.core.calls.metadata``); empty when none did."""


@dataclass(frozen=True, slots=True)
class ChannelEvent:
    """One thing that happened on a channel, as ``Channel.events()`` yields them."""

    kind: Literal["state", "dtmf", "hangup"]
    state: str
    """The channel's state after the event: ``ringing``, ``early``, ``answered`` or ``ended``."""
    dtmf: DtmfEvent | None = None
    """The digit, for ``dtmf`` events."""


@dataclass(frozen=True, slots=True)
class Recording:
    path: Path
    seconds: float
    ended_by: str
    """``"silence"``, ``"max_length"``, ``"dtmf"`` (the digit is in ``digit``) or ``"hangup"``."""
    digit: str | None = None


class Channel:
    """One call leg answered by the appliance; create through the B2BUA, drive from a plugin."""

    def __init__(
        self,
        call: InboundCall,
        endpoint: MediaEndpoint,
        prompts: PromptLibrary,
        *,
        language: str = "en",
        answer: Callable[[], None],
        ring: Callable[[], None],
        hang_up: Callable[[int | None], None],
        progress: Callable[[], None] | None = None,
        music: MusicOnHold | None = None,
        country: str | None = None,
        dial: Dial | None = None,
        default_music: Callable[[], Awaitable[str]] | None = None,
    ) -> None:
        self.call = call
        self.endpoint = endpoint
        self.language = language
        self._state = "ringing"
        self._watchers: list[asyncio.Queue[ChannelEvent]] = []
        self._prompts = prompts
        self._answer = answer
        self._ring = ring
        self._hang_up = hang_up
        self._progress = progress
        self._music = music
        self.country = country
        """The tone plan's country (ringback, busy); None: the default plan."""
        self._dial = dial
        self._default_music = default_music
        self._digits: asyncio.Queue[DtmfEvent] = asyncio.Queue()
        self._ended = asyncio.Event()
        self._digit_waits = 0
        """Awaitables waiting for digits now: in-band detection runs only while there are some."""
        self._dialled: list[Channel] = []
        """Channels this one dialled: they end when it ends."""
        self._bridged_to: Channel | None = None
        """While bridged, digits pass to the other phone instead of the plugin."""
        endpoint.on_dtmf = self.digit

    @property
    def state(self) -> str:
        """``ringing``, ``early`` (early media), ``answered`` or ``ended``."""
        return self._state

    @state.setter
    def state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self._emit(ChannelEvent("state", state))

    def events(self) -> AsyncIterator[ChannelEvent]:
        """What happens on the channel from now on, in order: state changes, every DTMF digit (also
        while bridged; ``collect_digits`` still gets them too) and, last, ``hangup``, after which
        the iterator ends::

            async for event in channel.events():
                if event.kind == "dtmf" and event.dtmf.digit == "*":
                    ...
        """
        queue: asyncio.Queue[ChannelEvent] = asyncio.Queue()
        self._watchers.append(queue)  # now, not at the first iteration: nothing is missed

        async def watch() -> AsyncIterator[ChannelEvent]:
            try:
                if self.ended and queue.empty():
                    yield ChannelEvent("hangup", "ended")
                    return
                while True:
                    event = await queue.get()
                    yield event
                    if event.kind == "hangup":
                        return
            finally:
                with contextlib.suppress(ValueError):
                    self._watchers.remove(queue)

        return watch()

    def _emit(self, event: ChannelEvent) -> None:
        for queue in self._watchers:
            queue.put_nowait(event)

    @property
    def sample_rate(self) -> int:
        return self.endpoint.sample_rate

    @property
    def bridged_to(self) -> Channel | None:
        """The channel this one is bridged with now (``bridge``), if any."""
        return self._bridged_to

    @property
    def ended(self) -> bool:
        return self._ended.is_set()

    # -- signalling ---------------------------------------------------------------------------
    async def ring(self) -> None:
        """Tell the caller's phone it is ringing (180)."""
        self._check()
        self._ring()

    async def progress(self) -> None:
        """Early media (183 with our SDP): the caller hears what plays before the call is answered,
        e.g. ``start_tone("ringback")`` or an announcement."""
        self._check()
        if self._progress is None:
            raise RuntimeError("this channel cannot send early media")
        if self.state == "ringing":
            self.state = "early"
            self._progress()

    async def answer(self) -> None:
        """Answer (200 with our SDP); media flows from now on. Answering twice does nothing."""
        self._check()
        if self.state != "answered":
            self.state = "answered"
            self._answer()

    async def hangup(self, cause: int | None = None) -> None:
        """End the call: BYE when answered; before, the final response ``cause`` (a SIP status such
        as 486 busy or 404; default 480) tells the caller's phone why. The channel is then over."""
        if not self.ended:
            self._hang_up(cause)

    def digit(self, event: DtmfEvent) -> None:
        """A digit the phone pressed (RTP, in-band or SIP INFO): the plugin's, or while bridged the
        other phone's (RFC 4733 when it takes telephone-events)."""
        self._emit(ChannelEvent("dtmf", self._state, event))
        other = self._bridged_to
        if other is None:
            self._digits.put_nowait(event)
        elif other.endpoint.dtmf_payload_type is not None and not other.ended:
            other.endpoint.send_dtmf(event.digit, max(40, int(event.duration_ms or 100)))

    def ended_by_far_end(self) -> None:
        """Called by the core when the call ended outside the plugin (BYE, CANCEL, shutdown)."""
        if self._ended.is_set():
            return
        self.state = "ended"
        self._emit(ChannelEvent("hangup", "ended"))
        self._ended.set()
        self.endpoint.close()
        for dialled in self._dialled:
            if not dialled.ended:
                dialled._hang_up(None)
        self._dialled.clear()
        # The core's callbacks hold the call, which holds this channel: let go of them (see
        # MediaEndpoint.close); every awaitable checks ``ended`` before it would use one.
        self._answer = self._ring = _nothing
        self._hang_up = _nothing_with_cause
        self._progress = None
        self._bridged_to = None

    def hand_over(self, *, dial: Dial | None = None, keep: Channel | None = None) -> Channel:
        """The party on this channel is taken away from the plugin (a phone transferred them,
        ``cordboard.core.calls.refer``): this object ends for the plugin as if they had hung up
        (its ``bridge`` returns, its awaitables raise ``ChannelHungUp``, ``hangup`` does nothing),
        while the call and its media go on in the returned object, which dials through ``dial``.
        The channels the plugin dialled from this one are hung up, but ``keep`` (taken over too)."""
        taken = Channel(
            self.call,
            self.endpoint,
            self._prompts,
            language=self.language,
            answer=self._answer,
            ring=self._ring,
            hang_up=self._hang_up,
            progress=self._progress,
            music=self._music,
            country=self.country,
            dial=dial if dial is not None else self._dial,
            default_music=self._default_music,
        )
        taken._state = self._state
        self.endpoint.on_dtmf = taken.digit
        self._answer = self._ring = _nothing
        self._hang_up = _nothing_with_cause
        self._progress = None
        self.state = "ended"
        self._emit(ChannelEvent("hangup", "ended"))
        self._ended.set()
        for dialled in self._dialled:
            if not dialled.ended and dialled is not keep:
                dialled._hang_up(None)
        self._dialled.clear()
        return taken

    # -- media --------------------------------------------------------------------------------
    async def play(self, prompts: Sequence[Prompt], *, interrupt_on_dtmf: bool = False) -> str | None:
        """Play prompts in order; with ``interrupt_on_dtmf`` a digit stops playback and is returned
        (and consumed). Returns None when everything played."""
        self._check()
        for prompt in prompts:
            samples = await self._samples(prompt)
            playing = self.endpoint.play(samples)
            waits: set[asyncio.Future[Any]] = {playing, asyncio.ensure_future(self._ended.wait())}
            digit_wait: asyncio.Future[DtmfEvent] | None = None
            if interrupt_on_dtmf:
                digit_wait = asyncio.ensure_future(self._digits.get())
                waits.add(digit_wait)
            try:
                with self._awaiting_digits(interrupt_on_dtmf):
                    await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            except asyncio.CancelledError:
                self.endpoint.stop_playing()  # whoever stopped waiting wants the prompt gone too
                raise
            finally:
                for waiter in waits:
                    if waiter is not playing:
                        waiter.cancel()
            if digit_wait is not None and digit_wait.done() and not digit_wait.cancelled():
                self.endpoint.stop_playing()
                return digit_wait.result().digit
            self._check()
        return None

    async def collect_digits(
        self,
        max_digits: int,
        timeout: float = 5.0,  # noqa: ASYNC109 - the API's name (issue 4), a digit wait, not a deadline
        inter_digit_timeout: float = 3.0,
        terminator: str | None = "#",
    ) -> str:
        """Digits the caller presses (RFC 4733, SIP INFO or in-band), up to ``max_digits``, the
        terminator (not included), ``timeout`` for the first digit or ``inter_digit_timeout`` after
        a digit; returns what was collected (possibly empty)."""
        self._check()
        digits = ""
        with self._awaiting_digits():
            while len(digits) < max_digits:
                wait = timeout if not digits else inter_digit_timeout
                event = await self._next_digit(wait)
                if event is None:
                    break
                if terminator is not None and event.digit == terminator:
                    break
                digits += event.digit
        return digits

    async def ask(self, prompt: Prompt, max_digits: int, *, timeout: float = 10.0) -> str:  # noqa: ASYNC109
        """Play ``prompt`` (a key press stops it and counts as the first digit) and collect the
        caller's digits up to ``#`` (a PIN, an extension)."""
        first = await self.play([prompt], interrupt_on_dtmf=True)
        if first == "#":
            return ""
        rest = await self.collect_digits(max_digits, timeout=timeout, inter_digit_timeout=5.0)
        return (first or "") + rest

    async def record(
        self,
        path: Path,
        *,
        max_s: float = 120.0,
        silence_s: float | None = 5.0,
        beep: bool = True,
        stop_on_dtmf: bool = True,
        keep_on_hangup: bool = True,
    ) -> Recording:
        """Record what the caller says into a WAV file (written atomically when recording ends).

        Ends after ``max_s``, after ``silence_s`` of silence (trimmed off), on a DTMF digit, or when
        the caller hangs up (``keep_on_hangup`` keeps what was said, else nothing is written).
        """
        self._check()
        if beep:
            await self.play([_beep(self.sample_rate)])
        frames: list[Pcm] = []
        quiet_frames = 0
        limit_frames = int(max_s * 50)
        silence_frames = int(silence_s * 50) if silence_s else None
        done: asyncio.Future[str] = asyncio.get_running_loop().create_future()

        def on_frame(frame: Pcm) -> None:
            nonlocal quiet_frames
            if done.done():
                return
            frames.append(frame)
            quiet_frames = quiet_frames + 1 if _is_quiet(frame) else 0
            if silence_frames is not None and quiet_frames >= silence_frames:
                done.set_result("silence")
            elif len(frames) >= limit_frames:
                done.set_result("max_length")

        self.endpoint.listeners.append(on_frame)
        digit: str | None = None
        waits: set[asyncio.Future[Any]] = {done, asyncio.ensure_future(self._ended.wait())}
        digit_wait = asyncio.ensure_future(self._digits.get()) if stop_on_dtmf else None
        if digit_wait is not None:
            waits.add(digit_wait)
        try:
            with self._awaiting_digits(stop_on_dtmf):
                await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            with contextlib.suppress(ValueError):
                self.endpoint.listeners.remove(on_frame)
            for waiter in waits:
                if waiter is not done:
                    waiter.cancel()
        if done.done():
            ended_by = done.result()
        elif digit_wait is not None and digit_wait.done() and not digit_wait.cancelled():
            ended_by, digit = "dtmf", digit_wait.result().digit
        else:
            ended_by = "hangup"
        if ended_by == "silence" and quiet_frames:
            frames = frames[: len(frames) - quiet_frames]
        samples = np.concatenate(frames) if frames else np.zeros(0, dtype=np.int16)
        if ended_by != "hangup" or keep_on_hangup:
            write_wav(path, samples, self.sample_rate)
        return Recording(path, samples.size / self.sample_rate, ended_by, digit)

    def start_tone(self, name: str) -> None:
        """Play a call-progress tone of the country's plan (``ringback``, ``busy``, ``congestion``,
        ``call_waiting``) until ``stop_tone``, whenever nothing else plays."""
        from cordboard.core.media.tones import ToneGenerator, UnknownCountryError, get_tone_plan

        self._check()
        try:
            plan = get_tone_plan(self.country)
        except UnknownCountryError:
            plan = get_tone_plan(None)  # no plan for this country yet: the default one
        generator = ToneGenerator(plan.tone(name), self.sample_rate)
        self.endpoint.source = generator.next_frame

    def stop_tone(self) -> None:
        self.endpoint.source = None

    async def hold(self, music_class: str | None = None) -> None:
        """Music on hold (MOH-01..03) whenever nothing else plays, until ``unhold``: the class named
        (a queue's own), else the organisation's choice (setting ``core.music_on_hold``)."""
        self._check()
        if self._music is None:
            raise RuntimeError("no music on hold here")
        if music_class is None:
            music_class = await self._default_music() if self._default_music else "default"
        loop = asyncio.get_running_loop()
        self.endpoint.source = await loop.run_in_executor(
            None, self._music.source, music_class, self.sample_rate
        )

    async def unhold(self) -> None:
        self.endpoint.source = None

    async def join(self, conference: Conference) -> None:
        """Take part in a conference until the caller hangs up (then ``ChannelHungUp``)."""
        self._check()
        await conference.run(self)
        self._check()

    async def dial(
        self,
        targets: Sequence[str],
        *,
        strategy: Strategy = "parallel",
        ring_s: float = 30.0,
        caller_id: tuple[str, str] | None = None,
        metadata: dict[str, Any] | None = None,
        history: bool = True,
        phone_types: Collection[str] | None = None,
    ) -> Channel | NotAnswered:
        """Ring other users' phones for this call: ``targets`` are extensions or user names, rung
        all at once (``parallel``) or one after another for ``ring_s`` each (``sequential``).
        ``phone_types`` (``desk``, ``softphone``, ``mobile``; ``cordboard.core.calls.phone_types``)
        limits which of their phones ring, ``mobile`` adding their mobile numbers over the trunk;
        by default every registered phone rings.

        The phones show ``caller_id`` (number, name; default: this call's caller). Meanwhile the
        caller hears what this channel plays (``start_tone("ringback")``, ``hold()``), or their own
        ringback if it is not answered yet. Returns the answered channel (``bridge`` it, play to it,
        hang it up) or ``NotAnswered`` with the reason (busy, no answer, ...). If this channel's
        caller hangs up meanwhile the ringing stops and ``ChannelHungUp`` is raised. ``metadata``
        ``{"reason": ...}`` is kept in the dialled call's history record; ``history=False`` keeps
        no record of the dialled call (it is part of this call's own, e.g. a queue's agent leg).
        """
        self._check()
        if self._dial is None:
            raise RuntimeError("this channel cannot dial")
        dialling = asyncio.ensure_future(
            self._dial(
                targets,
                strategy=strategy,
                ring_s=ring_s,
                caller_id=caller_id or (self.call.caller, self.call.caller_name),
                language=self.language,
                metadata=metadata,
                history=history,
                phone_types=phone_types,
                party_user_id=self.call.caller_user_id,
            )
        )
        ended = asyncio.ensure_future(self._ended.wait())
        try:
            await asyncio.wait({dialling, ended}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            ended.cancel()
            if not dialling.done():
                await cancel_and_wait(dialling)
        result = dialling.result() if not dialling.cancelled() else None
        if isinstance(result, Channel):
            self._dialled.append(result)
            if self.ended:
                result._hang_up(None)
        self._check()
        assert result is not None
        return result

    async def bridge(self, other: Channel) -> None:
        """Connect this call with ``other`` (usually one ``dial`` answered): each hears the other,
        transcoded when their phones share no codec, and digits pass across. Answers this channel
        if it is not yet. Returns when either hangs up; the other stays up for the plugin to go on
        with (or hang up). When one phone transfers the other party (REFER), the core takes that
        party over (``hand_over``): for the plugin both channels have then ended."""
        self._check()
        other._check()
        await self.answer()
        self._bridged_to, other._bridged_to = other, self
        ends = [asyncio.ensure_future(self._ended.wait()), asyncio.ensure_future(other._ended.wait())]
        try:
            with AudioBridge(self.endpoint, other.endpoint):
                await asyncio.wait(ends, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for end in ends:
                end.cancel()
            self._bridged_to = other._bridged_to = None

    async def transfer(
        self,
        target: str,
        *,
        ring_s: float = 30.0,
        history: bool = True,
        caller_id: tuple[str, str] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> NotAnswered | None:
        """Blind transfer through the appliance: ring ``target`` (the caller hears ringback); when
        it answers, connect the two and keep them connected until one hangs up, then end both and
        return None. When nobody answers, return ``NotAnswered`` and the channel is the plugin's
        again (offer voicemail, try another number). ``caller_id`` and ``metadata`` as in ``dial``."""
        self._check()
        answered_before = self.state == "answered"
        if answered_before:
            self.start_tone("ringback")
        else:
            await self.ring()
        other = await self.dial(
            [target], ring_s=ring_s, history=history, caller_id=caller_id, metadata=metadata
        )
        if answered_before:
            self.stop_tone()
        if isinstance(other, NotAnswered):
            return other
        try:
            await self.bridge(other)
        finally:
            await other.hangup()
            await self.hangup()
        return None

    async def wait_ended(self) -> None:
        """Until the call is over (the caller hung up or the call was ended)."""
        await self._ended.wait()

    # -- helpers ------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _awaiting_digits(self, waiting: bool = True) -> Iterator[None]:
        """In-band DTMF detection while a plugin waits for digits (RFC 4733 and INFO digits are
        always taken; tones pressed while nobody waits are not digits)."""
        if not waiting:
            yield
            return
        self._digit_waits += 1
        self.endpoint.listen_inband = True
        try:
            yield
        finally:
            self._digit_waits -= 1
            if not self._digit_waits:
                self.endpoint.listen_inband = False

    async def _next_digit(self, wait: float) -> DtmfEvent | None:
        getter = asyncio.ensure_future(self._digits.get())
        ended = asyncio.ensure_future(self._ended.wait())
        try:
            await asyncio.wait({getter, ended}, timeout=wait, return_when=asyncio.FIRST_COMPLETED)
        finally:
            ended.cancel()
            if not getter.done():
                getter.cancel()
        if getter.done() and not getter.cancelled():
            return getter.result()
        self._check()
        return None

    async def _samples(self, prompt: Prompt) -> Pcm:
        if isinstance(prompt, np.ndarray):
            return prompt
        loop = asyncio.get_running_loop()
        if isinstance(prompt, Path):
            return await loop.run_in_executor(None, self._prompts.load, prompt, self.sample_rate)
        return await loop.run_in_executor(
            None, self._prompts.samples, prompt, self.language, self.sample_rate
        )

    def _check(self) -> None:
        if self.ended:
            raise ChannelHungUp(f"call {self.call.id} has ended")


def _nothing() -> None:
    """What a channel's signalling callbacks become once it has ended."""


def _nothing_with_cause(_cause: int | None) -> None:
    """``hang_up`` once the channel has ended."""


def _beep(sample_rate: int) -> Pcm:
    t = np.arange(int(BEEP_S * sample_rate)) / sample_rate
    return (6000 * np.sin(2 * np.pi * BEEP_HZ * t)).astype(np.int16)


def _is_quiet(frame: Pcm) -> bool:
    """Below about -45 dBFS: background noise of a quiet office, not speech."""
    return float(np.sqrt(np.mean(frame.astype(np.float64) ** 2))) < 180.0
