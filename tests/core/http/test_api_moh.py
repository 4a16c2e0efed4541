"""Music on hold through the API (MOH-01..03, CAPA-26): admins create classes, upload, listen to
and delete files; bad uploads are refused with the reason; users only list the class names and
choose their own class through the user settings."""

from __future__ import annotations

import io
import wave
from typing import Any

import av
import numpy as np
import pytest

from cordboard.core.core import Core
from cordboard.core.http import api_moh
from cordboard.core.media import moh_library
from cordboard.core.media.audio_file import wav_bytes
from cordboard.core.media.moh_library import MOH_SETTING, music_class_for


def flac(seconds: float, rate: int = 48000) -> bytes:
    """A stereo FLAC file of a 440 Hz tone."""
    t = np.arange(int(seconds * rate)) / rate
    mono = (8000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="flac") as out:
        stream = out.add_stream("flac", rate=rate, layout="stereo")
        frame = av.AudioFrame.from_ndarray(
            np.stack([mono, mono]).T.reshape(1, -1), format="s16", layout="stereo"
        )
        frame.sample_rate = rate
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            out.mux(packet)
    return buffer.getvalue()


def tone(seconds: float, rate: int = 16000) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    return wav_bytes((8000 * np.sin(2 * np.pi * 600 * t)).astype(np.int16), rate)


async def error_of(resp: Any, status: int) -> dict[str, Any]:
    assert resp.status == status, await resp.text()
    return (await resp.json())["error"]  # type: ignore[no-any-return]


async def test_admin_creates_a_class_uploads_listens_and_deletes(
    core: Core, api: Any, admin_headers: dict[str, str]
) -> None:
    listing = await (await api.get("/api/moh", headers=admin_headers)).json()
    assert listing == {
        "classes": [{"name": "default", "files": []}],
        "org_class": "default",
        "max_bytes": 100 * 1024 * 1024,
        "max_seconds": 1800,
    }
    resp = await api.post("/api/moh/classes", json={"name": "jazz"}, headers=admin_headers)
    assert resp.status == 201 and await resp.json() == {"name": "jazz", "files": []}
    error = await error_of(
        await api.post("/api/moh/classes", json={"name": "jazz"}, headers=admin_headers), 409
    )
    assert "exists already" in error["message"]

    resp = await api.post(
        "/api/moh/classes/jazz/files",
        params={"filename": "Blue in Green.flac"},
        data=flac(1.5),
        headers=admin_headers,
    )
    assert resp.status == 201, await resp.text()
    added = await resp.json()
    assert added["music_class"] == "jazz" and added["name"] == "Blue-in-Green.wav"
    assert abs(added["seconds"] - 1.5) < 0.05
    path = core.data_dir / "moh" / "jazz" / "Blue-in-Green.wav"
    with wave.open(str(path), "rb") as wav:
        assert (wav.getnchannels(), wav.getframerate()) == (1, 16000)
    assert added["size"] == path.stat().st_size
    listing = await (await api.get("/api/moh", headers=admin_headers)).json()
    assert [c["name"] for c in listing["classes"]] == ["default", "jazz"]
    assert listing["classes"][1]["files"] == [
        {"name": "Blue-in-Green.wav", "seconds": added["seconds"], "size": added["size"]}
    ]

    played = await api.get("/api/moh/classes/jazz/files/Blue-in-Green.wav", headers=admin_headers)
    assert played.status == 200 and played.content_type == "audio/wav"
    assert await played.read() == path.read_bytes()
    part = await api.get(
        "/api/moh/classes/jazz/files/Blue-in-Green.wav", headers={**admin_headers, "Range": "bytes=0-43"}
    )
    assert part.status == 206 and await part.read() == path.read_bytes()[:44]
    assert (await api.get("/api/moh/classes/jazz/files/nothing.wav", headers=admin_headers)).status == 404

    resp = await api.delete("/api/moh/classes/jazz/files/Blue-in-Green.wav", headers=admin_headers)
    assert resp.status == 200 and not path.exists()
    assert (
        await api.delete("/api/moh/classes/jazz/files/Blue-in-Green.wav", headers=admin_headers)
    ).status == 404


async def test_deleting_a_class_clears_the_choices_of_it(
    core: Core, api: Any, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    anna = (await (await api.get("/api/auth/me", headers=user_headers)).json())["id"]
    for name in ("jazz", "pop"):
        assert (await api.post("/api/moh/classes", json={"name": name}, headers=admin_headers)).status == 201
    resp = await api.put("/api/settings/org", json={MOH_SETTING: "pop"}, headers=admin_headers)
    assert resp.status == 200, await resp.text()
    resp = await api.put(f"/api/settings/user/{anna}", json={MOH_SETTING: "jazz"}, headers=user_headers)
    assert resp.status == 200, await resp.text()
    assert await music_class_for(core, anna) == "jazz"
    resp = await api.delete("/api/moh/classes/jazz", headers=admin_headers)
    assert await resp.json() == {"name": "jazz", "settings_cleared": 1}
    assert not (core.data_dir / "moh" / "jazz").exists()
    assert await core.settings.get("user", anna) == {}
    assert await music_class_for(core, anna) == "pop"  # the organisation's choice again
    assert (await api.delete("/api/moh/classes/jazz", headers=admin_headers)).status == 404
    error = await error_of(await api.delete("/api/moh/classes/default", headers=admin_headers), 400)
    assert error["fields"] == {"name": "the default class cannot be deleted"}


async def test_bad_uploads_are_refused_with_the_reason(
    core: Core, api: Any, admin_headers: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "/api/moh/classes/default/files"
    resp = await api.post(
        url, params={"filename": "notes.txt"}, data=b"not music " * 100, headers=admin_headers
    )
    error = await error_of(resp, 400)
    assert error["code"] == "invalid"
    assert error["message"] == "The file notes.txt is not an audio file this appliance can read"
    assert error["fields"] == {"file": error["message"]}

    monkeypatch.setattr(moh_library, "MAX_SECONDS", 1)
    error = await error_of(
        await api.post(url, params={"filename": "long.wav"}, data=tone(2.0), headers=admin_headers), 400
    )
    assert error["code"] == "too_long" and error["message"] == "The file long.wav is longer than 0 minutes"

    for bad in ("Jazz", "a%20b", "x" * 40):
        error = await error_of(
            await api.post(f"/api/moh/classes/{bad}/files", data=tone(0.5), headers=admin_headers), 400
        )
        assert set(error["fields"]) == {"name"}, bad
        error = await error_of(
            await api.post("/api/moh/classes", json={"name": bad}, headers=admin_headers), 400
        )
        assert set(error["fields"]) == {"name"}, bad
    error = await error_of(
        await api.post("/api/moh/classes/nosuch/files", data=tone(0.5), headers=admin_headers), 404
    )
    assert "nosuch" in error["message"]
    monkeypatch.setattr(api_moh, "MAX_UPLOAD_BYTES", 1000)
    error = await error_of(
        await api.post(url, params={"filename": "big.wav"}, data=tone(0.5), headers=admin_headers), 413
    )
    assert error["code"] == "too_large" and "file" in error["fields"]

    assert not (core.data_dir / "moh").exists()  # nothing was stored


async def test_users_list_class_names_and_choose_their_own(
    core: Core, api: Any, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    assert (await api.post("/api/moh/classes", json={"name": "jazz"}, headers=admin_headers)).status == 201
    resp = await api.post(
        "/api/moh/classes/jazz/files", params={"filename": "a.wav"}, data=tone(0.5), headers=admin_headers
    )
    assert resp.status == 201
    resp = await api.get("/api/moh/classes", headers=user_headers)
    assert resp.status == 200 and await resp.json() == {"classes": ["default", "jazz"]}
    for method, path in [
        ("GET", "/api/moh"),
        ("POST", "/api/moh/classes"),
        ("DELETE", "/api/moh/classes/jazz"),
        ("POST", "/api/moh/classes/jazz/files"),
        ("GET", "/api/moh/classes/jazz/files/a.wav"),
        ("DELETE", "/api/moh/classes/jazz/files/a.wav"),
    ]:
        resp = await api.request(method, path, json={"name": "x"}, headers=user_headers)
        assert resp.status == 403, (method, path)
    assert (await api.get("/api/moh/classes")).status == 401
    assert (core.data_dir / "moh" / "jazz" / "a.wav").is_file()

    anna = (await (await api.get("/api/auth/me", headers=user_headers)).json())["id"]
    error = await error_of(
        await api.put(f"/api/settings/user/{anna}", json={MOH_SETTING: "pop"}, headers=user_headers), 400
    )
    assert error["fields"] == {MOH_SETTING: "no music-on-hold class 'pop'; the classes are default, jazz"}
    resp = await api.put(f"/api/settings/user/{anna}", json={MOH_SETTING: "jazz"}, headers=user_headers)
    assert resp.status == 200
    effective = await (await api.get(f"/api/settings/effective/{anna}", headers=user_headers)).json()
    assert effective[MOH_SETTING] == {"value": "jazz", "source": "user"}
    assert await music_class_for(core, anna) == "jazz"
    # The settings list offers the classes as a choice.
    specs = {s["key"]: s for s in await (await api.get("/api/settings", headers=user_headers)).json()}
    assert specs[MOH_SETTING]["validator"] == {
        "type": "select",
        "options": [["default", "default"], ["jazz", "jazz"]],
    }
    assert specs[MOH_SETTING]["user_editable"] is True
