"""My phones and numbers (TERM-02, TERM-03, TERM-07, TERM-09, CAPU-11/13, CLI-01, CLI-05) in the user
portal: the user adds a colleague's number, sees the two-lines warning, switches to one by one with
ring times, orders the number first, gets their own number refused next to the field, and saves;
then chooses his mobile as the number his calls show, and hides it."""

from __future__ import annotations

from typing import Any

from e2e_helpers import BrowserThread, Cordboard, add_user, login, shot
from playwright.sync_api import expect


def test_user_sets_up_their_phones_and_numbers(cordboard: Cordboard, browser: BrowserThread) -> None:
    add_user(cordboard, "tove", "1502", "Tove", "Tang", sip=False)
    user_id, password = add_user(cordboard, "tim", "1501", "Tim", "Tang", sip=False)
    status, _ = cordboard.api("PATCH", f"/api/users/{user_id}", {"mobile": "+4520111222"}, cordboard.token())
    assert status == 200
    browser.run(_my_terminals, cordboard, password)
    status, plan = cordboard.api("GET", f"/api/users/{user_id}/terminals", token=cordboard.token())
    assert status == 200
    assert (plan["mode"], plan["fallback"]) == ("sequential", "+4533123456")
    assert [(t["kind"], t["number"], t["ring_s"], t["when"]) for t in plan["terminals"]] == [
        ("number", "1502", 15, "outside_working_hours"),
        ("phones", None, 20, "always"),
    ]


def _my_terminals(page: Any, cordboard: Cordboard, password: str) -> None:
    login(page, cordboard.base, "tim", password)
    page.locator("#nav").get_by_role("link", name="My phones and numbers").click()
    expect(page).to_have_url(cordboard.base + "/my-terminals")
    expect(page.get_by_test_id("terminal-0")).to_contain_text("My registered phones")
    page.get_by_role("button", name="Add a number").click()
    page.locator("#terminal-1-number").fill("1501")  # his own number: refused
    page.locator("#terminals-fallback").fill("1501")  # RTE-10: so is a fallback back to himself
    expect(page.get_by_test_id("two-channels")).to_be_visible()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#terminal-1-number-error")).to_have_text("that is this user's own number")
    expect(page.locator("#terminals-fallback-error")).to_contain_text("this user's own number")
    page.locator("#terminal-1-number").fill("1502")
    page.locator("#terminals-fallback").fill("+45 33 12 34 56")
    page.locator("#terminals-mode").select_option("sequential")
    expect(page.get_by_test_id("two-channels")).to_have_count(0)
    page.locator("#terminal-1-ring").fill("15")
    page.locator("#terminal-1-when").select_option("outside_working_hours")
    page.get_by_role("button", name="Move 1502 up").click()
    expect(page.get_by_test_id("terminal-0")).to_contain_text("1502")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Your phones and numbers are saved.")).to_be_visible()
    shot(page, "my-terminals")
    page.reload()
    expect(page.locator("#terminals-mode")).to_have_value("sequential")
    expect(page.locator("#terminal-0-number")).to_have_value("1502")
    expect(page.locator("#terminals-fallback")).to_have_value("+4533123456")

    # CLI-01/05: the number his calls show, from his own numbers; then hidden.
    card = page.get_by_test_id("caller-id")
    expect(card.get_by_test_id("personal-lines")).to_have_text(  # NUM-04
        "Your lines: 1501 (office landline, primary), +4520111222 (office mobile)"
    )
    expect(card.locator("#caller-id-number option")).to_have_text(["1501", "+4520111222"])
    card.locator("#caller-id-number").select_option("+4520111222")
    expect(
        page.get_by_role("status").filter(has_text="Saved: the number your calls show.").first
    ).to_be_visible()
    card.get_by_label("Hide my number").check()
    page.reload()
    expect(page.locator("#caller-id-number")).to_have_value("+4520111222")
    expect(page.locator("#caller-id-hidden")).to_be_checked()

    # RTE-12: call waiting, a user's own setting.
    expect(page.locator("#call-waiting")).to_be_checked()
    page.get_by_label("Call waiting").uncheck()
    expect(page.get_by_role("status").filter(has_text="Call waiting is off").first).to_be_visible()
    page.reload()
    expect(page.locator("#call-waiting")).not_to_be_checked()
