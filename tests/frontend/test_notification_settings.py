"""A user's e-mail notifications on their profile page in a real browser (NTF-01, NTF-02).

The user sees their own e-mail address as the placeholder of the notification address (NTF-01:
empty means their own), types another address and turns on the e-mail about missed calls
(NTF-02); both are stored as their own settings (checked over the API), and the events they did not
touch keep what the organisation set. A bad address gets the server's error at the field. In
German the field has its German label.
"""

from __future__ import annotations

from typing import Any

from e2e_helpers import BrowserThread, Cordboard, add_user, login, shot
from playwright.sync_api import expect

ADDRESS = "ntf.private@example.org"
BAD_ADDRESS = "expected an e-mail address such as anna@example.com"


def test_ntf_01_02_the_user_sets_address_and_events(cordboard: Cordboard, browser: BrowserThread) -> None:
    user_id, password = add_user(cordboard, "ntf-user", "2471", "Nora", "Fisk", sip=False)
    browser.run(_choose, cordboard, password)
    token = cordboard.token("ntf-user", password)
    status, stored = cordboard.api("GET", f"/api/settings/user/{user_id}", token=token)
    assert status == 200, stored
    assert stored["notify.email_address"] == ADDRESS
    assert stored["notify.on_missed_call"] is True
    assert "notify.on_account_change" not in stored  # untouched: the organisation's default applies
    status, effective = cordboard.api("GET", f"/api/settings/effective/{user_id}", token=token)
    assert effective["notify.on_account_change"] == {"value": True, "source": "default"}

    status, body = cordboard.api("PATCH", f"/api/users/{user_id}", {"language": "de"}, cordboard.token())
    assert status == 200, body
    browser.run(_in_german, cordboard, password)


def _choose(page: Any, cordboard: Cordboard, password: str) -> None:
    login(page, cordboard.base, "ntf-user", password)
    page.locator("#nav").get_by_role("link", name="My profile").click()
    card = page.get_by_test_id("notification-settings")
    expect(card.get_by_role("heading", name="Notifications")).to_be_visible()
    address = card.get_by_label("E-mail address for notifications")
    expect(address).to_have_value("")
    expect(address).to_have_attribute("placeholder", "ntf-user@example.com")
    missed = card.get_by_label("A call to me that nobody answered")
    expect(missed).not_to_be_checked()
    expect(card.get_by_label("My voice mailbox is full")).to_be_checked()

    address.fill("not an address")
    card.get_by_role("button", name="Save").click()
    expect(page.locator("#ntf-address-error")).to_have_text(BAD_ADDRESS)
    expect(address).to_be_focused()

    address.fill(ADDRESS)
    missed.check()
    card.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("Your notification settings are saved.")
    expect(page.locator("#ntf-address-error")).to_have_text("")
    page.reload()
    card = page.get_by_test_id("notification-settings")
    expect(card.get_by_label("E-mail address for notifications")).to_have_value(ADDRESS)
    expect(card.get_by_label("A call to me that nobody answered")).to_be_checked()
    shot(page, "notification-settings")


def _in_german(page: Any, cordboard: Cordboard, password: str) -> None:
    login(page, cordboard.base, "ntf-user", password, path="/login")
    page.goto(cordboard.base + "/profile")
    card = page.get_by_test_id("notification-settings")
    expect(card.get_by_role("heading", name="Benachrichtigungen")).to_be_visible()
    expect(card.get_by_label("E-Mail-Adresse für Benachrichtigungen")).to_have_value(ADDRESS)
