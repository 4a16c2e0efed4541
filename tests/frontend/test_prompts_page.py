"""The Prompts page: an administrator listens to, replaces and restores a voice prompt (PRM-01..03).

The admin picks Danish, finds "goodbye" ("Farvel."), plays the system prompt (espeak-ng speaks it
on first use), replaces it by a generated WAV (1 s of 440 Hz at 8 kHz, converted by the appliance
to 16 kHz), which lands in <data>/prompts/custom/da/goodbye.wav, and plays that; a file that is
not audio is refused with the API's reason next to the row; restoring deletes the recording. A
user without the admin role sees no Prompts entry and the page refuses them.
"""

from __future__ import annotations

import re
import wave
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import (
    ADMIN,
    ADMIN_PASSWORD,
    PHONE,
    BrowserThread,
    Cordboard,
    add_user,
    audio_and_text,
    http_raw,
    login,
    shot,
)
from playwright.sync_api import expect

REFUSED = "is not an audio file this appliance can read"


@pytest.fixture(scope="module")
def uploads(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return audio_and_text(tmp_path_factory.mktemp("prompt-uploads"), "farvel.wav", seconds=1.0)


def test_admin_replaces_and_restores_a_prompt(
    cordboard: Cordboard, browser: BrowserThread, uploads: tuple[Path, Path]
) -> None:
    good, bad = uploads
    # What the API says about the non-audio file, for comparing with what the page shows.
    status, refused = http_raw(
        "PUT", cordboard.base + "/api/prompts/da/n7", bad.read_bytes(), cordboard.token(), "text/plain"
    )
    assert status == 400, refused
    reason = refused["error"]["message"].replace("n7", "goodbye")
    assert REFUSED in reason
    browser.run(_replace_and_restore, cordboard, good, bad, reason)
    custom = cordboard.data / "prompts" / "custom" / "da" / "goodbye.wav"
    assert not custom.exists()
    status, listing = cordboard.api("GET", "/api/prompts", token=cordboard.token())
    assert status == 200
    goodbye = next(p for p in listing["prompts"] if p["id"] == "goodbye")
    assert goodbye["custom"] == []


def _replace_and_restore(page: Any, cordboard: Cordboard, good: Path, bad: Path, reason: str) -> None:
    custom = cordboard.data / "prompts" / "custom" / "da" / "goodbye.wav"
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    nav = page.locator("#nav")
    # Listed next to System in the administration navigation.
    links = nav.get_by_role("link").all_inner_texts()
    assert links[links.index("System") + 1] == "Prompts", links
    nav.get_by_role("link", name="Prompts").click()
    expect(page).to_have_url(cordboard.base + "/prompts")
    expect(page.get_by_role("heading", name="Voice prompts")).to_be_focused()
    expect(nav.get_by_role("link", name="Prompts")).to_have_attribute("aria-current", "page")
    # The UI speaks English (locale en-GB), so the prompts are shown in English first.
    expect(page.get_by_label("Language", exact=True)).to_have_value("en")
    row = page.locator('[data-testid="prompt"][data-prompt="goodbye"]')
    expect(row.get_by_test_id("prompt-text")).to_have_text("Goodbye.")

    page.get_by_label("Language", exact=True).select_option("da")
    page.get_by_label("Search prompts").fill("farvel")
    expect(page.get_by_test_id("prompt")).to_have_count(1)
    expect(row.get_by_test_id("prompt-text")).to_have_text("Farvel.")
    expect(row.get_by_test_id("prompt-custom")).to_have_count(0)
    expect(row.get_by_role("button", name="Restore system prompt")).to_have_count(0)

    # The system prompt, spoken by espeak-ng on first use, fetched with the session and played.
    with page.expect_response(lambda r: r.url.endswith("/api/prompts/da/goodbye.wav")) as answer:
        row.get_by_role("button", name="Play goodbye").click()
    assert answer.value.status == 200
    assert answer.value.headers["content-type"] == "audio/wav"
    audio = row.get_by_test_id("prompt-audio")
    expect(audio).to_have_attribute("src", re.compile(r"^blob:"))
    assert (cordboard.data / "prompts" / "system" / "da" / "goodbye.wav").is_file()

    # Replace… opens the file chooser; the file goes up as the body of the PUT.
    with page.expect_file_chooser() as chooser:
        row.get_by_role("button", name="Replace… goodbye").click()
    with page.expect_response(lambda r: r.request.method == "PUT") as put:
        chooser.value.set_files(str(good))
    assert put.value.status == 200
    # The raw file, typed by the browser from its name (Playwright does not expose a File body).
    assert put.value.request.headers["content-type"] in ("audio/wav", "audio/x-wav")
    expect(row.get_by_test_id("prompt-custom")).to_have_text("Custom recording")
    note = re.compile(r"Your recording is used now \(1(\.\d)? s\)\.")
    expect(row.get_by_test_id("prompt-note")).to_have_text(note)
    expect(row.get_by_test_id("prompt-audio")).to_have_count(0)  # the system prompt's player is gone
    with wave.open(str(custom), "rb") as wav:
        assert wav.getnchannels() == 1 and wav.getframerate() == 16000
        assert abs(wav.getnframes() / 16000 - 1.0) < 0.05
    shot(page, "prompts-replaced")

    # Playing now fetches the recording: a WAV of about one second in the <audio> element.
    with page.expect_response(lambda r: r.url.endswith("/api/prompts/da/goodbye.wav")) as answer:
        row.get_by_role("button", name="Play goodbye").click()
    assert answer.value.status == 200
    assert answer.value.headers["content-type"] == "audio/wav"
    assert answer.value.headers["content-length"] == str(custom.stat().st_size)
    audio = row.get_by_test_id("prompt-audio")
    expect(audio).to_have_attribute("src", re.compile(r"^blob:"))
    expect(audio).to_have_accessible_name("Prompt goodbye (Dansk)")
    page.wait_for_function(
        "el => el.readyState >= 1 && Math.abs(el.duration - 1) < 0.05", arg=audio.element_handle()
    )

    # A file that is not audio: refused, with the API's reason next to the row; the recording stays.
    with page.expect_file_chooser() as chooser:
        row.get_by_role("button", name="Replace… goodbye").click()
    chooser.value.set_files(str(bad))
    expect(row.get_by_test_id("prompt-error")).to_have_text(reason)
    expect(row.get_by_test_id("prompt-error")).to_have_attribute("role", "alert")
    expect(row.get_by_test_id("prompt-custom")).to_be_visible()
    assert custom.is_file()
    shot(page, "prompts-refused")

    # Restore, after confirming in the dialog: the badge and the file are gone.
    row.get_by_role("button", name="Restore system prompt goodbye").click()
    dialog = page.locator("dialog.confirm")
    expect(dialog).to_contain_text("Delete your recording of “goodbye” (Dansk)")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    assert custom.is_file()
    row.get_by_role("button", name="Restore system prompt goodbye").click()
    page.locator("dialog.confirm").get_by_role("button", name="Restore system prompt").click()
    expect(row.get_by_test_id("prompt-custom")).to_have_count(0)
    expect(row.get_by_role("button", name="Restore system prompt goodbye")).to_have_count(0)
    expect(page.locator(".toast").last).to_have_text("The system prompt “goodbye” is used again.")
    assert not custom.exists()

    # The English prompt was never replaced; the search matches ids as well as texts.
    page.get_by_label("Search prompts").fill("leave message")
    expect(page.get_by_test_id("prompt")).to_have_count(1)
    expect(page.locator('[data-prompt="leave_message"]').get_by_test_id("prompt-text")).to_have_text(
        "Læg venligst en besked efter tonen."
    )
    # On a phone the table becomes labelled rows, without scrolling sideways.
    page.set_viewport_size(PHONE)
    page.get_by_label("Search prompts").fill("")
    expect(page.get_by_test_id("prompt-count")).to_have_text(re.compile(r"^(\d+) of \1 prompts$"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "prompts-phone", full_page=False)


def test_users_see_no_prompts_page(cordboard: Cordboard, browser: BrowserThread) -> None:
    _, password = add_user(cordboard, "prompt-user", "2451", "Pia", "Hansen", sip=False)
    status, body = cordboard.api("GET", "/api/prompts", token=cordboard.token("prompt-user", password))
    assert status == 403, body
    browser.run(_no_prompts_for_users, cordboard, password)


def _no_prompts_for_users(page: Any, cordboard: Cordboard, password: str) -> None:
    login(page, cordboard.base, "prompt-user", password)
    nav = page.locator("#nav")
    expect(nav.get_by_role("link", name="My profile")).to_be_visible()
    expect(nav.get_by_role("link", name="Prompts")).to_have_count(0)
    page.goto(cordboard.base + "/prompts")
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page.get_by_test_id("prompt")).to_have_count(0)
