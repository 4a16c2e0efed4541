"""Record a prompt by phone on the Prompts page (PRM-04), in a real browser over a real `cordboard run`.

The administrator (root, extension 1010, with a SIP phone driven from the test) opens "Our
prompts", chooses "Record by phone" for a new prompt: the number field holds root's own extension;
missing fields and an unknown number are named next to their fields. "Initialise call" rings the
phone, which answers (PCMU with RFC 4733 telephone-events), sends a 440 Hz tone and '#', then 1;
the page follows the call (calling, the guide, recording, playing back, saved) and lists the new
prompt. Recording an existing prompt's Danish version by phone while the phone is busy shows why
it failed; cancelling the next try from the page stops the ringing.
"""

from __future__ import annotations

import re
import socket
import time
import wave
from typing import Any

import numpy as np
from e2e_helpers import ADMIN, ADMIN_PASSWORD, BrowserThread, Cordboard, login, shot
from e2e_phone import Phone
from playwright.sync_api import expect
from sip_phone import media_address

from cordboard.core.media.codecs import get_codec
from cordboard.core.rtp.dtmf import DtmfSender
from cordboard.core.rtp.packet import RtpHeader
from cordboard.core.sip.message import SipRequest, make_response

EXTENSION = "1010"
SIP_PASSWORD = "root-phone-secret-1"
CALL = 20_000  # ms: the voice guide speaks for a few seconds before the beep


def answer_sdp(port: int) -> bytes:
    return (
        f"v=0\r\no=phone 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        f"m=audio {port} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n"
        "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=sendrecv\r\n"
    ).encode()


class Media:
    """The phone's audio: PCMU and RFC 4733 digits from a socket of its own (the appliance latches)."""

    def __init__(self, to: tuple[str, int]) -> None:
        self.to = to
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.seq = 1

    def tone(self, freq: float, seconds: float) -> None:
        encoder = get_codec("PCMU", 8000).encoder()
        t = np.arange(int(seconds * 8000)) / 8000
        samples = (6000 * np.sin(2 * np.pi * freq * t)).astype(np.int16)
        for start in range(0, samples.size, 160):
            payload = encoder.encode(samples[start : start + 160])
            self.sock.sendto(bytes(RtpHeader(0, self.seq, self.seq * 160, 0xE2E)) + payload, self.to)
            self.seq += 1
            time.sleep(0.02)

    def digit(self, digit: str) -> None:
        for packet in DtmfSender(clock_rate=8000, duration_ms=80).packets(digit, self.seq * 160):
            header = RtpHeader(101, self.seq, packet.timestamp, 0xE2E, marker=packet.marker)
            self.sock.sendto(bytes(header) + packet.payload, self.to)
            self.seq += 1
            time.sleep(0.02)

    def close(self) -> None:
        self.sock.close()


def pick_up(phone: Phone, invite: SipRequest, port: int) -> None:
    """180, then 200 with telephone-events offered back (e2e_phone's answer has PCMU only)."""
    tag = phone.ring(invite)
    ok = make_response(invite, 200, to_tag=tag)
    ok.headers.set("Contact", f"<sip:{phone.username}@127.0.0.1:{phone.port}>")
    ok.headers.set("Content-Type", "application/sdp")
    ok.body = answer_sdp(port)
    phone.send(ok)


def test_admin_records_a_prompt_by_phone(cordboard: Cordboard, browser: BrowserThread) -> None:
    token = cordboard.token()
    status, me = cordboard.api("GET", "/api/auth/me", token=token)
    assert status == 200, me
    root_id = me["id"]
    status, body = cordboard.api(
        "PATCH", f"/api/users/{root_id}", {"extension": EXTENSION, "sip_password": SIP_PASSWORD}, token
    )
    assert status == 200, body
    with Phone(cordboard.sip_server, ADMIN, SIP_PASSWORD) as phone:
        for _ in range(50):  # the SIP accounts follow the change a moment later
            if phone.register().status == 200:
                break
            time.sleep(0.1)
        browser.run(_record_by_phone, cordboard, phone)
    status, listing = cordboard.api("GET", "/api/prompts?kind=org", token=token)
    assert status == 200
    (prompt,) = listing["prompts"]
    assert prompt["name"] == "Welcome" and prompt["languages"] == ["en"]
    stored = cordboard.data / "prompts" / "org" / prompt["id"].removeprefix("org:") / "en.wav"
    with wave.open(str(stored), "rb") as wav:
        assert wav.getframerate() == 16000 and 1.4 < wav.getnframes() / 16000 < 2.0


def _record_by_phone(page: Any, cordboard: Cordboard, phone: Phone) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    page.locator("#nav").get_by_role("link", name="Prompts").click()
    form = page.get_by_test_id("org-prompt-new")
    form.get_by_label("Record by phone").check()
    expect(form.get_by_label("Audio file")).to_have_count(0)
    number = form.get_by_label("Phone to call")
    expect(number).to_have_value(EXTENSION)  # the admin's own extension
    start = form.get_by_role("button", name="Initialise call")

    # Nothing filled in: the prompt's fields say so, next to them; no call is made.
    start.click()
    expect(form.locator("#org-new-name-error")).to_have_text("This field is required.")
    expect(form.locator("#org-new-description-error")).to_have_text("This field is required.")
    expect(form.get_by_label("Name")).to_be_focused()
    form.get_by_label("Name").fill("Welcome")
    form.get_by_label("Description").fill("Greets callers in the main menu.")

    # A number nobody has: the API's reason next to the number field.
    number.fill("4711")
    with page.expect_response(lambda r: r.url.endswith("/api/prompts/record-by-phone")) as post:
        start.click()
    assert post.value.status == 400
    expect(form.locator("#org-new-phone-number-error")).to_have_text("No user has the number 4711")
    expect(number).to_have_attribute("aria-invalid", "true")

    number.fill(EXTENSION)
    with page.expect_response(lambda r: r.url.endswith("/api/prompts/record-by-phone")) as post:
        start.click()
    assert post.value.status == 202
    state = form.get_by_test_id("phone-recording-state")
    invite = phone.wait_request("INVITE", timeout=10)
    assert "Record prompt: Welcome" in (invite.headers.get("From") or "")
    expect(state).to_have_text(f"Calling {EXTENSION}…")
    expect(start).to_be_disabled()
    media = Media(media_address(invite.body))
    try:
        pick_up(phone, invite, media.sock.getsockname()[1])
        phone.wait_request("ACK")
        expect(state).to_have_text(f"{EXTENSION} answered. Listen to the voice guide.")
        shot(page, "record-by-phone-guide", full_page=False)
        expect(state).to_have_text("Recording. Press # on the phone when you are done.", timeout=CALL)
        time.sleep(0.4)  # the beep
        media.tone(440.0, 1.5)
        media.digit("#")
        expect(state).to_have_text(
            "Playing the recording back. Press 1 to keep it or 2 to record again.", timeout=CALL
        )
        media.digit("1")
        phone.accept_bye(timeout=20)
    finally:
        media.close()
    expect(state).to_have_text(re.compile(r"^Saved: the English recording of “Welcome” \(1\.\d s\)\.$"))
    expect(state).to_have_attribute("data-state", "saved")
    section = page.get_by_test_id("org-prompts-section")
    row = section.locator('[data-testid="org-prompt"]', has_text="Welcome")
    expect(row.get_by_test_id("org-prompt-name")).to_have_text("Welcome")
    expect(form.get_by_label("Name")).to_have_value("")  # ready for the next one
    shot(page, "record-by-phone-saved", full_page=False)

    # The Danish recording of the same prompt, by phone: the phone is busy.
    row.get_by_role("button", name="Edit Welcome").click()
    danish = section.locator('[data-testid="org-recording"][data-lang="da"]')
    danish.get_by_role("button", name="Record Welcome in Dansk by phone").click()
    recorder = danish.get_by_test_id("record-by-phone")
    expect(recorder.get_by_label("Phone to call")).to_have_value(EXTENSION)
    recorder.get_by_role("button", name="Initialise call").click()
    invite = phone.wait_request("INVITE", timeout=10)
    phone.send(make_response(invite, 486, to_tag="busy"))
    failed = recorder.get_by_test_id("phone-recording-state")
    expect(failed).to_have_text(f"{EXTENSION} is busy. Nothing was recorded.")
    expect(failed).to_have_attribute("role", "alert")
    expect(danish.get_by_test_id("org-recording-status")).to_have_text("Not recorded")
    expect(recorder.get_by_role("button", name="Initialise call")).to_be_enabled()
    failed.scroll_into_view_if_needed()
    shot(page, "record-by-phone-busy", full_page=False)

    # Again, and cancelled from the page while the phone rings: the ringing stops.
    expect(recorder.get_by_role("button", name="Cancel call")).to_have_count(0)
    recorder.get_by_role("button", name="Initialise call").click()
    invite = phone.wait_request("INVITE", timeout=10)
    tag = phone.ring(invite)
    expect(failed).to_have_text(f"Calling {EXTENSION}…")
    recorder.get_by_role("button", name="Cancel call").click()
    cancel = phone.wait_request("CANCEL", timeout=10)
    phone.send(make_response(cancel, 200))
    phone.send(make_response(invite, 487, to_tag=tag))
    expect(failed).to_have_text("The call was cancelled. Nothing was saved.")
    expect(recorder.get_by_role("button", name="Cancel call")).to_have_count(0)
    expect(danish.get_by_test_id("org-recording-status")).to_have_text("Not recorded")
