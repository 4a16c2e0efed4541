"""Record a prompt by phone (PRM-04): the appliance calls an admin's phone and a voice guide leads
through the recording, which is saved as one of the organisation's prompts.

``POST /api/prompts/record-by-phone`` starts a ``RecordingJob`` in the background; the job dials
the number (``Dialer.dial``), then on the answered channel::

    guide ("record after the tone, # when done") -> beep -> record (# / silence / 3 min)
    -> play it back -> "1 to keep it, 2 to record again"

1 saves it through the same path as an upload (``PromptLibrary.convert`` then ``store``, written
atomically; a new prompt's row is inserted just before and deleted again if storing fails), 2
records again, hanging up without choosing discards it. The job's state (``ringing``,
``recording``, ``saved``, ``failed`` with the reason) is the state ``prompt_recording.<job id>``
(admins follow it over the WebSocket) and each change is also fired as ``prompts.recording``.
Finished jobs are kept for ``KEEP_FINISHED_S`` for the page to read, then forgotten.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from cordboard.core.bus import EventType
from cordboard.core.context import ulid_now
from cordboard.core.keys import DataKey
from cordboard.core.media import disk_space, org_prompts
from cordboard.core.media.audio_file import PCM, AudioFileError, decode_audio, wav_bytes
from cordboard.core.media.prompts import PROMPT_RATE, PromptLibrary

if TYPE_CHECKING:
    from cordboard.core.calls.channel import Channel
    from cordboard.core.core import Core

_LOGGER = logging.getLogger(__name__)

STATE_DOMAIN: Final = "prompt_recording"
EVENT_PROMPT_RECORDING: Final[EventType[dict[str, Any]]] = EventType("prompts.recording")
"""A record-by-phone job changed state; the data is the job (``RecordingJob.as_dict``)."""
RING_S: Final = 30.0
MAX_RECORD_S: Final = 180.0
SILENCE_S: Final = 4.0
"""This long without sound ends the recording (trimmed off), like pressing #."""
CHOICE_WAIT_S: Final = 8.0
CHOICE_TRIES: Final = 3
"""How often "1 to keep, 2 to record again" is asked before the recording is discarded."""
MAX_TAKES: Final = 5
MIN_SOUND_S: Final = 0.3
"""A take with less sound than this counts as nothing recorded."""
KEEP_FINISHED_S: Final = 600.0
CALLER_NUMBER: Final = "prompts"
QUIET_RMS: Final = 180.0
"""About -45 dBFS, the level ``Channel.record`` calls silence."""
EDGE_S: Final = 0.15
"""Sound-free margin kept before and after the trimmed recording."""

ACTIVE: Final = ("ringing", "recording")


@dataclass(eq=False)
class RecordingJob:
    """One record-by-phone call: what it records into and how far it got."""

    id: str
    number: str
    language: str
    prompt_id: str | None
    """The organisation's prompt to record into; None: a new prompt named ``name``."""
    name: str
    description: str
    user_id: int
    """The admin who started it."""
    state: str = "ringing"
    step: str = ""
    """While ``recording``: ``guide``, ``recording``, ``review`` (playing back, waiting for 1 or 2)."""
    reason: str = ""
    """Why it failed, in words."""
    code: str = ""
    """Why it failed, for programs: ``not_answered``, ``busy``, ``no_phone``, ``unreachable``,
    ``hung_up``, ``discarded``, ``nothing_recorded``, ``disk_full``, ``name_taken``, ``deleted``,
    ``cancelled``, ``stopped``, ``error``."""
    seconds: float | None = None
    created: float = field(default_factory=time.time)
    updated: float = field(default_factory=time.time)

    @property
    def finished(self) -> bool:
        return self.state not in ACTIVE

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "state": self.state,
            "step": self.step,
            "reason": self.reason,
            "code": self.code,
            "number": self.number,
            "language": self.language,
            "prompt_id": self.prompt_id,
            "name": self.name,
            "seconds": self.seconds,
            "created": self.created,
            "updated": self.updated,
        }


class RecordingFailed(Exception):
    """The job ends without a saved recording; ``code`` and the message say why."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code


class PhoneRecorder:
    """The record-by-phone jobs of one Core (``phone_recorder(core)``)."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self.jobs: dict[str, RecordingJob] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._cancelled: set[str] = set()
        self._saving: set[str] = set()
        """Jobs whose recording is being stored: too late to cancel."""
        self.work_dir = core.data_dir / "prompts" / "by-phone"

    def get(self, job_id: str) -> RecordingJob | None:
        return self.jobs.get(job_id)

    def active_for(self, number: str) -> RecordingJob | None:
        """The unfinished job calling ``number``, if there is one."""
        return next((j for j in self.jobs.values() if j.number == number and not j.finished), None)

    def start(
        self,
        *,
        number: str,
        language: str,
        user_id: int,
        prompt_id: str | None = None,
        name: str = "",
        description: str = "",
    ) -> RecordingJob:
        """Start calling ``number`` in the background; the job as it starts (``ringing``)."""
        job = RecordingJob(ulid_now().lower(), number, language, prompt_id, name, description, user_id)
        self.jobs[job.id] = job
        self._publish(job)
        self._tasks[job.id] = self._core.create_task(self._run(job), f"record prompt by phone {job.id}")
        return job

    def cancel(self, job_id: str) -> bool:
        """End an unfinished job (the phone stops ringing or is hung up; nothing is saved); False
        when it is finished already."""
        job, task = self.jobs.get(job_id), self._tasks.get(job_id)
        if job is None or task is None or job.finished or job_id in self._saving:
            return False
        self._cancelled.add(job_id)
        task.cancel()
        return True

    # -- the call -----------------------------------------------------------------------------
    async def _run(self, job: RecordingJob) -> None:
        path = self.work_dir / f"{job.id}.wav"
        try:
            await self._call(job, path)
        except RecordingFailed as err:
            self._update(job, "failed", code=err.code, reason=str(err))
        except asyncio.CancelledError:
            if job.id not in self._cancelled:
                self._update(job, "failed", code="stopped", reason="Cordboard stopped during the call")
                raise
            self._update(job, "failed", code="cancelled", reason="The call was cancelled: nothing was saved")
        except Exception as err:
            _LOGGER.exception("Recording a prompt by phone (job %s) failed", job.id)
            self._update(job, "failed", code="error", reason=f"The recording failed: {err}")
        finally:
            self._tasks.pop(job.id, None)
            self._cancelled.discard(job.id)
            self._saving.discard(job.id)
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
            asyncio.get_running_loop().call_later(KEEP_FINISHED_S, self._forget, job.id)

    async def _call(self, job: RecordingJob, path: Path) -> None:
        """Dial, guide, record, review and save the kept recording, or raise RecordingFailed."""
        from cordboard.core.calls.channel import ChannelHungUp
        from cordboard.core.calls.dialer import NotAnswered

        calls = self._core.calls
        if calls is None:
            raise RecordingFailed("unreachable", "SIP is not running: no phone can be called")
        outcome = await calls.dialer.dial(
            [job.number],
            ring_s=RING_S,
            caller_id=(CALLER_NUMBER, f"Record prompt: {job.name}"[:60]),
            language=job.language,
            metadata={"reason": "record a prompt by phone"},
        )
        if isinstance(outcome, NotAnswered):
            raise _not_answered(job.number, outcome.result, outcome.status, outcome.reason)
        channel = outcome
        try:
            self._update(job, "recording", step="guide")
            samples = await self._guide(job, channel, path)
            self._saving.add(job.id)  # kept: no longer discarded by a hang-up or cancelled
            try:
                seconds = await self._save(job, samples)
            except RecordingFailed:
                with contextlib.suppress(ChannelHungUp):
                    await channel.play(["goodbye"])
                raise
            self._update(job, "saved", seconds=round(seconds, 2))
            with contextlib.suppress(ChannelHungUp):
                await channel.play(["record_saved", "goodbye"])
        except ChannelHungUp:
            if job.step == "review":
                raise RecordingFailed(
                    "discarded", "The phone hung up without keeping the recording: it was discarded"
                ) from None
            raise RecordingFailed("hung_up", "The phone hung up before the recording was done") from None
        finally:
            await channel.hangup()

    async def _guide(self, job: RecordingJob, channel: Channel, path: Path) -> PCM:
        return await record_guided(
            self._core, channel, path, lambda step: self._update(job, "recording", step=step)
        )

    # -- saving -------------------------------------------------------------------------------
    async def _save(self, job: RecordingJob, samples: PCM) -> float:
        """Store the kept recording the way an upload is stored; a new prompt's row is made now."""
        from cordboard.core.exceptions import NotFound

        core = self._core
        library = core.prompts
        if job.prompt_id is not None:
            try:
                await core.db.call(lambda db: org_prompts.get_prompt(db, job.prompt_id or ""))
            except NotFound:
                raise RecordingFailed(
                    "deleted", "The prompt was deleted during the call: the recording was not saved"
                ) from None
            await core.run_in_executor(library.store, job.prompt_id, job.language, samples)
            _changed(core, job.prompt_id, "recorded")
            return samples.size / PROMPT_RATE
        values = {"name": job.name, "description": job.description}
        try:
            prompt = await core.db.call(lambda db: org_prompts.create_prompt(db, values))
        except org_prompts.PromptNameTaken as err:
            raise RecordingFailed("name_taken", f"{err}: the recording was not saved") from None
        try:
            await core.run_in_executor(library.store, prompt.id, job.language, samples)
        except BaseException:
            await core.db.call(lambda db: org_prompts.delete_prompt(db, prompt.id))
            raise
        job.prompt_id = prompt.id
        _changed(core, prompt.id, "created")
        return samples.size / PROMPT_RATE

    # -- state --------------------------------------------------------------------------------
    def _update(self, job: RecordingJob, state: str, **changes: Any) -> None:
        if job.finished:
            return
        job.state = state
        for key, value in changes.items():
            setattr(job, key, value)
        if job.finished:
            job.step = ""
        job.updated = time.time()
        self._publish(job)

    def _publish(self, job: RecordingJob) -> None:
        data = job.as_dict()
        self._core.states.set(f"{STATE_DOMAIN}.{job.id}", job.state, data)
        self._core.bus.fire(EVENT_PROMPT_RECORDING, data)

    def _forget(self, job_id: str) -> None:
        if self.jobs.pop(job_id, None) is not None:
            self._core.states.remove(f"{STATE_DOMAIN}.{job_id}")


PHONE_RECORDER: Final[DataKey[PhoneRecorder]] = DataKey("core.prompts.phone_recorder")


def phone_recorder(core: Core) -> PhoneRecorder:
    """The Core's record-by-phone jobs (made on first use)."""
    recorder = core.data.get(PHONE_RECORDER)
    if recorder is None:
        recorder = core.data[PHONE_RECORDER] = PhoneRecorder(core)
    return recorder


def _changed(core: Core, prompt_id: str, action: str) -> None:
    core.bus.fire(org_prompts.EVENT_PROMPTS_CHANGED, {"prompt_id": prompt_id, "action": action})


async def record_guided(
    core: Core, channel: Channel, path: Path, on_step: Callable[[str], None] = lambda _step: None
) -> PCM:
    """The voice guide of a recording by phone: guide, beep, record (``path`` is the scratch
    file), play it back, "1 to keep it, 2 to record again". The kept take as 16 kHz samples with
    the silence trimmed off; RecordingFailed when nothing was kept (the caller was told).
    ``on_step`` hears ``guide``, ``recording`` and ``review`` as the caller gets there. A disk
    without room for the longest take (``disk_space.has_room``) is told before any recording."""
    if not await core.run_in_executor(disk_space.has_room, path.parent, MAX_RECORD_S):
        await channel.play(["recording_unavailable", "goodbye"])
        raise RecordingFailed("disk_full", "The disk is full: nothing can be recorded")
    empty_takes = 0
    for _take in range(MAX_TAKES):
        on_step("guide")
        await channel.play(["record_after_tone"], interrupt_on_dtmf=True)  # a key skips the guide
        on_step("recording")
        taken = await channel.record(
            path, max_s=MAX_RECORD_S, silence_s=SILENCE_S, beep=True, keep_on_hangup=False
        )
        if taken.ended_by == "hangup":
            raise RecordingFailed("hung_up", "The phone hung up during the recording: nothing was saved")
        samples = await core.run_in_executor(_kept_sound, path)
        if samples is None:
            empty_takes += 1
            if empty_takes >= CHOICE_TRIES:
                await channel.play(["record_nothing", "goodbye"])
                raise RecordingFailed("nothing_recorded", "Nothing was recorded")
            await channel.play(["record_nothing"])
            continue
        on_step("review")
        choice = await _review(core, channel, samples)
        if choice == "1":
            return samples
        if choice != "2":
            await channel.play(["goodbye"])
            raise RecordingFailed("discarded", "Neither 1 nor 2 was pressed: the recording was discarded")
    await channel.play(["goodbye"])
    raise RecordingFailed("discarded", f"Recorded {MAX_TAKES} times without keeping one")


async def _review(core: Core, channel: Channel, samples: PCM) -> str:
    """Play the take back and ask "1 keep, 2 again": the digit, or "" when none came."""
    heard = await core.run_in_executor(_resample, samples, channel.sample_rate)
    digit = await channel.play(["record_playback", heard], interrupt_on_dtmf=True)
    for _ in range(CHOICE_TRIES):
        if digit in ("1", "2"):
            return digit
        if digit:
            await channel.play(["invalid_option"])
        digit = await channel.play(["record_keep_or_again"], interrupt_on_dtmf=True)
        if digit is None:
            digit = await channel.collect_digits(max_digits=1, timeout=CHOICE_WAIT_S, terminator=None)
    return digit if digit in ("1", "2") else ""


def _not_answered(number: str, result: str, status: int | None, reason: str) -> RecordingFailed:
    """Why the call did not connect, in the words of the Prompts page."""
    if result == "busy":
        return RecordingFailed("busy", f"{number} is busy")
    if result == "no_answer" and status == 480 and "registered" in reason:
        return RecordingFailed("no_phone", f"No phone is registered for {number}")
    if result == "no_answer":
        return RecordingFailed("not_answered", f"{number} did not answer")
    if result == "rejected":
        return RecordingFailed("not_answered", f"{number} declined the call")
    return RecordingFailed("unreachable", f"{number} could not be called ({reason})")


def _kept_sound(path: Path) -> PCM | None:
    """A take as prompt samples, converted like an upload, with silence trimmed off both ends;
    None when it holds (almost) no sound (blocking)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        samples = PromptLibrary.convert(data, "the recording")
    except AudioFileError:  # no sound at all
        return None
    return _trimmed(samples, PROMPT_RATE)


def _trimmed(samples: PCM, rate: int) -> PCM | None:
    """``samples`` without the quiet before and after the sound (keeping ``EDGE_S``); None if the
    sound lasts less than ``MIN_SOUND_S``."""
    frame = rate // 50
    count = samples.size // frame
    if not count:
        return None
    frames = samples[: count * frame].astype(np.float64).reshape(count, frame)
    loud = np.flatnonzero(np.sqrt(np.mean(frames**2, axis=1)) >= QUIET_RMS)
    if loud.size * frame < MIN_SOUND_S * rate:
        return None
    edge = int(EDGE_S * rate)
    start = max(0, int(loud[0]) * frame - edge)
    end = min(samples.size, (int(loud[-1]) + 1) * frame + edge)
    return samples[start:end].copy()


def _resample(samples: PCM, rate: int) -> PCM:
    """The 16 kHz take at the channel's rate, for playing it back (blocking)."""
    if rate == PROMPT_RATE:
        return samples
    return decode_audio(wav_bytes(samples, PROMPT_RATE), rate, name="the recording")


__all__ = [
    "EVENT_PROMPT_RECORDING",
    "STATE_DOMAIN",
    "PhoneRecorder",
    "RecordingFailed",
    "RecordingJob",
    "phone_recorder",
    "record_guided",
]
