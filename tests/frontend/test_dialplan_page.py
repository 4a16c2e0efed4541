"""The Dial plan page (CNV-01..06, BAR-01, BAR-02, BAR-05, BAR-06, EMR-01/02, BYD-15): with the
country set to Denmark the admin sees the Danish templates (00 to +, 8-digit national numbers,
the Premium and Mobile types, 112 and 114), adds a conversion with intervals (a bad interval is
refused next to the field), tests a number and sees its conversion, sees an international number
refused, adds a released type from typed prefixes and an uploaded file and sees the number allowed,
replaces a type's prefixes by a file, bars a type with its switch, cannot remove 112 from the
emergency numbers, sets a toll-fraud limit, and edits and deletes the conversion. BAR-04: the
admin keeps blocking groups (number types, all international numbers, prefixes) and tests a number
as dialled from a function number in one."""

from __future__ import annotations

import time
from typing import Any

from e2e_helpers import ADMIN, ADMIN_PASSWORD, PHONE, BrowserThread, Cordboard, add_user, login, shot
from playwright.sync_api import expect


def _denmark(cordboard: Cordboard, token: str) -> None:
    """The country set to Denmark, and its templates (conversions, Premium and Mobile) in place."""
    status, _ = cordboard.api("PUT", "/api/settings/org", {"core.country": "DK"}, token)
    assert status == 200
    for _ in range(100):
        _, plan = cordboard.api("GET", "/api/dialplan", token=token)
        if plan["conversions"]:
            return
        time.sleep(0.05)
    raise AssertionError("the Danish templates never came")


def test_dial_plan_page(cordboard: Cordboard, browser: BrowserThread) -> None:
    token = cordboard.token()
    _denmark(cordboard, token)
    add_user(cordboard, "ida", "1401", "Ida", "Isaksen", sip=False)

    browser.run(_dial_plan_page, cordboard)

    _, plan = cordboard.api("GET", "/api/dialplan", token=token)
    nordics = next(t for t in plan["number_types"] if t["name"] == "Nordics")
    assert sorted(nordics["prefixes"]) == ["+46", "+468"] and nordics["released"]
    assert next(t for t in plan["number_types"] if t["name"] == "Mobile")["barred"]
    assert plan["special_numbers"] == ["112", "114", "1813"]
    assert all(c["label"] != "Annex" for c in plan["conversions"]), "the rule was deleted"
    _, org = cordboard.api("GET", "/api/settings/org", token=token)
    assert org["core.max_external_calls"] == 5
    assert org["core.international_calls"] == "pin", "BAR-05: with PIN, saved from the page"


def _test_number(page: Any, number: str, user: str | None = None) -> Any:
    page.locator("#dp-test-number").fill(number)
    if user:
        page.locator("#dp-test-user").select_option(label=user)
    page.get_by_role("button", name="Test", exact=True).click()
    result = page.get_by_test_id("dp-result")
    expect(result).to_contain_text(number)
    return result


def _dial_plan_page(page: Any, cordboard: Cordboard) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    nav = page.locator("#nav")
    page.locator("#nav").get_by_role("link", name="Dial plan").click()
    expect(page).to_have_url(cordboard.base + "/dialplan")
    expect(page.get_by_role("heading", name="Dial plan", exact=True)).to_be_focused()
    links = nav.get_by_role("link").all_inner_texts()
    assert links.index("Dial plan") == links.index("Numbers") + 1, links
    expect(nav.get_by_role("link", name="Dial plan")).to_have_attribute("aria-current", "page")

    # CNV-05: Denmark's templates, each rule as a sentence; BAR-01: its number types; CNV-06: 112, 114.
    conversions = page.get_by_test_id("conversions")
    expect(conversions).to_contain_text("00… becomes +…")
    expect(conversions).to_contain_text("XXXXXXXX becomes +45XXXXXXXX")
    expect(page.get_by_test_id("type-Premium")).to_contain_text("+4590")
    expect(page.get_by_role("switch", name="Premium barred")).to_be_checked()
    expect(page.get_by_test_id("type-Mobile")).to_contain_text("+4530")
    expect(page.get_by_test_id("special-numbers")).to_have_text("112114")
    expect(page.get_by_test_id("toll-fraud")).to_contain_text("Toll fraud")

    # CNV-04: a conversion with intervals; a bad interval is refused next to the field.
    page.locator("#dp-prefix").fill("2")
    page.locator("#dp-digits").fill("2")
    page.locator("#dp-intervals").fill("07-15, 17-2")
    page.locator("#dp-rewrite").fill("+4588")
    page.locator("#dp-label").fill("Annex")
    expect(page.get_by_test_id("dp-rule-preview")).to_contain_text("2XX becomes +4588XX")
    page.get_by_role("button", name="Add rule").click()
    expect(page.locator("#dp-intervals-error")).to_contain_text("17-2: two numbers of the same length")
    expect(page.locator("#dp-intervals")).to_be_focused()
    page.locator("#dp-intervals").fill("07-15, 17-29")
    page.get_by_role("button", name="Add rule").click()
    sentence = "2XX becomes +4588XX when XX is in 07\u201315, 17\u201329"  # en dashes, as the page writes
    expect(conversions.get_by_role("row").filter(has_text="Annex")).to_contain_text(sentence)
    expect(page.locator("#dp-intervals")).to_have_value("")

    # CNV-06: a rule that would convert 112 is refused next to the prefix.
    page.locator("#dp-prefix").fill("11")
    page.locator("#dp-digits").fill("1")
    page.locator("#dp-rewrite").fill("+45")
    page.get_by_role("button", name="Add rule").click()
    expect(page.locator("#dp-prefix-error")).to_contain_text(
        "emergency and special numbers are never converted"
    )
    for field in ("#dp-prefix", "#dp-digits", "#dp-rewrite"):
        page.locator(field).fill("")

    # Test a number: the conversion and its rule; a number in the gap is not converted.
    result = _test_number(page, "212", "Ida Isaksen (1401)")
    expect(page.get_by_test_id("dp-result-number")).to_have_text("+458812")
    expect(page.get_by_test_id("dp-result-rule")).to_contain_text(sentence)
    expect(result).to_contain_text("Allowed")
    _test_number(page, "216")
    expect(page.get_by_test_id("dp-result-number")).to_have_text("216")
    expect(page.get_by_test_id("dp-result-rule")).to_have_text("No rule matches: sent as dialled")
    # EMR-01: 112 before everything.
    result = _test_number(page, "112")
    expect(page.get_by_test_id("dp-result-emergency")).to_contain_text("Yes")
    expect(result).to_contain_text("Allowed")
    # BAR-01: a barred type; BAR-05: international calls blocked by default.
    result = _test_number(page, "90123456")
    expect(result).to_contain_text("Premium numbers are barred.")
    result = _test_number(page, "004687654321")
    expect(page.get_by_test_id("dp-result-number")).to_have_text("+4687654321")
    expect(page.get_by_test_id("dp-result-international")).to_have_text("Yes")
    expect(result).to_contain_text("Refused")
    expect(result).to_contain_text("International calls are blocked.")

    # BAR-05 released in part: a released type from typed prefixes and a file (BAR-02, added).
    page.locator("#dp-type-name").fill("Nordics")
    page.locator("#dp-type-prefixes").fill("+46")
    page.locator("#dp-type-file").set_input_files(
        {
            "name": "nordic.csv",
            "mimeType": "text/csv",
            "buffer": b"prefix,country\n+47,Norway\n+358,Finland\n",
        }
    )
    expect(page.get_by_test_id("dp-upload-note")).to_contain_text(
        "2 prefixes read from nordic.csv and added: 3 in all."
    )
    expect(page.locator("#dp-type-prefixes")).to_have_value("+46\n+47\n+358")
    page.locator("#dp-type-released").check()
    page.get_by_role("button", name="Add type").click()
    expect(page.get_by_test_id("type-Nordics")).to_contain_text("+358")
    expect(page.get_by_role("switch", name="Nordics released")).to_be_checked()
    result = _test_number(page, "004687654321")
    expect(result).to_contain_text("Allowed")
    expect(page.get_by_test_id("dp-result-type")).to_have_text("Nordics")

    # Editing a type: a file that replaces its prefixes (BAR-02), saved with PUT.
    page.get_by_role("button", name="Edit type Nordics").click()
    expect(page.locator("#dp-type-name")).to_be_focused()
    page.get_by_role("radio", name="Replace the prefixes").check()
    page.locator("#dp-type-file").set_input_files(
        {"name": "sweden.txt", "mimeType": "text/plain", "buffer": b"+46\n+46 8\n"}
    )
    expect(page.locator("#dp-type-prefixes")).to_have_value("+46\n+468")
    page.get_by_role("button", name="Save type").click()
    expect(page.get_by_test_id("type-Nordics")).not_to_contain_text("+358")
    expect(page.get_by_test_id("type-Nordics")).to_contain_text("+468")
    # The switches of a row are saved at once.
    page.get_by_role("switch", name="Mobile barred").check()
    expect(page.get_by_text("Numbers of type Mobile are barred now.")).to_be_visible()
    result = _test_number(page, "30123456")
    expect(result).to_contain_text("Mobile numbers are barred.")

    # CNV-06: 112 cannot be removed from the emergency numbers; others can be added.
    page.locator("#dp-emergency").fill("114 1813")
    page.get_by_role("button", name="Save numbers").click()
    expect(page.locator("#dp-emergency-error")).to_contain_text("112 is always an emergency number")
    expect(page.get_by_test_id("special-numbers")).to_have_text("112114")
    page.locator("#dp-emergency").fill("112, 114 1813")
    page.get_by_role("button", name="Save numbers").click()
    expect(page.get_by_test_id("special-numbers")).to_have_text("1121141813")
    expect(page.locator("#dp-emergency")).to_have_value("112 114 1813")
    expect(page.locator("#dp-emergency-error")).to_have_text("")

    # BYD-15: a limit; choosing "released" warns, but it is not saved here; "with PIN" is.
    page.locator("#dp-international-released").check()
    expect(page.get_by_text("International calls are released for everyone.")).to_be_visible()
    page.get_by_label("With PIN: the caller is asked for their own PIN").check()  # BAR-05
    page.locator("#dp-max-external").fill("5")
    page.get_by_role("button", name="Save policy").click()
    expect(page.get_by_text("International policy and limits saved.")).to_be_visible()
    result = _test_number(page, "004930123456")
    expect(result).to_contain_text("International calls need the caller's PIN first.")
    shot(page, "dialplan-page")

    # The rule is edited, then deleted.
    page.get_by_role("button", name=f"Edit rule {sentence}").click()
    expect(page.locator("#dp-intervals")).to_have_value("07-15, 17-29")
    page.locator("#dp-intervals").fill("07-15")
    page.get_by_role("button", name="Save rule").click()
    sentence = "2XX becomes +4588XX when XX is in 07\u201315"
    expect(conversions.get_by_role("row").filter(has_text="Annex")).to_contain_text(sentence)
    page.get_by_role("button", name=f"Delete rule {sentence}").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(conversions.get_by_role("row").filter(has_text="Annex")).to_have_count(0)

    # On a phone the page does not scroll sideways (the tables scroll within their cards).
    page.set_viewport_size(PHONE)
    _test_number(page, "33123456")
    expect(page.get_by_test_id("dp-result-number")).to_have_text("+4533123456")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "dialplan-phone")


def test_blocking_groups_bar_04(cordboard: Cordboard, browser: BrowserThread) -> None:
    """BAR-04: an admin adds a blocking group (a number type, all international numbers, a
    prefix), a bad prefix is refused next to its field and nothing is saved, the group is renamed,
    the number test as dialled from a function number in the group shows an international number
    blocked by it (BAR-06: 112 never is), and the group is deleted."""
    token = cordboard.token()
    _denmark(cordboard, token)
    browser.run(_blocking_groups, cordboard)
    _, plan = cordboard.api("GET", "/api/dialplan", token=token)
    assert plan["blocking_groups"] == [], "deleted from the page"


def _groups(cordboard: Cordboard) -> list[dict[str, Any]]:
    _, plan = cordboard.api("GET", "/api/dialplan", token=cordboard.token())
    return list(plan["blocking_groups"])


def _blocking_groups(page: Any, cordboard: Cordboard) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    page.goto(cordboard.base + "/dialplan")
    card = page.locator("cb-blocking-groups")
    expect(card.get_by_role("heading", name="Blocking groups")).to_be_visible()
    expect(card).to_contain_text("Emergency numbers are never blocked.")
    expect(card).to_contain_text("No blocking groups yet.")

    # The name is checked before anything is sent; the form takes the focus and gives it back.
    card.get_by_role("button", name="Add blocking group").click()
    expect(page.locator("#dp-bg-name")).to_be_focused()
    card.get_by_role("button", name="Save blocking group").click()
    expect(page.locator("#dp-bg-name-error")).to_have_text("Enter a name.")
    expect(page.locator("#dp-bg-name")).to_be_focused()
    page.locator("#dp-bg-name").fill("No premium")
    card.locator("#dp-bg-types").get_by_label("Premium").check()
    card.get_by_label("Block all international numbers").check()
    page.locator("#dp-bg-prefixes").fill("+4570, +4580")
    card.get_by_role("button", name="Save blocking group").click()
    row = card.get_by_test_id("blocking-No premium")
    expect(row).to_contain_text("Number types: Premium")
    expect(row).to_contain_text("All international numbers")
    expect(row).to_contain_text("Numbers starting with +4570 +4580")
    expect(card.get_by_role("button", name="Add blocking group")).to_be_focused()
    [group] = _groups(cordboard)
    assert group["number_types"] == ["Premium"] and group["international"], group

    # A bad prefix: the server's error next to the field, nothing saved.
    card.get_by_role("button", name="Edit blocking group No premium").click()
    expect(page.locator("#dp-bg-name")).to_be_focused()
    expect(page.locator("#dp-bg-prefixes")).to_have_value("+4570 +4580")
    page.locator("#dp-bg-name").fill("Blocked abroad")
    page.locator("#dp-bg-prefixes").fill("+4570 12ab")
    card.get_by_role("button", name="Save blocking group").click()
    expect(page.locator("#dp-bg-prefixes-error")).to_contain_text("'12ab' is not a prefix of digits")
    expect(page.locator("#dp-bg-prefixes")).to_be_focused()
    assert _groups(cordboard) == [group], "nothing saved"

    # Renamed (and the bad prefix left out).
    page.locator("#dp-bg-prefixes").fill("+4570")
    card.get_by_role("button", name="Save blocking group").click()
    row = card.get_by_test_id("blocking-Blocked abroad")
    expect(row).to_contain_text("Numbers starting with +4570")
    expect(card.get_by_test_id("blocking-No premium")).to_have_count(0)
    [renamed] = _groups(cordboard)
    assert renamed["id"] == group["id"] and renamed["prefixes"] == ["+4570"], renamed

    # The number test as dialled from a function number in the group.
    page.locator("#dp-test-groups").get_by_label("Blocked abroad").check()
    result = _test_number(page, "004930123456")
    expect(result).to_contain_text("Refused")
    expect(result).to_contain_text("Blocked by the blocking group Blocked abroad.")
    expect(result).to_contain_text("(403)")
    shot(page, "dialplan-blocking-groups")
    result = _test_number(page, "112")  # BAR-06
    expect(result).to_contain_text("Allowed")
    page.locator("#dp-test-groups").get_by_label("Blocked abroad").uncheck()
    result = _test_number(page, "004930123456")
    expect(result).not_to_contain_text("Blocked by the blocking group")

    card.get_by_role("button", name="Delete blocking group Blocked abroad").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(card.get_by_test_id("blocking-Blocked abroad")).to_have_count(0)
    expect(card).to_contain_text("No blocking groups yet.")
    expect(page.locator("#dp-test-groups")).to_have_count(0)
    assert _groups(cordboard) == []
