"""Building a call flow from its tree on the Call flows page (AA-01).

The IVR menu "Reception" (1690) sends key 9 to Di (1297). From its tree the administrator adds a
step: key 1 goes to a new announcement "Welcome" (1691, the number suggested) that plays a system
prompt; the tree shows it under key 1. After the announcement he adds a new IVR menu: first with
1690, which the server refuses next to the number (nothing is created), then with 1694. A
"no key pressed" step to a new announcement that leads straight back to the menu is refused by the
menu (callers would go round in circles): the announcement just made is deleted again. The menu
"Night" (1696) sends callers who press nothing to Eve's extension (1298), an existing number.
"""

from __future__ import annotations

from typing import Any

from e2e_helpers import ADMIN, ADMIN_PASSWORD, BrowserThread, Cordboard, add_user, api_list, login, shot
from playwright.sync_api import expect


def _menu(cordboard: Cordboard, number: str) -> dict[str, Any]:
    [menu] = [m for m in api_list(cordboard, "/api/ivr/menus") if m["number"] == number]
    return menu


def _announcements(cordboard: Cordboard) -> dict[str, dict[str, Any]]:
    return {a["number"]: a for a in api_list(cordboard, "/api/flow_elements/announcements")}


def _suggested(cordboard: Cordboard) -> str:
    """The number the form suggests: after the highest function number in 1600-1699."""
    status, body = cordboard.api("GET", "/api/numbers/flows", token=cordboard.token())
    assert status == 200, body
    taken = [
        int(n["number"])
        for n in body["numbers"]
        if n["number"].isdigit() and 1600 <= int(n["number"]) <= 1699
    ]
    return str(max(taken) + 1)


def _open_flow(page: Any, cordboard: Cordboard, label: str) -> None:
    page.goto(cordboard.base + "/call-flows")
    page.get_by_label("Choose a function number…").select_option(label=label)


def test_aa_01_admin_adds_a_menu_key_step_and_an_announcement_from_the_tree(
    cordboard: Cordboard, browser: BrowserThread
) -> None:
    add_user(cordboard, "build-di", "1297", "Di", "Builder", sip=False)
    menu = {"name": "Reception", "number": "1690", "options": {"9": {"kind": "number", "target": "1297"}}}
    status, body = cordboard.api("POST", "/api/ivr/menus", menu, cordboard.token())
    assert status == 201, body
    browser.run(_admin_builds_the_flow, cordboard)


def _admin_builds_the_flow(page: Any, cordboard: Cordboard) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    _open_flow(page, cordboard, "1690 IVR Reception")
    root = page.get_by_test_id("flow-node").first
    expect(root).to_have_attribute("data-number", "1690")

    # Key 1 → a new announcement.
    add = root.get_by_role("button", name="Add step after 1690")
    expect(add).to_have_attribute("aria-expanded", "false")
    add.click()
    expect(add).to_have_attribute("aria-expanded", "true")
    form = page.get_by_test_id("flow-add-step")
    expect(form.get_by_role("heading", name="New step after 1690")).to_be_visible()
    when = form.get_by_label("When the caller presses")
    expect(when).to_be_focused()
    keys = when.locator("option").all_inner_texts()
    assert keys[0] == "Key 1" and "Key 9" not in keys and keys[-1] == "No key pressed", keys
    when.select_option(label="Key 1")
    form.get_by_label("Go to").select_option(label="A new announcement")
    number = form.get_by_role("textbox", name="Number", exact=True)
    expect(number).to_have_value(_suggested(cordboard))
    form.get_by_role("textbox", name="Name", exact=True).fill("Welcome")
    number.fill("1691")
    form.get_by_label("Prompt").select_option(value="please_hold")
    shot(page, "call-flow-add-step-form")
    form.get_by_role("button", name="Add step", exact=True).click()
    expect(page.locator(".toast").last).to_have_text("Step added: 1690 → 1691 (Key 1).")
    expect(form).to_have_count(0)

    welcome = _announcements(cordboard)["1691"]
    assert (welcome["name"], welcome["prompt"], welcome["next_number"]) == ("Welcome", "please_hold", None)
    assert _menu(cordboard, "1690")["options"]["1"] == {"kind": "number", "target": "1691"}
    key1 = page.locator('[data-testid="flow-edge"][data-target="1691"]')
    expect(key1).to_contain_text("key 1")
    node = page.locator('[data-testid="flow-node"][data-number="1691"]')
    expect(node).to_contain_text("Welcome")
    expect(node).to_contain_text("Announcement")
    expect(page.get_by_role("button", name="Hide where calls to 1691 go")).to_be_focused()

    # After the announcement: a new IVR menu, first on a number that is taken.
    node.get_by_role("button", name="Add step after 1691").click()
    form = page.get_by_test_id("flow-add-step")
    expect(form.get_by_label("When the caller presses")).to_have_count(0)
    go = form.get_by_label("After the prompt, go to")
    expect(go).to_be_focused()
    go.select_option(label="A new IVR menu")
    form.get_by_role("textbox", name="Name", exact=True).fill("Sales desk")
    number = form.get_by_role("textbox", name="Number", exact=True)
    number.fill("1690")
    form.get_by_role("button", name="Add step", exact=True).click()
    expect(number).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#flow-add-number-error")).to_contain_text("Reception")
    expect(number).to_be_focused()
    shot(page, "call-flow-add-step-refused")
    assert [m["number"] for m in api_list(cordboard, "/api/ivr/menus")] == ["1690"]
    assert _announcements(cordboard)["1691"]["next_number"] is None

    number.fill("1694")
    expect(number).to_have_attribute("aria-invalid", "false")
    form.get_by_role("button", name="Add step", exact=True).click()
    expect(page.locator(".toast").last).to_have_text("Step added: 1691 → 1694 (After the prompt).")
    assert _menu(cordboard, "1694")["name"] == "Sales desk"
    assert _announcements(cordboard)["1691"]["next_number"] == "1694"
    desk = page.locator('[data-testid="flow-node"][data-number="1694"]')
    expect(desk).to_contain_text("Sales desk")
    expect(desk).to_contain_text("IVR menu")
    # The tree stayed open as it was: the menu under the announcement under key 1.
    expect(page.locator('[data-testid="flow-node"][data-number="1691"]')).to_be_visible()
    expect(page.get_by_test_id("flow-tree").locator("> li > ul > li").first).to_contain_text("key 1")

    # No key pressed → a new announcement leading back to the menu: the menu refuses the step,
    # and the announcement made for it is deleted again.
    root.get_by_role("button", name="Add step after 1690").click()
    form = page.get_by_test_id("flow-add-step")
    form.get_by_label("When the caller presses").select_option(label="No key pressed")
    form.get_by_label("Go to").select_option(label="A new announcement")
    form.get_by_role("textbox", name="Name", exact=True).fill("Round")
    form.get_by_role("textbox", name="Number", exact=True).fill("1695")
    form.get_by_label("Prompt").select_option(value="please_hold")
    form.get_by_label("Then go to", exact=True).fill("1690")
    form.get_by_role("button", name="Add step", exact=True).click()
    expect(page.locator("#flow-add-go-error")).to_contain_text("circles")
    expect(page.locator("#flow-add-error")).to_contain_text(
        "1690 did not take the step, so the new 1695 was deleted again"
    )
    assert "1695" not in _announcements(cordboard)
    assert _menu(cordboard, "1690")["timeout_destination"] is None

    form.get_by_role("button", name="Cancel").click()
    expect(page.get_by_test_id("flow-add-step")).to_have_count(0)
    expect(root.get_by_role("button", name="Add step after 1690")).to_be_focused()


def test_aa_01_admin_sends_callers_who_press_no_key_to_an_existing_number(
    cordboard: Cordboard, browser: BrowserThread
) -> None:
    add_user(cordboard, "build-eve", "1298", "Eve", "Builder", sip=False)
    menu = {"name": "Night", "number": "1696", "options": {"1": {"kind": "number", "target": "1298"}}}
    status, body = cordboard.api("POST", "/api/ivr/menus", menu, cordboard.token())
    assert status == 201, body
    browser.run(_admin_wires_no_key_to_eve, cordboard)
    assert _menu(cordboard, "1696")["timeout_destination"] == {"kind": "number", "target": "1298"}


def _admin_wires_no_key_to_eve(page: Any, cordboard: Cordboard) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    _open_flow(page, cordboard, "1696 IVR Night")
    root = page.get_by_test_id("flow-node").first
    expect(root).to_have_attribute("data-number", "1696")
    root.get_by_role("button", name="Add step after 1696").click()
    form = page.get_by_test_id("flow-add-step")
    form.get_by_label("When the caller presses").select_option(label="No key pressed")
    form.get_by_label("Go to").select_option(label="An existing number")
    target = form.get_by_role("textbox", name="Number", exact=True)
    target.fill("1298")
    target.press("Enter")
    expect(page.locator(".toast").last).to_have_text("Step added: 1696 → 1298 (No key pressed).")
    no_key = page.locator('[data-testid="flow-edge"][data-target="1298"]', has_text="no key pressed")
    expect(no_key).to_be_visible()
    eve = no_key.locator('[data-testid="flow-node"][data-number="1298"]')
    expect(eve).to_contain_text("Eve Builder")
    expect(eve).to_contain_text("User")
    shot(page, "call-flow-add-step-existing-number")
