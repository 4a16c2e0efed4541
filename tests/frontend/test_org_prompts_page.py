"""The Prompts page's "Our prompts": an administrator creates the organisation's own prompt by upload,
plays it, edits it and deletes it (PRM-01..03, PRM-05).

The admin tries to create "Welcome" without anything (every field is named), then with a text file
(refused with the API's reason next to the file field), then with a generated WAV (1 s of 440 Hz at
8 kHz, in Danish): it is listed with its description and language and converted to
<data>/prompts/org/<n>/da.wav at 16 kHz. Playing it fetches the WAV into an <audio> element. A
second prompt cannot take the same name. Editing renames it, adds an English recording and removes
the Danish one; deleting, after a confirmation, removes the row and the recordings.

PRM-06: a user chooses one of the organisation's prompts as their "Announcement before connect" on
their profile page (the choices: none and the prompts by name); an administrator changes it back to
none on the user's page; an id that is no prompt is refused naming the setting.
"""

from __future__ import annotations

import re
import secrets
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
    # Another administrator has just made a prompt "Evening": the API refuses the name, said next
    # to it with the focus there, and the editor stays open with what was typed.
    evening = _upload_prompt(cordboard, "Evening", english)
    editor.get_by_label("Name").fill("evening")
    editor.get_by_role("button", name="Save").click()
    expect(editor.locator("#org-edit-name-error")).to_have_text(
        "A prompt named “evening” exists already; choose another name"
    )
    expect(editor.get_by_label("Name")).to_be_focused()
    expect(editor.get_by_label("Name")).to_have_value("evening")
    status, _ = cordboard.api("DELETE", f"/api/prompts/{evening}", token=cordboard.token())
    assert status == 204
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


ANNOUNCEMENT = "core.announcement_before_connect"


def _upload_prompt(cordboard: Cordboard, name: str, wav: Path) -> str:
    """One of the organisation's prompts (English recording ``wav``), created over the API; its id."""
    boundary = secrets.token_hex(8)
    fields = (("name", name), ("description", f"{name} for the test"), ("language", "en"))
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields
    )
    body += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{wav.name}"\r\n'
        "Content-Type: audio/wav\r\n\r\n".encode()
        + wav.read_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    status, created = http_raw(
        "POST",
        cordboard.base + "/api/prompts",
        body,
        cordboard.token(),
        f"multipart/form-data; boundary={boundary}",
    )
    assert status == 201, created
    return str(created["id"])


def test_prm_06_announcement_before_connect_on_the_profile_and_user_pages(
    cordboard: Cordboard, browser: BrowserThread, uploads: tuple[Path, Path, Path]
) -> None:
    prompt_id = _upload_prompt(cordboard, "Before ringing", uploads[1])
    user_id, password = add_user(cordboard, "announcer", "2481", "Alma", "Announcer", sip=False)
    user_token = cordboard.token("announcer", password)
    status, listing = cordboard.api("GET", "/api/announcement-prompts", token=user_token)
    assert status == 200 and listing["prompts"] == [{"id": prompt_id, "name": "Before ringing"}], listing

    browser.run(_user_chooses_announcement, cordboard, password, prompt_id)
    status, effective = cordboard.api("GET", f"/api/settings/effective/{user_id}", token=user_token)
    assert effective[ANNOUNCEMENT] == {"value": prompt_id, "source": "user"}
    status, body = cordboard.api(
        "PUT", f"/api/settings/user/{user_id}", {ANNOUNCEMENT: "org:999"}, user_token
    )
    assert status == 400 and ANNOUNCEMENT in body["error"]["fields"], body
    assert "org:999" in body["error"]["fields"][ANNOUNCEMENT]

    browser.run(_admin_turns_announcement_off, cordboard, user_id)
    status, effective = cordboard.api("GET", f"/api/settings/effective/{user_id}", token=user_token)
    assert effective[ANNOUNCEMENT] == {"value": "none", "source": "user"}
    status, body = cordboard.api("DELETE", f"/api/prompts/{prompt_id}", token=cordboard.token())
    assert status in (200, 204), body


def _user_chooses_announcement(page: Any, cordboard: Cordboard, password: str, prompt_id: str) -> None:
    login(page, cordboard.base, "announcer", password)
    page.locator("#nav").get_by_role("link", name="My profile").click()
    card = page.get_by_test_id("announcement-choice")
    expect(card.get_by_role("heading", name="Announcement before connect")).to_be_visible()
    select = card.get_by_label("Announcement", exact=True)
    expect(select).to_have_value("")
    expect(select.locator("option")).to_have_text(["As set for me: None", "None", "Before ringing"])
    select.select_option(label="Before ringing")
    card.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text(
        "Your callers hear “Before ringing” before your phones ring."
    )
    page.reload()
    expect(page.get_by_test_id("announcement-choice").get_by_label("Announcement", exact=True)).to_have_value(
        prompt_id
    )
    shot(page, "announcement-user-choice")


def _admin_turns_announcement_off(page: Any, cordboard: Cordboard, user_id: int) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD, f"/users/{user_id}")
    card = page.get_by_test_id("announcement-choice")
    expect(card).to_contain_text("A prompt this user's callers hear before the user's phones start to ring.")
    select = card.get_by_label("Announcement", exact=True)
    expect(select.locator("option:checked")).to_have_text("Before ringing")
    select.select_option(label="None")
    card.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("This user's callers hear no announcement now.")
    expect(select).to_have_value("none")
    shot(page, "announcement-admin-choice")
