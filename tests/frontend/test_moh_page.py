"""The Music on hold page and the user's own choice (MOH-01..03, CAPA-26, CAPU-20).

An administrator creates the class "jazz", uploads a generated WAV into it (2 s of 440 Hz at
48 kHz, stored by the appliance as 16 kHz mono WAV in <data>/moh/jazz/), sees the upload's
progress, listens to it in the browser's player (streamed from the API), sees a file that is not
audio refused with the API's reason, chooses the class for the organisation, deletes the file and
then the class. A user chooses the music of their own held callers on their profile page and
cannot open the admin page.
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
    BrowserThread,
    Cordboard,
    add_user,
    audio_and_text,
    http_raw,
    login,
    shot,
)
from playwright.sync_api import expect

REFUSED = "The file notes.txt is not an audio file this appliance can read"


@pytest.fixture(scope="module")
def uploads(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return audio_and_text(tmp_path_factory.mktemp("moh-uploads"), "Take Five.wav", seconds=2.0, rate=48000)


def test_admin_manages_music_on_hold(
    cordboard: Cordboard, browser: BrowserThread, uploads: tuple[Path, Path]
) -> None:
    good, bad = uploads
    browser.run(_manage, cordboard, good, bad)
    assert not (cordboard.data / "moh" / "jazz").exists()
    status, listing = cordboard.api("GET", "/api/moh", token=cordboard.token())
    assert status == 200
    assert [c["name"] for c in listing["classes"]] == ["default"] and listing["org_class"] == "default"


def _manage(page: Any, cordboard: Cordboard, good: Path, bad: Path) -> None:
    stored = cordboard.data / "moh" / "jazz" / "Take-Five.wav"
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    nav = page.locator("#nav")
    nav.get_by_role("link", name="Music on hold").click()
    expect(page).to_have_url(cordboard.base + "/moh")
    expect(page.get_by_role("heading", name="Music on hold", exact=True)).to_be_focused()
    expect(nav.get_by_role("link", name="Music on hold")).to_have_attribute("aria-current", "page")
    default = page.locator('[data-testid="moh-class"][data-class="default"]')
    expect(default.get_by_test_id("moh-empty")).to_have_text(
        "No files yet: callers hear the built-in melody."
    )
    expect(default.get_by_test_id("moh-org-badge")).to_have_text("Chosen for the organisation")
    expect(default.get_by_role("button", name="Delete class")).to_have_count(0)

    # A bad name is caught before sending; a good one makes the class.
    page.locator("#moh-new-name").fill("Jazz Club")
    page.get_by_role("button", name="Create class").click()
    expect(page.locator("#moh-new-name-error")).to_have_text("1 to 32 lowercase letters, digits, - and _")
    expect(page.locator("#moh-new-name")).to_be_focused()
    page.locator("#moh-new-name").fill("jazz")
    page.get_by_role("button", name="Create class").click()
    jazz = page.locator('[data-testid="moh-class"][data-class="jazz"]')
    expect(jazz.get_by_role("heading", name="jazz")).to_be_visible()
    expect(page.locator(".toast").last).to_have_text("The class “jazz” was created.")
    assert (cordboard.data / "moh" / "jazz").is_dir()

    # Upload: the request is held back until the progress is seen, then let through.
    held: list[Any] = []

    def hold(route: Any) -> None:  # Playwright wants a Python function here, not a bound builtin
        held.append(route)

    page.route("**/api/moh/classes/jazz/files?*", hold)
    with page.expect_file_chooser() as chooser:
        jazz.get_by_role("button", name="Upload music… jazz").click()
    chooser.value.set_files(str(good))
    expect(jazz.get_by_test_id("moh-progress")).to_be_visible()
    expect(jazz.locator("label[for='moh-progress-jazz']")).to_have_text(
        re.compile(r"(Uploading|Converting) Take Five\.wav…")
    )
    expect(jazz.get_by_role("button", name="Upload music… jazz")).to_be_disabled()
    page.wait_for_function("() => true")  # let the route handler run
    assert len(held) == 1
    assert held[0].request.method == "POST" and "filename=Take%20Five.wav" in held[0].request.url
    with page.expect_response(lambda r: r.request.method == "POST" and "/files?" in r.url) as posted:
        held[0].continue_()
    assert posted.value.status == 201
    page.unroute("**/api/moh/classes/jazz/files?*")
    expect(jazz.get_by_test_id("moh-progress")).to_have_count(0)
    expect(jazz.get_by_test_id("moh-note")).to_have_text("Take-Five.wav was added to “jazz” (0:02).")
    row = jazz.locator('[data-testid="moh-file"][data-file="Take-Five.wav"]')
    expect(row).to_contain_text("0:02")
    with wave.open(str(stored), "rb") as wav:
        assert (wav.getnchannels(), wav.getframerate()) == (1, 16000)
        assert abs(wav.getnframes() / 16000 - 2.0) < 0.05

    # Listening: the player streams the stored WAV from the API.
    row.get_by_role("button", name="Play Take-Five.wav").click()
    audio = row.get_by_test_id("moh-audio")
    expect(audio).to_have_attribute("src", "/api/moh/classes/jazz/files/Take-Five.wav")
    expect(audio).to_have_accessible_name("Take-Five.wav (jazz)")
    page.wait_for_function(
        "el => el.readyState >= 1 && Math.abs(el.duration - 2) < 0.05", arg=audio.element_handle()
    )
    shot(page, "moh-uploaded")

    # Not audio: refused with the API's reason; the class keeps its file.
    with page.expect_file_chooser() as chooser:
        jazz.get_by_role("button", name="Upload music… jazz").click()
    chooser.value.set_files(str(bad))
    expect(jazz.get_by_test_id("moh-error")).to_have_text(REFUSED)
    expect(jazz.get_by_test_id("moh-error")).to_have_attribute("role", "alert")
    expect(jazz.get_by_test_id("moh-file")).to_have_count(1)

    # The organisation's choice.
    page.get_by_label("Callers on hold hear").select_option("jazz")
    page.locator("#moh-org-form").get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("Callers on hold hear “jazz” now.")
    expect(jazz.get_by_test_id("moh-org-badge")).to_be_visible()
    expect(default.get_by_test_id("moh-org-badge")).to_have_count(0)
    status, org = cordboard.api("GET", "/api/settings/org", token=cordboard.token())
    assert status == 200 and org["core.music_on_hold"] == "jazz"
    shot(page, "moh-chosen")

    # The settings page offers the classes as a choice at every level.
    page.goto(cordboard.base + "/settings")
    choice = page.locator("#core-core-music_on_hold")
    expect(choice).to_have_value("jazz")
    expect(choice.locator("option")).to_have_text(["—", "default", "jazz"])
    page.goto(cordboard.base + "/moh")

    # Delete the file, then the class (confirmed in the dialog).
    row.get_by_role("button", name="Delete Take-Five.wav").click()
    dialog = page.locator("dialog.confirm")
    expect(dialog).to_contain_text("Delete “Take-Five.wav” from “jazz”?")
    dialog.get_by_role("button", name="Delete").click()
    expect(jazz.get_by_test_id("moh-file")).to_have_count(0)
    expect(jazz.get_by_test_id("moh-empty")).to_be_visible()
    assert not stored.exists()
    jazz.get_by_role("button", name="Delete class jazz").click()
    dialog = page.locator("dialog.confirm")
    expect(dialog).to_contain_text("Delete the class “jazz” and its 0 files?")
    dialog.get_by_role("button", name="Delete class").click()
    expect(jazz).to_have_count(0)
    expect(page.locator(".toast").last).to_have_text("The class “jazz” was deleted.")
    expect(default.get_by_test_id("moh-org-badge")).to_be_visible()  # the choice of it was cleared


def test_user_chooses_their_music_on_hold(cordboard: Cordboard, browser: BrowserThread) -> None:
    token = cordboard.token()
    for name in ("lounge", "classic"):
        status, body = cordboard.api("POST", "/api/moh/classes", {"name": name}, token)
        assert status == 201, body
    status, body = cordboard.api("PUT", "/api/settings/org", {"core.music_on_hold": "classic"}, token)
    assert status == 200, body
    user_id, password = add_user(cordboard, "moh-user", "2461", "Maja", "Holm", sip=False)
    user_token = cordboard.token("moh-user", password)
    assert cordboard.api("GET", "/api/moh", token=user_token)[0] == 403
    status, _ = http_raw(
        "POST", cordboard.base + "/api/moh/classes/lounge/files?filename=a.wav", b"RIFF", user_token
    )
    assert status == 403
    browser.run(_choose, cordboard, password)
    status, effective = cordboard.api("GET", f"/api/settings/effective/{user_id}", token=user_token)
    assert effective["core.music_on_hold"] == {"value": "classic", "source": "org"}


def _choose(page: Any, cordboard: Cordboard, password: str) -> None:
    login(page, cordboard.base, "moh-user", password)
    nav = page.locator("#nav")
    expect(nav.get_by_role("link", name="Music on hold")).to_have_count(0)
    nav.get_by_role("link", name="My profile").click()
    card = page.get_by_test_id("moh-choice")
    expect(card.get_by_role("heading", name="Music on hold")).to_be_visible()
    select = card.get_by_label("Music", exact=True)
    expect(select).to_have_value("")
    expect(select.locator("option")).to_have_text(["As set for me: classic", "classic", "default", "lounge"])
    expect(card.get_by_role("button", name="Save")).to_be_disabled()
    select.select_option("lounge")
    card.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("Your callers on hold hear “lounge” now.")
    page.reload()
    expect(page.get_by_test_id("moh-choice").get_by_label("Music", exact=True)).to_have_value("lounge")
    shot(page, "moh-user-choice")
    card = page.get_by_test_id("moh-choice")
    expect(card.get_by_role("option", name="As set for me (by my group or the organisation)")).to_have_count(
        1
    )
    card.get_by_label("Music", exact=True).select_option("")
    card.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("Your callers on hold hear the music chosen for you.")
    expect(card.get_by_label("Music", exact=True)).to_have_value("")
    expect(card.get_by_role("option", name="As set for me: classic")).to_have_count(1)
    # The admin page is not theirs.
    page.goto(cordboard.base + "/moh")
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page.get_by_test_id("moh-class")).to_have_count(0)
