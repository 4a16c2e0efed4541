"""Record a prompt by phone (PRM-04) over the API with SIP test phones on loopback.

An admin posts ``/api/prompts/record-by-phone``; the appliance calls ann's phone (1001), which
answers, hears the guide and the beep, sends a 440 Hz tone and '#' (RFC 4733), hears its recording
played back and presses 1: the tone is saved as a new prompt (16 kHz, trimmed to the sound). Pressing
2 records again into an existing prompt; busy, no answer and hanging up before choosing fail with
the reason and save nothing; users get 403 and bad fields are named.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient
from loopback_pbx import registered_phone, running_pbx
from rtp_audio import dominant, heard, send_audio, send_digits, tone
from sip_phone import TestPhone, media_address

from cordboard.core.core import Core
from cordboard.core.http.server import build_app
from cordboard.core.identity.users import create_user
from cordboard.core.media import phone_recording
from cordboard.core.media.audio_file import read_audio, wav_bytes
from cordboard.core.sip.message import SipRequest
from cordboard.core.sip.uri import NameAddr

RTP_MIN, RTP_MAX = 43600, 43799
ADMIN_PASSWORD = "admin-password-1"
USER_PASSWORD = "user-password-1"


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", RTP_MIN, RTP_MAX) as core:
        yield core


async def logged_in(core: Core, api: TestClient, username: str, password: str, role: str) -> dict[str, str]:
    await core.db.call(
        lambda db: create_user(
            db,
            username=username,
            first_name=username.title(),
            last_name="Tester",
            email=f"{username}@example.com",
            password=password,
            role=role,
        )
    )
    resp = await api.post("/api/auth/login", json={"username": username, "password": password})
    assert resp.status == 200, await resp.text()
    api.session.cookie_jar.clear()
    return {"Authorization": f"Bearer {(await resp.json())['token']}"}


@pytest.fixture
async def api(pbx: Core, aiohttp_client: Any) -> TestClient:
    client: TestClient = await aiohttp_client(build_app(pbx))
    return client


@pytest.fixture
async def admin(pbx: Core, api: TestClient) -> dict[str, str]:
    return await logged_in(pbx, api, "root", ADMIN_PASSWORD, "admin")


@dataclass
class Watched:
    """A record-by-phone job, followed through the API."""

    api: TestClient
    headers: dict[str, str]
    id: str

    async def until(self, state: str, step: str = "", wait: float = 20.0) -> dict[str, Any]:
        """The job once it is in ``state`` (and ``step``); fails when it ends in another state."""
        job: dict[str, Any] = {}
        loop = asyncio.get_running_loop()
        end = loop.time() + wait
        while loop.time() < end:
            resp = await self.api.get(f"/api/prompts/record-by-phone/{self.id}", headers=self.headers)
            assert resp.status == 200, await resp.text()
            job = dict(await resp.json())
            if job["state"] == state and (not step or job["step"] == step):
                return job
            assert job["state"] in ("ringing", "recording"), f"the job ended {job}, not {state}"
            await asyncio.sleep(0.05)
        raise AssertionError(f"the job is {job}, not {state} {step}")


async def start(api: TestClient, headers: dict[str, str], **body: Any) -> tuple[Watched, dict[str, Any]]:
    """Post a record-by-phone job: the job to follow and what the 202 said."""
    resp = await api.post("/api/prompts/record-by-phone", json=body, headers=headers)
    assert resp.status == 202, await resp.text()
    started = dict(await resp.json())
    assert resp.headers["Location"] == f"/api/prompts/record-by-phone/{started['id']}"
    return Watched(api, headers, started["id"]), started


async def answer(phone: TestPhone) -> tuple[SipRequest, tuple[str, int]]:
    """Answer the appliance's call: its INVITE and where to send audio."""
    invite = await phone.wait_request("INVITE")
    phone.answer(invite, 200)
    await phone.wait_request("ACK")
    return invite, media_address(invite.body)


async def say(job: Watched, phone: TestPhone, to: tuple[str, int], freq: float, seq: int) -> int:
    """After the guide and the beep: 2 s of ``freq``, then '#'; the next RTP sequence number."""
    await job.until("recording", "recording")
    await asyncio.sleep(0.5)  # the beep
    seq = await send_audio(phone, to, tone(freq, 2.0), seq)
    return await send_digits(phone, to, "#", seq)


async def review(job: Watched, phone: TestPhone) -> np.ndarray:
    """What the phone hears from "this is your recording" on (before pressing a digit)."""
    await job.until("recording", "review")
    phone.drain_rtp()
    return await heard(phone, 5.0)


def loudest_tone(audio: np.ndarray) -> float:
    """The dominant frequency of the loudest second of ``audio`` (8 kHz)."""
    best, best_level = audio[:8000], 0.0
    for start in range(0, max(1, audio.size - 8000), 800):
        part = audio[start : start + 8000].astype(np.float64)
        level = float(np.sqrt(np.mean(part**2)))
        if level > best_level:
            best, best_level = audio[start : start + 8000], level
    return dominant(best)


async def test_the_phone_records_a_new_prompt_and_keeps_it(
    pbx: Core, api: TestClient, admin: dict[str, str]
) -> None:
    ann = await registered_phone(pbx, "ann")
    try:
        job, started = await start(
            api, admin, number="1001", name="Welcome", description="Greets callers", language="en"
        )
        assert started["state"] == "ringing" and started["prompt_id"] is None and started["name"] == "Welcome"
        invite, to = await answer(ann)
        shown = NameAddr.parse(invite.headers.get("From") or "")
        assert shown.display_name == "Record prompt: Welcome"
        assert pbx.states.get(f"prompt_recording.{job.id}") is not None
        seq = await say(job, ann, to, 440.0, 1)
        played = await review(job, ann)
        assert abs(loudest_tone(played) - 440) < 15, "the recording was not played back"
        seq = await send_digits(ann, to, "1", seq)
        bye = await ann.wait_request("BYE", wait=15)  # "saved", "goodbye", then the appliance hangs up
        ann.answer(bye, 200, to_tag="")
    finally:
        ann.close()
    done = await job.until("saved")
    assert done["prompt_id"].startswith("org:") and 1.9 < done["seconds"] < 2.6
    listing = await (await api.get("/api/prompts?kind=org", headers=admin)).json()
    (prompt,) = listing["prompts"]
    assert (prompt["id"], prompt["name"], prompt["description"]) == (
        done["prompt_id"],
        "Welcome",
        "Greets callers",
    )
    assert prompt["languages"] == ["en"]
    stored = pbx.data_dir / "prompts" / "org" / done["prompt_id"].removeprefix("org:") / "en.wav"
    samples = read_audio(stored, 16000)
    assert 1.9 < samples.size / 16000 < 2.6  # trimmed to the tone, a little margin each side
    assert abs(dominant(samples, rate=16000) - 440) < 10
    assert not list((pbx.data_dir / "prompts" / "by-phone").glob("*.wav"))  # the take is gone
    assert pbx.calls is not None and not pbx.calls.dialer.calls


async def test_2_records_again_into_an_existing_prompt(
    pbx: Core, api: TestClient, admin: dict[str, str]
) -> None:
    prompt = pbx.prompts
    form = FormData(default_to_multipart=True)
    for key, value in (("name", "Closed"), ("description", "Outside opening hours"), ("language", "en")):
        form.add_field(key, value)
    form.add_field("file", wav_bytes(tone(300.0, 1.0), 8000), filename="closed.wav")
    created = await api.post("/api/prompts", data=form, headers=admin)
    assert created.status == 201, await created.text()
    prompt_id = (await created.json())["id"]
    ann = await registered_phone(pbx, "ann")
    try:
        job, started = await start(api, admin, number="ann", prompt_id=prompt_id, language="de")
        assert started["name"] == "Closed" and started["prompt_id"] == prompt_id
        invite, to = await answer(ann)
        seq = await say(job, ann, to, 440.0, 1)
        await job.until("recording", "review")
        seq = await send_digits(ann, to, "2", seq)  # during the playback: record again
        seq = await say(job, ann, to, 700.0, seq)
        played = await review(job, ann)
        assert abs(loudest_tone(played) - 700) < 15
        await send_digits(ann, to, "1", seq)
        bye = ann.request_as_callee(invite, "BYE", cseq=2)  # 1, then hanging up at once: kept all the same
        ann.send(bye)
        assert (await ann.final_response(bye)).status == 200
    finally:
        ann.close()
    done = await job.until("saved")
    assert done["prompt_id"] == prompt_id
    assert (await prompt_languages(api, admin, prompt_id)) == ["en", "de"]
    german = read_audio(prompt.org_dir / prompt_id.removeprefix("org:") / "de.wav", 16000)
    assert abs(dominant(german, rate=16000) - 700) < 10  # the second take
    english = read_audio(prompt.org_dir / prompt_id.removeprefix("org:") / "en.wav", 16000)
    assert abs(dominant(english, rate=16000) - 300) < 10  # untouched


async def prompt_languages(api: TestClient, headers: dict[str, str], prompt_id: str) -> list[str]:
    return list((await (await api.get(f"/api/prompts/{prompt_id}", headers=headers)).json())["languages"])


async def test_hanging_up_before_choosing_discards_the_recording(
    pbx: Core, api: TestClient, admin: dict[str, str]
) -> None:
    ann = await registered_phone(pbx, "ann")
    try:
        job, _ = await start(api, admin, number="1001", name="Holiday", description="Closed for holidays")
        invite, to = await answer(ann)
        await say(job, ann, to, 440.0, 1)
        await job.until("recording", "review")
        bye = ann.request_as_callee(invite, "BYE", cseq=2)
        ann.send(bye)
        assert (await ann.final_response(bye)).status == 200
    finally:
        ann.close()
    failed = await job.until("failed")
    assert failed["code"] == "discarded" and "discarded" in failed["reason"]
    assert (await (await api.get("/api/prompts?kind=org", headers=admin)).json())["prompts"] == []


async def test_busy_and_not_answered_fail_with_the_reason(
    pbx: Core, api: TestClient, admin: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(phone_recording, "RING_S", 1.0)
    bo = await registered_phone(pbx, "bo")
    try:
        job, _ = await start(api, admin, number="1002", name="Menu", description="Main menu")
        invite = await bo.wait_request("INVITE")
        bo.answer(invite, 486)
        failed = await job.until("failed")
        assert (failed["code"], failed["reason"]) == ("busy", "1002 is busy")

        job, _ = await start(api, admin, number="bo", name="Menu", description="Main menu")
        invite = await bo.wait_request("INVITE")
        bo.answer(invite, 180)
        cancel = await bo.wait_request("CANCEL", wait=4)
        bo.answer(cancel, 200)
        bo.answer(invite, 487)
        failed = await job.until("failed")
        assert (failed["code"], failed["reason"]) == ("not_answered", "bo did not answer")
    finally:
        bo.close()
    assert (await (await api.get("/api/prompts?kind=org", headers=admin)).json())["prompts"] == []
    events = [s for s in pbx.states.all(phone_recording.STATE_DOMAIN) if s.state == "failed"]
    assert len(events) == 2


async def test_users_are_refused_and_bad_fields_are_named(
    pbx: Core, api: TestClient, admin: dict[str, str]
) -> None:
    user = await logged_in(pbx, api, "carl", USER_PASSWORD, "user")
    body = {"number": "1001", "name": "Mine", "description": "Mine"}
    resp = await api.post("/api/prompts/record-by-phone", json=body, headers=user)
    assert resp.status == 403
    assert (await api.post("/api/prompts/record-by-phone", json=body)).status == 401

    async def error(status: int, **fields: Any) -> dict[str, str]:
        resp = await api.post("/api/prompts/record-by-phone", json=fields, headers=admin)
        assert resp.status == status, await resp.text()
        return dict((await resp.json())["error"]["fields"])

    assert await error(400, number="", name="", description="", language="fr") == {
        "number": "required: the extension or user name of the phone to call",
        "name": "required",
        "description": "required: say what the prompt says and what it is for",
        "language": "expected one of en, de, da",
    }
    assert await error(400, number="4711", name="A", description="B") == {
        "number": "No user has the number 4711"
    }
    assert await error(400, number="1002", name="A", description="B") == {
        "number": "No phone is registered for 1002"  # bo has no phone registered
    }
    assert set(await error(400, number="1002", prompt_id="goodbye")) == {"number", "prompt_id"}
    assert set(await error(404, number="1001", prompt_id="org:99")) == {"prompt_id"}
    resp = await api.get("/api/prompts/record-by-phone/nosuchjob", headers=admin)
    assert resp.status == 404
    assert pbx.calls is not None and not pbx.calls.dialer.calls


async def test_a_take_without_sound_is_not_kept(
    pbx: Core, api: TestClient, admin: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """'#' right after the beep: "nothing was recorded", and after the last try the call ends."""
    monkeypatch.setattr(phone_recording, "CHOICE_TRIES", 1)
    ann = await registered_phone(pbx, "ann")
    try:
        job, _ = await start(api, admin, number="1001", name="Empty", description="Says nothing")
        _invite, to = await answer(ann)
        await job.until("recording", "recording")
        await asyncio.sleep(0.5)
        await send_digits(ann, to, "#", 1)
        bye = await ann.wait_request("BYE", wait=15)  # "nothing was recorded", "goodbye"
        ann.answer(bye, 200, to_tag="")
    finally:
        ann.close()
    failed = await job.until("failed")
    assert (failed["code"], failed["reason"]) == ("nothing_recorded", "Nothing was recorded")
    assert (await (await api.get("/api/prompts?kind=org", headers=admin)).json())["prompts"] == []


async def test_the_admin_cancels_a_ringing_call(pbx: Core, api: TestClient, admin: dict[str, str]) -> None:
    bo = await registered_phone(pbx, "bo")
    try:
        job, _ = await start(api, admin, number="1002", name="Menu", description="Main menu")
        invite = await bo.wait_request("INVITE")
        bo.answer(invite, 180)
        resp = await api.delete(f"/api/prompts/record-by-phone/{job.id}", headers=admin)
        assert resp.status == 202, await resp.text()
        cancel = await bo.wait_request("CANCEL", wait=4)
        bo.answer(cancel, 200)
        bo.answer(invite, 487)
        failed = await job.until("failed")
        assert failed["code"] == "cancelled" and "cancelled" in failed["reason"]
        again = await api.delete(f"/api/prompts/record-by-phone/{job.id}", headers=admin)
        assert again.status == 409
    finally:
        bo.close()
    assert (await api.delete("/api/prompts/record-by-phone/nosuchjob", headers=admin)).status == 404
    user = await logged_in(pbx, api, "carl", USER_PASSWORD, "user")
    assert (await api.delete(f"/api/prompts/record-by-phone/{job.id}", headers=user)).status == 403
    assert pbx.calls is not None and not pbx.calls.dialer.calls


async def test_vm_14_a_full_disk_is_told_before_the_guide(
    pbx: Core, api: TestClient, admin: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """VM-14 (the same check as the mailbox's): with the disk's free bytes faked below the margin
    the phone hears "messages cannot be recorded at the moment" instead of the guide and the beep,
    and the job fails with ``disk_full``; nothing is saved."""
    from cordboard.core.media import disk_space

    monkeypatch.setattr(disk_space, "free_bytes", lambda _folder: 1024 * 1024)
    ann = await registered_phone(pbx, "ann")
    try:
        job, _ = await start(api, admin, number="1001", name="Full", description="No room")
        _invite, _to = await answer(ann)
        said = await heard(ann, 2.0)
        assert int(np.abs(said.astype(np.int32)).max()) > 1000
        bye = await ann.wait_request("BYE", wait=20)
        ann.answer(bye, 200, to_tag="")
    finally:
        ann.close()
    failed = await job.until("failed")
    assert (failed["code"], failed["reason"]) == ("disk_full", "The disk is full: nothing can be recorded")
    assert (await (await api.get("/api/prompts?kind=org", headers=admin)).json())["prompts"] == []
