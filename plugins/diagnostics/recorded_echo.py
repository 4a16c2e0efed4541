"""The recorded echo test: after a beep the appliance records what the caller says, then plays it
back, so the caller hears their own voice as the appliance received it (level, noise, codec,
dropouts), unlike the instant echo test (``echo_test_number``), where one talks over oneself.

The last recording of each caller stays in the data folder (``diagnostics/recorded-echo/
<extension>.wav``, replaced by their next test) for an installer chasing a bad line.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from cordboard.core.calls.channel import Channel
from cordboard.core.media.audio_file import read_audio

_UNSAFE = re.compile(r"[^0-9A-Za-z_+-]")


def recording_path(folder: Path, caller: str) -> Path:
    """The caller's file: their extension (or user name) with anything unusual replaced."""
    return folder / f"{_UNSAFE.sub('_', caller)[:64] or 'unknown'}.wav"


async def recorded_echo(channel: Channel, *, seconds: int, folder: Path) -> None:
    await channel.answer()
    path = recording_path(folder, channel.call.caller)
    # Always the full length (no silence detection: a caller may stay quiet to hear the line's noise).
    recording = await channel.record(path, max_s=seconds, silence_s=None, beep=True, stop_on_dtmf=False)
    if recording.ended_by == "max_length":
        samples = await asyncio.get_running_loop().run_in_executor(
            None, read_audio, path, channel.sample_rate
        )
        await channel.play([samples])
    await channel.hangup()
