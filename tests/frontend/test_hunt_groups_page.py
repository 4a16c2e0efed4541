"""The Hunt groups page in the web UI (HG-01..06, HG-08, FC-16).

The administrator opens Hunt groups (listed after Directory) and finds none yet. A new hunt group
sent empty is refused field by field before anything is sent. Named "Sales", with the user group
"Sales team" ticked and a user's extension as its number, it is refused by the server: the number
field says whose the number is and has the focus, and nothing is saved. With 1500 it is created
and listed with its distribution and its member. He changes it to ring one member after another for
10 s, skipping members at lunch, with the display text "Sales line" and a display text from earlier
in the call kept instead (IVR-05); the list, the form and the API show it. He deletes it after
confirming, and the list is empty again.

HG-06: a new hunt group rings desk phones and softphones. The administrator unticks "Desk phones"
and ticks "Mobiles (over the trunk)"; the list and the API show softphones and mobiles. With no
phone type ticked the form says at least one must ring, and nothing is saved.

NUM-11: a new hunt group is found in a user's address book; once the administrator ticks "Exclude
from contact search" it is not, though its number is still the group's.

ROLE-04: the administrator ticks the user group "Floor leads" under "Administered by" on the hunt
group "Floor". Gus, a member and no administrator, finds Hunt groups under "Group administration",
sees just that group with no "New hunt group" and no Delete, and renames it; his form has neither
"Administered by" nor "Blocking groups", and both stay as they were. Hal, in no such group, finds
the page not allowed.
"""

from __future__ import annotations

from typing import Any

from e2e_helpers import (
    ADMIN,
    ADMIN_PASSWORD,
    PHONE,
    BrowserThread,
    Cordboard,
    add_blocking_groups,
    add_group,
    add_ip_trunk,
    add_user,
    api_list,
    delete_after_confirming,
    login,
    not_a_group_administrator,
    shot,
)
from playwright.sync_api import expect

GROUPS = "/api/hunt_groups/groups"


def _hunt_groups(cordboard: Cordboard) -> list[dict[str, Any]]:
    return api_list(cordboard, GROUPS)


def test_hg_01_admin_creates_changes_and_deletes_a_hunt_group(
    cordboard: Cordboard, browser: BrowserThread
) -> None:
    token = cordboard.token()
    bo_id, _ = add_user(cordboard, "hg-bo", "1210", "Bo", "Hunter", sip=False)
    status, team = cordboard.api("POST", "/api/groups", {"name": "Sales team"}, token)
    assert status == 201, team
    status, body = cordboard.api("PUT", f"/api/groups/{team['id']}/members", {"user_ids": [bo_id]}, token)
    assert status == 200, body
    status, lunch = cordboard.api(
        "POST", "/api/presence/activities", {"name": "Lunch", "show_as": "busy", "labels": {}}, token
    )
    assert status == 201, lunch

    browser.run(_admin_manages_hunt_groups, cordboard, lunch["id"], team["id"])

    assert _hunt_groups(cordboard) == []


def _admin_manages_hunt_groups(page: Any, cordboard: Cordboard, lunch_id: int, team_id: int) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    nav = page.locator("#nav")
    links = nav.get_by_role("link").all_inner_texts()
    assert links[links.index("Directory") + 1] == "Hunt groups", links
    nav.get_by_role("link", name="Hunt groups").click()
    expect(page).to_have_url(cordboard.base + "/hunt-groups")
    expect(page.get_by_role("heading", name="Hunt groups", level=1)).to_be_focused()
    expect(nav.get_by_role("link", name="Hunt groups")).to_have_attribute("aria-current", "page")
    expect(page.get_by_test_id("hunt-groups-empty")).to_have_text("There are no hunt groups yet.")

    # Sent empty: every required field says so, the first has the focus; nothing is sent.
    page.get_by_role("button", name="New hunt group").click()
    name = page.get_by_role("textbox", name="Name", exact=True)
    expect(name).to_be_focused()
    form = page.get_by_test_id("hunt-group-form")
    form.get_by_role("button", name="Save").click()
    expect(page.locator("#hg-name-error")).to_have_text("This field is required.")
    expect(page.locator("#hg-number-error")).to_have_text("This field is required.")
    expect(page.locator("#hg-user-groups-error")).to_have_text("Choose at least one user group.")
    expect(name).to_be_focused()
    expect(name).to_have_attribute("aria-invalid", "true")
    shot(page, "hunt-groups-form-empty")

    # HG-01: a user's extension is refused by the server, named next to the number.
    name.fill("Sales")
    number = page.get_by_role("textbox", name="Number", exact=True)
    number.fill("1210")
    page.get_by_test_id("hg-user-groups").get_by_label("Sales team").check()
    form.get_by_role("button", name="Save").click()
    number_error = page.locator("#hg-number-error")
    expect(number_error).to_have_text("1210 already belongs to Bo Hunter")
    expect(number).to_be_focused()
    expect(number).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#hg-form-error")).to_have_text("The hunt group is invalid")
    assert _hunt_groups(cordboard) == []
    shot(page, "hunt-groups-number-clash")

    number.fill("1500")
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("Hunt group Sales (1500) created.")
    expect(form).to_have_count(0)
    row = page.get_by_test_id("hunt-group").filter(has_text="Sales")
    expect(row.get_by_test_id("hg-number")).to_have_text("1500")
    expect(row.get_by_test_id("hg-distribution")).to_contain_text("All at once (parallel)")
    expect(row.get_by_test_id("hg-distribution")).to_contain_text("rings 20 s")
    expect(row.get_by_test_id("hg-members")).to_contain_text("1 member")
    expect(row.get_by_test_id("hg-members")).to_contain_text("Bo Hunter (1210)")
    edit = row.get_by_role("button", name="Edit Sales")
    expect(edit).to_be_focused()
    [created] = _hunt_groups(cordboard)
    assert (created["number"], created["identifier"], created["user_groups"]) == ("1500", "1500", [team_id])
    shot(page, "hunt-groups-list")

    # HG-03, HG-05: one member after another, 10 s each, skipping members at lunch.
    edit.click()
    expect(page.get_by_role("heading", name="Change hunt group Sales")).to_be_visible()
    expect(name).to_have_value("Sales")
    expect(name).to_be_focused()
    expect(page.get_by_test_id("hg-user-groups").get_by_label("Sales team")).to_be_checked()
    expect(page.get_by_test_id("hg-member-order")).to_have_text("Rung in this order: Bo Hunter (1210).")
    page.get_by_label("Distribution").select_option(label="One after another (sequential)")
    expect(page.locator("#hg-ring-hint")).to_have_text("How long each member rings before the next one.")
    page.get_by_label("Ring length (seconds)").fill("10")
    page.get_by_label("Lunch").check()
    # IVR-05: the group's display text, and a text from earlier in the call path kept instead.
    display_text = form.get_by_role("textbox", name="Display text", exact=True)
    expect(display_text).to_have_value("")
    display_text.fill("Sales line")
    keep = form.get_by_role("checkbox", name="Keep display text from earlier in the call")
    expect(keep).not_to_be_checked()
    keep.check()
    shot(page, "hunt-groups-edit")
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("Hunt group Sales (1500) saved.")
    expect(row.get_by_test_id("hg-distribution")).to_contain_text("One after another (sequential)")
    expect(row.get_by_test_id("hg-distribution")).to_contain_text("rings 10 s")
    [changed] = _hunt_groups(cordboard)
    assert (changed["distribution"], changed["ring_s"], changed["excluded_activities"]) == (
        "sequential",
        10,
        [lunch_id],
    )
    assert (changed["display_text"], changed["keep_derived_metadata"]) == ("Sales line", True)
    row.get_by_role("button", name="Edit Sales").click()
    expect(display_text).to_have_value("Sales line")
    expect(keep).to_be_checked()
    form.get_by_role("button", name="Cancel").click()
    expect(form).to_have_count(0)
    page.set_viewport_size(PHONE)
    shot(page, "hunt-groups-list-phone")
    page.set_viewport_size({"width": 1280, "height": 860})

    # Deleting asks first; cancelling keeps it.
    delete_after_confirming(
        page,
        row.get_by_role("button", name="Delete Sales"),
        "Delete the hunt group Sales (1500)?",
        "Hunt group Sales (1500) deleted.",
        lambda: len(_hunt_groups(cordboard)),
    )
    expect(page.get_by_test_id("hunt-groups-empty")).to_be_visible()
    expect(page.get_by_role("button", name="New hunt group")).to_be_focused()
    shot(page, "hunt-groups-deleted")


def test_hg_06_admin_chooses_which_phone_types_ring(cordboard: Cordboard, browser: BrowserThread) -> None:
    token = cordboard.token()
    status, team = cordboard.api("POST", "/api/groups", {"name": "Support team"}, token)
    assert status == 201, team

    browser.run(_admin_chooses_phone_types, cordboard)

    [group] = _hunt_groups(cordboard)
    assert (group["number"], group["phone_types"]) == ("1510", ["softphone", "mobile"])
    status, body = cordboard.api("DELETE", f"{GROUPS}/{group['id']}", token=token)
    assert status in (200, 204), body


def _admin_chooses_phone_types(page: Any, cordboard: Cordboard) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    page.locator("#nav").get_by_role("link", name="Hunt groups").click()
    expect(page).to_have_url(cordboard.base + "/hunt-groups")

    # A new group rings the members' phones here, not their mobiles.
    page.get_by_role("button", name="New hunt group").click()
    form = page.get_by_test_id("hunt-group-form")
    phones = form.get_by_role("group", name="Phones that ring")
    desk = phones.get_by_role("checkbox", name="Desk phones", exact=True)
    softphones = phones.get_by_role("checkbox", name="Softphones", exact=True)
    mobiles = phones.get_by_role("checkbox", name="Mobiles (over the trunk)", exact=True)
    expect(desk).to_be_checked()
    expect(softphones).to_be_checked()
    expect(mobiles).not_to_be_checked()
    page.get_by_role("textbox", name="Name", exact=True).fill("Support")
    page.get_by_role("textbox", name="Number", exact=True).fill("1510")
    page.get_by_test_id("hg-user-groups").get_by_label("Support team").check()
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("Hunt group Support (1510) created.")
    row = page.get_by_test_id("hunt-group").filter(has_text="Support")
    expect(row.get_by_test_id("hg-phone-types")).to_have_text("Desk phones, softphones")
    [created] = _hunt_groups(cordboard)
    assert created["phone_types"] == ["desk", "softphone"]

    # HG-06: softphones and mobiles (over the trunk), no desk phones.
    row.get_by_role("button", name="Edit Support").click()
    expect(desk).to_be_checked()
    desk.uncheck()
    mobiles.check()
    shot(page, "hunt-groups-phone-types")
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("Hunt group Support (1510) saved.")
    expect(form).to_have_count(0)
    expect(row.get_by_test_id("hg-phone-types")).to_have_text("Softphones, mobiles")
    [changed] = _hunt_groups(cordboard)
    assert changed["phone_types"] == ["softphone", "mobile"]

    # With nothing ticked the form says so next to the list; nothing is sent.
    row.get_by_role("button", name="Edit Support").click()
    expect(desk).not_to_be_checked()
    expect(softphones).to_be_checked()
    expect(mobiles).to_be_checked()
    softphones.uncheck()
    mobiles.uncheck()
    form.get_by_role("button", name="Save").click()
    expect(page.locator("#hg-phone-types-error")).to_have_text("Choose at least one kind of phone to ring.")
    expect(page.locator("#hg-form-error")).to_have_text("Please correct the marked fields.")
    expect(desk).to_have_attribute("aria-invalid", "true")
    expect(desk).to_be_focused()
    shot(page, "hunt-groups-phone-types-none")
    assert _hunt_groups(cordboard)[0]["phone_types"] == ["softphone", "mobile"]

    # Ticking one again clears the message; cancelling keeps what was saved.
    mobiles.check()
    expect(page.locator("#hg-phone-types-error")).to_have_text("")
    form.get_by_role("button", name="Cancel").click()
    expect(form).to_have_count(0)
    expect(row.get_by_test_id("hg-phone-types")).to_have_text("Softphones, mobiles")


def test_num_11_admin_excludes_a_hunt_group_from_contact_searches(
    cordboard: Cordboard, browser: BrowserThread
) -> None:
    """NUM-11, HG-07: a new hunt group is found in the users' address book (kind "Hunt group");
    the administrator ticks "Exclude from contact search" and it is not found any more, while its
    number still belongs to it (it can still be called)."""
    token = cordboard.token()
    status, team = cordboard.api("POST", "/api/groups", {"name": "Billing team"}, token)
    assert status == 201, team
    _user_id, password = add_user(cordboard, "hg-searcher", "2471", "Sara", "Seeker", sip=False)

    browser.run(_admin_creates_billing, cordboard)
    [group] = [g for g in _hunt_groups(cordboard) if g["name"] == "Billing"]
    assert group["exclude_from_search"] is False
    browser.run(_user_searches, cordboard, password, True)

    browser.run(_admin_excludes_billing, cordboard)
    [group] = [g for g in _hunt_groups(cordboard) if g["name"] == "Billing"]
    assert group["exclude_from_search"] is True
    browser.run(_user_searches, cordboard, password, False)
    user_token = cordboard.token("hg-searcher", password)
    status, listing = cordboard.api("GET", "/api/directory/entries?q=1520", token=user_token)
    assert status == 200 and listing["entries"] == [], listing
    status, flow = cordboard.api("GET", "/api/numbers/1520/flow", token=token)  # still the group's number
    assert status == 200 and flow["kind"] == "hunt_group", flow
    status, body = cordboard.api("DELETE", f"{GROUPS}/{group['id']}", token=token)
    assert status in (200, 204), body


def _admin_creates_billing(page: Any, cordboard: Cordboard) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD, "/hunt-groups")
    page.get_by_role("button", name="New hunt group").click()
    form = page.get_by_test_id("hunt-group-form")
    exclude = form.get_by_role("checkbox", name="Exclude from contact search")
    expect(exclude).not_to_be_checked()
    page.get_by_role("textbox", name="Name", exact=True).fill("Billing")
    page.get_by_role("textbox", name="Number", exact=True).fill("1520")
    page.get_by_test_id("hg-user-groups").get_by_label("Billing team").check()
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("Hunt group Billing (1520) created.")


def _admin_excludes_billing(page: Any, cordboard: Cordboard) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD, "/hunt-groups")
    row = page.get_by_test_id("hunt-group").filter(has_text="Billing")
    row.get_by_role("button", name="Edit Billing").click()
    form = page.get_by_test_id("hunt-group-form")
    exclude = form.get_by_role("checkbox", name="Exclude from contact search")
    expect(exclude).not_to_be_checked()
    exclude.check()
    shot(page, "hunt-groups-exclude-from-search")
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("Hunt group Billing (1520) saved.")
    expect(form).to_have_count(0)
    row.get_by_role("button", name="Edit Billing").click()
    expect(form.get_by_role("checkbox", name="Exclude from contact search")).to_be_checked()
    form.get_by_role("button", name="Cancel").click()


def _user_searches(page: Any, cordboard: Cordboard, password: str, found: bool) -> None:
    login(page, cordboard.base, "hg-searcher", password, "/contacts")
    rows = page.get_by_test_id("entry")
    search = page.get_by_role("searchbox", name="Search")
    search.fill("billing")
    if found:
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("Billing")
        expect(rows.first).to_contain_text("1520")
        expect(rows.first.get_by_test_id("entry-function")).to_have_text("Hunt group")
        shot(page, "contacts-function-number")
    else:
        expect(page.get_by_test_id("directory-empty")).to_have_text("No entry matches “billing”.")


def test_bar_04_a_hunt_groups_blocking_groups_are_ticked_and_a_blocked_fallback_is_refused(
    cordboard: Cordboard, browser: BrowserThread
) -> None:
    """BAR-04: without blocking groups the form says where to make them (the Dial plan page). With
    "No international" and "No premium", a hunt group "Abroad" falling back to +4930123456
    (reachable over a trunk) is refused while "No international" is ticked: the fallback says which
    group blocks it, and nothing is saved. With "No premium" ticked instead it is saved; the API and
    the edit form show that group ticked."""
    token = cordboard.token()
    status, team = cordboard.api("POST", "/api/groups", {"name": "Export team"}, token)
    assert status == 201, team
    trunk = add_ip_trunk(cordboard, "hg-trunk")
    groups: list[int] = []
    try:
        browser.run(_admin_ticks_blocking_groups, cordboard, groups)
    finally:
        for group in _hunt_groups(cordboard):
            cordboard.api("DELETE", f"{GROUPS}/{group['id']}", token=token)
        for group_id in groups:
            cordboard.api("DELETE", f"/api/dialplan/blocking_groups/{group_id}", token=token)
        cordboard.api("DELETE", f"/api/trunks/{trunk}", token=token)


def _admin_ticks_blocking_groups(page: Any, cordboard: Cordboard, groups: list[int]) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    page.goto(cordboard.base + "/hunt-groups")
    page.get_by_role("button", name="New hunt group").click()
    form = page.get_by_test_id("hunt-group-form")
    none_yet = form.get_by_test_id("hg-no-blocking-groups")
    expect(none_yet).to_have_text("No blocking groups yet: make them on the Dial plan page")
    expect(none_yet.get_by_role("link", name="make them on the Dial plan page")).to_have_attribute(
        "href", "/dialplan"
    )
    form.get_by_role("button", name="Cancel").click()

    add_blocking_groups(cordboard, groups)
    premium = groups[1]

    page.reload()
    page.get_by_role("button", name="New hunt group").click()
    form.get_by_role("textbox", name="Name", exact=True).fill("Abroad")
    form.get_by_role("textbox", name="Number", exact=True).fill("1520")
    page.get_by_test_id("hg-user-groups").get_by_label("Export team").check()
    form.get_by_role("textbox", name="Fallback number", exact=True).fill("+4930123456")
    blocking = form.get_by_role("group", name="Blocking groups", exact=True)
    international = blocking.get_by_role("checkbox", name="No international")
    international.check()
    form.get_by_role("button", name="Save").click()
    expect(page.locator("#hg-fallback-error")).to_have_text(
        "+4930123456 is blocked by the blocking group No international"
    )
    expect(page.locator("#hg-form-error")).to_have_text("The hunt group is invalid")
    assert _hunt_groups(cordboard) == []
    shot(page, "hunt-groups-blocked-fallback")

    international.uncheck()
    blocking.get_by_role("checkbox", name="No premium").check()
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("Hunt group Abroad (1520) created.")
    [created] = _hunt_groups(cordboard)
    assert (created["fallback"], created["blocking_groups"]) == ("+4930123456", [premium])
    page.get_by_test_id("hunt-group").filter(has_text="Abroad").get_by_role(
        "button", name="Edit Abroad"
    ).click()
    expect(blocking.get_by_role("checkbox", name="No premium")).to_be_checked()
    expect(blocking.get_by_role("checkbox", name="No international")).not_to_be_checked()


def test_role_04_group_administrator_renames_their_hunt_group(
    cordboard: Cordboard, browser: BrowserThread
) -> None:
    token = cordboard.token()
    gus_id, gus_password = add_user(cordboard, "hg-gus", "1215", "Gus", "Lead", sip=False)
    hal_id, hal_password = add_user(cordboard, "hg-hal", "1216", "Hal", "Floor", sip=False)
    leads = add_group(cordboard, "Floor leads", [gus_id])
    staff = add_group(cordboard, "Floor staff", [hal_id])
    blocking = {"name": "Floor block", "number_types": [], "international": True, "prefixes": []}
    status, block = cordboard.api("POST", "/api/dialplan/blocking_groups", blocking, token)
    assert status == 201, block
    made = []
    for name, number in (("Floor", "1530"), ("Yard", "1531")):
        body = {"name": name, "number": number, "user_groups": [staff], "blocking_groups": [block["id"]]}
        status, group = cordboard.api("POST", GROUPS, body, token)
        assert status == 201, group
        made.append(group)
    try:
        browser.run(_admin_chooses_the_groups_administrators, cordboard)
        assert [(g["name"], g["admin_groups"]) for g in _hunt_groups(cordboard)] == [
            ("Floor", [leads]),
            ("Yard", []),
        ]
        browser.run(_group_administrator_renames_the_group, cordboard, gus_password)
        assert [(g["name"], g["admin_groups"], g["blocking_groups"]) for g in _hunt_groups(cordboard)] == [
            ("Shop floor", [leads], [block["id"]]),
            ("Yard", [], [block["id"]]),
        ]
        browser.run(
            not_a_group_administrator, cordboard, ("hg-hal", hal_password), ("/hunt-groups", "hunt-group")
        )
    finally:
        for group in made:
            cordboard.api("DELETE", f"{GROUPS}/{group['id']}", token=token)
        cordboard.api("DELETE", f"/api/dialplan/blocking_groups/{block['id']}", token=token)


def _admin_chooses_the_groups_administrators(page: Any, cordboard: Cordboard) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD, "/login?next=/hunt-groups")
    page.get_by_role("button", name="Edit Floor").click()
    form = page.get_by_test_id("hunt-group-form")
    admins = form.get_by_role("group", name="Administered by")
    expect(admins).to_contain_text("Members of these groups may change this hunt group (and nothing else).")
    admins.get_by_label("Floor leads").check()
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("Hunt group Floor (1530) saved.")
    expect(form).to_have_count(0)


def _group_administrator_renames_the_group(page: Any, cordboard: Cordboard, password: str) -> None:
    login(page, cordboard.base, "hg-gus", password)
    expect(page.locator("#nav").get_by_role("heading", name="Group administration")).to_be_visible()
    links = page.get_by_test_id("nav-group-admin").get_by_role("link")
    expect(links).to_have_text(["Hunt groups"])
    links.click()
    expect(page).to_have_url(cordboard.base + "/hunt-groups")
    expect(page.get_by_role("heading", name="Hunt groups", level=1)).to_be_visible()
    expect(page.get_by_test_id("hunt-group")).to_have_count(1)
    expect(page.get_by_role("button", name="New hunt group")).to_have_count(0)
    expect(page.get_by_role("button", name="Delete Floor")).to_have_count(0)

    page.get_by_role("button", name="Edit Floor").click()
    form = page.get_by_test_id("hunt-group-form")
    name = form.get_by_role("textbox", name="Name", exact=True)
    expect(name).to_be_focused()
    expect(form).not_to_contain_text("Administered by")
    expect(form).not_to_contain_text("Blocking groups")
    name.fill("Shop floor")
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("Hunt group Shop floor (1530) saved.")
    expect(form).to_have_count(0)
    shot(page, "hunt-groups-group-administrator")
