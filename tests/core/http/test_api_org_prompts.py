"""The organisation's own prompts through the API (PRM-01..03, PRM-05): an admin creates one by
upload (converted once, refused with the reason), lists it for dropdowns, edits, records more
languages, plays and deletes it; names are unique; system prompts stay read-only; users cannot."""

from __future__ import annotations

import io
from typing import Any

import av
import numpy as np
import pytest
from aiohttp import FormData

from cordboard.core.core import Core
from cordboard.core.media.audio_file import read_audio, wav_bytes


def tone(seconds: float, rate: int, freq: float = 600.0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (8000 * np.sin(2 * np.pi * freq * t)).astype(np.int16)


def mp3_stereo(seconds: float) -> bytes:
    """A 44.1 kHz stereo MP3 file (not what prompts are stored as)."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp3") as out:
        stream = out.add_stream("libmp3lame", rate=44100, layout="stereo")
        samples = np.tile(tone(seconds, 44100, 1000.0), (2, 1))
        frame = av.AudioFrame.from_ndarray(samples, format="s16p", layout="stereo")
        frame.sample_rate = 44100
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buffer.getvalue()


def form(
    name: str | None, description: str | None, data: bytes | None, language: str | None = None
) -> FormData:
    body = FormData(default_to_multipart=True)
    for key, value in (("name", name), ("description", description), ("language", language)):
        if value is not None:
            body.add_field(key, value)
    if data is not None:
        body.add_field("file", data, filename="upload.bin", content_type="application/octet-stream")
    return body


async def create(api: Any, headers: dict[str, str], name: str, **extra: Any) -> dict[str, Any]:
    data = extra.pop("data", wav_bytes(tone(1.0, 8000), 8000))
    resp = await api.post(
        "/api/prompts",
        data=form(name, extra.pop("description", "Says hello"), data, **extra),
        headers=headers,
    )
    assert resp.status == 201, await resp.text()
    return dict(await resp.json())


async def test_admin_creates_lists_edits_and_deletes_a_prompt(
    core: Core, api: Any, admin_headers: dict[str, str]
) -> None:
    created = await create(api, admin_headers, "Welcome", data=mp3_stereo(1.5), language="de")
    assert created["id"].startswith("org:") and created["kind"] == "org"
    assert created["name"] == "Welcome" and created["description"] == "Says hello"
    assert created["languages"] == ["de"] and abs(created["seconds"]["de"] - 1.5) < 0.05
    number = created["id"].removeprefix("org:")
    stored = core.data_dir / "prompts" / "org" / number / "de.wav"
    converted = read_audio(stored, 16000)  # converted once to 16 kHz mono WAV
    assert abs(np.argmax(np.abs(np.fft.rfft(converted))) * 16000 / converted.size - 1000) < 5
    assert stored.read_bytes()[:4] == b"RIFF"

    # The list for dropdowns: one kind, every entry with id, kind and name.
    listing = await (await api.get("/api/prompts?kind=org", headers=admin_headers)).json()
    assert [(p["id"], p["kind"], p["name"]) for p in listing["prompts"]] == [
        (created["id"], "org", "Welcome")
    ]
    assert listing["default_language"] == "en" and listing["languages"] == ["en", "de", "da"]
    system = await (await api.get("/api/prompts?kind=system", headers=admin_headers)).json()
    assert {p["kind"] for p in system["prompts"]} == {"system"}
    assert any(p["id"] == "goodbye" and p["name"] == "goodbye" for p in system["prompts"])
    both = await (await api.get("/api/prompts", headers=admin_headers)).json()
    assert len(both["prompts"]) == len(system["prompts"]) + 1
    bad = await api.get("/api/prompts?kind=mine", headers=admin_headers)
    assert bad.status == 400 and "kind" in (await bad.json())["error"]["fields"]

    # Play: the German recording also for an English listener (the only one there is).
    played = await api.get(f"/api/prompts/en/{created['id']}.wav", headers=admin_headers)
    assert played.status == 200 and played.content_type == "audio/wav"
    assert await played.read() == stored.read_bytes()

    # Edit: rename, describe, add English, replace German.
    resp = await api.patch(
        f"/api/prompts/{created['id']}",
        json={"name": "Welcome (day)", "description": "Greets callers"},
        headers=admin_headers,
    )
    assert resp.status == 200, await resp.text()
    assert (await resp.json())["name"] == "Welcome (day)"
    resp = await api.put(
        f"/api/prompts/en/{created['id']}", data=wav_bytes(tone(2.0, 16000), 16000), headers=admin_headers
    )
    assert resp.status == 200 and (await resp.json())["seconds"] == 2.0
    one = await (await api.get(f"/api/prompts/{created['id']}", headers=admin_headers)).json()
    assert one["languages"] == ["en", "de"] and one["description"] == "Greets callers"
    english = await api.get(f"/api/prompts/en/{created['id']}.wav", headers=admin_headers)
    assert read_audio(core.data_dir / "prompts" / "org" / number / "en.wav", 16000).size == 32000
    assert english.status == 200

    # One language can go, not the last one.
    assert (await api.delete(f"/api/prompts/de/{created['id']}", headers=admin_headers)).status == 200
    assert not stored.exists()
    last = await api.delete(f"/api/prompts/en/{created['id']}", headers=admin_headers)
    assert last.status == 409 and "delete the prompt" in (await last.json())["error"]["message"]
    assert (await api.delete(f"/api/prompts/da/{created['id']}", headers=admin_headers)).status == 404

    # Delete: the row and the recordings; its id is gone for playback too.
    assert (await api.delete(f"/api/prompts/{created['id']}", headers=admin_headers)).status == 204
    assert not (core.data_dir / "prompts" / "org" / number).exists()
    assert (await api.get(f"/api/prompts/{created['id']}", headers=admin_headers)).status == 404
    assert (await api.get(f"/api/prompts/en/{created['id']}.wav", headers=admin_headers)).status == 404
    assert (await api.delete(f"/api/prompts/{created['id']}", headers=admin_headers)).status == 404
    assert (await (await api.get("/api/prompts?kind=org", headers=admin_headers)).json())["prompts"] == []


async def test_every_bad_field_is_named(core: Core, api: Any, admin_headers: dict[str, str]) -> None:
    resp = await api.post("/api/prompts", data=form("", "", None, "fr"), headers=admin_headers)
    assert resp.status == 400
    assert set((await resp.json())["error"]["fields"]) == {"name", "description", "language", "file"}
    resp = await api.post("/api/prompts", data=form("x" * 81, "d", b""), headers=admin_headers)
    fields = (await resp.json())["error"]["fields"]
    assert resp.status == 400 and fields == {"name": "at most 80 characters", "file": "the file is empty"}
    resp = await api.post("/api/prompts", json={"name": "Welcome"}, headers=admin_headers)
    assert resp.status == 400 and "multipart/form-data" in (await resp.json())["error"]["message"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            b"These are meeting notes, not a recording.\n" * 20,
            "The file for “Menu” is not an audio file this appliance can read",
        ),
        (b"RIFF\x00\x00", "The file for “Menu” is not an audio file"),
        (wav_bytes(np.zeros(0, dtype=np.int16), 8000), "The file for “Menu” holds no sound"),
    ],
)
async def test_a_file_that_is_not_audio_is_refused_with_the_reason(
    core: Core, api: Any, admin_headers: dict[str, str], data: bytes, reason: str
) -> None:
    resp = await api.post("/api/prompts", data=form("Menu", "Main menu", data), headers=admin_headers)
    assert resp.status == 400
    error = (await resp.json())["error"]
    assert reason in error["message"] and reason in error["fields"]["file"]
    assert (await (await api.get("/api/prompts?kind=org", headers=admin_headers)).json())["prompts"] == []
    assert not (core.data_dir / "prompts" / "org").exists() or not any(
        (core.data_dir / "prompts" / "org").iterdir()
    )


async def test_too_long_and_too_large_files_are_refused(
    api: Any, admin_headers: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("cordboard.core.media.prompts.MAX_PROMPT_SECONDS", 60)
    resp = await api.post(
        "/api/prompts",
        data=form("Long", "Too long", wav_bytes(tone(61.0, 8000), 8000)),
        headers=admin_headers,
    )
    assert resp.status == 400
    assert (
        "is longer than 1 minutes, the longest a prompt may be"
        in (await resp.json())["error"]["fields"]["file"]
    )
    monkeypatch.setattr("cordboard.core.http.api_prompts.MAX_PROMPT_BYTES", 1024 * 1024)
    big = wav_bytes(tone(40.0, 16000), 16000)  # 1.28 MB
    resp = await api.post("/api/prompts", data=form("Big", "Too big", big), headers=admin_headers)
    assert resp.status == 413
    assert (await resp.json())["error"]["fields"] == {"file": "A prompt recording may be at most 1 MB"}
    assert (await (await api.get("/api/prompts?kind=org", headers=admin_headers)).json())["prompts"] == []


async def test_names_are_unique_ignoring_case(api: Any, admin_headers: dict[str, str]) -> None:
    first = await create(api, admin_headers, "Closed")
    second = await create(api, admin_headers, "Holiday")
    resp = await api.post(
        "/api/prompts", data=form("closed", "Again", wav_bytes(tone(1.0, 8000), 8000)), headers=admin_headers
    )
    assert resp.status == 409
    error = (await resp.json())["error"]
    assert error["fields"]["name"] == "A prompt named “closed” exists already; choose another name"
    resp = await api.patch(f"/api/prompts/{second['id']}", json={"name": "CLOSED"}, headers=admin_headers)
    assert resp.status == 409 and "name" in (await resp.json())["error"]["fields"]
    resp = await api.patch(
        f"/api/prompts/{first['id']}", json={"name": "Closed", "description": ""}, headers=admin_headers
    )
    assert resp.status == 400 and set((await resp.json())["error"]["fields"]) == {"description"}
    resp = await api.patch(f"/api/prompts/{first['id']}", json={"name": "closed"}, headers=admin_headers)
    assert resp.status == 200 and (await resp.json())["name"] == "closed"  # its own name, another case


async def test_the_orgs_language_is_the_default_for_an_upload(
    core: Core, api: Any, admin_headers: dict[str, str]
) -> None:
    await core.settings.set("org", None, "core.language", "da")
    created = await create(api, admin_headers, "Velkommen")
    assert created["languages"] == ["da"]


async def test_system_prompts_stay_read_only(api: Any, admin_headers: dict[str, str]) -> None:
    resp = await api.patch("/api/prompts/goodbye", json={"name": "Bye"}, headers=admin_headers)
    assert resp.status == 403 and (await resp.json())["error"]["code"] == "read_only"
    assert (await api.delete("/api/prompts/goodbye", headers=admin_headers)).status == 403
    assert (await api.delete("/api/prompts/org:999", headers=admin_headers)).status == 404
    assert (await api.put("/api/prompts/en/org:999", data=b"x", headers=admin_headers)).status == 404


async def test_users_cannot_create_edit_or_delete(
    api: Any, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    created = await create(api, admin_headers, "Welcome")
    data = wav_bytes(tone(1.0, 8000), 8000)
    assert (
        await api.post("/api/prompts", data=form("Mine", "Mine", data), headers=user_headers)
    ).status == 403
    assert (await api.get("/api/prompts?kind=org", headers=user_headers)).status == 403
    assert (
        await api.patch(f"/api/prompts/{created['id']}", json={"name": "X"}, headers=user_headers)
    ).status == 403
    assert (await api.put(f"/api/prompts/da/{created['id']}", data=data, headers=user_headers)).status == 403
    assert (await api.delete(f"/api/prompts/{created['id']}", headers=user_headers)).status == 403
    assert (await api.post("/api/prompts", data=form("Anon", "Anon", data))).status == 401
    listing = await (await api.get("/api/prompts?kind=org", headers=admin_headers)).json()
    assert [p["name"] for p in listing["prompts"]] == ["Welcome"]
