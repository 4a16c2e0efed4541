"""The line test: the caller hears their own extension read back, then a steady test tone.

An installer checks in seconds that a phone reaches the appliance as the right user and that its
earpiece works at a known level (1004 Hz at -10 dBm0).
"""

from __future__ import annotations

import numpy as np

from cordboard.core.calls.channel import Channel
from cordboard.core.media.prompts import say_digits
from cordboard.core.media.tones import dbm0_to_amplitude
from cordboard.plugins.diagnostics.const import TEST_TONE_DBM0, TEST_TONE_HZ, TEST_TONE_MAX_S

TONE_CHUNK_S = 1.0


def line_test_tone(sample_rate: int, seconds: float = TONE_CHUNK_S) -> np.ndarray:
    """Whole periods are not needed: chunks are cut where the phase starts over (1004 Hz * 1 s)."""
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    return (dbm0_to_amplitude(TEST_TONE_DBM0) * np.sin(2 * np.pi * TEST_TONE_HZ * t)).astype(np.int16)


async def line_test(channel: Channel) -> None:
    await channel.answer()
    await channel.play(say_digits(channel.call.caller))
    chunk = line_test_tone(channel.sample_rate)
    for _ in range(int(TEST_TONE_MAX_S / TONE_CHUNK_S)):
        await channel.play([chunk])
    await channel.hangup()
