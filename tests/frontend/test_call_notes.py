"""A user's notes on their calls and calls removed from their own list, in a real browser over a
real `cordboard run` (FEATURES.md CDR-04, CAPU-02/03): the note is edited in place and found by the
search; a removal asks first, says that the organisation's journal keeps the call, and does so;
administrators read the notes in the journal.
"""

from __future__ import annotations

from typing import Any

from e2e_helpers import ADMIN, ADMIN_PASSWORD, BrowserThread, Cordboard, add_user, login, shot
from playwright.sync_api import expect
from test_calls_and_phones import on_day, record, seed

from cordboard.core.calls.model import CallResult


def test_my_calls_notes_and_removal(cordboard: Cordboard, browser: BrowserThread) -> None:
    jan_id, jan_pw = add_user(cordboard, "jan", "4001", "Jan", "Juhl", sip=False)
    kim_id, kim_pw = add_user(cordboard, "kim", "4002", "Kim", "Krag", sip=False)
    jan = ("4001", "Jan Juhl", jan_id)
    kim = ("4002", "Kim Krag", kim_id)
    newer, older, outside = seed(
        cordboard,
        [
            record(jan, kim, on_day(6, 2)),
            record(kim, jan, on_day(6, 1), CallResult.BUSY),
            record(jan, ("+4520304050", "", None), on_day(5, 30)),
        ],
    )
    seeded = {"newer": newer, "older": older, "outside": outside, "jan_pw": jan_pw, "kim_pw": kim_pw}
    browser.run(_user_notes_and_removes, cordboard, seeded)
    browser.run(_admin_reads_the_notes, cordboard, seeded)


def _user_notes_and_removes(page: Any, cordboard: Cordboard, seeded: dict[str, Any]) -> None:
    login(page, cordboard.base, "jan", seeded["jan_pw"])
    page.locator("#nav").get_by_role("link", name="My calls").click()
    rows = page.get_by_test_id("call-row")
    expect(rows).to_have_count(3)
    expect(page.get_by_test_id("calls-remove-hint")).to_contain_text("the organisation's call journal")
    first = page.locator(f'[data-testid="call-row"][data-call="{seeded["newer"]}"]')
    expect(first).to_have_count(1)

    # Add a note in place, by keyboard: the field takes the focus, Enter saves.
    first.get_by_role("button", name="Add a note").click()
    field = first.get_by_test_id("call-note-input")
    expect(field).to_be_focused()
    field.fill("Call back about the quote")
    page.keyboard.press("Enter")
    expect(first.get_by_test_id("call-note")).to_have_text("Call back about the quote")
    expect(field).to_have_count(0)
    expect(first.get_by_role("button", name="Edit the note")).to_be_focused()
    shot(page, "my-calls-note")

    # Escape leaves the note as it was; a reload shows it from the server.
    first.get_by_role("button", name="Edit the note").click()
    first.get_by_test_id("call-note-input").fill("something else")
    page.keyboard.press("Escape")
    expect(first.get_by_test_id("call-note")).to_have_text("Call back about the quote")
    page.reload()
    expect(first.get_by_test_id("call-note")).to_have_text("Call back about the quote")

    # The search finds the note's words.
    page.get_by_label("Search").fill("quote")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-call", seeded["newer"])
    page.get_by_label("Search").fill("")
    expect(rows).to_have_count(3)

    # Removing asks first (and says the journal keeps the call); Cancel keeps it.
    older = page.locator(f'[data-testid="call-row"][data-call="{seeded["older"]}"]')
    older.get_by_test_id("call-remove").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("The organisation's call journal keeps the call.")
    shot(page, "my-calls-remove-confirm")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    expect(rows).to_have_count(3)
    older.get_by_test_id("call-remove").click()
    page.get_by_role("dialog").get_by_role("button", name="Remove").click()
    expect(rows).to_have_count(2)
    expect(older).to_have_count(0)
    page.reload()
    expect(rows).to_have_count(2)
    expect(older).to_have_count(0)

    # Kim still has both calls, and no note of Jan's.
    token = cordboard.token("kim", seeded["kim_pw"])
    status, body = cordboard.api("GET", "/api/calls", token=token)
    assert status == 200
    assert {row["id"]: row["note"] for row in body} == {seeded["newer"]: "", seeded["older"]: ""}
    # Jan's call to an outside number is not Kim's: Kim can neither annotate nor remove it.
    status, _ = cordboard.api("PUT", f"/api/calls/{seeded['outside']}/note", {"note": "x"}, token)
    assert status == 404
    status, _ = cordboard.api("DELETE", f"/api/calls/{seeded['outside']}/mine", token=token)
    assert status == 404


def _admin_reads_the_notes(page: Any, cordboard: Cordboard, seeded: dict[str, Any]) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    page.goto(cordboard.base + "/calls")
    expect(page.get_by_role("heading", name="Call history")).to_be_visible()
    newer = page.locator(f'[data-testid="call-row"][data-call="{seeded["newer"]}"]')
    older = page.locator(f'[data-testid="call-row"][data-call="{seeded["older"]}"]')
    # The journal keeps the call Jan removed, and shows Jan's note.
    expect(older).to_have_count(1)
    expect(page.get_by_role("columnheader", name="Notes")).to_be_visible()
    expect(newer.get_by_test_id("call-notes")).to_have_text("jan: Call back about the quote")
    expect(older.get_by_test_id("call-notes")).to_have_count(0)
    shot(page, "call-history-notes")
