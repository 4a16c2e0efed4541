"""Prompts through the API (PRM-01..03): admins list, listen to, replace and restore prompts;
users cannot; a bad upload is refused with the reason."""

from __future__ import annotations

import shutil
from typing import Any

import numpy as np

from cordboard.core.core import Core
from cordboard.core.media.audio_file import read_audio, wav_bytes


def tone(seconds: float, rate: int) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    return wav_bytes((8000 * np.sin(2 * np.pi * 600 * t)).astype(np.int16), rate)


async def test_admin_replaces_and_restores_a_prompt(
    core: Core, api: Any, admin_headers: dict[str, str]
) -> None:
    listing = await (await api.get("/api/prompts", headers=admin_headers)).json()
    goodbye = next(p for p in listing["prompts"] if p["id"] == "goodbye")
    assert goodbye["texts"]["da"] == "Farvel." and goodbye["custom"] == []
    resp = await api.put("/api/prompts/da/goodbye", data=tone(2.0, 8000), headers=admin_headers)
    assert resp.status == 200, await resp.text()
    assert (await resp.json())["seconds"] == 2.0
    listing = await (await api.get("/api/prompts", headers=admin_headers)).json()
    assert next(p for p in listing["prompts"] if p["id"] == "goodbye")["custom"] == ["da"]
    played = await api.get("/api/prompts/da/goodbye.wav", headers=admin_headers)
    assert played.status == 200 and played.content_type == "audio/wav"
    body = await played.read()
    path = core.data_dir / "prompts" / "custom" / "da" / "goodbye.wav"
    assert body == path.read_bytes() and read_audio(path, 16000).size == 32000
    resp = await api.delete("/api/prompts/da/goodbye", headers=admin_headers)
    assert resp.status == 200
    assert not path.exists()
    assert (await api.delete("/api/prompts/da/goodbye", headers=admin_headers)).status == 404


async def test_system_prompt_is_spoken_on_first_listen(
    core: Core, api: Any, admin_headers: dict[str, str]
) -> None:
    assert shutil.which("espeak-ng"), "espeak-ng is required (make test installs it)"
    resp = await api.get("/api/prompts/de/invalid_option.wav", headers=admin_headers)
    assert resp.status == 200
    assert (core.data_dir / "prompts" / "system" / "de" / "invalid_option.wav").is_file()


async def test_bad_upload_and_unknown_prompt_are_refused(api: Any, admin_headers: dict[str, str]) -> None:
    resp = await api.put("/api/prompts/en/goodbye", data=b"definitely not audio" * 20, headers=admin_headers)
    assert resp.status == 400
    error = (await resp.json())["error"]
    assert "not an audio file" in error["message"] and "file" in error["fields"]
    assert (await api.put("/api/prompts/xx/goodbye", data=b"x", headers=admin_headers)).status == 404
    assert (await api.put("/api/prompts/en/no_such", data=b"x", headers=admin_headers)).status == 404


async def test_users_cannot_touch_prompts(api: Any, user_headers: dict[str, str]) -> None:
    assert (await api.get("/api/prompts", headers=user_headers)).status == 403
    resp = await api.put("/api/prompts/en/goodbye", data=tone(1.0, 8000), headers=user_headers)
    assert resp.status == 403
