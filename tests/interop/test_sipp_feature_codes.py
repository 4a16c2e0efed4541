"""Feature codes dialled by a SIPp phone (FC-17 grammar, FC-07, FC-08, FC-09, FC-11, FC-12, FC-01):
the code is sent as a real phone sends it (``#`` escaped as ``%23`` in the Request-URI), the
appliance answers, speaks and hangs up (scenarios/uac_code.xml), and the setting it names changes."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from loopback_pbx import PASSWORDS, add_cy, running_pbx
from sipp_runner import sipp_dials

from cordboard.core.calls.caller_id import identity_of
from cordboard.core.core import Core

RTP_MIN, RTP_MAX = 48800, 48999


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", RTP_MIN, RTP_MAX) as core:
        await add_cy(core)
        yield core


async def dial_code(core: Core, work: Path, code: str) -> None:
    """ann's SIPp phone dials ``code`` and stays until the appliance hangs up."""
    assert core.sip is not None
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as media:
        media.bind(("127.0.0.1", 0))
        await sipp_dials(
            core.sip.transports.addresses["udp"][1],
            work,
            "ann",
            PASSWORDS["ann"],
            code,
            audio_port=media.getsockname()[1],
        )


async def test_fc_codes_from_a_sipp_phone(pbx: Core, tmp_path: Path) -> None:
    assert pbx.presence is not None
    presence = pbx.presence
    ann_id = (await pbx.identity.get_user_by_username("ann")).id
    lunch = await presence.save_activity({"name": "Lunch", "show_as": "busy"})
    private = await presence.save_role({"name": "Private"})
    await pbx.identity.update_user(ann_id, {"mobile": "+4520304050"})

    async def diversion() -> object:
        return presence.get(ann_id).diversion

    async def activity() -> object:
        return presence.get(ann_id).activity_id

    async def role() -> object:
        return presence.get(ann_id).role_id

    async def night_mode_off() -> object:
        return (await pbx.schedules.status(ann_id)).night_mode_off

    async def presented() -> object:
        return (await identity_of(pbx, ann_id)).number

    # Chains of codes that each change one setting, in order; the chains run side by side (one
    # SIPp phone of ann's each, as from several of her phones), so the test takes the longest one.
    Step = tuple[str, Callable[[], Awaitable[object]], object]
    chains: dict[str, list[Step]] = {
        "diversion": [
            ("*21*1003*", diversion, "1003"),  # FC-09
            ("#21#", diversion, None),
            ("*21*1002", diversion, "1002"),  # the final * may be left off
            ("#21#*", diversion, None),
            ("*77*", diversion, None),  # unknown: the error announcement, nothing changes
        ],
        "activity": [
            (f"*23*{lunch.id}*", activity, lunch.id),  # FC-11
            ("*23*999*", activity, lunch.id),  # no such activity: nothing changes
            ("#23#", activity, None),
        ],
        "role": [(f"*24*{private.id}*", role, private.id)],  # FC-12
        "night": [
            ("*28*", night_mode_off, True),  # FC-08
            ("**28*", night_mode_off, False),  # ** turns off
        ],
        "presented": [
            ("*30*+4520304050*", presented, "+4520304050"),  # FC-07
            ("*30*1002*", presented, "+4520304050"),  # not ann's: refused
            ("#30#", presented, "1001"),
        ],
    }

    async def run(name: str, steps: list[Step]) -> None:
        work = tmp_path / "sipp" / name
        work.mkdir(parents=True)
        for code, read, expected in steps:
            await dial_code(pbx, work, code)
            assert await read() == expected, code

    await asyncio.gather(*(run(name, steps) for name, steps in chains.items()))
