"""The Rule-based numbers page and the "Rules for rule-based numbers" on the Routing page in the web
UI (RBN-01..05).

The administrator opens "Rule-based numbers" (listed after Switches & announcements) and finds none
yet, and a hint that calls to them follow the rules for rule-based numbers on the Routing page. A
new "Hotline" at 1650 is refused by the server next to the number field (not a number for rules);
at 1750 it is created with an info text, German prompts, shown as caller and the blocking group "No
premium", and listed so. He changes it (forwarded info overrides the text, the caller's language),
then deletes it after confirming.

On the Routing page the organisation level has a fourth list, "Rules for rule-based numbers": its
editor offers no tier and only the caller, the prefixes and the working hours as conditions, and
forwarding, busy or reject as destinations. A rule for 1751 that forwards to Rhea's number within
working hours is stored in that list with no tier; a user group's and a user's levels have no such
list. The call flow of 1751 shows the rule-based number, whose Edit opens its form.
"""

from __future__ import annotations

from typing import Any

from e2e_helpers import (
    ADMIN,
    ADMIN_PASSWORD,
    BrowserThread,
    Cordboard,
    add_blocking_groups,
    add_user,
    api_list,
    delete_after_confirming,
    login,
    shot,
)
from playwright.sync_api import expect

NUMBERS = "/api/rule_numbers/numbers"


def _numbers(cordboard: Cordboard) -> list[dict[str, Any]]:
    return api_list(cordboard, NUMBERS)


def test_rbn_01_to_05_admin_creates_edits_and_deletes_a_rule_based_number(
    cordboard: Cordboard, browser: BrowserThread
) -> None:
    groups: list[int] = []
    add_blocking_groups(cordboard, groups)
    try:
        browser.run(_admin_manages_rule_numbers, cordboard, groups)
    finally:
        token = cordboard.token()
        for number in _numbers(cordboard):
            cordboard.api("DELETE", f"{NUMBERS}/{number['id']}", token=token)
        for group_id in groups:
            cordboard.api("DELETE", f"/api/dialplan/blocking_groups/{group_id}", token=token)
    assert _numbers(cordboard) == []


def _admin_manages_rule_numbers(page: Any, cordboard: Cordboard, groups: list[int]) -> None:
    _, premium = groups
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    nav = page.locator("#nav")
    links = nav.get_by_role("link").all_inner_texts()
    assert links[links.index("Switches & announcements") + 1] == "Rule-based numbers", links
    nav.get_by_role("link", name="Rule-based numbers").click()
    expect(page).to_have_url(cordboard.base + "/rule-numbers")
    expect(page.get_by_role("heading", name="Rule-based numbers", level=1)).to_be_focused()
    expect(page.get_by_test_id("rule-numbers-empty")).to_have_text("There are no rule-based numbers yet.")
    hint = page.get_by_test_id("rbn-routing-hint")
    expect(hint).to_contain_text("Calls to these numbers follow the")
    expect(hint).to_contain_text("Rules for rule-based numbers")
    expect(hint.get_by_role("link", name="Open the rules on the Routing page")).to_have_attribute(
        "href", "/routing"
    )

    # Sent empty: the required fields say so before anything is sent.
    page.get_by_role("button", name="New rule-based number").click()
    form = page.get_by_test_id("rule-number-form")
    name = form.get_by_role("textbox", name="Name", exact=True)
    expect(name).to_be_focused()
    form.get_by_role("button", name="Save").click()
    expect(page.locator("#rbn-name-error")).to_have_text("This field is required.")
    expect(page.locator("#rbn-number-error")).to_have_text("This field is required.")

    # RBN-01: 1650 is no number for rules (the IVR menus' block): the server says so by the field.
    name.fill("Hotline")
    number = form.get_by_role("textbox", name="Number", exact=True)
    number.fill("1650")
    form.get_by_role("textbox", name="Info text").fill("Hotline")
    form.get_by_label("Prompt language").select_option(label="Deutsch")
    form.get_by_role("checkbox", name="Show the rule-based number as caller").check()
    blocking = form.get_by_role("group", name="Blocking groups", exact=True)
    blocking.get_by_role("checkbox", name="No premium").check()
    form.get_by_role("button", name="Save").click()
    expect(page.locator("#rbn-number-error")).to_contain_text(
        "1650 is not in a number range for rule-based numbers"
    )
    expect(number).to_be_focused()
    expect(number).to_have_attribute("aria-invalid", "true")
    assert _numbers(cordboard) == []
    shot(page, "rule-numbers-number-refused")

    number.fill("1750")
    expect(page.locator("#rbn-number-error")).to_have_text("")
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("Rule-based number Hotline (1750) created.")
    expect(form).to_have_count(0)
    row = page.get_by_test_id("rule-number").filter(has_text="Hotline")
    expect(row.get_by_test_id("rbn-number")).to_have_text("1750")
    expect(row.get_by_test_id("rbn-display-text")).to_have_text("Hotline")
    expect(row.get_by_test_id("rbn-language")).to_have_text("Deutsch")
    expect(row.get_by_test_id("rbn-show-as-caller")).to_have_text("Yes")
    expect(row.get_by_test_id("rbn-blocking")).to_have_text("No premium")
    [created] = _numbers(cordboard)
    assert {k: v for k, v in created.items() if k != "id"} == {
        "name": "Hotline",
        "number": "1750",
        "display_text": "Hotline",
        "keep_derived_metadata": False,
        "language": "de",
        "show_as_caller": True,
        "blocking_groups": [premium],
    }
    shot(page, "rule-numbers-list")

    # RBN-02, RBN-03: forwarded info overrides the text; the caller's language after all.
    edit = page.get_by_role("button", name="Edit Hotline")
    edit.click()
    form = page.get_by_test_id("rule-number-form")
    expect(form.get_by_role("heading", name="Change rule-based number Hotline")).to_be_visible()
    expect(form.get_by_role("textbox", name="Number", exact=True)).to_have_value("1750")
    expect(form.get_by_label("Prompt language")).to_have_value("de")
    expect(form.get_by_role("checkbox", name="No premium")).to_be_checked()
    form.get_by_role("textbox", name="Info text").fill("Hotline day")
    form.get_by_role("checkbox", name="Override with forwarded info").check()
    form.get_by_label("Prompt language").select_option(label="Caller's / organisation's")
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("Rule-based number Hotline (1750) saved.")
    expect(edit).to_be_focused()
    expect(row.get_by_test_id("rbn-display-text")).to_contain_text("Hotline day")
    expect(row.get_by_test_id("rbn-keeps-forwarded")).to_have_text("Forwarded info overrides it")
    expect(row.get_by_test_id("rbn-language")).to_have_text("Caller's / organisation's")
    [changed] = _numbers(cordboard)
    assert (changed["display_text"], changed["keep_derived_metadata"], changed["language"]) == (
        "Hotline day",
        True,
        None,
    )
    assert (changed["show_as_caller"], changed["blocking_groups"]) == (True, [premium])

    delete_after_confirming(
        page,
        row.get_by_role("button", name="Delete Hotline"),
        "Delete the rule-based number Hotline (1750)?",
        "Rule-based number Hotline (1750) deleted.",
        lambda: len(_numbers(cordboard)),
    )
    expect(page.get_by_test_id("rule-numbers-empty")).to_be_visible()
    assert _numbers(cordboard) == []


def test_rbn_01_admin_adds_a_rule_for_rule_based_numbers_on_the_routing_page(
    cordboard: Cordboard, browser: BrowserThread
) -> None:
    token = cordboard.token()
    add_user(cordboard, "rbn-rhea", "1461", "Rhea", "Rule", sip=False)
    status, group = cordboard.api("POST", "/api/groups", {"name": "RBN desk"}, token)
    assert status == 201, group
    status, hotline = cordboard.api("POST", NUMBERS, {"name": "Service line", "number": "1751"}, token)
    assert status == 201, hotline

    browser.run(_admin_adds_a_rule, cordboard)

    _, rules = cordboard.api("GET", "/api/routing/rules?scope=org", token=token)
    [rule] = rules
    assert (rule["list"], rule["scope"], rule["scope_id"], rule["tier"]) == (
        "rule_numbers",
        "org",
        None,
        None,
    )
    assert rule["name"] == "Service line by day"
    assert rule["conditions"] == {"called_prefixes": ["1751"], "working_hours": "in", "caller": "external"}
    assert rule["destinations"] == [{"kind": "number", "after_s": 0, "target": "1461"}]


def _admin_adds_a_rule(page: Any, cordboard: Cordboard) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD, "/rule-numbers")
    page.get_by_test_id("rbn-routing-hint").get_by_role(
        "link", name="Open the rules on the Routing page"
    ).click()
    expect(page).to_have_url(cordboard.base + "/routing")
    expect(page.get_by_role("radio", name="Organisation", exact=True)).to_be_checked()
    # The lists load after the page: expect() waits for them (all_inner_texts() would not).
    expect(page.locator(".rule-list-card h2")).to_have_text(
        ["Incoming calls", "Outgoing calls", "Fallback", "Rules for rule-based numbers"]
    )
    card = page.get_by_test_id("rules-rule_numbers")
    expect(card.get_by_role("link", name="Rule-based numbers")).to_have_attribute("href", "/rule-numbers")

    # The editor of this list: no tier, no list to choose, only the conditions such a rule may test.
    card.get_by_role("button", name="Add rule").click()
    expect(page.locator("#rule-name")).to_be_focused()
    page.locator("#rule-name").fill("Service line by day")
    expect(page.locator("#rule-tier")).to_have_count(0)
    expect(page.locator("#rule-list")).to_have_count(0)
    expect(page.get_by_test_id("rule-list-fixed")).to_have_text("Rules for rule-based numbers")
    for absent in (
        "#rule-availability",
        "#rule-dnd",
        "#rule-in-call",
        "#rule-registered",
        "#rule-caller-contacts",
    ):
        expect(page.locator(absent)).to_have_count(0)
    expect(page.locator("#rule-number-types")).to_have_count(0)
    expect(page.locator("#rule-caller")).to_be_visible()
    expect(page.locator("#rule-caller-prefixes")).to_be_visible()
    kinds = page.locator("#rule-dest-0-kind option").all_inner_texts()
    assert kinds == ["Forward to a number", "Busy", "Reject"], kinds
    page.locator("#rule-called-prefixes").fill("1751")
    page.locator("#rule-hours").select_option("in")
    page.locator("#rule-dest-0-target").fill("1461")
    sentence = (
        "When a rule-based number is called and within working hours "
        "and the dialled number starts with 1751, forward to 1461 at once."
    )
    expect(page.get_by_test_id("rule-preview")).to_contain_text(sentence)
    shot(page, "routing-rule-numbers-editor")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("status").filter(has_text="Rule Service line by day created.")).to_be_visible()
    item = card.get_by_role("listitem").filter(has_text="Service line by day")
    expect(item).to_contain_text(sentence)
    expect(item.locator(".badge")).to_have_count(0)  # no tier
    expect(page.get_by_test_id("rules-incoming")).to_contain_text("No rules in this list.")
    shot(page, "routing-rule-numbers")

    # Changed: only for external callers (sent again without a tier).
    page.get_by_role("button", name="Edit Service line by day").click()
    expect(page.locator("#rule-called-prefixes")).to_have_value("1751")
    expect(page.locator("#rule-tier")).to_have_count(0)
    page.locator("#rule-caller").select_option("external")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Rule Service line by day saved.")).to_be_visible()
    expect(item).to_contain_text("the caller is external")

    # A user group's and a user's levels have no such list.
    page.get_by_role("radio", name="User group", exact=True).check()
    expect(page.get_by_test_id("rules-fallback")).to_be_visible()
    expect(page.get_by_test_id("rules-rule_numbers")).to_have_count(0)
    page.get_by_role("radio", name="User", exact=True).check()
    page.locator("#routing-user").select_option(label="Rhea Rule (1461)")
    expect(page.get_by_test_id("rules-incoming")).to_be_visible()
    expect(page.get_by_test_id("rules-rule_numbers")).to_have_count(0)
    page.get_by_role("radio", name="Organisation", exact=True).check()
    expect(page.get_by_test_id("rules-rule_numbers")).to_contain_text("Service line by day")

    # The call flow of 1751: the rule-based number, its Edit opening its form.
    page.locator("#nav").get_by_role("link", name="Call flows").click()
    page.get_by_label("Choose a function number…").select_option(value="1751")
    root = page.get_by_test_id("flow-node").first
    expect(root).to_contain_text("Rule-based number")
    root.get_by_role("link", name="Edit 1751").click()
    expect(page).to_have_url(cordboard.base + "/rule-numbers")
    form = page.get_by_test_id("rule-number-form")
    expect(form.get_by_role("heading", name="Change rule-based number Service line")).to_be_visible()
    expect(form.get_by_role("textbox", name="Number", exact=True)).to_have_value("1751")
