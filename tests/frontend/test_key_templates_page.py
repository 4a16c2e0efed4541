"""Key templates in the web UI (PROV-08, CAPA-05/31, CAPU-24).

An administrator creates the template "Reception" on the Key templates page (a BLF value that is
no extension is refused next to the field before sending), assigns it on a user's page, and that
user changes a key of their own on their profile: the phone's keys then show it, key 1 stays
their line.
"""

from __future__ import annotations

from typing import Any

from e2e_helpers import ADMIN, ADMIN_PASSWORD, BrowserThread, Cordboard, add_user, login, shot
from playwright.sync_api import expect


def test_create_assign_and_change_a_key(cordboard: Cordboard, browser: BrowserThread) -> None:
    add_user(cordboard, "kt-bob", "2101", "Bob", "Berg", sip=False)
    add_user(cordboard, "kt-kim", "2102", "Kim", "Krag", sip=False)
    user_id, password = add_user(cordboard, "kt-user", "2100", "Ulla", "Uhd", sip=False)
    browser.run(_create_and_assign, cordboard, user_id)
    token = cordboard.token()
    status, layout = cordboard.api("GET", f"/api/users/{user_id}/key-template", token=token)
    assert status == 200, layout
    assert [k["label"] for k in layout["keys"]] == ["2100", "Bob Berg", "Emergency"]

    browser.run(_user_changes_a_key, cordboard, password)
    status, layout = cordboard.api("GET", f"/api/users/{user_id}/key-template", token=token)
    assert [(k["index"], k["kind"], k["value"], k["label"]) for k in layout["keys"]] == [
        (1, "line", "1", "2100"),
        (2, "blf", "2101", "Bob Berg"),
        (3, "speed_dial", "112", "Emergency"),
        (4, "blf", "2102", "Kim K"),
    ]
    status, templates = cordboard.api("GET", "/api/key-templates", token=token)
    assert [(t["name"], t["users"]) for t in templates] == [("Reception", 1)]


def _create_and_assign(page: Any, cordboard: Cordboard, user_id: int) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    nav = page.locator("#nav")
    nav.get_by_role("link", name="Key templates").click()
    expect(page).to_have_url(cordboard.base + "/key-templates")
    expect(page.get_by_role("heading", name="Key templates", exact=True)).to_be_focused()
    expect(page.get_by_test_id("key-templates-empty")).to_be_visible()

    page.get_by_role("button", name="New template").click()
    expect(page.locator("#template-name")).to_be_focused()
    page.locator("#template-name").fill("Reception")
    page.get_by_role("button", name="Add key").click()
    expect(page.locator("#template-key-0-index")).to_have_value("2")
    expect(page.locator("#template-key-0-kind")).to_have_value("blf")
    page.locator("#template-key-0-value").fill("2999")
    page.get_by_role("button", name="Add key").click()
    page.locator("#template-key-1-kind").select_option("speed_dial")
    page.locator("#template-key-1-value").fill("112")
    page.locator("#template-key-1-label").fill("Emergency")
    page.locator("#key-template-form").get_by_role("button", name="Create").click()
    expect(page.locator("#template-key-0-value-error")).to_have_text("No user has extension 2999")
    expect(page.locator("#template-key-0-value")).to_be_focused()
    page.locator("#template-key-0-value").fill("2101")
    page.locator("#key-template-form").get_by_role("button", name="Create").click()
    expect(page.locator(".toast").last).to_have_text("Template Reception created.")
    rows = page.get_by_test_id("key-templates").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Reception")
    shot(page, "key-templates")

    page.goto(f"{cordboard.base}/users/{user_id}")
    card = page.get_by_test_id("user-key-template")
    expect(card.get_by_role("heading", name="Phone keys")).to_be_visible()
    card.locator("#user-key-template").select_option(label="Reception")
    card.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("Saved")
    card.locator("summary").click()
    expect(card.get_by_test_id("user-effective-keys")).to_contain_text("Bob Berg")


def _user_changes_a_key(page: Any, cordboard: Cordboard, password: str) -> None:
    login(page, cordboard.base, "kt-user", password)
    page.goto(cordboard.base + "/profile")
    card = page.get_by_test_id("my-keys")
    expect(card.get_by_role("heading", name="My phone keys")).to_be_visible()
    expect(card.locator("#my-key-template")).to_have_value(str(_selected(card)))
    effective = card.get_by_test_id("my-effective-keys")
    expect(effective.locator("tbody tr")).to_have_count(3)
    expect(effective.locator("tbody tr").first).to_contain_text("2100")

    card.get_by_role("button", name="Add key").click()
    expect(card.locator("#my-key-0-index")).to_have_value("2")
    card.locator("#my-key-0-index").fill("1")
    card.get_by_role("button", name="Save", exact=True).click()
    expect(card.locator("#my-key-0-index-error")).to_have_text("A key number from 2 to 100")
    card.locator("#my-key-0-index").fill("4")
    card.locator("#my-key-0-value").fill("2102")
    card.locator("#my-key-0-label").fill("Kim K")
    card.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".toast").last).to_have_text("Saved")
    expect(effective.locator("tbody tr")).to_have_count(4)
    expect(effective.locator("tbody tr").last).to_contain_text("Kim K")
    shot(page, "my-phone-keys")


def _selected(card: Any) -> str:
    """The value of the template option named Reception (the template's id)."""
    return str(card.locator("#my-key-template option", has_text="Reception").get_attribute("value"))
