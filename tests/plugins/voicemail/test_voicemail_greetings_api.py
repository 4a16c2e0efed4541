"""Personal greetings in the web UI's API (VM-10): a user uploads a greeting in any audio format
(kept converted to 16 kHz mono), hears it back, replaces and deletes it; a file that is not audio is
refused with the reason; only the owner and administrators reach it; with personal greetings off
for the organisation, uploads are refused and callers hear the default."""

from __future__ import annotations

import io
import wave

import numpy as np
from aiohttp.test_utils import TestClient
from api_calls import call
from rtp_audio import dominant

from cordboard.core.core import Core
from cordboard.core.media.audio_file import read_audio
from cordboard.core.media.prompts import PROMPT_RATE
from cordboard.plugins.voicemail.const import GREETING_PROMPTS, MAILBOXES_KEY
from cordboard.plugins.voicemail.mailboxes import Mailboxes

GREETINGS = "/api/voicemail/greetings"


def _stereo_wav(freq: float, seconds: float, rate: int = 44100) -> bytes:
    """A CD-style upload (44.1 kHz stereo), not what the mailbox keeps."""
    t = np.arange(int(rate * seconds)) / rate
    mono = (7000 * np.sin(2 * np.pi * freq * t)).astype(np.int16)
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(np.repeat(mono, 2).tobytes())
    return out.getvalue()


async def _put(api: TestClient, path: str, headers: dict[str, str], data: bytes) -> tuple[int, dict]:
    resp = await api.put(path, data=data, headers={**headers, "Content-Type": "audio/wav"})
    body = await resp.json()
    return resp.status, body["error"] if resp.status >= 400 else body


async def test_vm_10_a_user_uploads_hears_and_deletes_their_greetings(
    core: Core, api: TestClient, user_headers: dict[str, str], admin_headers: dict[str, str]
) -> None:
    anna = (await core.identity.get_user_by_username("anna")).id
    mailboxes: Mailboxes = core.data[MAILBOXES_KEY]
    status, listed = await call(api, "GET", GREETINGS, user_headers)
    assert status == 200 and listed["allowed"] is True and listed["user_id"] == anna
    assert listed["greetings"] == {
        "unavailable": {"personal": False, "seconds": None},
        "busy": {"personal": False, "seconds": None},
    }
    assert mailboxes.greetings.for_caller(anna) == list(GREETING_PROMPTS)

    status, stored = await _put(api, f"{GREETINGS}/unavailable", user_headers, _stereo_wav(900.0, 1.5))
    assert status == 200, stored
    assert stored["greetings"]["unavailable"] == {"personal": True, "seconds": 1.5}
    assert stored["greetings"]["busy"]["personal"] is False
    audio = await api.get(f"{GREETINGS}/unavailable/audio", headers=user_headers)
    assert audio.status == 200 and audio.headers["Content-Type"] == "audio/wav"
    with wave.open(io.BytesIO(await audio.read()), "rb") as kept:
        assert (kept.getnchannels(), kept.getframerate()) == (1, PROMPT_RATE)
    path = mailboxes.greetings.path(anna, "unavailable")
    assert abs(dominant(read_audio(path, PROMPT_RATE), rate=PROMPT_RATE) - 900) < 10
    assert mailboxes.greetings.for_caller(anna) == [path]  # anna is not on the phone

    status, error = await _put(api, f"{GREETINGS}/busy", user_headers, b"this is not audio at all")
    assert status == 400 and "file" in error["fields"], error
    assert not mailboxes.greetings.path(anna, "busy").exists()
    status, error = await _put(api, f"{GREETINGS}/holiday", user_headers, _stereo_wav(900.0, 0.5))
    assert status == 404, error

    status, error = await call(api, "GET", f"{GREETINGS}?user_id={anna + 1000}", user_headers)
    assert status == 403, error
    status, seen = await call(api, "GET", f"{GREETINGS}?user_id={anna}", admin_headers)
    assert status == 200 and seen["greetings"]["unavailable"]["personal"] is True

    status, _ = await call(api, "DELETE", f"{GREETINGS}/unavailable", user_headers)
    assert status == 204 and not path.exists()
    assert mailboxes.greetings.for_caller(anna) == list(GREETING_PROMPTS)
    status, error = await call(api, "DELETE", f"{GREETINGS}/unavailable", user_headers)
    assert status == 404, error
    resp = await api.get(f"{GREETINGS}/unavailable/audio", headers=user_headers)
    assert resp.status == 404


async def test_vm_10_the_organisation_turns_personal_greetings_off_and_chooses_the_default(
    core: Core, api: TestClient, user_headers: dict[str, str]
) -> None:
    anna = (await core.identity.get_user_by_username("anna")).id
    status, _ = await _put(api, f"{GREETINGS}/unavailable", user_headers, _stereo_wav(900.0, 1.0))
    assert status == 200
    config = await core.plugins.get_config("voicemail")
    await core.plugins.set_config(
        "voicemail", {**config, "personal_greetings": False, "default_greeting": "goodbye"}
    )
    mailboxes: Mailboxes = core.data[MAILBOXES_KEY]
    assert mailboxes.greetings.for_caller(anna) == ["goodbye"]  # the personal one is kept but not played
    status, error = await _put(api, f"{GREETINGS}/busy", user_headers, _stereo_wav(900.0, 1.0))
    assert status == 403, error
    status, listed = await call(api, "GET", GREETINGS, user_headers)
    assert listed["allowed"] is False and listed["default_prompt"] == "goodbye"
