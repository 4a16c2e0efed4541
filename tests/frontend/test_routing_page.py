"""The Routing page, "My call rules" and the routing test tool in the web UI (RTE-01..05, RTE-08,
BYD-25, CAPU-10).

An administrator adds a required organisation rule and two of a user's own rules through the
editor (each shown as a sentence, RTE-04), has a forward to the user's own number refused next to
the field by the server, moves a rule up with the keyboard, and tests a call on a Saturday: the
tool shows the facts, the rules checked (which matched, why the others did not) and the
destinations as a timeline; an unknown number is answered clearly. A user then forwards all their
calls from the portal (RTE-08), sees the forward in their own test, and turns it off again.
"""

from __future__ import annotations

from typing import Any

from e2e_helpers import ADMIN, ADMIN_PASSWORD, DESKTOP, PHONE, BrowserThread, Cordboard, add_user, login, shot
from playwright.sync_api import expect

WEEK = {d: [{"from": "08:00", "to": "17:00"}] for d in ("mon", "tue", "wed", "thu", "fri")}


def test_routing_rules_editor_order_and_test_tool(cordboard: Cordboard, browser: BrowserThread) -> None:
    user_id, _ = add_user(cordboard, "nina", "1301", "Nina", "Nord", sip=False)
    token = cordboard.token()
    status, body = cordboard.api(
        "PUT", "/api/working_hours/org", {"week": {**WEEK, "sat": [], "sun": []}}, token
    )
    assert status == 200, body
    status, group = cordboard.api("POST", "/api/groups", {"name": "Sales"}, token)
    assert status == 201, group
    browser.run(_admin_rules, cordboard)
    _, rules = cordboard.api("GET", f"/api/routing/rules?scope=user&scope_id={user_id}", token=token)
    assert [(r["name"], r["position"]) for r in rules] == [("Busy to voicemail", 1), ("Night to mobile", 2)]
    night = rules[1]
    assert night["conditions"] == {"working_hours": "out"}
    assert night["destinations"] == [
        {"kind": "phones", "after_s": 0, "target": None},
        {"kind": "number", "after_s": 15, "target": "+4915112345"},
    ]
    _, org = cordboard.api("GET", "/api/routing/rules?scope=org", token=token)
    assert [(r["name"], r["tier"], r["conditions"]) for r in org] == [
        ("Reject anonymous callers", "required", {"caller": "anonymous"})
    ]


def _admin_rules(page: Any, cordboard: Cordboard) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    page.locator("#nav").get_by_role("link", name="Routing").click()
    expect(page).to_have_url(cordboard.base + "/routing")
    expect(page.get_by_role("heading", name="Routing", exact=True)).to_be_focused()

    # A required organisation rule (RTE-03): anonymous callers are rejected.
    incoming = page.get_by_test_id("rules-incoming")
    incoming.get_by_role("button", name="Add rule").click()
    expect(page.locator("#rule-name")).to_be_focused()
    page.locator("#rule-name").fill("Reject anonymous callers")
    page.locator("#rule-tier").select_option("required")
    page.locator("#rule-caller").select_option("anonymous")
    page.locator("#rule-dest-0-kind").select_option("reject")
    expect(page.get_by_test_id("rule-preview")).to_contain_text(
        "When a call comes in and the caller is anonymous, reject the call at once."
    )
    page.get_by_role("button", name="Create").click()
    expect(
        page.get_by_role("status").filter(has_text="Rule Reject anonymous callers created.")
    ).to_be_visible()
    item = incoming.get_by_role("listitem").filter(has_text="Reject anonymous callers")
    expect(item).to_contain_text("Required")
    expect(item).to_contain_text("When a call comes in and the caller is anonymous, reject the call at once.")

    # Nina's own rules: night to her mobile after 15 s; a forward to her own number is refused.
    page.get_by_role("radio", name="User", exact=True).check()
    page.locator("#routing-user").select_option(label="Nina Nord (1301)")
    incoming.get_by_role("button", name="Add rule").click()
    page.locator("#rule-name").fill("Night to mobile")
    expect(page.locator("#rule-tier")).to_have_count(0)  # a user's own rules have no tier
    page.locator("#rule-hours").select_option("out")
    page.get_by_role("button", name="Add destination").click()
    page.locator("#rule-dest-1-kind").select_option("number")
    page.locator("#rule-dest-1-after").fill("15")
    page.locator("#rule-dest-1-target").fill("1301")
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#rule-dest-1-target-error")).to_have_text(
        "the rule would forward the call to itself"
    )
    expect(page.locator("#rule-dest-1-target")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#rule-dest-1-target")).to_be_focused()
    shot(page, "routing-refused-target")
    page.locator("#rule-dest-1-target").fill("+4915112345")
    expect(page.locator("#rule-dest-1-target-error")).to_have_text("")
    page.get_by_role("button", name="Create").click()
    expect(incoming.get_by_role("listitem").filter(has_text="Night to mobile")).to_contain_text(
        "When a call comes in and outside working hours (night mode), ring the phones at once, "
        "then forward to +4915112345 after 15 s."
    )

    # A second rule, then moved above the first with the keyboard (RTE-02).
    incoming.get_by_role("button", name="Add rule").click()
    page.locator("#rule-name").fill("Busy to voicemail")
    page.locator("#rule-availability").select_option("busy")
    page.get_by_role("button", name="Add destination").click()
    page.locator("#rule-dest-1-after").fill("20")
    page.get_by_role("button", name="Create").click()
    busy = incoming.get_by_role("listitem").filter(has_text="Busy to voicemail")
    expect(busy).to_contain_text(
        "When a call comes in and the user is busy, ring the phones at once, "
        "then send to voicemail after 20 s."
    )
    up = page.get_by_role("button", name="Move Busy to voicemail up")
    up.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Order saved.")).to_be_visible()
    expect(incoming.locator(".rule-item").first).to_contain_text("Busy to voicemail")
    expect(page.get_by_role("button", name="Move Busy to voicemail down")).to_be_focused()

    # Edit a rule: the editor starts with its values; Escape closes it without saving.
    page.get_by_role("button", name="Edit Busy to voicemail").click()
    expect(page.locator("#rule-name")).to_have_value("Busy to voicemail")
    expect(page.locator("#rule-availability")).to_have_value("busy")
    expect(page.locator("#rule-dest-1-after")).to_have_value("20")
    page.locator("#rule-dest-1-after").fill("25")
    page.keyboard.press("Escape")
    expect(page.locator("#rule-form")).to_have_count(0)
    expect(page.get_by_role("button", name="Edit Busy to voicemail")).to_be_focused()
    expect(busy).to_contain_text("then send to voicemail after 20 s.")

    # A group's overridable rule (RTE-03), then deleted after the confirmation.
    page.get_by_role("radio", name="User group", exact=True).check()
    expect(page.locator("#routing-group").locator("option:checked")).to_have_text("Sales")
    page.get_by_test_id("rules-fallback").get_by_role("button", name="Add rule").click()
    page.locator("#rule-name").fill("Sales overflow")
    expect(page.locator("#rule-list")).to_have_value("fallback")
    page.locator("#rule-dest-0-kind").select_option("voicemail")
    page.get_by_role("button", name="Create").click()
    overflow = page.get_by_test_id("rules-fallback").get_by_role("listitem").filter(has_text="Sales overflow")
    expect(overflow).to_contain_text("Overridable")
    expect(overflow).to_contain_text("When no rule took the call, send to voicemail at once.")
    page.get_by_role("button", name="Delete Sales overflow").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(page.get_by_role("status").filter(has_text="Rule Sales overflow deleted.")).to_be_visible()
    expect(page.get_by_test_id("rules-fallback")).to_contain_text("No rules in this list.")
    page.get_by_role("radio", name="User", exact=True).check()
    page.locator("#routing-user").select_option(label="Nina Nord (1301)")

    # The routing test tool (BYD-25): Saturday 10:00 is outside the working hours.
    tool = page.get_by_test_id("routing-test")
    tool.locator("#test-caller").fill("+4930123456")
    tool.locator("#test-number").fill("1301")
    tool.locator("#test-date").fill("2026-12-12")
    tool.locator("#test-time").fill("10:00")
    tool.get_by_role("button", name="Test", exact=True).click()
    expect(tool.get_by_test_id("routing-summary")).to_have_text("The call follows the rule Night to mobile.")
    facts = tool.get_by_test_id("routing-facts")
    expect(facts).to_contain_text("Saturday")
    expect(facts).to_contain_text("outside working hours (night mode)")
    expect(facts).to_contain_text("External (+4930123456)")
    checked = tool.get_by_test_id("routing-checked").get_by_role("listitem")
    expect(checked).to_have_count(3)
    expect(checked.nth(0)).to_contain_text("Not matched")
    expect(checked.nth(0)).to_contain_text("Reject anonymous callers")
    expect(checked.nth(0)).to_contain_text("Because the caller is external.")
    expect(checked.nth(1)).to_contain_text("Busy to voicemail")
    expect(checked.nth(1)).to_contain_text("Because the user is available.")
    expect(checked.nth(2)).to_contain_text("Matched")
    expect(checked.nth(2)).to_contain_text("Night to mobile")
    timeline = tool.get_by_test_id("routing-timeline").get_by_role("listitem")
    expect(timeline).to_have_count(2)
    expect(timeline.nth(0)).to_have_text("at once ring the phones")
    expect(timeline.nth(1)).to_have_text("after 15 s forward to +4915112345")
    shot(page, "routing-test-tool")

    # An unknown number is answered clearly; a function number follows its own settings (RTE-06).
    tool.locator("#test-number").fill("4711")
    tool.get_by_role("button", name="Test", exact=True).click()
    expect(tool.locator("#routing-test-error")).to_contain_text("Nobody owns 4711")
    expect(tool.get_by_test_id("routing-result")).to_have_count(0)
    tool.locator("#test-number").fill("*43")
    tool.get_by_role("button", name="Test", exact=True).click()
    expect(tool.get_by_test_id("routing-summary")).to_contain_text("A function number")
    expect(tool.get_by_test_id("routing-summary")).to_contain_text("diagnostics plugin")

    # An outgoing call of Nina's: no outgoing rule, so the number is dialled.
    tool.locator("#test-direction").select_option("outgoing")
    expect(tool.get_by_label("Dialled number")).to_be_visible()
    tool.locator("#test-caller").fill("1301")
    tool.locator("#test-number").fill("004930123456")
    tool.get_by_role("button", name="Test", exact=True).click()
    expect(tool.get_by_test_id("routing-summary")).to_have_text("No rule matched: the number is dialled.")
    expect(tool.get_by_test_id("routing-timeline")).to_have_text("at once dial 004930123456")


def test_rte_08_user_forwards_all_calls(cordboard: Cordboard, browser: BrowserThread) -> None:
    user_id, password = add_user(cordboard, "fritz", "1302", "Fritz", "Feld", sip=False)
    browser.run(_forward_all, cordboard, password)
    token = cordboard.token()
    _, rules = cordboard.api("GET", f"/api/routing/rules?scope=user&scope_id={user_id}", token=token)
    assert [(r["name"], r["enabled"], r["destinations"]) for r in rules] == [
        ("Forward all calls", False, [{"kind": "number", "after_s": 0, "target": "+4917012345"}])
    ]


def _forward_all(page: Any, cordboard: Cordboard, password: str) -> None:
    login(page, cordboard.base, "fritz", password)
    page.locator("#nav").get_by_role("link", name="My call rules").click()
    expect(page).to_have_url(cordboard.base + "/my-rules")
    expect(page.get_by_role("heading", name="My call rules", exact=True)).to_be_focused()
    card = page.get_by_test_id("forward-all")
    expect(card.get_by_test_id("forward-state")).to_contain_text("Forwarding off")
    card.get_by_label("Forward to").fill("12x")
    card.get_by_role("button", name="Forward all calls").click()
    expect(page.locator("#forward-to-error")).to_have_text("Digits, * and #, or + and digits (2 to 20).")
    card.get_by_label("Forward to").fill("+4917012345")
    card.get_by_role("button", name="Forward all calls").click()
    expect(card.get_by_test_id("forward-state")).to_contain_text("Forwarding on")
    expect(card.get_by_test_id("forward-state")).to_contain_text("Your calls go to +4917012345.")
    rules = page.get_by_test_id("rules-incoming")
    expect(rules.locator(".rule-item").first).to_contain_text(
        "When a call comes in, forward to +4917012345 at once."
    )
    expect(page.get_by_test_id("rules-outgoing")).to_have_count(0)  # the portal shows incoming rules only
    expect(rules).to_contain_text("For calls you receive")

    # The test tool for a call to the user's own number shows the forward.
    tool = page.get_by_test_id("routing-test")
    expect(tool).to_contain_text("Where would a call to your number 1302 go?")
    expect(tool.locator("#test-number")).to_have_count(0)
    tool.locator("#test-caller").fill("1001")
    tool.get_by_role("button", name="Test", exact=True).click()
    expect(tool.get_by_test_id("routing-summary")).to_have_text(
        "The call follows the rule Forward all calls."
    )
    expect(tool.get_by_test_id("routing-timeline")).to_have_text("at once forward to +4917012345")
    shot(page, "my-rules-forward")
    page.set_viewport_size(PHONE)
    rules.get_by_role("button", name="Edit Forward all calls").click()
    shot(page, "my-rules-phone")
    page.keyboard.press("Escape")
    page.set_viewport_size(DESKTOP)

    # Off again: the rule stays, switched off; the test falls back to ringing the phones.
    card.get_by_role("button", name="Turn forwarding off").click()
    expect(card.get_by_test_id("forward-state")).to_contain_text("Forwarding off")
    expect(rules.get_by_role("switch", name="Rule Forward all calls on")).not_to_be_checked()
    tool.get_by_role("button", name="Test", exact=True).click()
    expect(tool.get_by_test_id("routing-summary")).to_have_text(
        "No rule matched: the phones ring (the default)."
    )
    expect(tool.get_by_test_id("routing-checked")).to_contain_text("Because the rule is switched off.")


def test_rte_a_user_lets_vip_callers_through_do_not_disturb(
    cordboard: Cordboard, browser: BrowserThread
) -> None:
    """ "Caller in the contacts" in the rule editor: the user's VIP contact rings through while
    do-not-disturb turns everyone else away; the test tool says why for each caller."""
    user_id, password = add_user(cordboard, "vera", "1303", "Vera", "Vogt", sip=False)
    token = cordboard.token()
    vip = {"company": "Big Client", "type": "vip", "scope": "user", "scope_id": user_id,
           "numbers": [{"number": "+45 70 10 20 30"}]}  # fmt: skip
    status, body = cordboard.api("POST", "/api/directory/contacts", vip, token)
    assert status == 201, body
    dnd = {"scope": "user", "scope_id": user_id, "list": "incoming", "name": "DND busy",
           "conditions": {"dnd": True}, "destinations": [{"kind": "busy"}]}  # fmt: skip
    status, body = cordboard.api("POST", "/api/routing/rules", dnd, token)
    assert status == 201, body
    status, body = cordboard.api("PUT", f"/api/users/{user_id}/presence", {"dnd": True}, token)
    assert status == 200, body
    browser.run(_vip_rule, cordboard, password)
    status, rules = cordboard.api("GET", f"/api/routing/rules?scope=user&scope_id={user_id}", token=token)
    assert status == 200, rules
    made = next(r for r in rules if r["name"] == "VIPs ring through")
    assert made["conditions"] == {"caller_contacts": ["vip"]}


def _vip_rule(page: Any, cordboard: Cordboard, password: str) -> None:
    login(page, cordboard.base, "vera", password)
    page.locator("#nav").get_by_role("link", name="My call rules").click()
    incoming = page.get_by_test_id("rules-incoming")
    incoming.get_by_role("button", name="Add rule").click()
    page.locator("#rule-name").fill("VIPs ring through")
    page.locator("#rule-caller-contacts").select_option(label="the caller is a VIP contact")
    expect(page.get_by_test_id("rule-preview")).to_contain_text("the caller is a VIP contact")
    page.get_by_role("button", name="Create").click()
    item = incoming.get_by_role("listitem").filter(has_text="VIPs ring through")
    expect(item).to_contain_text(
        "When a call comes in and the caller is a VIP contact, ring the phones at once."
    )
    # The new rule comes after DND busy: move it up so that VIPs are let through first.
    page.get_by_role("button", name="Move VIPs ring through up").click()
    tool = page.get_by_test_id("routing-test")
    tool.locator("#test-caller").fill("+4570102030")
    tool.get_by_role("button", name="Test", exact=True).click()
    expect(tool.get_by_test_id("routing-summary")).to_have_text(
        "The call follows the rule VIPs ring through."
    )
    tool.locator("#test-caller").fill("+4599887766")
    tool.get_by_role("button", name="Test", exact=True).click()
    expect(tool.get_by_test_id("routing-summary")).to_have_text("The call follows the rule DND busy.")
    expect(tool.get_by_test_id("routing-checked")).to_contain_text("the caller is not in the contacts")
    shot(page, "my-rules-vip")
