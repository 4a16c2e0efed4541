"""Conference rooms (BYD-17 basics, issue 4 scope 6 and 8): three phones in a room each hear the
other two and not themselves; a room with a PIN lets in only who knows it; the settings schema
names a bad field."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest
import voluptuous as vol
from loopback_pbx import PASSWORDS, registered_phone, running_pbx, wait_for_sip_account
from rtp_audio import heard, send_audio, send_digits, tone
from sip_phone import TestPhone, media_address

from cordboard.core.core import Core
from cordboard.plugins.conference.const import ROOMS_KEY
from cordboard.plugins.conference.rooms import ConferenceRooms
from cordboard.plugins.conference.schema import CONFIG_SCHEMA

RTP_MIN, RTP_MAX = 41800, 41999


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", RTP_MIN, RTP_MAX) as core:
        await core.identity.create_user(
            username="cy", first_name="Cy", last_name="Tester", email="cy@example.com",
            sip_password="cy-sip-password-1", extension="1003",
        )  # fmt: skip
        yield core


async def phone(core: Core, name: str) -> TestPhone:
    if name in PASSWORDS:
        return await registered_phone(core, name)
    await wait_for_sip_account(core, name)
    assert core.sip is not None
    instance = await TestPhone(name, "cy-sip-password-1", core.sip.transports.addresses["udp"]).open()
    assert (await instance.register()).status == 200
    return instance


async def in_room(core: Core, number: str, members: int) -> None:
    for _ in range(200):
        room = core.data[ROOMS_KEY].rooms.get(number)
        if room is not None and len(room) == members:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"room {number} never had {members} members")


def level_at(samples: np.ndarray, freq: float, rate: int = 8000) -> float:
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64) * np.hanning(samples.size)))
    bin_ = round(freq * samples.size / rate)
    return float(spectrum[max(0, bin_ - 3) : bin_ + 4].max())


async def test_three_members_hear_the_others_and_not_themselves(pbx: Core) -> None:
    """BYD-17: each phone sends its own tone; what it hears holds the other two tones only."""
    phones = [await phone(pbx, name) for name in ("ann", "bo", "cy")]
    freqs = [500.0, 900.0, 1300.0]
    try:
        targets = []
        for member in phones:
            _invite, ok = await member.call("1800")
            assert ok.status == 200
            targets.append(media_address(ok.body))
        await in_room(pbx, "1800", 3)  # after the greeting prompts
        await asyncio.sleep(0.5)  # the join tone (600 and 900 Hz) is over
        for member in phones:
            while not member.rtp_in.empty():
                member.rtp_in.get_nowait()
        senders = [
            asyncio.ensure_future(send_audio(member, to, tone(f, 3.0), 1))
            for member, to, f in zip(phones, targets, freqs, strict=True)
        ]
        await asyncio.sleep(1.0)  # the mix settles (jitter buffers, room clock)
        heard_by = await asyncio.gather(*(heard(member, 1.5) for member in phones))
        await asyncio.gather(*senders)
    finally:
        for member in phones:
            member.close()
    for own, audio in zip(freqs, heard_by, strict=True):
        assert audio.size > 8000, "a member heard (almost) nothing"
        others = [level_at(audio, f) for f in freqs if f != own]
        floor = max(level_at(audio, f) for f in (700.0, 1100.0, 1700.0))  # tones nobody sent
        assert min(others) > 30 * floor, (own, others, floor)  # the other two are clearly there
        assert level_at(audio, own) < 3 * floor, (own, level_at(audio, own), floor)  # own is not


async def test_room_with_a_pin_admits_only_the_right_pin(pbx: Core) -> None:
    pbx.data[ROOMS_KEY] = ConferenceRooms(
        {"first_number": "1800", "rooms": 2, "pin": "2468", "max_participants": 5}
    )
    ann = await phone(pbx, "ann")
    try:
        _invite, ok = await ann.call("1801")
        assert ok.status == 200
        to = media_address(ok.body)
        await asyncio.sleep(0.5)
        seq = await send_digits(ann, to, "1111#", 1)
        await asyncio.sleep(2.5)  # "the PIN is not correct" and the prompt again
        assert "1801" not in pbx.data[ROOMS_KEY].rooms  # a wrong PIN does not get in
        await send_digits(ann, to, "2468#", seq)
        await in_room(pbx, "1801", 1)
    finally:
        ann.close()


def test_settings_schema_defaults_and_names_bad_fields() -> None:
    config = CONFIG_SCHEMA({})
    assert config == {"first_number": "1800", "rooms": 10, "max_participants": 20}
    assert ConferenceRooms(config).numbers[-1] == "1809"
    assert ConferenceRooms({**config, "first_number": "0900", "rooms": 2}).numbers == ["0900", "0901"]
    with pytest.raises(vol.MultipleInvalid) as err:
        CONFIG_SCHEMA({"rooms": 0})
    assert err.value.path == ["rooms"]
