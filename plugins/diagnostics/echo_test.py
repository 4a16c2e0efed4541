"""The echo test (default ``*43``): the appliance answers and sends the caller's own audio straight
back, so an installer hears in seconds that a phone's whole audio path works (microphone, codec,
network, NAT, speaker).

Every 20 ms frame the channel receives (decoded, losses concealed) is queued to be sent back on the
same channel; the round trip adds the jitter buffer's and the live queue's few frames of delay.
"""

from __future__ import annotations

import asyncio
import contextlib

from cordboard.core.calls.channel import Channel
from cordboard.plugins.diagnostics.const import ECHO_TEST_MAX_S


async def echo_test(channel: Channel) -> None:
    await channel.answer()
    endpoint = channel.endpoint
    endpoint.listeners.append(endpoint.feed)
    try:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(ECHO_TEST_MAX_S):
                await channel.wait_ended()
    finally:
        with contextlib.suppress(ValueError):
            endpoint.listeners.remove(endpoint.feed)
    await channel.hangup()
