"""The night-mode codes (FC-08, SCH-05): a user dials *28 to turn their night mode off until
#28 turns it back on; the answer is spoken, the override is stored and the extension state and
the night_mode.changed event follow. Codes are configurable and checked."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from loopback_pbx import registered_phone, running_pbx
from rtp_audio import heard
from sip_phone import TestPhone

from cordboard.core.bus import Event
from cordboard.core.core import Core

RTP_MIN, RTP_MAX = 46400, 46599


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", RTP_MIN, RTP_MAX) as core:
        await core.schedules.set_level("org", None, {"week": {}})  # never working: night mode on
        yield core


async def _dial(phone: TestPhone, number: str) -> np.ndarray:
    """Dial a code, listen to the answer until the appliance hangs up; what was heard."""
    _invite, ok = await phone.call(number)
    assert ok.status == 200, ok
    audio = await heard(phone, 1.5)
    bye = await phone.wait_request("BYE", wait=20)
    phone.answer(bye, 200)
    return audio


async def test_fc_08_night_mode_off_and_back_on_by_phone(pbx: Core) -> None:
    ann_id = (await pbx.identity.get_user_by_username("ann")).id
    assert pbx.schedules.current_night_mode(ann_id) is True
    changes: list[dict[str, Any]] = []

    def listener(event: Event[Any]) -> None:
        changes.append(dict(event.data))

    pbx.bus.listen("night_mode.changed", listener)
    ann = await registered_phone(pbx, "ann")
    try:
        audio = await _dial(ann, "*28")
        assert np.abs(audio.astype(np.int32)).max() > 1000  # the confirmation is spoken
        status = await pbx.schedules.status(ann_id)
        assert status.night_mode_off and not status.night_mode
        state = pbx.states.get("extension.1001")
        assert state is not None and state.attributes["night_mode"] is False
        assert state.state == "registered"  # the SIP service's state, merged with ours

        await _dial(ann, "#28*")  # a final * ends a code (FC-17)
        status = await pbx.schedules.status(ann_id)
        assert not status.night_mode_off and status.night_mode
    finally:
        ann.close()
    await asyncio.sleep(0)
    assert [c["night_mode"] for c in changes] == [False, True]


async def test_fc_08_the_code_is_registered_and_its_digits_can_change(pbx: Core) -> None:
    """FC-08/FC-15: the plugin registers its code through the registry; the admin's new digits
    answer at once and the old ones no longer do."""
    code = pbx.features.get("night_mode")
    assert (code.digits, code.source, code.code.feature) == ("28", "night_mode", "FC-08")
    assert code.as_dict()["forms"] == {"on": "*28*", "off": "#28#"}
    await pbx.features.set_code("night_mode", "55")
    ann_id = (await pbx.identity.get_user_by_username("ann")).id
    ann = await registered_phone(pbx, "ann")
    try:
        await _dial(ann, "**55*")  # ** also turns off
        await _dial(ann, "*55*")
        assert (await pbx.schedules.status(ann_id)).night_mode_off
        audio = await _dial(ann, "#28")  # the old digits are an unknown code now: nothing changes
        assert np.abs(audio.astype(np.int32)).max() > 1000  # the error announcement is spoken
        assert (await pbx.schedules.status(ann_id)).night_mode_off
    finally:
        ann.close()
