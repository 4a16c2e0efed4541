"""The Schedules page and the user's working hours in the web UI (SCH-01..03, SCH-05, SCH-07..09).

An administrator edits the organisation's week in the week view (a window ending before it starts
is refused next to the field before sending), adds an exception date and an extra window, and sees
the working hours drawn as bars; a user sees them on "My working hours" and turns night mode off.
In the function-number schedule editor the administrator builds a schedule with a weekly event
and a one-off holiday (a Forward without a diallable number is refused), moves the holiday above
the weekly event and checks which event decides on the holiday.
"""

from __future__ import annotations

import re
from typing import Any

from e2e_helpers import ADMIN, ADMIN_PASSWORD, BrowserThread, Cordboard, add_user, login, shot
from playwright.sync_api import expect


def test_sch_01_02_03_05_week_view_edit_and_night_mode_toggle(
    cordboard: Cordboard, browser: BrowserThread
) -> None:
    _user_id, password = add_user(cordboard, "wh-user", "2300", "Wanda", "Hours", sip=False)
    browser.run(_edit_week, cordboard)
    token = cordboard.token()
    status, hours = cordboard.api("GET", "/api/working_hours/org", token=token)
    assert status == 200, hours
    assert hours["week"]["mon"] == [{"from": "07:00", "to": "18:00"}]
    assert hours["week"]["fri"] == [{"from": "07:00", "to": "18:00"}]
    assert hours["week"]["sat"] == [] and hours["week"]["sun"] == []
    assert hours["exceptions"] == ["2026-12-24"]
    assert hours["extra"] == [{"date": "2026-12-05", "from": "10:00", "to": "14:00"}]

    browser.run(_user_turns_night_mode_off, cordboard, password)
    user_token = cordboard.token("wh-user", password)
    status, night = cordboard.api("GET", "/api/me/night_mode", token=user_token)
    assert status == 200 and night["night_mode_off"] is True and night["night_mode"] is False


def _edit_week(page: Any, cordboard: Cordboard) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    page.locator("#nav").get_by_role("link", name="Schedules").click()
    expect(page).to_have_url(cordboard.base + "/schedules")
    expect(page.get_by_role("heading", name="Schedules", exact=True)).to_be_focused()
    card = page.get_by_test_id("working-hours")
    expect(card.get_by_test_id("week-editor")).to_be_visible()
    for day in ("mon", "tue", "wed", "thu", "fri"):
        card.locator(f"#wh-{day}-from").fill("07:00")
        card.locator(f"#wh-{day}-to").fill("18:00")
    card.locator("#wh-tue-to").fill("06:00")
    card.get_by_role("button", name="Save").click()
    expect(card.locator("#wh-tue-to-error")).to_have_text("Ends before it starts")
    expect(card.locator("#wh-tue-to")).to_be_focused()
    card.locator("#wh-tue-to").fill("18:00")

    card.locator("#new-exception").fill("2026-12-24")
    card.get_by_role("button", name="Add date").click()
    expect(card.get_by_test_id("exceptions")).to_contain_text("2026-12-24")
    card.get_by_role("button", name="Add window").click()
    card.locator("#extra-0-date").fill("2026-12-05")
    card.locator("#extra-0-from").fill("10:00")
    card.locator("#extra-0-to").fill("14:00")
    card.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("Working hours saved.")
    expect(card.get_by_test_id("bar-mon")).to_contain_text("07:00\u201318:00")
    expect(card.get_by_test_id("bar-sat")).to_have_attribute("aria-label", "Saturday: not working")
    shot(page, "schedules-week")

    # A user's level inherits until "own working hours" is ticked.
    card.get_by_role("radio", name="User", exact=True).check()
    expect(card.locator("#hours-here-week")).not_to_be_checked()
    expect(card.get_by_test_id("week-inherited")).to_be_visible()


def _user_turns_night_mode_off(page: Any, cordboard: Cordboard, password: str) -> None:
    login(page, cordboard.base, "wh-user", password)
    page.locator("#nav").get_by_role("link", name="My working hours").click()
    expect(page.get_by_role("heading", name="My working hours", exact=True)).to_be_focused()
    week = page.get_by_test_id("my-week")
    expect(week.get_by_test_id("bar-wed")).to_contain_text("07:00\u201318:00")
    expect(week).to_contain_text("2026-12-24")
    expect(week).to_contain_text("2026-12-05 10:00\u201314:00")
    page.get_by_role("button", name="Turn night mode off").click()
    expect(page.locator(".toast").last).to_have_text("Night mode is off until you turn it back on.")
    expect(page.get_by_test_id("night-mode-state")).to_contain_text("Night mode off")
    expect(page.get_by_role("button", name="Turn night mode back on")).to_be_visible()
    shot(page, "my-working-hours")


def test_sch_07_08_09_function_number_schedule_editor(cordboard: Cordboard, browser: BrowserThread) -> None:
    browser.run(_build_schedule, cordboard)
    status, schedules = cordboard.api("GET", "/api/schedules?owner=number:1600", token=cordboard.token())
    assert status == 200, schedules
    (schedule,) = schedules
    assert [e["name"] for e in schedule["events"]] == ["Holiday", "Opening hours"]
    holiday = schedule["events"][0]
    assert (holiday["repeat"], holiday["start_date"], holiday["end_date"]) == (
        "once",
        "2018-01-19",
        "2018-01-20",
    )
    assert (holiday["action"], holiday["target"]) == ("forward", "+4533123456")
    assert schedule["default"]["action"] == "closed"


def _build_schedule(page: Any, cordboard: Cordboard) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    page.goto(cordboard.base + "/schedules")
    card = page.get_by_test_id("number-schedules")
    expect(card.get_by_test_id("schedules-empty")).to_be_visible()
    card.get_by_role("button", name="New schedule").click()
    expect(card.locator("#schedule-name")).to_be_focused()
    card.locator("#schedule-name").fill("Switchboard")
    card.locator("#schedule-owner").fill("number:1600")

    card.get_by_role("button", name="Add event").click()
    card.locator("#event-0-name").fill("Opening hours")
    expect(card.locator("#event-0-day-mon")).to_be_checked()
    expect(card.locator("#event-0-day-sat")).not_to_be_checked()

    card.get_by_role("button", name="Add event").click()
    card.locator("#event-1-name").fill("Holiday")
    card.locator("#event-1-repeat").select_option("once")
    card.locator("#event-1-start-date").fill("2018-01-19")
    card.locator("#event-1-from").fill("00:00")
    card.locator("#event-1-end-date").fill("2018-01-20")
    card.locator("#event-1-to").fill("00:00")
    card.locator("#event-1-action").select_option("forward")
    card.locator("#event-1-target").fill("call the boss")
    card.locator("#default-action").select_option("closed")
    card.get_by_role("button", name="Create").click()
    expect(card.locator("#event-1-target-error")).to_have_text(
        "A number to dial, such as 1001 or +4533123456"
    )
    expect(card.locator("#event-1-target")).to_be_focused()
    card.locator("#event-1-target").fill("+4533123456")
    card.get_by_role("button", name="Create").click()
    expect(page.locator(".toast").last).to_have_text("Schedule Switchboard created.")

    # SCH-09: the one-off holiday goes above the weekly hours.
    card.get_by_role("button", name="Move Holiday up").click()
    expect(card.locator("#event-0-name")).to_have_value("Holiday")
    expect(card.locator("#event-1-name")).to_have_value("Opening hours")
    card.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".toast").last).to_have_text("Saved")
    rows = card.get_by_test_id("schedules").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("number:1600")

    tester = card.get_by_test_id("decision-test")
    tester.locator("#decision-at").fill("2018-01-19T09:00")
    tester.get_by_role("button", name="Check").click()
    expect(tester.get_by_test_id("decision")).to_have_text("Holiday decides: Forward to +4533123456.")
    tester.locator("#decision-at").fill("2018-01-20T21:00")
    tester.get_by_role("button", name="Check").click()
    expect(tester.get_by_test_id("decision")).to_have_text("Always decides: Closed.")
    shot(page, "schedules-number-editor")


def test_sch_06_extend_working_hours_today(cordboard: Cordboard, browser: BrowserThread) -> None:
    user_id, password = add_user(cordboard, "wh-ext", "2301", "Erik", "Extend", sip=False)
    token = cordboard.token()
    status, group = cordboard.api("POST", "/api/groups", {"name": "Reception"}, token)
    assert status == 201, group
    status, _ = cordboard.api("PUT", f"/api/groups/{group['id']}/members", {"user_ids": [user_id]}, token)
    assert status == 200
    user_token = cordboard.token("wh-ext", password)
    status, _ = cordboard.api("POST", "/api/working_hours/extend", {"minutes": 60}, user_token)
    assert status == 403  # not yet granted
    browser.run(_grant_extend_right, cordboard, group["id"])
    browser.run(_user_extends, cordboard, password)
    status, level = cordboard.api("GET", f"/api/working_hours/user/{user_id}", token=token)
    assert status == 200 and len(level["extra"] or []) >= 1, level


def _grant_extend_right(page: Any, cordboard: Cordboard, group_id: int) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    page.goto(cordboard.base + "/schedules")
    card = page.get_by_test_id("extend-groups")
    card.get_by_label("Reception").check()
    card.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("Saved who may extend working hours.")
    _status, body = cordboard.api("GET", "/api/working_hours/extend_groups", token=cordboard.token())
    assert body == {"group_ids": [group_id]}


def _user_extends(page: Any, cordboard: Cordboard, password: str) -> None:
    login(page, cordboard.base, "wh-ext", password)
    page.goto(cordboard.base + "/my-hours")
    card = page.get_by_test_id("extend-hours")
    card.locator("#extend-by").select_option("60")
    card.get_by_role("button", name="Extend").click()
    expect(page.locator(".toast").last).to_have_text(
        re.compile(r"^Working hours extended today: \d\d:\d\d\u2013\d\d:\d\d\.$")
    )
