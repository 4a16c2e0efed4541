"""The Switches & announcements page in the web UI (AA-03, AA-04, CAPA-14).

The administrator opens "Switches & announcements" (listed after Call flows) and finds no switches
and no announcements yet. A new switch "Day/night" whose number is a user's extension is refused
by the server, named next to the number field, and nothing is saved; with 1670 it is created, off,
and listed with where it sends calls. One click turns it on: the list and the API say so, and
another turns it off. He locks and unlocks it. A new announcement "Closed" at 1671 plays a system
prompt and then hangs up. He deletes both after confirming.
"""

from __future__ import annotations

from typing import Any

from e2e_helpers import (
    ADMIN,
    ADMIN_PASSWORD,
    BrowserThread,
    Cordboard,
    add_user,
    api_list,
    delete_after_confirming,
    login,
    shot,
)
from playwright.sync_api import expect

SWITCHES = "/api/flow_elements/switches"
ANNOUNCEMENTS = "/api/flow_elements/announcements"


def _switches(cordboard: Cordboard) -> list[dict[str, Any]]:
    return api_list(cordboard, SWITCHES)


def _announcements(cordboard: Cordboard) -> list[dict[str, Any]]:
    return api_list(cordboard, ANNOUNCEMENTS)


def test_aa_04_aa_03_capa_14_admin_manages_switches_and_announcements(
    cordboard: Cordboard, browser: BrowserThread
) -> None:
    add_user(cordboard, "fe-day", "1230", "Dee", "Day", sip=False)
    add_user(cordboard, "fe-night", "1231", "Nat", "Night", sip=False)
    add_user(cordboard, "fe-desk", "1232", "Desk", "Clerk", sip=False)

    browser.run(_admin_manages_flow_elements, cordboard)

    assert _switches(cordboard) == []
    assert _announcements(cordboard) == []


def _admin_manages_flow_elements(page: Any, cordboard: Cordboard) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    nav = page.locator("#nav")
    links = nav.get_by_role("link").all_inner_texts()
    assert links[links.index("Call flows") + 1] == "Switches & announcements", links
    nav.get_by_role("link", name="Switches & announcements").click()
    expect(page).to_have_url(cordboard.base + "/flow-elements")
    expect(page.get_by_role("heading", name="Switches & announcements", level=1)).to_be_focused()
    expect(page.get_by_test_id("flow-switches-empty")).to_have_text("There are no virtual switches yet.")
    expect(page.get_by_test_id("flow-announcements-empty")).to_have_text("There are no announcements yet.")

    # Sent empty: every required field says so, before anything is sent.
    page.get_by_role("button", name="New switch").click()
    form = page.get_by_test_id("flow-switch-form")
    name = form.get_by_role("textbox", name="Name", exact=True)
    expect(name).to_be_focused()
    form.get_by_role("button", name="Save").click()
    expect(page.locator("#fs-name-error")).to_have_text("This field is required.")
    expect(page.locator("#fs-on-target-error")).to_have_text("This field is required.")
    expect(name).to_have_attribute("aria-invalid", "true")

    # A user's extension as the number: refused by the server, named next to the number.
    name.fill("Day/night")
    number = form.get_by_role("textbox", name="Number", exact=True)
    number.fill("1232")
    form.get_by_role("textbox", name="Number while on").fill("1230")
    form.get_by_role("textbox", name="Number while off").fill("1231")
    form.get_by_role("button", name="Save").click()
    expect(page.locator("#fs-number-error")).to_have_text("1232 already belongs to Desk Clerk")
    expect(number).to_be_focused()
    expect(number).to_have_attribute("aria-invalid", "true")
    assert _switches(cordboard) == []
    shot(page, "flow-switch-number-clash")

    number.fill("1670")
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("Switch Day/night (1670) created.")
    expect(form).to_have_count(0)
    row = page.get_by_test_id("flow-switch").filter(has_text="Day/night")
    expect(row.get_by_test_id("fs-number")).to_have_text("1670")
    expect(row.get_by_test_id("fs-state-badge")).to_have_text("Off")
    expect(row.get_by_test_id("fs-targets")).to_contain_text("On: 1230")
    expect(row.get_by_test_id("fs-targets")).to_contain_text("Off: 1231")
    [created] = _switches(cordboard)
    assert (created["number"], created["on"], created["on_target"]) == ("1670", False, "1230")

    # AA-04: one click turns it on, another off; the API follows.
    row.get_by_role("button", name="Turn Day/night on").click()
    expect(page.locator(".toast").last).to_have_text("Day/night is on.")
    expect(row.get_by_test_id("fs-state-badge")).to_have_text("On")
    assert _switches(cordboard)[0]["on"] is True
    shot(page, "flow-elements-switch-on")
    toggle = row.get_by_role("button", name="Turn Day/night off")
    toggle.focus()
    page.keyboard.press("Enter")  # keyboard usable
    expect(row.get_by_test_id("fs-state-badge")).to_have_text("Off")
    assert _switches(cordboard)[0]["on"] is False

    # CAPA-14: lock and unlock.
    row.get_by_role("button", name="Lock Day/night").click()
    expect(row.get_by_test_id("fe-locked")).to_have_text("Locked")
    assert _switches(cordboard)[0]["locked"] is True
    row.get_by_role("button", name="Unlock Day/night").click()
    expect(row.get_by_test_id("fe-unlocked")).to_be_visible()
    assert _switches(cordboard)[0]["locked"] is False

    # AA-03: an announcement that plays a system prompt and hangs up.
    page.get_by_role("button", name="New announcement").click()
    aform = page.get_by_test_id("flow-announcement-form")
    expect(aform.get_by_role("textbox", name="Name", exact=True)).to_be_focused()
    aform.get_by_role("textbox", name="Name", exact=True).fill("Closed")
    aform.get_by_role("textbox", name="Number", exact=True).fill("16 71")
    aform.get_by_label("Prompt").select_option(value="please_hold")
    aform.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("Announcement Closed (1671) created.")
    arow = page.get_by_test_id("flow-announcement").filter(has_text="Closed")
    expect(arow.get_by_test_id("fa-number")).to_have_text("1671")
    expect(arow.get_by_test_id("fa-then")).to_have_text("Hang up")
    [announcement] = _announcements(cordboard)
    assert (announcement["prompt"], announcement["next_number"]) == ("please_hold", None)
    shot(page, "flow-elements-list")

    delete_after_confirming(
        page,
        row.get_by_role("button", name="Delete switch Day/night"),
        "Delete the switch Day/night (1670)?",
        "Switch Day/night (1670) deleted.",
        lambda: len(_switches(cordboard)),
    )
    expect(page.get_by_test_id("flow-switches-empty")).to_be_visible()
    delete_after_confirming(
        page,
        arow.get_by_role("button", name="Delete announcement Closed"),
        "Delete the announcement Closed (1671)?",
        "Announcement Closed (1671) deleted.",
        lambda: len(_announcements(cordboard)),
    )
    expect(page.get_by_test_id("flow-announcements-empty")).to_be_visible()
