"""The organisation's own prompts in the library and in SQLite (PRM-01..03, PRM-05): ids ``org:<n>``
apart from system ids, language fallback (call's language, the organisation's, any), storage with
its own migrations, and a plugin's channel playing one in a real call."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from loopback_pbx import registered_phone, running_pbx
from rtp_audio import dominant, heard
from sip_phone import media_address

from cordboard.core.calls.channel import Channel, InboundCall
from cordboard.core.core import Core
from cordboard.core.exceptions import ConfigValidationError, NotFound
from cordboard.core.media import org_prompts
from cordboard.core.media.audio_file import AudioFileError, read_audio, wav_bytes, write_wav
from cordboard.core.media.prompts import PromptLibrary, PromptNotFound, org_number, org_prompt_id
from cordboard.core.plugin_api import hookimpl
from cordboard.core.storage.migrations import schema_version

RTP_MIN, RTP_MAX = 43400, 43599


def tone(seconds: float, rate: int, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (8000 * np.sin(2 * np.pi * freq * t)).astype(np.int16)


def record(library: PromptLibrary, prompt_id: str, language: str, freq: float) -> None:
    library.store(prompt_id, language, library.convert(wav_bytes(tone(0.5, 8000, freq), 8000), "a test"))


@pytest.mark.parametrize(
    ("prompt_id", "number"),
    [("org:7", 7), ("org:120", 120), ("org:0", None), ("org:07", None), ("org:x", None), ("goodbye", None)],
)
def test_org_ids_cannot_be_system_ids(prompt_id: str, number: int | None) -> None:
    assert org_number(prompt_id) == number
    assert org_prompt_id(7) == "org:7"


def test_playback_takes_the_calls_language_then_the_orgs_then_any(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    org_language = ["da"]
    library = PromptLibrary(tmp_path, org_language=lambda: org_language[0])
    with pytest.raises(PromptNotFound):
        library.path("org:3", "en")
    record(library, "org:3", "de", 500.0)
    assert library.path("org:3", "en") == library.org_dir / "3" / "de.wav"  # the only one: any
    record(library, "org:3", "da", 700.0)
    with caplog.at_level(logging.WARNING):
        assert library.path("org:3", "en") == library.org_dir / "3" / "da.wav"  # the org's language
        library.path("org:3", "en")
    assert sum("no en recording" in r.getMessage() for r in caplog.records) == 1
    assert library.path("org:3", "de") == library.org_dir / "3" / "de.wav"  # the call's language
    org_language[0] = "en"  # not recorded: the first recorded one (en, de, da)
    assert library.path("org:3", "en") == library.org_dir / "3" / "de.wav"
    # samples() is what Channel.play calls: the German recording at the call's rate.
    samples = library.samples("org:3", "de", 8000)
    assert abs(dominant(samples) - 500.0) < 10
    assert library.org_recordings("org:3") == {"de": 0.5, "da": 0.5}
    assert library.restore("org:3", "da") is True
    assert library.org_recordings("org:3") == {"de": 0.5}
    library.remove_org("org:3")
    with pytest.raises(PromptNotFound):
        library.samples("org:3", "de", 8000)
    # System prompts keep their own rule (English fallback) and never look at org folders.
    write_wav(library.system_dir / "en" / "goodbye.wav", tone(0.2, 16000), 16000)
    assert library.path("goodbye", "da") == library.system_dir / "en" / "goodbye.wav"


def test_conversion_is_once_to_the_stored_format_and_long_files_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = PromptLibrary(tmp_path, org_language=lambda: "en")
    seconds = library.replace("org:1", "en", wav_bytes(tone(1.0, 8000), 8000), name="the file for “Welcome”")
    assert seconds == 1.0
    stored = library.org_dir / "1" / "en.wav"
    assert read_audio(stored, 16000).size == 16000  # 16 kHz mono, like the system prompts
    with pytest.raises(AudioFileError, match="The file for “Welcome” is not an audio file"):
        library.replace("org:1", "en", b"no sound in here" * 50, name="the file for “Welcome”")
    monkeypatch.setattr("cordboard.core.media.prompts.MAX_PROMPT_SECONDS", 1)
    with pytest.raises(AudioFileError, match="longer than 0 minutes, the longest a prompt may be"):
        library.convert(wav_bytes(tone(2.0, 8000), 8000), "the file")
    assert read_audio(stored, 16000).size == 16000  # a refused upload leaves the recording alone
    with pytest.raises(ValueError, match="prompt id"):
        library.replace("org:abc", "en", b"x")


async def test_org_language_is_read_from_the_settings(core: Core) -> None:
    library = core.prompts
    record(library, "org:5", "en", 400.0)
    record(library, "org:5", "da", 800.0)
    assert library.path("org:5", "de") == library.org_dir / "5" / "en.wav"  # default en
    await core.settings.set("org", None, "core.language", "da")
    assert await core.run_in_executor(library.path, "org:5", "de") == library.org_dir / "5" / "da.wav"


async def test_prompts_are_stored_with_their_own_migrations(core: Core) -> None:
    def scenario(db: Any) -> None:
        first = org_prompts.create_prompt(db, {"name": "Welcome", "description": "Greets callers"})
        assert first.id == f"org:{first.number}"
        assert schema_version(db, org_prompts.COMPONENT) == 1
        with pytest.raises(org_prompts.PromptNameTaken, match="“WELCOME” exists already"):
            org_prompts.create_prompt(db, {"name": "WELCOME", "description": "x"})
        second = org_prompts.create_prompt(db, {"name": "Closed", "description": "After hours"})
        assert [p.name for p in org_prompts.list_prompts(db)] == ["Closed", "Welcome"]
        renamed = org_prompts.update_prompt(db, second.id, {"name": "Closed for lunch"})
        assert renamed.name == "Closed for lunch" and renamed.updated >= second.updated
        with pytest.raises(org_prompts.PromptNameTaken):
            org_prompts.update_prompt(db, second.id, {"name": "welcome"})
        org_prompts.delete_prompt(db, first.id)
        with pytest.raises(NotFound):
            org_prompts.get_prompt(db, first.id)
        third = org_prompts.create_prompt(db, {"name": "Welcome", "description": "Greets callers"})
        assert third.number > second.number  # a deleted prompt's id is never handed out again
        with pytest.raises(NotFound):
            org_prompts.get_prompt(db, "goodbye")

    await core.db.call(scenario)
    with pytest.raises(ConfigValidationError) as refused:
        org_prompts.validate(org_prompts.CREATE_SCHEMA, {"name": "  ", "description": ""})
    assert set(refused.value.fields) == {"name", "description"}
    assert org_prompts.validate(org_prompts.CREATE_SCHEMA, {"name": " Main\tmenu ", "description": "d"}) == {
        "name": "Main menu",
        "description": "d",
    }


class Player:
    """A test plugin: number 1700 answers and plays one prompt by id."""

    def __init__(self, prompt_id: str) -> None:
        self.prompt_id = prompt_id
        self.language = ""

    @hookimpl
    def cordboard_route_call(self, core: Core, call: InboundCall) -> Any:
        if call.dialled != "1700":
            return None

        async def play(channel: Channel) -> None:
            self.language = channel.language
            await channel.answer()
            await channel.play([self.prompt_id])
            await channel.hangup()

        return play


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", RTP_MIN, RTP_MAX) as core:
        yield core


async def test_a_channel_plays_an_org_prompt_by_id(pbx: Core) -> None:
    core = pbx
    prompt = await core.db.call(
        lambda db: org_prompts.create_prompt(db, {"name": "Tone", "description": "A 600 Hz tone"})
    )
    samples = core.prompts.convert(wav_bytes(tone(1.0, 8000, 600.0), 8000), "a test")
    core.prompts.store(prompt.id, "de", samples)  # only German: the English call falls back to it
    player = Player(prompt.id)
    core.plugins.pm.register(player, name="test_org_prompt_player")
    ann = await registered_phone(core, "ann")
    try:
        _invite, ok = await ann.call("1700")
        assert ok.status == 200
        assert media_address(ok.body)
        played = await heard(ann, 1.2)
        bye = await ann.wait_request("BYE", wait=5)
        ann.answer(bye, 200)
    finally:
        ann.close()
    assert player.language == "en"
    loud = np.abs(played.astype(np.int32)) > 1000
    start = int(np.argmax(loud))
    assert loud.sum() > 0.8 * 8000 and abs(dominant(played[start : start + 4000]) - 600) < 10
