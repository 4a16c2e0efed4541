"""What the REST API could change and the web UI could not, now done in the UI: the administrator
edits another user's terminals on the user's page (CAPA-40, TERM-02, TERM-03), edits a number range
(NUM-01, CAPA-16), sets a user's do-not-disturb, activity and diversion and applies a shortcut for
them (CAPA-08, CAPA-40, PRS-01, PRS-02, PRS-04, PRS-10), edits an outbound route (BYD-03) and a
voicemail number (GIB-07); a user edits their own presence shortcut (PRS-04). Each change is read
back through the API; the server's refusals are shown next to their fields."""

from __future__ import annotations

from typing import Any

from e2e_helpers import (
    ADMIN,
    ADMIN_PASSWORD,
    BrowserThread,
    Cordboard,
    add_group,
    add_ip_trunk,
    add_user,
    api_list,
    login,
    shot,
)
from playwright.sync_api import expect

DASH = "\u2013"


def _toast(page: Any, text: str) -> None:
    expect(page.get_by_role("status").filter(has_text=text).first).to_be_visible()


def test_capa_40_term_02_term_03_admin_edits_a_users_terminals(
    cordboard: Cordboard, browser: BrowserThread
) -> None:
    add_user(cordboard, "ae-tove", "1472", "Tove", "Tern", sip=False)
    user_id, _ = add_user(cordboard, "ae-tara", "1471", "Tara", "Tern", sip=False)
    browser.run(_admin_edits_terminals, cordboard, user_id)
    status, plan = cordboard.api("GET", f"/api/users/{user_id}/terminals", token=cordboard.token())
    assert status == 200, plan
    assert (plan["mode"], plan["fallback"]) == ("sequential", "+4533123456")
    assert [(t["kind"], t["number"], t["ring_s"], t["when"]) for t in plan["terminals"]] == [
        ("phones", None, 20, "always"),
        ("number", "1472", 25, "working_hours"),
    ]


def _admin_edits_terminals(page: Any, cordboard: Cordboard, user_id: int) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    page.goto(f"{cordboard.base}/users/{user_id}")
    section = page.get_by_test_id("user-terminals")
    expect(section.get_by_role("heading", name="Phones and numbers")).to_be_visible()
    expect(section.get_by_test_id("terminal-0")).to_contain_text("Their registered phones")
    section.get_by_role("button", name="Add a number").click()
    # Her own number is refused by the server, next to the field, which takes the focus.
    section.locator("#terminal-1-number").fill("1471")
    section.get_by_role("button", name="Save").click()
    expect(page.locator("#terminal-1-number-error")).to_have_text("that is this user's own number")
    expect(page.locator("#terminal-1-number")).to_be_focused()
    page.locator("#terminal-1-number").fill("1472")
    page.locator("#terminals-mode").select_option("sequential")
    page.locator("#terminal-1-ring").fill("25")
    expect(page.locator("#terminal-1-when option")).to_have_text(
        ["Always", "In the user's working hours", "Outside the user's working hours"]
    )
    page.locator("#terminal-1-when").select_option("working_hours")
    page.locator("#terminals-fallback").fill("+45 33 12 34 56")
    section.get_by_role("button", name="Save").click()
    _toast(page, "The user's phones and numbers are saved.")
    shot(page, "admin-edits-terminals")
    page.reload()
    expect(page.locator("#terminal-1-number")).to_have_value("1472")
    expect(page.locator("#terminals-mode")).to_have_value("sequential")


def test_num_01_capa_16_admin_edits_a_number_range(cordboard: Cordboard, browser: BrowserThread) -> None:
    token = cordboard.token()
    status, created = cordboard.api(
        "POST",
        "/api/numbers/ranges",
        {"kind": "local", "first": "8400", "last": "8449", "label": "Lab"},
        token,
    )
    assert status == 201, created
    browser.run(_admin_edits_a_range, cordboard)
    ranges = {r["id"]: r for r in api_list(cordboard, "/api/numbers/ranges")}
    changed = ranges[created["id"]]
    assert (
        changed["first"],
        changed["last"],
        changed["purpose"],
        changed["label"],
        changed["ivr_dialable"],
    ) == (
        "8400",
        "8499",
        "rules",
        "Lab annex",
        True,
    )


def _admin_edits_a_range(page: Any, cordboard: Cordboard) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    page.goto(cordboard.base + "/numbers")
    row = page.get_by_test_id("range-8400")
    edit = row.get_by_role("button", name=f"Edit range 8400{DASH}8449")
    edit.click()
    form = page.get_by_test_id("range-form")
    expect(form.get_by_role("heading", name=f"Edit range 8400{DASH}8449")).to_be_visible()
    expect(page.locator("#range-first")).to_be_focused()
    expect(page.locator("#range-first")).to_have_value("8400")
    expect(page.locator("#range-label")).to_have_value("Lab")
    # The server's refusal, by field: the last number has fewer digits than the first.
    page.locator("#range-last").fill("84")
    form.get_by_role("button", name="Save").click()
    expect(page.locator("#range-last-error")).to_have_text("must have as many digits as first")
    expect(page.locator("#range-last")).to_be_focused()
    page.locator("#range-last").fill("8499")
    page.locator("#range-purpose").select_option("rules")
    page.locator("#range-label").fill("Lab annex")
    page.locator("#range-ivr").check()
    form.get_by_role("button", name="Save").click()
    _toast(page, f"Range 8400{DASH}8499 saved.")
    expect(row).to_contain_text(f"8400{DASH}8499")
    expect(row).to_contain_text("Lab annex")
    expect(form.get_by_role("heading", name="New range")).to_be_visible()
    expect(row.get_by_role("button", name=f"Edit range 8400{DASH}8499")).to_be_focused()
    shot(page, "admin-edits-range")


def test_capa_08_capa_40_prs_01_02_04_10_admin_sets_a_users_presence(
    cordboard: Cordboard, browser: BrowserThread
) -> None:
    token = cordboard.token()
    user_id, password = add_user(cordboard, "ae-paul", "1473", "Paul", "Pike", sip=False)
    status, private = cordboard.api(
        "POST",
        "/api/me/presence/shortcuts",
        {"name": "Paul's school run", "availability": "busy", "duration_minutes": 45},
        cordboard.token("ae-paul", password),
    )
    assert status == 201, private
    status, activity = cordboard.api(
        "POST", "/api/presence/activities", {"name": "Workshop", "show_as": "busy"}, token
    )
    assert status == 201, activity
    status, shortcut = cordboard.api(
        "POST",
        "/api/presence/shortcuts",
        {"name": "Offsite day", "availability": "busy", "duration_minutes": 120},
        token,
    )
    assert status == 201, shortcut
    browser.run(_admin_sets_presence, cordboard, user_id, activity["id"])
    status, presence = cordboard.api("GET", f"/api/users/{user_id}/presence", token=token)
    assert status == 200, presence
    assert presence["shortcut_id"] == shortcut["id"]
    assert (presence["availability"], presence["dnd"]) == ("busy", True)
    assert presence["until"] is not None, "the shortcut's 120 minutes"


def _admin_sets_presence(page: Any, cordboard: Cordboard, user_id: int, activity_id: int) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    page.goto(f"{cordboard.base}/users/{user_id}")
    card = page.get_by_test_id("user-presence")
    expect(card.get_by_test_id("presence-availability")).to_have_text("Available")
    card.get_by_role("button", name="Set do not disturb").click()
    _toast(page, "Do not disturb is on for this user.")
    expect(card.get_by_test_id("presence-dnd")).to_be_visible()
    expect(card.get_by_role("button", name="Clear do not disturb")).to_be_visible()
    _, presence = cordboard.api("GET", f"/api/users/{user_id}/presence", token=cordboard.token())
    assert presence["dnd"] is True

    # The same form the user has: an activity brings its availability; a diversion.
    form = page.locator("#user-presence-form")
    form.locator("#user-presence-activity").select_option(label="Workshop")
    expect(form.locator('input[name="user-presence-availability"][value="busy"]')).to_be_checked()
    form.get_by_label("Divert calls to").fill("+4533123456")
    form.get_by_role("button", name="Save").click()
    _toast(page, "The user's presence was saved.")
    expect(card.get_by_test_id("presence-activity")).to_have_text("Workshop")
    _, presence = cordboard.api("GET", f"/api/users/{user_id}/presence", token=cordboard.token())
    assert (presence["activity_id"], presence["availability"], presence["diversion"]) == (
        activity_id,
        "busy",
        "+4533123456",
    )

    # One of the shortcuts every user has, applied for him; his own are offered too.
    shortcuts = card.get_by_test_id("user-presence-shortcuts")
    expect(shortcuts.get_by_role("button", name="Paul's school run")).to_be_visible()
    shortcuts.get_by_role("button", name="Offsite day").click()
    _toast(page, "\u201cOffsite day\u201d is on for this user.")
    expect(shortcuts.get_by_role("button", name="Offsite day")).to_have_attribute("aria-pressed", "true")
    expect(card.get_by_test_id("presence-until")).to_be_visible()
    shot(page, "admin-edits-presence")


def test_prs_04_user_edits_their_own_shortcut(cordboard: Cordboard, browser: BrowserThread) -> None:
    _, password = add_user(cordboard, "ae-ulla", "1474", "Ulla", "Ulm", sip=False)
    user_token = cordboard.token("ae-ulla", password)
    body = {"name": "Gym", "availability": "busy", "duration_minutes": 90}
    status, created = cordboard.api("POST", "/api/me/presence/shortcuts", body, user_token)
    assert status == 201, created
    browser.run(_user_edits_shortcut, cordboard, password)
    status, mine = cordboard.api("GET", "/api/me/presence/shortcuts", token=user_token)
    assert status == 200, mine
    own = [s for s in mine if s["scope"] == "user"]
    assert [(s["id"], s["name"], s["duration_minutes"], s["diversion"]) for s in own] == [
        (created["id"], "Gym late", 45, "+4520111222")
    ]


def _user_edits_shortcut(page: Any, cordboard: Cordboard, password: str) -> None:
    login(page, cordboard.base, "ae-ulla", password)
    page.goto(cordboard.base + "/presence")
    mine = page.get_by_test_id("my-shortcuts")
    mine.get_by_role("button", name="Edit Gym").click()
    form = page.locator("#my-shortcut-form")
    expect(form.get_by_role("heading", name="Edit shortcut \u201cGym\u201d")).to_be_visible()
    expect(page.locator("#my-shortcut-name")).to_be_focused()
    expect(page.locator("#my-shortcut-duration")).to_have_value("90")
    page.locator("#my-shortcut-name").fill("Gym late")
    page.locator("#my-shortcut-duration").fill("45")
    page.locator("#my-shortcut-diversion").fill("+4520111222")
    form.get_by_role("button", name="Save shortcut").click()
    _toast(page, "Shortcut \u201cGym late\u201d was saved.")
    expect(mine).to_contain_text("Gym late")
    expect(form.get_by_role("button", name="Add shortcut")).to_be_visible()
    expect(mine.get_by_role("button", name="Edit Gym late")).to_be_focused()


def test_byd_03_admin_edits_an_outbound_route(cordboard: Cordboard, browser: BrowserThread) -> None:
    add_ip_trunk(cordboard, "ae-carrier")
    add_ip_trunk(cordboard, "ae-backup")
    body = {"prefix": "+46", "trunks": ["ae-carrier"]}
    status, route = cordboard.api("POST", "/api/trunks/routes", body, cordboard.token())
    assert status == 201, route
    browser.run(_admin_edits_a_route, cordboard)
    routes = {r["id"]: r for r in api_list(cordboard, "/api/trunks/routes")}
    assert (routes[route["id"]]["prefix"], routes[route["id"]]["trunks"]) == (
        "+47",
        ["ae-backup", "ae-carrier"],
    )


def _admin_edits_a_route(page: Any, cordboard: Cordboard) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    page.goto(cordboard.base + "/trunks")
    routes = page.get_by_test_id("outbound-routes")
    routes.get_by_role("button", name="Edit route +46").click()
    expect(page.locator("#route-prefix")).to_be_focused()
    expect(page.locator("#route-prefix")).to_have_value("+46")
    expect(page.locator("#route-trunks")).to_have_value("ae-carrier")
    page.locator("#route-prefix").fill("+47")
    page.locator("#route-trunks").fill("ae-backup, nosuch")
    routes.get_by_role("button", name="Save route").click()
    expect(page.locator("#route-trunks-error")).to_have_text("no trunk named nosuch")
    expect(page.locator("#route-trunks")).to_be_focused()
    expect(page.locator("#route-error")).to_be_visible()
    page.locator("#route-trunks").fill("ae-backup, ae-carrier")
    routes.get_by_role("button", name="Save route").click()
    _toast(page, "Route saved.")
    expect(routes.get_by_test_id("route")).to_contain_text(["+47 → ae-backup, ae-carrier"])
    expect(routes.get_by_role("button", name="Add route")).to_be_visible()
    shot(page, "admin-edits-route")


def test_gib_07_admin_edits_a_voicemail_number(cordboard: Cordboard, browser: BrowserThread) -> None:
    token = cordboard.token()
    member_id, _ = add_user(cordboard, "ae-vera", "1475", "Vera", "Vale", sip=False)
    group = add_group(cordboard, "AE desk team", [member_id])
    inbox = {"name": "AE desk", "number": "1588", "code": "58", "member_groups": [group]}
    status, created = cordboard.api("POST", "/api/voicemail/group-inboxes", inbox, token)
    assert status == 201, created
    status, number = cordboard.api(
        "POST", "/api/voicemail/numbers", {"number": "1586", "kind": "user_inbox"}, token
    )
    assert status == 201, number
    browser.run(_admin_edits_a_voicemail_number, cordboard)
    numbers = api_list(cordboard, "/api/voicemail/numbers")
    assert {"number": "1587", "kind": "group_inbox", "inbox_id": created["id"]} in numbers
    assert "1586" not in [n["number"] for n in numbers]


def _admin_edits_a_voicemail_number(page: Any, cordboard: Cordboard) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    page.goto(cordboard.base + "/group-inboxes")
    section = page.get_by_test_id("voicemail-numbers")
    section.get_by_role("button", name="Edit voicemail number 1586").click()
    expect(section.get_by_role("heading", name="Edit voicemail number 1586")).to_be_visible()
    number = page.locator("#vn-number")
    expect(number).to_be_focused()
    expect(number).to_have_value("1586")
    # Vera's extension is refused by the server, next to the field.
    number.fill("1475")
    section.get_by_role("button", name="Save").click()
    expect(page.locator("#vn-number-error")).not_to_be_empty()
    expect(number).to_be_focused()
    number.fill("1587")
    page.locator("#vn-kind").select_option("group_inbox")
    page.locator("#vn-inbox").select_option(label="AE desk (1588)")
    section.get_by_role("button", name="Save").click()
    _toast(page, "Voicemail number 1587 saved")
    listed = section.locator('[data-testid="voicemail-number"][data-number="1587"]')
    expect(listed).to_contain_text("AE desk")
    expect(section.locator('[data-testid="voicemail-number"][data-number="1586"]')).to_have_count(0)
    expect(listed.get_by_role("button", name="Edit voicemail number 1587")).to_be_focused()
    shot(page, "admin-edits-voicemail-number")
