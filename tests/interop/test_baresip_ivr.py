"""An IVR with real peers (issue 4 "Tests with real peers", BYD-05): baresip phones call a number that
a plugin of this test suite answers through the call-control API (core/calls/channel.py). The
plugin plays a 440 Hz prompt (a WAV), collects digits up to ``#`` and records what the caller says.

Ann presses her digits with baresip's ``sndcode`` (RFC 4733 telephone-events) while her microphone
(baresip's ``aufile`` source) sends a steady 1850 Hz tone, which the plugin records until its
length limit. Bo's microphone WAV holds his digits as DTMF tone pairs, then a pause, 1850 Hz for
SPEECH_S and silence, which the plugin records until the silence. baresip offers telephone-event
either way, so Bo's digits count only because the endpoint listens for tones until the first
RFC 4733 event (tests/core/media/test_endpoint_inband.py). 1850 Hz is neither a DTMF frequency nor
the prompt's or the record beep's (1000 Hz), nor a harmonic of them.

Cordboard runs in this process (tests/loopback_pbx.py) so the plugin can be registered on its
plugin manager; baresip registers at its SIP port. The baresip harness blocks (it polls its control
socket), so each phone's part runs in a thread while the event loop serves the calls.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from baresip_phone import (
    SAMPLE_RATE,
    BaresipPhone,
    dominant_frequency,
    read_wav,
    tone_purity,
    voiced_seconds,
    write_tone,
)
from cordboard_process import SipUser, require_tool
from loopback_pbx import PASSWORDS, running_pbx, wait_for_sip_account

from cordboard.core.calls.channel import Channel, InboundCall, Recording
from cordboard.core.calls.history import list_calls
from cordboard.core.core import Core
from cordboard.core.media.audio_file import write_wav
from cordboard.core.media.dtmf_detect import COLUMN_FREQUENCIES, KEYPAD, ROW_FREQUENCIES
from cordboard.core.media.dtmf_event import DtmfEvent
from cordboard.core.plugin_api import hookimpl

RTP_MIN, RTP_MAX = 38000, 38199
"""Cordboard's RTP ports here: clear of baresip's (40000-49998) and of the other tests' ranges."""
IVR = "1700"
PROMPT_HZ = 440.0
PROMPT_S = 1.0
SPEECH_HZ = 1850.0
SPEECH_S = 1.5
RECORD_MAX_S = 4.0
RECORD_SILENCE_S = 1.0
RFC4733_DIGITS = "0123456789*"
INBAND_DIGITS = "9876543210*ABCD"
KEY_GAP_S = 0.25
"""Between two ``sndcode`` key presses (as tests/interop/test_baresip_conference.py presses)."""
TONE_S = 0.1
TONE_GAP_S = 0.1
LEAD_S = 1.5
"""Silence at the start of Bo's WAV: he waits for the prompt."""
PAUSE_S = 0.8
"""Silence between Bo's ``#`` and his speech: longer than the ``#`` takes to be detected plus the
record beep, shorter than RECORD_SILENCE_S."""
CALL_TIMEOUT_S = 30.0


@dataclass
class Outcome:
    """What the plugin got from one caller."""

    telephone_event: int | None = None
    digits: str | None = None
    sources: list[str] = field(default_factory=list)
    recording: Recording | None = None
    error: BaseException | None = None


class IvrPlugin:
    """The test plugin: answers IVR, plays the prompt, collects digits, records, hangs up."""

    def __init__(self, prompt: Path, recordings: Path) -> None:
        self.prompt = prompt
        self.recordings = recordings
        self.outcomes: dict[str, Outcome] = {}

    @hookimpl
    def cordboard_route_call(self, core: Core, call: InboundCall) -> Any:
        return self.ivr if call.dialled == IVR else None

    async def ivr(self, channel: Channel) -> None:
        outcome = self.outcomes.setdefault(channel.call.caller, Outcome())
        outcome.telephone_event = channel.endpoint.dtmf_payload_type
        queue_digit = channel.endpoint.on_dtmf
        assert queue_digit is not None

        def note_source(event: DtmfEvent) -> None:
            outcome.sources.append(event.source)
            queue_digit(event)

        channel.endpoint.on_dtmf = note_source
        try:
            await channel.answer()
            await channel.play([self.prompt])
            outcome.digits = await channel.collect_digits(
                max_digits=20, timeout=CALL_TIMEOUT_S / 2, inter_digit_timeout=5.0, terminator="#"
            )
            outcome.recording = await channel.record(
                self.recordings / f"{channel.call.caller}.wav",
                max_s=RECORD_MAX_S,
                silence_s=RECORD_SILENCE_S,
                beep=True,
            )
        except BaseException as err:
            outcome.error = err
            raise
        finally:
            await channel.hangup()


def dtmf_wav(path: Path) -> Path:
    """Bo's microphone: silence, the digits as DTMF tone pairs, ``#``, a pause, his "speech" (an 1850
    Hz tone) and silence until long after the call (baresip ends a call when its WAV ends)."""
    rate = SAMPLE_RATE

    def pause(seconds: float) -> np.ndarray:
        return np.zeros(int(seconds * rate))

    def sine(freq: float, seconds: float, amplitude: float) -> np.ndarray:
        return amplitude * np.sin(2 * np.pi * freq * np.arange(int(seconds * rate)) / rate)

    parts = [pause(LEAD_S)]
    for digit in INBAND_DIGITS + "#":
        row = next(i for i, keys in enumerate(KEYPAD) if digit in keys)
        low, high = ROW_FREQUENCIES[row], COLUMN_FREQUENCIES[KEYPAD[row].index(digit)]
        parts += [sine(low, TONE_S, 5000) + sine(high, TONE_S, 5000), pause(TONE_GAP_S)]
    parts += [pause(PAUSE_S - TONE_GAP_S), sine(SPEECH_HZ, SPEECH_S, 10000), pause(CALL_TIMEOUT_S)]
    write_wav(path, np.concatenate(parts).astype(np.int16), rate)
    return path


@pytest.fixture
async def ivr_pbx(tmp_path: Path) -> AsyncIterator[tuple[Core, IvrPlugin]]:
    async with running_pbx(tmp_path / "data", RTP_MIN, RTP_MAX) as core:
        plugin = IvrPlugin(
            write_tone(tmp_path / "prompt-440.wav", PROMPT_HZ, seconds=PROMPT_S, amplitude=0.3),
            tmp_path / "recordings",
        )
        core.plugins.pm.register(plugin, name="test_baresip_ivr")
        for name in PASSWORDS:
            await wait_for_sip_account(core, name)
        yield core, plugin


def hears_prompt(samples: np.ndarray) -> bool:
    return voiced_seconds(samples) >= 0.3 and abs(dominant_frequency(samples) - PROMPT_HZ) < 5


def call_ivr(phone: BaresipPhone, keys: str | None) -> None:
    """Dial the IVR; once the prompt is heard press ``keys`` (RFC 4733) if any; wait for the hang-up."""
    dialled = phone.command("dial", phone.uri(IVR))
    assert dialled.get("ok"), dialled
    phone.wait_event("CALL_ESTABLISHED")
    if keys is not None:
        deadline = time.monotonic() + 10
        while not hears_prompt(phone.live_audio()):
            assert time.monotonic() < deadline, f"{phone.name} never heard the prompt:\n{phone.log_tail()}"
            time.sleep(0.1)
        for key in keys:
            sent = phone.command("sndcode", key)
            assert sent.get("ok"), (phone.name, key, sent)
            time.sleep(KEY_GAP_S)
    deadline = time.monotonic() + CALL_TIMEOUT_S
    while phone.event("CALL_CLOSED") is None:
        assert time.monotonic() < deadline, f"{phone.name}: the IVR never hung up:\n{phone.log_tail()}"
        time.sleep(0.1)


def prompt_heard(phone: BaresipPhone) -> np.ndarray:
    """The first PROMPT_S of what ``phone`` heard, from where the sound starts."""
    heard = phone.received_audio()
    loud = np.flatnonzero(np.abs(heard) > 1000)
    assert loud.size, f"{phone.name} heard nothing"
    return heard[loud[0] : loud[0] + int(PROMPT_S * SAMPLE_RATE)]


async def test_baresip_callers_get_the_prompt_and_their_digits_and_speech_are_taken(
    ivr_pbx: tuple[Core, IvrPlugin], tmp_path: Path
) -> None:
    """Ann's digits arrive as RFC 4733 events, Bo's as tones in his audio (BYD-05); both hear the
    440 Hz prompt, and what each says after ``#`` is recorded (issue 4)."""
    core, plugin = ivr_pbx
    baresip = require_tool("baresip")
    assert core.sip is not None
    sip_port = core.sip.transports.addresses["udp"][1]
    users = {
        name: SipUser(name, f"100{n}", password, name.title(), "Tester")
        for n, (name, password) in enumerate(PASSWORDS.items(), start=1)
    }
    ann = BaresipPhone(
        "ann",
        tmp_path / "ann",
        users["ann"],
        sip_port,
        tone=write_tone(tmp_path / "ann-1850.wav", SPEECH_HZ, seconds=CALL_TIMEOUT_S * 2, amplitude=0.3),
    )
    bo = BaresipPhone("bo", tmp_path / "bo", users["bo"], sip_port, tone=dtmf_wav(tmp_path / "bo-dtmf.wav"))
    try:
        for phone in (ann, bo):
            await asyncio.to_thread(phone.start, baresip)
        for phone in (ann, bo):
            await asyncio.to_thread(phone.wait_registered)
        await asyncio.gather(
            asyncio.to_thread(call_ivr, ann, RFC4733_DIGITS + "#"), asyncio.to_thread(call_ivr, bo, None)
        )
    finally:
        for phone in (ann, bo):
            await asyncio.to_thread(phone.stop)
    logs = f"{ann.log_tail(20)}\n{bo.log_tail(20)}"
    outcomes = {name: plugin.outcomes.get(users[name].extension) for name in ("ann", "bo")}
    for name, outcome in outcomes.items():
        assert outcome is not None, f"{name}'s call never reached the plugin\n{logs}"
        assert outcome.error is None, f"{name}: the plugin failed: {outcome.error!r}\n{logs}"

    # The digits, exactly, and the way each arrived. baresip offered telephone-event both times.
    ann_got, bo_got = outcomes["ann"], outcomes["bo"]
    assert ann_got is not None and bo_got is not None
    assert ann_got.digits == RFC4733_DIGITS, (ann_got, logs)
    assert ann_got.sources == ["rfc4733"] * (len(RFC4733_DIGITS) + 1), ann_got.sources
    assert bo_got.digits == INBAND_DIGITS, (bo_got, logs)
    assert bo_got.sources == ["inband"] * (len(INBAND_DIGITS) + 1), bo_got.sources
    assert ann_got.telephone_event is not None and bo_got.telephone_event is not None

    # Ann spoke all the time: the recording stops at its limit. Bo spoke SPEECH_S after a pause:
    # the recording stops after RECORD_SILENCE_S of silence, which is cut off.
    ann_rec, bo_rec = ann_got.recording, bo_got.recording
    assert ann_rec is not None and bo_rec is not None
    assert ann_rec.ended_by == "max_length" and abs(ann_rec.seconds - RECORD_MAX_S) < 0.03, ann_rec
    assert bo_rec.ended_by == "silence", bo_rec
    assert SPEECH_S - 0.1 < bo_rec.seconds < SPEECH_S + PAUSE_S, bo_rec
    for name, rec in (("ann", ann_rec), ("bo", bo_rec)):
        samples = read_wav(rec.path)
        assert abs(samples.size / SAMPLE_RATE - rec.seconds) < 0.001, (name, samples.size, rec)
        peak = dominant_frequency(samples)
        assert abs(peak - SPEECH_HZ) < 5, f"{name}'s recording peaks at {peak:.1f} Hz"
        assert tone_purity(samples, SPEECH_HZ) > 0.9, f"{name}'s recording is not the {SPEECH_HZ} Hz tone"
    spoken = voiced_seconds(read_wav(bo_rec.path))
    assert abs(spoken - SPEECH_S) <= 0.1, f"bo's recording holds {spoken:.2f} s of speech, not {SPEECH_S}"

    # Both phones heard the prompt: a second of 440 Hz where their received audio begins.
    for phone in (ann, bo):
        prompt = prompt_heard(phone)
        assert voiced_seconds(prompt) >= PROMPT_S - 0.1, f"{phone.name}: {voiced_seconds(prompt)} s"
        peak = dominant_frequency(prompt)
        assert abs(peak - PROMPT_HZ) < 5, f"{phone.name} heard {peak:.1f} Hz, not the prompt\n{logs}"
        assert tone_purity(prompt, PROMPT_HZ) > 0.9, f"{phone.name}: the prompt is not a clean 440 Hz"

    rows = await core.db.call(list_calls)
    assert sorted((r["caller"], r["callee"], r["result"]) for r in rows) == [
        ("1001", IVR, "answered"),
        ("1002", IVR, "answered"),
    ], rows
    assert core.relays is not None and core.relays.allocator.in_use == 0
