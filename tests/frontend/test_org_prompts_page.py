"""The Prompts page's "Our prompts": an administrator creates the organisation's own prompt by upload,
plays it, edits it and deletes it (PRM-01..03, PRM-05).

The admin tries to create "Welcome" without anything (every field is named), then with a text file
(refused with the API's reason next to the file field), then with a generated WAV (1 s of 440 Hz at
8 kHz, in Danish): it is listed with its description and language and converted to
<data>/prompts/org/<n>/da.wav at 16 kHz. Playing it fetches the WAV into an <audio> element. A
second prompt cannot take the same name. Editing renames it, adds an English recording and removes
the Danish one; deleting, after a confirmation, removes the row and the recordings.
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
    audio_and_text,
    login,
    shot,
    tone_wav,
)
from playwright.sync_api import expect


def is_create(response: Any) -> bool:
    return bool(response.request.method == "POST" and response.url.endswith("/api/prompts"))


REFUSED = "The file for “Welcome” is not an audio file this appliance can read"


@pytest.fixture(scope="module")
def uploads(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    work = tmp_path_factory.mktemp("org-prompt-uploads")
    danish, bad = audio_and_text(work, "velkommen.wav", seconds=1.0)
    english = tone_wav(work / "welcome.wav", seconds=2.0, frequency=660.0, rate=16000)
    return danish, english, bad


def test_admin_creates_plays_edits_and_deletes_an_own_prompt(
    cordboard: Cordboard, browser: BrowserThread, uploads: tuple[Path, Path, Path]
) -> None:
    browser.run(_own_prompt, cordboard, *uploads)
    status, listing = cordboard.api("GET", "/api/prompts?kind=org", token=cordboard.token())
    assert status == 200 and listing["prompts"] == []
    assert not any((cordboard.data / "prompts" / "org").iterdir())


def _own_prompt(page: Any, cordboard: Cordboard, danish: Path, english: Path, bad: Path) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    page.locator("#nav").get_by_role("link", name="Prompts").click()
    expect(page).to_have_url(cordboard.base + "/prompts")
    section = page.get_by_test_id("org-prompts-section")
    expect(section.get_by_role("heading", name="Our prompts")).to_be_visible()
    expect(section.get_by_test_id("org-prompts-empty")).to_be_visible()
    # The system prompts are still listed below, under their own heading.
    expect(page.get_by_role("heading", name="System prompts")).to_be_visible()
    expect(page.locator('[data-testid="prompt"][data-prompt="goodbye"]')).to_have_count(1)

    form = page.get_by_test_id("org-prompt-new")
    create = form.get_by_role("button", name="Create prompt")
    # Nothing filled in: each required field says so, next to it.
    create.click()
    for field in ("Name", "Description", "Audio file"):
        control = form.get_by_label(field)
        expect(control).to_have_attribute("aria-invalid", "true")
    expect(form.locator("#org-new-name-error")).to_have_text("This field is required.")
    expect(form.locator("#org-new-file-error")).to_have_text("This field is required.")
    expect(form.get_by_label("Name")).to_be_focused()

    form.get_by_label("Name").fill("Welcome")
    form.get_by_label("Description").fill("Greets callers in the main menu during opening hours.")
    expect(form.get_by_label("Language of the recording")).to_have_value("en")  # the organisation's
    form.get_by_label("Language of the recording").select_option("da")
    # Not audio: the API's reason, next to the file field.
    form.get_by_label("Audio file").set_input_files(str(bad))
    with page.expect_response(is_create) as post:
        create.click()
    assert post.value.status == 400
    expect(form.locator("#org-new-file-error")).to_contain_text(REFUSED)
    expect(form.locator("#org-new-error")).to_contain_text(REFUSED)
    expect(section.get_by_test_id("org-prompt")).to_have_count(0)
    shot(page, "org-prompts-refused")

    form.get_by_label("Audio file").set_input_files(str(danish))
    with page.expect_response(is_create) as post:
        create.click()
    assert post.value.status == 201
    assert post.value.request.headers["content-type"].startswith("multipart/form-data")
    created = post.value.json()
    prompt_id = created["id"]
    assert re.fullmatch(r"org:\d+", prompt_id)
    expect(page.locator(".toast").last).to_have_text("The prompt “Welcome” was created.")
    row = section.locator(f'[data-testid="org-prompt"][data-prompt-id="{prompt_id}"]')
    expect(row.get_by_test_id("org-prompt-name")).to_have_text("Welcome")
    expect(row.get_by_test_id("org-prompt-description")).to_have_text(
        "Greets callers in the main menu during opening hours."
    )
    expect(row).to_contain_text(f"Id for settings: {prompt_id}")
    expect(form.get_by_label("Name")).to_have_value("")  # the form is ready for the next one
    stored = cordboard.data / "prompts" / "org" / prompt_id.removeprefix("org:") / "da.wav"
    with wave.open(str(stored), "rb") as wav:
        assert wav.getnchannels() == 1 and wav.getframerate() == 16000
        assert abs(wav.getnframes() / 16000 - 1.0) < 0.05

    # Play the Danish recording: fetched with the session into an <audio> element.
    wav_url = re.compile(r"/api/prompts/da/org(:|%3A)\d+\.wav$")
    with page.expect_response(lambda r: bool(wav_url.search(r.url))) as answer:
        row.get_by_role("button", name="Play Welcome (Dansk)").click()
    assert answer.value.status == 200 and answer.value.headers["content-type"] == "audio/wav"
    audio = row.get_by_test_id("org-prompt-audio")
    expect(audio).to_have_attribute("src", re.compile(r"^blob:"))
    expect(audio).to_have_accessible_name("Prompt Welcome (Dansk)")
    page.wait_for_function(
        "el => el.readyState >= 1 && Math.abs(el.duration - 1) < 0.05", arg=audio.element_handle()
    )

    # A second prompt may not take the name, whatever the case: said next to the name.
    form.get_by_label("Name").fill("WELCOME")
    form.get_by_label("Description").fill("Another one")
    form.get_by_label("Audio file").set_input_files(str(danish))
    create.click()
    expect(form.locator("#org-new-name-error")).to_have_text(
        "A prompt named “WELCOME” exists already; choose another name"
    )
    expect(form.get_by_label("Name")).to_be_focused()
    expect(section.get_by_test_id("org-prompt")).to_have_count(1)

    # Edit: rename, add English, remove Danish.
    row.get_by_role("button", name="Edit Welcome").click()
    editor = section.get_by_test_id("org-prompt-edit")
    expect(editor.get_by_role("heading", name="Edit “Welcome”")).to_be_focused()
    editor.get_by_label("Name").fill("")
    editor.get_by_role("button", name="Save").click()
    expect(editor.locator("#org-edit-name-error")).to_have_text("This field is required.")
    editor.get_by_label("Name").fill("Welcome (day)")
    editor.get_by_label("Description").fill("Greets callers during opening hours.")
    editor.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("The prompt “Welcome (day)” was saved.")
    expect(row.get_by_test_id("org-prompt-name")).to_have_text("Welcome (day)")
    expect(row.get_by_test_id("org-prompt-description")).to_have_text("Greets callers during opening hours.")
    expect(editor).to_have_count(0)
    expect(row.get_by_role("button", name="Edit Welcome (day)")).to_be_focused()

    row.get_by_role("button", name="Edit Welcome (day)").click()
    english_row = editor.locator('[data-testid="org-recording"][data-lang="en"]')
    danish_row = editor.locator('[data-testid="org-recording"][data-lang="da"]')
    expect(english_row.get_by_test_id("org-recording-status")).to_have_text("Not recorded")
    remove_danish = danish_row.get_by_role("button", name="Remove the Dansk recording of Welcome (day)")
    expect(remove_danish).to_have_count(0)
    with page.expect_file_chooser() as chooser:
        english_row.get_by_role("button", name="Recording of Welcome (day) in English").click()
    with page.expect_response(lambda r: r.request.method == "PUT") as put:
        chooser.value.set_files(str(english))
    assert put.value.status == 200
    expect(english_row.get_by_test_id("org-recording-note")).to_have_text(
        re.compile(r"The English recording of “Welcome \(day\)” is used now \(2(\.0)? s\)\.")
    )
    expect(english_row.get_by_test_id("org-recording-status")).to_have_text(re.compile(r"^2(\.0)? s$"))
    expect(row.get_by_role("button", name="Play Welcome (day) (English)")).to_be_visible()
    remove_danish.click()
    page.locator("dialog.confirm").get_by_role("button", name="Remove").click()
    expect(danish_row.get_by_test_id("org-recording-status")).to_have_text("Not recorded")
    expect(row.get_by_role("button", name="Play Welcome (day) (Dansk)")).to_have_count(0)
    assert not stored.exists()
    shot(page, "org-prompts-edit")
    editor.get_by_role("button", name="Cancel").click()

    # On a phone the list becomes labelled rows, without scrolling sideways.
    page.set_viewport_size(PHONE)
    expect(row.get_by_test_id("org-prompt-name")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "org-prompts-phone", full_page=False)
    page.set_viewport_size({"width": 1280, "height": 900})

    # Delete, after confirming (cancel first keeps it).
    row.get_by_role("button", name="Delete Welcome (day)").click()
    dialog = page.locator("dialog.confirm")
    expect(dialog).to_contain_text("Delete the prompt “Welcome (day)” and all its recordings?")
    dialog.get_by_role("button", name="Cancel").click()
    expect(row).to_have_count(1)
    row.get_by_role("button", name="Delete Welcome (day)").click()
    page.locator("dialog.confirm").get_by_role("button", name="Delete").click()
    expect(page.locator(".toast").last).to_have_text("The prompt “Welcome (day)” was deleted.")
    expect(section.get_by_test_id("org-prompt")).to_have_count(0)
    expect(section.get_by_test_id("org-prompts-empty")).to_be_visible()
