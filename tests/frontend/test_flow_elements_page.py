"""The Switches & announcements page in the web UI (AA-03, AA-04, CAPA-14).

The administrator opens "Switches & announcements" (listed after Call flows) and finds no switches
and no announcements yet. A new switch "Day/night" whose number is a user's extension is refused
by the server, named next to the number field, and nothing is saved; with 1670 it is created, off,
and listed with where it sends calls. One click turns it on: the list and the API say so, and
another turns it off. He locks and unlocks it. A new announcement "Closed" at 1671 plays a system
prompt and then hangs up. He deletes both after confirming.

ROLE-04: the administrator ticks the user group "Reception team" under "Administered by" on the
switch "Lobby" and on the announcement "Welcome". Sam, a member and no administrator, finds
"Group administration" in his navigation, sees just those two on Switches & announcements, turns
Lobby on, locks and unlocks it and renames it, with no "New" and no Delete and no "Administered by".
Olaf, in no such group, finds the page not allowed.
"""

from __future__ import annotations

from typing import Any

from e2e_helpers import (
    ADMIN,
    ADMIN_PASSWORD,
    BrowserThread,
    Cordboard,
    add_group,
    add_user,
    api_list,
    delete_after_confirming,
    login,
    not_a_group_administrator,
    shot,
)
from playwright.sync_api import expect

SWITCHES = "/api/flow_elements/switches"
ANNOUNCEMENTS = "/api/flow_elements/announcements"
INBOXES = "/api/voicemail/group-inboxes"


def _switches(cordboard: Cordboard) -> list[dict[str, Any]]:
    return api_list(cordboard, SWITCHES)


def _announcements(cordboard: Cordboard) -> list[dict[str, Any]]:
    return api_list(cordboard, ANNOUNCEMENTS)


def test_aa_04_aa_03_capa_14_admin_manages_switches_and_announcements(
    cordboard: Cordboard, browser: BrowserThread
) -> None:
    add_user(cordboard, "fe-day", "1230", "Dee", "Day", sip=False)
    add_user(cordboard, "fe-night", "1231", "Nat", "Night", sip=False)
    add_user(cordboard, "fe-desk", "1232", "Desk", "Clerk", sip=False)

    browser.run(_admin_manages_flow_elements, cordboard)

    assert _switches(cordboard) == []
    assert _announcements(cordboard) == []


def _admin_manages_flow_elements(page: Any, cordboard: Cordboard) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    nav = page.locator("#nav")
    links = nav.get_by_role("link").all_inner_texts()
    assert links[links.index("Call flows") + 1] == "Switches & announcements", links
    nav.get_by_role("link", name="Switches & announcements").click()
    expect(page).to_have_url(cordboard.base + "/flow-elements")
    expect(page.get_by_role("heading", name="Switches & announcements", level=1)).to_be_focused()
    expect(page.get_by_test_id("flow-switches-empty")).to_have_text("There are no virtual switches yet.")
    expect(page.get_by_test_id("flow-announcements-empty")).to_have_text("There are no announcements yet.")

    # Sent empty: every required field says so, before anything is sent.
    page.get_by_role("button", name="New switch").click()
    form = page.get_by_test_id("flow-switch-form")
    name = form.get_by_role("textbox", name="Name", exact=True)
    expect(name).to_be_focused()
    form.get_by_role("button", name="Save").click()
    expect(page.locator("#fs-name-error")).to_have_text("This field is required.")
    expect(page.locator("#fs-on-target-error")).to_have_text("This field is required.")
    expect(name).to_have_attribute("aria-invalid", "true")

    # A user's extension as the number: refused by the server, named next to the number.
    name.fill("Day/night")
    number = form.get_by_role("textbox", name="Number", exact=True)
    number.fill("1232")
    form.get_by_role("textbox", name="Number while on").fill("1230")
    form.get_by_role("textbox", name="Number while off").fill("1231")
    form.get_by_role("button", name="Save").click()
    expect(page.locator("#fs-number-error")).to_have_text("1232 already belongs to Desk Clerk")
    expect(number).to_be_focused()
    expect(number).to_have_attribute("aria-invalid", "true")
    assert _switches(cordboard) == []
    shot(page, "flow-switch-number-clash")

    number.fill("1670")
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("Switch Day/night (1670) created.")
    expect(form).to_have_count(0)
    row = page.get_by_test_id("flow-switch").filter(has_text="Day/night")
    expect(row.get_by_test_id("fs-number")).to_have_text("1670")
    expect(row.get_by_test_id("fs-state-badge")).to_have_text("Off")
    expect(row.get_by_test_id("fs-targets")).to_contain_text("On: 1230")
    expect(row.get_by_test_id("fs-targets")).to_contain_text("Off: 1231")
    [created] = _switches(cordboard)
    assert (created["number"], created["on"], created["on_target"]) == ("1670", False, "1230")

    # AA-04: one click turns it on, another off; the API follows.
    row.get_by_role("button", name="Turn Day/night on").click()
    expect(page.locator(".toast").last).to_have_text("Day/night is on.")
    expect(row.get_by_test_id("fs-state-badge")).to_have_text("On")
    assert _switches(cordboard)[0]["on"] is True
    shot(page, "flow-elements-switch-on")
    toggle = row.get_by_role("button", name="Turn Day/night off")
    toggle.focus()
    page.keyboard.press("Enter")  # keyboard usable
    expect(row.get_by_test_id("fs-state-badge")).to_have_text("Off")
    assert _switches(cordboard)[0]["on"] is False

    # CAPA-14: lock and unlock.
    row.get_by_role("button", name="Lock Day/night").click()
    expect(row.get_by_test_id("fe-locked")).to_have_text("Locked")
    assert _switches(cordboard)[0]["locked"] is True
    row.get_by_role("button", name="Unlock Day/night").click()
    expect(row.get_by_test_id("fe-unlocked")).to_be_visible()
    assert _switches(cordboard)[0]["locked"] is False

    # AA-03: an announcement that plays a system prompt and hangs up.
    page.get_by_role("button", name="New announcement").click()
    aform = page.get_by_test_id("flow-announcement-form")
    expect(aform.get_by_role("textbox", name="Name", exact=True)).to_be_focused()
    aform.get_by_role("textbox", name="Name", exact=True).fill("Closed")
    aform.get_by_role("textbox", name="Number", exact=True).fill("16 71")
    aform.get_by_label("Prompt").select_option(value="please_hold")
    aform.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("Announcement Closed (1671) created.")
    arow = page.get_by_test_id("flow-announcement").filter(has_text="Closed")
    expect(arow.get_by_test_id("fa-number")).to_have_text("1671")
    expect(arow.get_by_test_id("fa-then")).to_have_text("Hang up")
    [announcement] = _announcements(cordboard)
    assert (announcement["prompt"], announcement["next_number"]) == ("please_hold", None)
    shot(page, "flow-elements-list")

    delete_after_confirming(
        page,
        row.get_by_role("button", name="Delete switch Day/night"),
        "Delete the switch Day/night (1670)?",
        "Switch Day/night (1670) deleted.",
        lambda: len(_switches(cordboard)),
    )
    expect(page.get_by_test_id("flow-switches-empty")).to_be_visible()
    delete_after_confirming(
        page,
        arow.get_by_role("button", name="Delete announcement Closed"),
        "Delete the announcement Closed (1671)?",
        "Announcement Closed (1671) deleted.",
        lambda: len(_announcements(cordboard)),
    )
    expect(page.get_by_test_id("flow-announcements-empty")).to_be_visible()


def test_role_04_group_administrator_switches_the_switch(
    cordboard: Cordboard, browser: BrowserThread
) -> None:
    """ROLE-04: the administrator names the user group that administers a switch and an
    announcement; its member may then switch, lock and change those (and nothing else) from
    "Group administration"; someone in no such group may not."""
    token = cordboard.token()
    sam_id, sam_password = add_user(cordboard, "fe-sam", "1233", "Sam", "Desk", sip=False)
    olaf_id, olaf_password = add_user(cordboard, "fe-olaf", "1234", "Olaf", "Outside", sip=False)
    team = add_group(cordboard, "Reception team", [sam_id])
    add_group(cordboard, "Warehouse", [olaf_id])
    made: dict[str, dict[str, Any]] = {}
    for name, number in (("Lobby", "1672"), ("Back door", "1673")):
        switch = {"name": name, "number": number, "on_target": "1233", "off_target": "1234"}
        status, made[name] = cordboard.api("POST", SWITCHES, switch, token)
        assert status == 201, made[name]
    welcome = {"name": "Welcome", "number": "1674", "prompt": "please_hold"}
    status, made["Welcome"] = cordboard.api("POST", ANNOUNCEMENTS, welcome, token)
    assert status == 201, made["Welcome"]
    # Sam's navigation also lists Group inboxes: an inbox his group administers.
    inbox = {"name": "Desk", "number": "1595", "code": "5", "member_groups": [team], "admin_groups": [team]}
    status, made["Desk"] = cordboard.api("POST", INBOXES, inbox, token)
    assert status == 201, made["Desk"]

    browser.run(_admin_chooses_the_group_administrators, cordboard)
    lobby, back_door = made["Lobby"]["id"], made["Back door"]["id"]
    assert [(s["name"], s["admin_groups"]) for s in _switches(cordboard)] == [
        ("Lobby", [team]),
        ("Back door", []),
    ]
    assert [(a["name"], a["admin_groups"]) for a in _announcements(cordboard)] == [("Welcome", [team])]

    browser.run(_group_administrator_switches, cordboard, sam_password)
    status, switch = cordboard.api("GET", f"{SWITCHES}/{lobby}", token=token)
    assert status == 200, switch
    assert (switch["name"], switch["on"], switch["locked"], switch["admin_groups"]) == (
        "Lobby desk",
        True,
        False,
        [team],
    ), switch
    status, other = cordboard.api("GET", f"{SWITCHES}/{back_door}", token=token)
    assert status == 200 and (other["name"], other["on"]) == ("Back door", False), other

    browser.run(
        not_a_group_administrator, cordboard, ("fe-olaf", olaf_password), ("/flow-elements", "flow-switch")
    )

    for path, found in ((SWITCHES, _switches(cordboard)), (ANNOUNCEMENTS, _announcements(cordboard))):
        for element in found:
            status, body = cordboard.api("DELETE", f"{path}/{element['id']}", token=token)
            assert status in (200, 204), body
    status, body = cordboard.api("DELETE", f"{INBOXES}/{made['Desk']['id']}", token=token)
    assert status in (200, 204), body


def _admin_chooses_the_group_administrators(page: Any, cordboard: Cordboard) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD, "/login?next=/flow-elements")
    expect(page.get_by_role("heading", name="Switches & announcements", level=1)).to_be_focused()
    row = page.get_by_test_id("flow-switch").filter(has_text="Lobby")
    row.get_by_role("button", name="Edit switch Lobby").click()
    form = page.get_by_test_id("flow-switch-form")
    admins = form.get_by_role("group", name="Administered by")
    expect(admins).to_contain_text(
        "Members of these groups may change this switch, turn it on and off and lock it"
    )
    admins.get_by_label("Reception team").check()
    shot(page, "flow-elements-administered-by")
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("Switch Lobby (1672) saved.")
    expect(form).to_have_count(0)
    expect(row.get_by_role("button", name="Edit switch Lobby")).to_be_focused()

    arow = page.get_by_test_id("flow-announcement").filter(has_text="Welcome")
    arow.get_by_role("button", name="Edit announcement Welcome").click()
    aform = page.get_by_test_id("flow-announcement-form")
    aadmins = aform.get_by_role("group", name="Administered by")
    expect(aadmins).to_contain_text("Members of these groups may change and lock this announcement")
    aadmins.get_by_label("Reception team").check()
    aform.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("Announcement Welcome (1674) saved.")
    expect(aform).to_have_count(0)


def _group_administrator_switches(page: Any, cordboard: Cordboard, password: str) -> None:
    login(page, cordboard.base, "fe-sam", password)
    nav = page.locator("#nav")
    expect(nav.get_by_role("heading", name="Group administration")).to_be_visible()
    expect(page.get_by_test_id("nav-group-admin").get_by_role("link")).to_have_text(
        ["Switches & announcements", "Group inboxes"]
    )
    nav.get_by_role("link", name="Switches & announcements").click()
    expect(page).to_have_url(cordboard.base + "/flow-elements")
    expect(page.get_by_role("heading", name="Switches & announcements", level=1)).to_be_focused()

    # Only what his group administers; nothing to create or delete.
    expect(page.get_by_test_id("flow-switch")).to_have_count(1)
    expect(page.get_by_test_id("flow-announcement")).to_have_count(1)
    row = page.get_by_test_id("flow-switch").filter(has_text="1672")
    expect(page.get_by_role("button", name="New switch")).to_have_count(0)
    expect(page.get_by_role("button", name="New announcement")).to_have_count(0)
    expect(page.get_by_role("button", name="Delete switch Lobby")).to_have_count(0)
    expect(page.get_by_role("button", name="Delete announcement Welcome")).to_have_count(0)

    row.get_by_role("button", name="Turn Lobby on").click()
    expect(page.locator(".toast").last).to_have_text("Lobby is on.")
    expect(row.get_by_test_id("fs-state-badge")).to_have_text("On")
    assert [s["on"] for s in _switches(cordboard) if s["name"] == "Lobby"] == [True]
    row.get_by_role("button", name="Lock Lobby").click()
    expect(row.get_by_test_id("fe-locked")).to_have_text("Locked")
    row.get_by_role("button", name="Unlock Lobby").click()
    expect(row.get_by_test_id("fe-unlocked")).to_be_visible()
    shot(page, "flow-elements-group-administrator")

    row.get_by_role("button", name="Edit switch Lobby").click()
    form = page.get_by_test_id("flow-switch-form")
    name = form.get_by_role("textbox", name="Name", exact=True)
    expect(name).to_be_focused()
    expect(form.get_by_test_id("fs-admin-groups")).to_have_count(0)
    expect(form).not_to_contain_text("Administered by")
    name.fill("Lobby desk")
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("Switch Lobby desk (1672) saved.")
    expect(form).to_have_count(0)
    expect(row.get_by_role("button", name="Edit switch Lobby desk")).to_be_focused()

    page.get_by_role("button", name="Edit announcement Welcome").click()
    aform = page.get_by_test_id("flow-announcement-form")
    expect(aform.get_by_role("textbox", name="Name", exact=True)).to_be_focused()
    expect(aform.get_by_test_id("fa-admin-groups")).to_have_count(0)
    aform.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("button", name="Edit announcement Welcome")).to_be_focused()
