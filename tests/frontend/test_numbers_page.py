"""The Numbers page (NUM-01, NUM-02, NUM-03, NUM-05, NUM-07, NUM-08): the admin sees the default
local plan, adds a range of local numbers (a bad one is refused next to the field, an overlapping
one with the range named), shows its available numbers, gives one to a user as their line and
another as an alias, sees both with their owner among the numbers in use (the conference rooms
too, owned by their plugin), and withdraws the alias again."""

from __future__ import annotations

from typing import Any

from e2e_helpers import ADMIN, ADMIN_PASSWORD, BrowserThread, Cordboard, add_user, login, shot
from playwright.sync_api import expect


def test_number_ranges_available_numbers_and_owners(cordboard: Cordboard, browser: BrowserThread) -> None:
    user_id, _ = add_user(cordboard, "nina", "1301", "Nina", "Nord", sip=False)
    browser.run(_numbers_page, cordboard)
    token = cordboard.token()
    _, user = cordboard.api("GET", f"/api/users/{user_id}", token=token)
    assert user["extension"] == "7000", "the number picked on the page became her line"
    _, listed = cordboard.api("GET", "/api/numbers", token=token)
    owners = {n["number"]: n for n in listed["numbers"]}
    assert "7001" not in owners, "the alias was withdrawn again"
    assert "1301" not in owners, "her old line is free"


def _numbers_page(page: Any, cordboard: Cordboard) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    page.locator("#nav").get_by_role("link", name="Numbers", exact=True).click()
    expect(page).to_have_url(cordboard.base + "/numbers")
    expect(page.get_by_role("heading", name="Numbers", exact=True)).to_be_focused()
    # NUM-03: the default local plan.
    expect(page.get_by_test_id("range-1600")).to_contain_text("IVR menus")
    expect(page.get_by_test_id("range-1500")).to_contain_text("Groups (ACD, attendant, hunt groups)")

    # A bad range is refused next to the field before sending; an overlapping one by the server.
    page.locator("#range-first").fill("70a0")
    page.locator("#range-last").fill("7049")
    page.get_by_role("button", name="Add range").click()
    expect(page.locator("#range-first-error")).to_have_text("Digits (2 to 8), or + and 7 to 15 digits")
    page.locator("#range-first").fill("1990")
    page.locator("#range-last").fill("2010")
    page.get_by_role("button", name="Add range").click()
    expect(page.locator("#form-error")).to_contain_text("overlaps the range 1800-1999")
    page.locator("#range-first").fill("7000")
    page.locator("#range-last").fill("7049")
    page.locator("#range-label").fill("Annex")
    page.get_by_role("button", name="Add range").click()
    row = page.get_by_test_id("range-7000")
    expect(row).to_contain_text("Annex")
    expect(row).to_contain_text("0 / 50")

    # NUM-02: its available numbers; one becomes Nina's line, the next an alias of it.
    row.get_by_role("button", name="Show available numbers").click()
    available = page.get_by_test_id("available")
    expect(available.get_by_role("button", name="7000", exact=True)).to_be_visible()
    available.get_by_role("button", name="7000", exact=True).click()
    page.locator("#assign-user").select_option(label="Nina Nord (1301)")
    page.get_by_role("button", name="As their line").click()
    expect(page.get_by_test_id("number-7000")).to_contain_text("Nina Nord")
    expect(available.get_by_role("button", name="7000", exact=True)).to_have_count(0)
    available.get_by_role("button", name="7001", exact=True).click()
    page.locator("#assign-user").select_option(label="Nina Nord (7000)")
    page.get_by_role("button", name="As an alias").click()
    alias = page.get_by_test_id("number-7001")
    expect(alias).to_contain_text("Nina Nord (alias)")
    expect(page.get_by_test_id("range-7000")).to_contain_text("2 / 50")

    # NUM-07: the conference rooms are their plugin's; the search finds them.
    page.locator("#number-filter").fill("conference")
    expect(page.get_by_test_id("number-1800")).to_contain_text("the conference plugin (Conference room)")
    expect(page.get_by_test_id("number-7000")).to_have_count(0)
    shot(page, "numbers-page")
    page.locator("#number-filter").fill("")

    # NUM-08: withdraw the alias.
    alias.get_by_role("button", name="Withdraw 7001").click()
    page.get_by_role("dialog").get_by_role("button", name="Withdraw").click()
    expect(page.get_by_test_id("number-7001")).to_have_count(0)
