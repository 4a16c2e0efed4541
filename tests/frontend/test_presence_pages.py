"""Presence in the web UI (PRS-01..06, PRS-10, CAPA-08).

The administrator defines an activity with a Danish label, a role and a shortcut for everyone on the
Presence settings page; a user then sets do-not-disturb, applies the shortcut with one click, picks an
activity (its availability follows), is told next to the field about a diversion that is no number,
sees a change the administrator makes live, and plans an activity for tomorrow (PRS-06). The
administrator clears the user's DND from the overview and from the user's page.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from e2e_helpers import ADMIN, ADMIN_PASSWORD, BrowserThread, Cordboard, add_user, login, shot
from playwright.sync_api import expect


def test_prs_admin_presence_settings_and_user_presence_control(
    cordboard: Cordboard, browser: BrowserThread
) -> None:
    user_id, password = add_user(cordboard, "pr-user", "2300", "Pia", "Prinz", sip=False)
    browser.run(_admin_defines_presence, cordboard)
    token = cordboard.token()
    status, activities = cordboard.api("GET", "/api/presence/activities", token=token)
    assert status == 200 and [(a["id"], a["name"], a["show_as"], a["labels"]) for a in activities] == [
        (5, "Lunch", "busy", {"da": "Frokost"}),
        (6, "Office", "available", {}),
    ]

    browser.run(_user_sets_presence, cordboard, user_id, password)
    status, presence = cordboard.api("GET", f"/api/users/{user_id}/presence", token=token)
    assert status == 200, presence
    assert (presence["activity_id"], presence["availability"], presence["dnd"]) == (6, "available", True)
    status, plans = cordboard.api("GET", f"/api/users/{user_id}/presence/plans", token=token)
    assert status == 200 and [p["activity_id"] for p in plans] == [5]

    browser.run(_admin_clears_dnd, cordboard, user_id)
    status, presence = cordboard.api("GET", f"/api/users/{user_id}/presence", token=token)
    assert presence["dnd"] is False


def _admin_defines_presence(page: Any, cordboard: Cordboard) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    page.locator("#nav").get_by_role("link", name="Presence", exact=True).click()
    expect(page).to_have_url(cordboard.base + "/presence-settings")
    expect(page.get_by_role("heading", name="Presence settings")).to_be_focused()

    activities = page.get_by_test_id("presence-activitys")
    activities.get_by_role("button", name="Add").click()
    page.locator("#presence-item-id").fill("5")
    page.locator("#presence-item-name").fill("Lunch")
    page.locator("#presence-item-label-da").fill("Frokost")
    page.locator("#presence-edit-form").get_by_role("button", name="Save").click()
    expect(activities.locator("tbody tr")).to_have_count(1)
    expect(activities.locator("tbody tr").first).to_contain_text("Frokost")
    # A keyboard user types straight after "Add": the form's first field has the focus by then.
    activities.get_by_role("button", name="Add").click()
    page.keyboard.press("Tab")
    page.keyboard.type("Office")
    expect(page.locator("#presence-item-name")).to_have_value("Office")
    page.locator("#presence-item-show-as").select_option("available")
    page.locator("#presence-edit-form").get_by_role("button", name="Save").click()
    expect(activities.locator("tbody tr")).to_have_count(2)
    expect(activities.locator("tbody tr").nth(1)).to_contain_text("Available")

    roles = page.get_by_test_id("presence-roles")
    roles.get_by_role("button", name="Add").click()
    page.locator("#presence-item-name").fill("Work")
    page.locator("#presence-edit-form").get_by_role("button", name="Save").click()
    expect(roles.locator("tbody tr")).to_have_count(1)

    shortcuts = page.get_by_test_id("presence-shortcuts")
    shortcuts.get_by_role("button", name="Add").click()
    page.locator("#presence-shortcut-name").fill("Lunch break")
    page.locator("#presence-shortcut-activity").select_option(label="Lunch")
    page.locator("#presence-shortcut-duration").fill("30")
    page.locator("#presence-shortcut-diversion").fill("12ab")
    page.locator("#presence-edit-form").get_by_role("button", name="Save").click()
    expect(page.locator("#presence-shortcut-diversion-error")).to_contain_text("number")
    page.locator("#presence-shortcut-diversion").fill("+45 33 12 34 56")
    page.locator("#presence-edit-form").get_by_role("button", name="Save").click()
    expect(shortcuts.locator("tbody tr")).to_have_count(1)
    expect(shortcuts.locator("tbody tr").first).to_contain_text("Lunch · Busy · 30 min · → +4533123456")
    expect(page.get_by_test_id("dnd-list")).to_contain_text("Nobody has do-not-disturb on.")
    shot(page, "presence-settings")


def _user_sets_presence(page: Any, cordboard: Cordboard, user_id: int, password: str) -> None:
    login(page, cordboard.base, "pr-user", password)
    page.locator("#nav").get_by_role("link", name="My presence").click()
    expect(page).to_have_url(cordboard.base + "/presence")
    control = page.get_by_test_id("presence-control")
    expect(control.get_by_test_id("presence-availability")).to_have_text("Available")
    expect(control.get_by_test_id("presence-call-state")).to_have_text("Not on the phone")

    page.get_by_label("Do not disturb").check()
    expect(control.get_by_test_id("presence-dnd")).to_be_visible()

    # PRS-04/05: the admin's shortcut, one click; it ends by itself after 30 minutes.
    control.get_by_test_id("presence-shortcuts").get_by_role("button", name="Lunch break").click()
    expect(control.get_by_test_id("presence-activity")).to_have_text("Lunch")
    expect(control.get_by_test_id("presence-availability")).to_have_text("Busy")
    expect(control.get_by_test_id("presence-until")).to_be_visible()
    expect(control).to_contain_text("calls go to +4533123456")

    # A wrong diversion is named next to its field; then an activity brings its availability.
    page.locator("#presence-diversion").fill("nope")
    page.locator("#presence-form").get_by_role("button", name="Save").click()
    expect(page.locator("#presence-diversion-error")).to_contain_text("number")
    expect(page.locator("#presence-diversion")).to_be_focused()
    page.locator("#presence-diversion").fill("")
    page.locator("#presence-until").fill("")
    page.locator("#presence-activity").select_option(label="Office")
    expect(page.locator('input[name="presence-availability"][value="available"]')).to_be_checked()
    page.locator("#presence-form").get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("Your presence was saved.")
    expect(control.get_by_test_id("presence-activity")).to_have_text("Office")
    expect(control.get_by_test_id("presence-until")).to_have_count(0)

    # A private shortcut, then a change the admin makes shows up live.
    page.locator("#my-shortcut-name").fill("Gym")
    page.locator("#my-shortcut-availability").select_option("busy")
    page.locator("#my-shortcut-duration").fill("90")
    page.locator("#my-shortcut-form").get_by_role("button", name="Add shortcut").click()
    expect(page.get_by_test_id("my-shortcuts")).to_contain_text("Gym")
    expect(control.get_by_test_id("presence-shortcuts").get_by_role("button")).to_have_count(2)
    status, _ = cordboard.api(
        "PUT", f"/api/users/{user_id}/presence", {"role_id": 1}, token=cordboard.token()
    )
    assert status == 200
    expect(control).to_contain_text("Work")

    # PRS-06: an activity planned for tomorrow; an end before the start is named first.
    tomorrow = (datetime.now() + timedelta(days=1)).replace(hour=10, minute=0)
    page.locator("#plan-activity").select_option(label="Lunch")
    page.locator("#plan-start").fill(tomorrow.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#plan-end").fill((tomorrow - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.locator("#plan-form").get_by_role("button", name="Plan").click()
    expect(page.locator("#plan-end-error")).to_have_text("The end must come after the start.")
    page.locator("#plan-end").fill((tomorrow + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.locator("#plan-form").get_by_role("button", name="Plan").click()
    expect(page.get_by_test_id("presence-plans").locator("li")).to_have_count(1)
    expect(page.get_by_test_id("presence-plans")).to_contain_text("Lunch")
    shot(page, "presence-user")


def _admin_clears_dnd(page: Any, cordboard: Cordboard, user_id: int) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    # PRS-01: the users list shows each extension's availability, and DND, from the live states.
    page.locator("#nav").get_by_role("link", name="Users").click()
    row = page.locator("tbody tr", has_text="Pia Prinz")
    expect(row.get_by_test_id("presence-badge")).to_have_text("Available")
    expect(row).to_contain_text("Do not disturb")
    page.goto(cordboard.base + f"/users/{user_id}")
    card = page.get_by_test_id("user-presence")
    expect(card.get_by_test_id("presence-dnd")).to_be_visible()
    page.goto(cordboard.base + "/presence-settings")
    dnd = page.get_by_test_id("dnd-list")
    expect(dnd).to_contain_text("Pia Prinz")
    dnd.get_by_role("button", name="Clear do not disturb for Pia Prinz").click()
    expect(page.locator(".toast").last).to_have_text("Do not disturb was cleared for Pia Prinz.")
    expect(dnd).to_contain_text("Nobody has do-not-disturb on.")
    # Set again by the API, cleared from the user's page (CAPA-08).
    status, _ = cordboard.api("PUT", f"/api/users/{user_id}/presence", {"dnd": True}, token=cordboard.token())
    assert status == 200
    page.goto(cordboard.base + f"/users/{user_id}")
    card = page.get_by_test_id("user-presence")
    card.get_by_role("button", name="Clear do not disturb").click()
    expect(page.locator(".toast").last).to_have_text("Do not disturb was cleared.")
    expect(card.get_by_test_id("presence-dnd")).to_have_count(0)
