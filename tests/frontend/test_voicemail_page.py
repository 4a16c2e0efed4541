"""The Voicemail page of the user portal (VM-15), in a real browser over a real `cordboard run`.

bo (1002) dials ``*1*1001*`` from a SIP phone driven by the test (tests/frontend/e2e_phone.py),
hears ann's greeting and the beep, says something (a 440 Hz tone over RTP) and hangs up: a real
message in ann's mailbox. ann opens Voicemail from the navigation and sees it as new; Play starts
it in the browser (the audio element really plays) and marks it heard; Mark as new brings the
badge back; a change made elsewhere (the API) shows at once over the live connection; the page
fits a phone; Delete asks first, then removes it and the empty mailbox says so.

cy (1003) records nothing by phone but uploads a greeting (VM-10), is refused a text file with the
server's reason, goes back to the standard greeting, and switches voicemail off and back to what the
organisation set (VM-11); the same card shape offers whether callers may leave messages (VM-12).
ed (1005) switches on an SMS about new messages (VM-06), warned while he has no mobile number.

di (1004) is in the member group of the group inbox "After hours" (GIB-03): below her own (empty)
mailbox she sees its message, plays it and deletes it; ann, in no group inbox, sees no such section.
"""

from __future__ import annotations

import re
import socket
import time
import urllib.request
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlite_utils
from e2e_helpers import PHONE, BrowserThread, Cordboard, add_user, http_raw, login, shot
from e2e_phone import Phone
from playwright.sync_api import expect
from sip_phone import media_address

from cordboard.core.context import ulid_now
from cordboard.core.media.codecs import get_codec
from cordboard.core.rtp.packet import RtpHeader
from cordboard.plugins.voicemail import storage

GREETING_S = 5.0  # "not available, leave a message" and the beep
MESSAGE_S = 5.0  # what bo says after the beep (a tone); the greeting may run late on a busy machine
CALLER = "Bo Berg (1002)"


def send_tone(to: tuple[str, int], sock: socket.socket, seconds: float, freq: float = 440.0) -> None:
    """PCMU packets of a tone, one every 20 ms (the appliance latches on to where they come from)."""
    encoder = get_codec("PCMU", 8000).encoder()
    t = np.arange(int(seconds * 8000)) / 8000
    samples = (6000 * np.sin(2 * np.pi * freq * t)).astype(np.int16)
    start = time.monotonic()
    for seq, offset in enumerate(range(0, samples.size - 159, 160), start=1):
        payload = encoder.encode(samples[offset : offset + 160])
        sock.sendto(bytes(RtpHeader(0, seq & 0xFFFF, seq * 160, 0xB0B0)) + payload, to)
        # Paced by the clock, not by the sleeps: a loaded machine must not stretch the message.
        time.sleep(max(0.0, start + seq * 0.02 - time.monotonic()))


def leave_message(phone: Phone, extension: str) -> None:
    """Dial the voicemail code straight to ``extension``'s mailbox, speak after the greeting, hang up."""
    media = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        try:
            media.bind(("127.0.0.1", phone.port + 2))  # where the phone's SDP says it listens
        except OSError:
            media.bind(("127.0.0.1", 0))
        invite = phone.start_call(f"*1*{extension}*")
        final, dialog = phone.finish_call(invite, timeout=15)
        assert final.status == 200, final
        send_tone(media_address(final.body), media, GREETING_S + MESSAGE_S)
        assert phone.hang_up(dialog).status == 200
    finally:
        media.close()


@pytest.fixture(scope="module")
def ann(cordboard: Cordboard) -> dict[str, Any]:
    """ann (1001) with one new message from bo (1002) in her mailbox: her password, token and the message."""
    _, ann_password = add_user(cordboard, "ann", "1001", "Ann", "Tester")
    _, bo_password = add_user(cordboard, "bo", "1002", "Bo", "Berg")
    with Phone(cordboard.sip_server, "bo", bo_password) as bo:
        deadline = time.monotonic() + 5
        while bo.register().status != 200:  # the SIP accounts follow user.created a moment later
            assert time.monotonic() < deadline, "bo's SIP account is not known"
            time.sleep(0.1)
        leave_message(bo, "1001")
        bo.register(expires=0)
    token = cordboard.token("ann", ann_password)
    deadline = time.monotonic() + 20
    while True:
        status, mailbox = cordboard.api("GET", "/api/voicemail/messages", token=token)
        assert status == 200, mailbox
        if mailbox["messages"]:
            break
        assert time.monotonic() < deadline, "bo's message did not reach ann's mailbox"
        time.sleep(0.3)
    (message,) = mailbox["messages"]
    assert message["caller"] == "1002" and not message["heard"], message
    assert message["seconds"] >= 1.5, message
    return {"password": ann_password, "token": token, "message": message}


def test_vm_15_user_plays_marks_and_deletes_a_voice_message(
    cordboard: Cordboard, browser: BrowserThread, ann: dict[str, Any]
) -> None:
    browser.run(_voicemail_page, cordboard, ann)
    status, mailbox = cordboard.api("GET", "/api/voicemail/messages", token=ann["token"])
    assert status == 200 and mailbox["messages"] == [] and mailbox["used_bytes"] == 0, mailbox


def _voicemail_page(page: Any, cordboard: Cordboard, ann: dict[str, Any]) -> None:
    message = ann["message"]
    login(page, cordboard.base, "ann", ann["password"])
    page.locator("#nav").get_by_role("link", name="Voicemail").click()
    expect(page).to_have_url(re.compile(r"/voicemail$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Voicemail")
    expect(page.locator("#nav").get_by_role("link", name="Voicemail")).to_have_attribute(
        "aria-current", "page"
    )

    counts = page.get_by_test_id("voicemail-counts")
    expect(counts).to_have_text("1 new, 0 listened to")
    expect(page.get_by_test_id("voicemail-usage")).to_have_text(re.compile(r"^\d+(\.\d)? KB of 50 MB used$"))
    expect(page.get_by_test_id("voicemail-retention")).to_have_text(
        "Listened-to messages are deleted after 30 days."
    )
    row = page.get_by_test_id("voicemail-message")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Bo Berg")
    expect(row).to_contain_text("1002")
    expect(row.get_by_test_id("voicemail-new")).to_have_text("New")
    seconds = max(1, int(message["seconds"]))  # whole seconds, as the page shows them
    expect(row.get_by_test_id("voicemail-length")).to_have_text(f"0:{seconds:02d}")
    audio_url = f"/api/voicemail/messages/{message['id']}/audio"
    download = row.get_by_role("link", name=f"Download the message from {CALLER}")
    expect(download).to_have_attribute("href", audio_url)
    expect(download).to_have_attribute("download", re.compile(r"^voicemail-1002-\d{4}-\d\d-\d\d-\d{4}\.wav$"))
    expect(page.get_by_test_id("voicemail-audio")).to_have_count(0)
    expect(page.get_by_test_id("voicemail-group-inboxes")).to_have_count(0)  # GIB-03: ann is in none
    shot(page, "voicemail-new-message")

    # Play: the player appears and really plays in the browser; the message is heard from then on.
    row.get_by_role("button", name=f"Play the message from {CALLER}").click()
    audio = page.get_by_test_id("voicemail-audio")
    expect(audio).to_have_count(1)
    expect(audio).to_have_attribute("src", audio_url)
    expect(audio).to_have_attribute(
        "aria-label", re.compile(rf"^Message from {re.escape(CALLER)}, received ")
    )
    page.wait_for_function(
        """() => {
            const el = document.querySelector('[data-testid="voicemail-audio"]');
            return !!el && el.currentTime > 0 && !el.paused;
        }""",
        timeout=15_000,
    )
    expect(row.get_by_test_id("voicemail-new")).to_have_count(0)
    expect(counts).to_have_text("0 new, 1 listened to")
    expect(row).to_have_attribute("data-heard", "true")
    shot(page, "voicemail-playing", full_page=False)
    status, mailbox = cordboard.api("GET", "/api/voicemail/messages", token=ann["token"])
    assert status == 200 and mailbox["messages"][0]["heard"] is True and mailbox["new"] == 0, mailbox

    # Mark as new (with the keyboard): the badge and the count come back.
    mark_new = row.get_by_role("button", name=f"Mark the message from {CALLER} as new")
    mark_new.focus()
    page.keyboard.press("Enter")
    expect(row.get_by_test_id("voicemail-new")).to_have_text("New")
    expect(counts).to_have_text("1 new, 0 listened to")
    expect(
        page.locator(".toast").filter(has_text=f"The message from {CALLER} is marked as new.")
    ).to_have_count(1)
    mark_heard = row.get_by_role("button", name=f"Mark the message from {CALLER} as heard")
    expect(mark_heard).to_be_focused()  # the same button, now the other way round

    # Heard elsewhere (the phone's menu, another browser): the page follows over the live connection.
    status, changed = cordboard.api(
        "PATCH", f"/api/voicemail/messages/{message['id']}", {"heard": True}, ann["token"]
    )
    assert status == 200 and changed["heard"] is True, changed
    expect(row.get_by_test_id("voicemail-new")).to_have_count(0)
    expect(counts).to_have_text("0 new, 1 listened to")

    # On a phone the list turns into cards; nothing sticks out sideways.
    page.set_viewport_size(PHONE)
    expect(page.locator('table[data-testid="voicemail-messages"] thead')).to_have_css("position", "absolute")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    delete = row.get_by_role("button", name=f"Delete the message from {CALLER}")
    box = delete.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"], box
    shot(page, "voicemail-phone")

    # Delete asks first; Cancel keeps the message.
    delete.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(f"Delete the message from {CALLER} of ")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    expect(row).to_have_count(1)
    expect(delete).to_be_focused()
    delete.click()
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(row).to_have_count(0)
    expect(page.get_by_test_id("voicemail-empty")).to_have_text(
        "No messages. When callers leave you a message, it appears here."
    )
    expect(counts).to_have_text("0 new, 0 listened to")
    expect(page.get_by_test_id("voicemail-usage")).to_have_text("0 B of 50 MB used")
    expect(page.locator(".toast").filter(has_text=f"The message from {CALLER} was deleted.")).to_have_count(1)
    expect(page.get_by_role("heading", level=1)).to_be_focused()
    shot(page, "voicemail-empty-phone")


def test_vm_07_user_chooses_email_about_new_messages(
    cordboard: Cordboard, browser: BrowserThread, ann: dict[str, Any]
) -> None:
    status, me = cordboard.api("GET", "/api/auth/me", token=ann["token"])
    assert status == 200, me
    browser.run(_email_choice, cordboard, ann, int(me["id"]))


def _stored_choice(cordboard: Cordboard, user_id: int) -> Any:
    """``voicemail.email`` as stored for the user themself, read by the administrator."""
    status, stored = cordboard.api("GET", f"/api/settings/user/{user_id}", token=cordboard.token())
    assert status == 200, stored
    return stored.get("voicemail.email")


def _email_choice(page: Any, cordboard: Cordboard, ann: dict[str, Any], user_id: int) -> None:
    assert _stored_choice(cordboard, user_id) is None
    login(page, cordboard.base, "ann", ann["password"], "/login?next=/voicemail")
    expect(page.get_by_role("heading", level=1)).to_have_text("Voicemail")
    box = page.get_by_test_id("voicemail-email")
    expect(box.get_by_role("heading", name="E-mail about new messages")).to_be_visible()
    choice = box.get_by_label("E-mail me about new messages")
    hint = box.locator("#voicemail-email-hint")
    save = box.get_by_role("button", name="Save")

    # No choice of her own: the organisation's default applies, and the page says so.
    expect(choice).to_have_value("")
    expect(choice.locator("option:checked")).to_have_text("As set for me: Yes, with the recording attached")
    expect(choice.locator("option")).to_have_text(
        ["As set for me: Yes, with the recording attached", "No", "Yes", "Yes, with the recording attached"]
    )
    expect(hint).to_have_text(
        re.compile(
            r"^Now: Yes, with the recording attached \((organisation default|set by your organisation)\)$"
        )
    )
    expect(save).to_be_disabled()
    expect(box.get_by_test_id("voicemail-email-no-address")).to_have_count(0)  # ann has an address
    shot(page, "voicemail-email-inherited")

    choice.select_option(label="Yes")
    expect(save).to_be_enabled()
    save.click()
    expect(
        page.locator(".toast").filter(has_text="Your e-mail setting for new messages is saved.")
    ).to_have_count(1)
    expect(hint).to_have_text("Now: Yes (your own choice)")
    expect(save).to_be_disabled()
    assert _stored_choice(cordboard, user_id) == "yes"

    # Still hers after a reload; the inherited option no longer knows the value underneath.
    page.reload()
    expect(choice).to_have_value("yes")
    expect(hint).to_have_text("Now: Yes (your own choice)")
    expect(choice.locator("option").first).to_have_text("As set for me (by my group or the organisation)")
    shot(page, "voicemail-email-own-choice")
    assert _stored_choice(cordboard, user_id) == "yes"

    # Back to what the organisation set: her own value is removed.
    choice.select_option(value="")
    save.click()
    expect(hint).to_have_text(re.compile(r"^Now: Yes, with the recording attached \("))
    expect(choice).to_have_value("")
    assert _stored_choice(cordboard, user_id) is None

    choice.select_option(label="Yes")
    save.click()
    expect(hint).to_have_text("Now: Yes (your own choice)")
    assert _stored_choice(cordboard, user_id) == "yes"


def test_vm_06_user_switches_on_sms_about_new_messages(cordboard: Cordboard, browser: BrowserThread) -> None:
    """VM-06: ed switches on "SMS about new voice messages" on his Voicemail page (off as the
    organisation set it); without a mobile number the card warns that no SMS can reach him, with
    one it does not; back to "as set for me" removes his choice; the card speaks German too."""
    user_id, password = add_user(cordboard, "ed", "1005", "Ed", "Eriksen", sip=False)
    browser.run(_sms_switch, cordboard, user_id, password)


def _sms_switch(page: Any, cordboard: Cordboard, user_id: int, password: str) -> None:
    admin = cordboard.token()

    def stored() -> Any:
        status, body = cordboard.api("GET", f"/api/settings/user/{user_id}", token=admin)
        assert status == 200, body
        return body.get("voicemail.sms_notice")

    login(page, cordboard.base, "ed", password, "/login?next=/voicemail")
    box = page.get_by_test_id("voicemail-sms-notice")
    expect(box.get_by_role("heading", name="SMS about new voice messages")).to_be_visible()
    choice = box.get_by_label("SMS about new voice messages", exact=True)
    hint = box.locator("#voicemail-sms-notice-hint")
    save = box.get_by_role("button", name="Save")
    expect(choice.locator("option")).to_have_text(["As set for me: Off", "On", "Off"])
    expect(choice.locator("option:checked")).to_have_text("As set for me: Off")
    expect(box.get_by_test_id("voicemail-sms-no-mobile")).to_have_text(
        "Your profile has no mobile number yet, so no SMS can reach you."
    )
    assert stored() is None

    choice.select_option(label="On")
    save.click()
    expect(hint).to_have_text("Now: On (your own choice)")
    assert stored() is True
    shot(page, "voicemail-sms-notice-on")

    status, body = cordboard.api("PATCH", f"/api/users/{user_id}", {"mobile": "+4520304050"}, admin)
    assert status == 200, body
    page.reload()
    expect(hint).to_have_text("Now: On (your own choice)")
    expect(box.get_by_test_id("voicemail-sms-no-mobile")).to_have_count(0)

    choice.select_option(value="")
    save.click()
    expect(hint).to_have_text(re.compile(r"^Now: Off \("))
    assert stored() is None

    status, body = cordboard.api("PATCH", f"/api/users/{user_id}", {"language": "de"}, admin)
    assert status == 200, body
    page.reload()
    expect(box.get_by_role("heading", name="SMS bei neuen Sprachnachrichten")).to_be_visible()


def greeting_wav(path: Path, seconds: float = 1.0, freq: float = 900.0, rate: int = 8000) -> Path:
    """A mono 16-bit WAV holding a tone: the greeting cy records at home."""
    t = np.arange(int(seconds * rate)) / rate
    samples = (8000 * np.sin(2 * np.pi * freq * t)).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(samples.tobytes())
    return path


def test_vm_10_11_12_user_sets_greetings_and_switches_voicemail(
    cordboard: Cordboard, browser: BrowserThread, tmp_path: Path
) -> None:
    """VM-10: a personal greeting is uploaded, played, refused for a text file (the server's reason
    at the field) and given up for the standard one again. VM-11: voicemail switched off is stored
    as cy's own ``voicemail.active`` = false; back to "as set for me" clears it. VM-12: the
    "Callers may leave messages" choice is offered the same way. The German page is translated."""
    user_id, password = add_user(cordboard, "cy", "1003", "Cy", "Carlsen", sip=False)
    token = cordboard.token("cy", password)
    wav = greeting_wav(tmp_path / "greeting.wav")
    text = tmp_path / "notes.txt"
    text.write_text("These are meeting notes, not a recording.\n" * 20)
    # The reason the server gives for a file that is not audio: the page must show exactly this.
    status, refused = http_raw(
        "PUT", cordboard.base + "/api/voicemail/greetings/busy", text.read_bytes(), token, "text/plain"
    )
    assert status == 400, refused
    reason = refused["error"]["fields"]["file"]
    cy = {"password": password, "id": user_id, "token": token, "wav": wav, "text": text, "reason": reason}
    browser.run(_greetings_and_switches, cordboard, cy)


def _greetings(cordboard: Cordboard, token: str) -> dict[str, Any]:
    status, greetings = cordboard.api("GET", "/api/voicemail/greetings", token=token)
    assert status == 200, greetings
    return greetings


def _effective_active(cordboard: Cordboard, user_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """``voicemail.active`` in force for the user, and what is stored for the user themself."""
    admin = cordboard.token()
    status, effective = cordboard.api("GET", f"/api/settings/effective/{user_id}", token=admin)
    assert status == 200, effective
    status, stored = cordboard.api("GET", f"/api/settings/user/{user_id}", token=admin)
    assert status == 200, stored
    return effective["voicemail.active"], stored


def _greetings_and_switches(page: Any, cordboard: Cordboard, cy: dict[str, Any]) -> None:
    user_id, token, reason = cy["id"], cy["token"], cy["reason"]
    login(page, cordboard.base, "cy", cy["password"], "/login?next=/voicemail")
    card = page.get_by_test_id("voicemail-greetings")
    expect(card.get_by_role("heading", name="Greetings")).to_be_visible()
    unavailable = card.locator('[data-testid="voicemail-greeting"][data-kind="unavailable"]')
    busy = card.locator('[data-testid="voicemail-greeting"][data-kind="busy"]')
    expect(unavailable.get_by_role("heading", name="When I don't answer")).to_be_visible()
    expect(busy.get_by_role("heading", name="When I'm on the phone")).to_be_visible()
    expect(unavailable.get_by_test_id("voicemail-greeting-state")).to_have_text(
        "Callers hear the standard greeting."
    )
    expect(card.get_by_test_id("voicemail-greetings-phone")).to_contain_text(
        "dial *50* on your own phone, press 0"
    )
    expect(card.get_by_test_id("voicemail-greeting-audio")).to_have_count(0)

    # Upload a recording: callers hear cy's own greeting, about a second long, and it plays.
    unavailable.get_by_label("Upload your own greeting").set_input_files(str(cy["wav"]))
    expect(unavailable.get_by_test_id("voicemail-greeting-state")).to_have_text(
        "Callers hear your own greeting (0:01)."
    )
    expect(
        page.locator(".toast").filter(has_text="Your greeting “When I don't answer” is saved.")
    ).to_have_count(1)
    audio = unavailable.get_by_test_id("voicemail-greeting-audio")
    expect(audio).to_have_attribute("src", re.compile(r"^/api/voicemail/greetings/unavailable/audio"))
    page.wait_for_function(
        """() => {
            const el = document.querySelector('[data-testid="voicemail-greeting-audio"]');
            return !!el && el.readyState >= 1 && Math.abs(el.duration - 1) < 0.15;
        }"""
    )
    greetings = _greetings(cordboard, token)
    assert greetings["greetings"]["unavailable"]["personal"] is True, greetings
    assert abs(greetings["greetings"]["unavailable"]["seconds"] - 1.0) < 0.1, greetings
    assert greetings["greetings"]["busy"]["personal"] is False, greetings
    request = urllib.request.Request(cordboard.base + "/api/voicemail/greetings/unavailable/audio")
    request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=10) as resp:
        assert resp.status == 200 and resp.read(4) == b"RIFF"
    shot(page, "voicemail-greeting-own")

    # A text file is refused: the server's reason shows at the field.
    field = busy.get_by_label("Upload your own greeting")
    field.set_input_files(str(cy["text"]))
    expect(busy.get_by_test_id("voicemail-greeting-error")).to_have_text(reason)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(busy.get_by_test_id("voicemail-greeting-state")).to_have_text(
        "Callers hear the standard greeting."
    )
    assert _greetings(cordboard, token)["greetings"]["busy"]["personal"] is False

    # Back to the standard greeting, after a confirmation: the recording is gone.
    unavailable.get_by_role("button", name=re.compile(r"^Use the standard greeting")).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Delete your greeting “When I don't answer”?")
    dialog.get_by_role("button", name="Use the standard greeting").click()
    expect(unavailable.get_by_test_id("voicemail-greeting-state")).to_have_text(
        "Callers hear the standard greeting."
    )
    expect(card.get_by_test_id("voicemail-greeting-audio")).to_have_count(0)
    assert _greetings(cordboard, token)["greetings"]["unavailable"]["personal"] is False

    # VM-12: whether callers may leave messages is offered like the e-mail choice.
    take = page.get_by_test_id("voicemail-take-messages")
    expect(take.get_by_label("Callers may leave a message")).to_have_value("")
    expect(take.get_by_label("Callers may leave a message").locator("option")).to_have_text(
        ["As set for me: Yes", "Yes", "No, the greeting only"]
    )

    # VM-11: voicemail off is cy's own choice; back to "as set for me" clears it.
    active = page.get_by_test_id("voicemail-active")
    choice = active.get_by_label("Voicemail", exact=True)
    expect(choice.locator("option:checked")).to_have_text("As set for me: On")
    choice.select_option(label="Off")
    active.get_by_role("button", name="Save").click()
    expect(active.locator("#voicemail-active-hint")).to_have_text("Now: Off (your own choice)")
    effective, stored = _effective_active(cordboard, user_id)
    assert effective == {"value": False, "source": "user"} and stored["voicemail.active"] is False, stored
    shot(page, "voicemail-switched-off")
    choice.select_option(value="")
    active.get_by_role("button", name="Save").click()
    expect(active.locator("#voicemail-active-hint")).to_have_text(re.compile(r"^Now: On \("))
    effective, stored = _effective_active(cordboard, user_id)
    assert effective["value"] is True and effective["source"] != "user", effective
    assert stored.get("voicemail.active") is None, stored

    # In German.
    status, _ = cordboard.api("PATCH", f"/api/users/{user_id}", {"language": "de"}, token)
    assert status == 200
    page.reload()
    expect(unavailable.get_by_role("heading", name="Wenn ich nicht abnehme")).to_be_visible()


def _inbox_message(cordboard: Cordboard, inbox_id: int, seconds: float) -> str:
    """A message in the group inbox as the mailbox files one after a call (its WAV, then its row,
    tests/plugins/voicemail/test_group_inboxes_api.py), written into the running Cordboard's data;
    the voicemail plugin is restarted (its settings saved unchanged) so that it reads it."""
    message_id = ulid_now()
    box = storage.Box(inbox_id=inbox_id)
    folder = cordboard.data / "voicemail" / box.folder_name
    folder.mkdir(parents=True, exist_ok=True)
    wav = greeting_wav(folder / f"{message_id}.wav", seconds=seconds, freq=600.0)
    message = storage.Message(
        message_id, box.user_id, "+4512345678", "Olga Outside", time.time(), seconds, wav.stat().st_size,
        inbox_id=inbox_id,
    )  # fmt: skip
    db = sqlite_utils.Database(cordboard.data / "cordboard.db")
    try:
        storage.add_message(db, message)
    finally:
        db.close()
    token = cordboard.token()
    status, body = cordboard.api("GET", "/api/plugins/voicemail/config", token=token)
    assert status == 200, body
    status, body = cordboard.api("PUT", "/api/plugins/voicemail/config", body["config"], token)
    assert status == 200, body
    return message_id


def test_gib_03_a_member_plays_and_deletes_a_group_inbox_message(
    cordboard: Cordboard, browser: BrowserThread
) -> None:
    """GIB-03: the users of an inbox's member groups hear, mark and delete its messages in the web UI."""
    token = cordboard.token()
    di_id, password = add_user(cordboard, "di", "1004", "Di", "Dahl", sip=False)
    status, night = cordboard.api("POST", "/api/groups", {"name": "Night shift"}, token)
    assert status == 201, night
    status, body = cordboard.api("PUT", f"/api/groups/{night['id']}/members", {"user_ids": [di_id]}, token)
    assert status == 200, body
    inbox_body = {"name": "After hours", "number": "1590", "code": "42", "member_groups": [night["id"]]}
    status, inbox = cordboard.api("POST", "/api/voicemail/group-inboxes", inbox_body, token)
    assert status == 201, inbox
    message_id = _inbox_message(cordboard, inbox["id"], seconds=1.5)
    di_token = cordboard.token("di", password)
    status, mine = cordboard.api("GET", "/api/voicemail/group-inboxes/mine", token=di_token)
    assert status == 200 and [m["id"] for m in mine[0]["messages"]] == [message_id], mine

    browser.run(_member_hears_the_inbox, cordboard, password, message_id)

    status, mine = cordboard.api("GET", "/api/voicemail/group-inboxes/mine", token=di_token)
    assert status == 200 and mine[0]["messages"] == [], mine
    assert not (cordboard.data / "voicemail" / f"inbox-{inbox['id']}" / f"{message_id}.wav").exists()
    status, body = cordboard.api("DELETE", f"/api/voicemail/group-inboxes/{inbox['id']}", token=token)
    assert status == 204, body


def _member_hears_the_inbox(page: Any, cordboard: Cordboard, password: str, message_id: str) -> None:
    caller = "Olga Outside (+4512345678)"
    login(page, cordboard.base, "di", password, "/login?next=/voicemail")
    expect(page.get_by_role("heading", level=1)).to_have_text("Voicemail")
    expect(page.get_by_test_id("voicemail-empty")).to_be_visible()  # her own mailbox
    inboxes = page.get_by_test_id("voicemail-group-inboxes")
    expect(inboxes.get_by_role("heading", name="Group inboxes", level=2)).to_be_visible()
    inbox = inboxes.get_by_test_id("voicemail-group-inbox")
    expect(inbox).to_have_count(1)
    expect(inbox.get_by_role("heading", level=3)).to_have_text("After hours 1590")
    counts = inbox.get_by_test_id("voicemail-inbox-counts")
    expect(counts).to_have_text("1 new, 0 listened to")
    row = inbox.get_by_test_id("voicemail-message")
    expect(row).to_have_attribute("data-message", message_id)
    expect(row.get_by_test_id("voicemail-new")).to_have_text("New")
    expect(row.get_by_test_id("voicemail-length")).to_have_text("0:01")
    shot(page, "voicemail-group-inbox")

    row.get_by_role("button", name=f"Play the message from {caller}").click()
    audio = inbox.get_by_test_id("voicemail-audio")
    expect(audio).to_have_attribute("src", f"/api/voicemail/messages/{message_id}/audio")
    page.wait_for_function(
        """() => {
            const el = document.querySelector('[data-testid="voicemail-group-inbox"] audio');
            return !!el && el.readyState >= 1 && Math.abs(el.duration - 1.5) < 0.15;
        }"""
    )
    expect(row.get_by_test_id("voicemail-new")).to_have_count(0)
    expect(counts).to_have_text("0 new, 1 listened to")

    row.get_by_role("button", name=f"Delete the message from {caller}").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(row).to_have_count(0)
    expect(inbox.get_by_test_id("voicemail-inbox-empty")).to_have_text("No messages in this group inbox.")
    expect(counts).to_have_text("0 new, 0 listened to")
    expect(page.locator(".toast").filter(has_text=f"The message from {caller} was deleted.")).to_have_count(1)
    expect(page.get_by_role("heading", level=1)).to_be_focused()


def test_vm_05_vm_02_user_switches_press_2_and_her_activity_on(
    cordboard: Cordboard, browser: BrowserThread, ann: dict[str, Any]
) -> None:
    """VM-05 "press 2 to bypass voicemail" and VM-02/03 "play my activity": ann switches both on
    from her Voicemail page (off by default); the API then has them as her own choices."""
    status, me = cordboard.api("GET", "/api/auth/me", token=ann["token"])
    assert status == 200, me
    browser.run(_bypass_and_activity, cordboard, ann, int(me["id"]))


def _own_settings(cordboard: Cordboard, user_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """What is in force for the user, and what is stored for the user themself (read by the admin)."""
    admin = cordboard.token()
    status, effective = cordboard.api("GET", f"/api/settings/effective/{user_id}", token=admin)
    assert status == 200, effective
    status, stored = cordboard.api("GET", f"/api/settings/user/{user_id}", token=admin)
    assert status == 200, stored
    return effective, stored


def _bypass_and_activity(page: Any, cordboard: Cordboard, ann: dict[str, Any], user_id: int) -> None:
    effective, stored = _own_settings(cordboard, user_id)
    assert effective["voicemail.bypass_key"]["value"] is False, effective
    assert effective["voicemail.activity_info"]["value"] is False, effective
    login(page, cordboard.base, "ann", ann["password"], "/login?next=/voicemail")
    expect(page.get_by_role("heading", level=1)).to_have_text("Voicemail")

    bypass = page.get_by_test_id("voicemail-bypass-key")
    expect(bypass.get_by_role("heading", name="Press 2 to reach me another way")).to_be_visible()
    choice = bypass.get_by_label('Offer "press 2"')
    expect(choice.locator("option:checked")).to_have_text("As set for me: Off")
    choice.select_option(label="On")
    bypass.get_by_role("button", name="Save").click()
    expect(bypass.locator("#voicemail-bypass-key-hint")).to_have_text("Now: On (your own choice)")
    effective, stored = _own_settings(cordboard, user_id)
    assert effective["voicemail.bypass_key"] == {"value": True, "source": "user"}, effective
    assert stored["voicemail.bypass_key"] is True, stored

    activity = page.get_by_test_id("voicemail-activity-info")
    expect(activity.get_by_role("heading", name="Play my activity")).to_be_visible()
    switch = activity.get_by_label("Play my activity", exact=True)
    expect(switch.locator("option:checked")).to_have_text("As set for me: Off")
    switch.select_option(label="On")
    activity.get_by_role("button", name="Save").click()
    expect(activity.locator("#voicemail-activity-info-hint")).to_have_text("Now: On (your own choice)")
    shot(page, "voicemail-bypass-and-activity")
    effective, stored = _own_settings(cordboard, user_id)
    assert effective["voicemail.activity_info"] == {"value": True, "source": "user"}, effective
    assert stored["voicemail.activity_info"] is True, stored

    # Still hers after a reload.
    page.reload()
    expect(page.get_by_test_id("voicemail-bypass-key").locator("#voicemail-bypass-key-hint")).to_have_text(
        "Now: On (your own choice)"
    )


def test_vm_04_user_sets_her_own_personal_assistance_number(
    cordboard: Cordboard, browser: BrowserThread
) -> None:
    """VM-04 "press 1 for personal assistance": the organisation puts callers through to the
    reception (1000); dora sees that on her Voicemail page, types a number of her own (a wrong one is
    refused at the field and nothing is stored), and later goes back to the organisation's."""
    dora_id, password = add_user(cordboard, "vm-dora", "1431", "Dora", "Desk", sip=False)
    admin = cordboard.token()
    status, body = cordboard.api("PUT", "/api/settings/org", {"voicemail.assistance_number": "1000"}, admin)
    assert status == 200, body
    try:
        browser.run(_assistance_number, cordboard, dora_id, password)
    finally:
        cordboard.api("PUT", "/api/settings/org", {"voicemail.assistance_number": None}, admin)


def _assistance_number(page: Any, cordboard: Cordboard, user_id: int, password: str) -> None:
    login(page, cordboard.base, "vm-dora", password, "/login?next=/voicemail")
    card = page.get_by_test_id("voicemail-assistance")
    expect(card.get_by_role("heading", name="Press 1 for personal assistance")).to_be_visible()
    choice = card.get_by_label("Put callers through to")
    expect(choice.locator("option:checked")).to_have_text("As set for me: 1000")
    hint = card.locator("#voicemail-assistance-hint")
    expect(hint).to_have_text("Now: 1000 (set by your organisation)")
    expect(card.get_by_role("button", name="Save")).to_be_disabled()

    choice.select_option(label="A number I choose")
    number = card.get_by_label("Assistance number")
    expect(number).to_be_focused()
    number.fill("12ab")
    card.get_by_role("button", name="Save").click()
    expect(number).to_have_attribute("aria-invalid", "true")
    expect(card.locator("#voicemail-assistance-value-error")).to_contain_text("a number to dial")
    effective, stored = _own_settings(cordboard, user_id)
    assert "voicemail.assistance_number" not in stored, stored
    assert effective["voicemail.assistance_number"] == {"value": "1000", "source": "org"}, effective

    number.fill("+45 20 30 40 50")
    card.get_by_role("button", name="Save").click()
    expect(hint).to_have_text("Now: +4520304050 (your own choice)")
    effective, stored = _own_settings(cordboard, user_id)
    assert stored["voicemail.assistance_number"] == "+4520304050", stored
    assert effective["voicemail.assistance_number"] == {"value": "+4520304050", "source": "user"}, effective
    shot(page, "voicemail-assistance-number")

    page.reload()
    card = page.get_by_test_id("voicemail-assistance")
    expect(card.get_by_label("Put callers through to").locator("option:checked")).to_have_text(
        "A number I choose"
    )
    expect(card.get_by_label("Assistance number")).to_have_value("+4520304050")

    card.get_by_label("Put callers through to").select_option(value="")  # as set for me
    card.get_by_role("button", name="Save").click()
    expect(card.locator("#voicemail-assistance-hint")).to_have_text("Now: 1000 (set by your organisation)")
    effective, stored = _own_settings(cordboard, user_id)
    assert stored.get("voicemail.assistance_number") is None, stored
