"""Service rights in the web UI (ROLE-09) and what they open on the Contacts page (PRS-11, PRS-07, DIR-02).

The administrator takes the right to see colleagues' status from every user and gives it to the
members of Reception over the users in group Sales on the Service rights page (a group deleted
meanwhile is named next to the field that chose it); the API then holds exactly that grant, a
Reception member sees a Sales member's availability on the Contacts page and a user outside
Reception does not. An assistant whose group may see and plan the boss's presence plans an activity
for the boss from the Contacts page (a panel that takes the focus and closes with Escape) and deletes
another; a colleague who may only see the plans gets them without the form. A member of a group
with the right to edit the company directory adds a contact to the organisation's list with the
"List" select, and another user sees it. A user who opens the Service rights page is refused.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from e2e_helpers import ADMIN, ADMIN_PASSWORD, PHONE, BrowserThread, Cordboard, add_user, login, shot
from playwright.sync_api import expect

BROWSER_ZONE = ZoneInfo("Europe/Berlin")  # the browser contexts' time zone (e2e_helpers)


def _group(cordboard: Cordboard, name: str, members: list[int]) -> int:
    """A user group with these members, made over the API."""
    token = cordboard.token()
    status, group = cordboard.api("POST", "/api/groups", {"name": name, "description": ""}, token)
    assert status == 201, group
    status, body = cordboard.api("PUT", f"/api/groups/{group['id']}/members", {"user_ids": members}, token)
    assert status == 200, body
    return int(group["id"])


def _grants(cordboard: Cordboard, service: str) -> list[dict[str, Any]]:
    status, rights = cordboard.api("GET", "/api/rights", token=cordboard.token())
    assert status == 200, rights
    return next(r["grants"] for r in rights if r["service"] == service)


def _grant(cordboard: Cordboard, service: str, grants: list[dict[str, Any]]) -> None:
    status, body = cordboard.api("PUT", f"/api/rights/{service}", {"grants": grants}, cordboard.token())
    assert status == 200, body


def _company_row(page: Any, name: str) -> Any:
    """The Contacts page's row of ``name`` in the company directory."""
    page.get_by_label("Company directory").check()
    return page.get_by_test_id("directory-entries").locator("tbody tr").filter(has_text=name)


# -- ROLE-09 / PRS-11 -------------------------------------------------------------------------------


def test_role_09_admin_grants_rights_and_they_take_effect(
    cordboard: Cordboard, browser: BrowserThread
) -> None:
    rita_id, rita_password = add_user(cordboard, "rt-rita", "1401", "Rita", "Reception", sip=False)
    sam_id, _ = add_user(cordboard, "rt-sam", "1402", "Sam", "Sales", sip=False)
    _, olga_password = add_user(cordboard, "rt-olga", "1403", "Olga", "Other", sip=False)
    reception = _group(cordboard, "Reception", [rita_id])
    sales = _group(cordboard, "Sales", [sam_id])
    gone = _group(cordboard, "Temporary", [])
    token = cordboard.token()
    status, body = cordboard.api("PUT", f"/api/users/{sam_id}/presence", {"availability": "busy"}, token)
    assert status == 200 and body["availability"] == "busy", body
    # A new installation lets every user see everyone's status.
    assert _grants(cordboard, "see_status") == [{"group_id": None, "scope": "org", "scope_id": None}]

    browser.run(_admin_changes_rights, cordboard, gone)

    assert _grants(cordboard, "see_status") == [{"group_id": reception, "scope": "group", "scope_id": sales}]
    assert _grants(cordboard, "view_future_presence") == []
    browser.run(_sees_status, cordboard, "rt-rita", rita_password, sam_id)
    browser.run(_sees_status, cordboard, "rt-olga", olga_password, None)
    # The API says the same as the pages.
    for username, password, seen in (
        ("rt-rita", rita_password, "available"),
        ("rt-olga", olga_password, None),
    ):
        status, answer = cordboard.api(
            "GET", "/api/directory/entries?book=company&q=Sam", token=cordboard.token(username, password)
        )
        assert status == 200, answer
        assert [e["availability"] for e in answer["entries"] if e["kind"] == "user"] == [seen]


def _admin_changes_rights(page: Any, cordboard: Cordboard, gone: int) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    nav = page.locator("#nav")
    # The page sits right after "User groups" in the navigation.
    links = nav.get_by_role("link").all_inner_texts()
    assert links[links.index("User groups") + 1] == "Service rights", links
    nav.get_by_role("link", name="Service rights").click()
    expect(page).to_have_url(cordboard.base + "/rights")
    expect(page.get_by_role("heading", name="Service rights", level=1)).to_be_focused()
    expect(page.get_by_test_id("rights-always")).to_contain_text("Administrators always have every right")

    status_card = page.get_by_test_id("rights-see_status")
    expect(status_card.get_by_role("heading", name="See colleagues' status")).to_be_visible()
    expect(status_card).to_contain_text("Feature PRS-11")
    expect(status_card.locator(".grant-sentence")).to_have_text(["Every user may see the status of everyone"])
    # PKP-02: every user may pick up everyone's calls on a new installation.
    pickup_card = page.get_by_test_id("rights-pickup")
    expect(pickup_card.get_by_role("heading", name="Pick up colleagues' calls")).to_be_visible()
    expect(pickup_card).to_contain_text("Feature PKP-02")
    pickup_sentence = "Every user may pick up calls ringing for everyone"
    expect(pickup_card.locator(".grant-sentence")).to_have_text([pickup_sentence])
    for service in ("view_future_presence", "edit_future_presence", "edit_directory"):
        expect(page.get_by_test_id(f"rights-{service}").get_by_test_id("grants-none")).to_have_text(
            "Only administrators have this right."
        )
    # The company directory is edited by lists: the organisation's or a group's, never one user's.
    directory = page.get_by_test_id("rights-edit_directory")
    expect(directory.get_by_label("The organisation's contacts")).to_be_checked()
    expect(directory.get_by_label("A group's contacts")).to_be_visible()
    expect(directory.get_by_label("One user")).to_have_count(0)

    # Take the right from everyone: after a confirmation nobody but the administrators has it.
    status_card.get_by_role("button", name="Remove: Every user may see the status of everyone").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Remove this right? Every user may see the status of everyone")
    dialog.get_by_role("button", name="Remove").click()
    expect(page.locator(".toast").last).to_have_text("Removed: Every user may see the status of everyone")
    expect(status_card.get_by_test_id("grants-none")).to_have_text("Only administrators have this right.")

    # Give it to the members of Reception over the users in group Sales.
    status_card.get_by_label("Who may use it").select_option(label="Members of Reception")
    status_card.get_by_label("The users in a group").check()
    status_card.get_by_label("Group", exact=True).select_option(label="Sales")
    status_card.get_by_role("button", name="Add", exact=True).click()
    sentence = "Members of Reception may see the status of the users in group Sales"
    expect(page.locator(".toast").last).to_have_text(f"Added: {sentence}")
    expect(status_card.get_by_test_id("grant")).to_have_count(1)
    expect(status_card.locator(".grant-sentence")).to_have_text(sentence)
    expect(status_card.get_by_label("Who may use it")).to_have_value("")  # the form starts again
    # The same grant again is refused before it is sent.
    status_card.get_by_label("Who may use it").select_option(label="Members of Reception")
    status_card.get_by_label("The users in a group").check()
    status_card.get_by_label("Group", exact=True).select_option(label="Sales")
    status_card.get_by_role("button", name="Add", exact=True).click()
    expect(status_card.locator(".form-error")).to_have_text("This right is given already.")
    expect(status_card.get_by_test_id("grant")).to_have_count(1)

    # A group deleted since the page was loaded: the server names it next to the field.
    plans = page.get_by_test_id("rights-view_future_presence")
    plans.get_by_label("Who may use it").select_option(label="Members of Temporary")
    status, body = cordboard.api("DELETE", f"/api/groups/{gone}", token=cordboard.token())
    assert status == 204, body
    plans.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("#rights-view-future-presence-who-error")).to_have_text(f"no group with id {gone}")
    expect(page.locator("#rights-view-future-presence-who")).to_be_focused()
    expect(plans.get_by_test_id("grants-none")).to_be_visible()
    shot(page, "rights")
    page.set_viewport_size(PHONE)
    shot(page, "rights-phone")


def _sees_status(page: Any, cordboard: Cordboard, username: str, password: str, sam_id: int | None) -> None:
    """The Contacts page of ``username``, who may see Sam's status when ``sam_id`` is given (and then
    sees it change live)."""
    login(page, cordboard.base, username, password, "/login?next=/contacts")
    sam = _company_row(page, "Sam Sales")
    expect(sam).to_have_count(1)
    if sam_id is not None:
        expect(sam.get_by_test_id("entry-availability")).to_have_text("Busy")
        status, body = cordboard.api(
            "PUT", f"/api/users/{sam_id}/presence", {"availability": "available"}, cordboard.token()
        )
        assert status == 200, body
        expect(sam.get_by_test_id("entry-availability")).to_have_text("Available")
    else:
        expect(sam.get_by_test_id("entry-availability")).to_have_count(0)
    # Nobody has a right over Rita: her status is only for administrators and herself.
    rita = _company_row(page, "Rita Reception")
    expect(rita.get_by_test_id("entry-availability")).to_have_count(1 if username == "rt-rita" else 0)


def test_role_09_users_cannot_open_service_rights(cordboard: Cordboard, browser: BrowserThread) -> None:
    _, password = add_user(cordboard, "rt-uwe", "1409", "Uwe", "User", sip=False)
    browser.run(_user_is_refused, cordboard, password)
    user_token = cordboard.token("rt-uwe", password)
    for method, path in (("GET", "/api/rights"), ("PUT", "/api/rights/see_status")):
        status, error = cordboard.api(method, path, {"grants": []} if method == "PUT" else None, user_token)
        assert status == 403 and error["error"]["code"] == "forbidden", (path, status, error)


def _user_is_refused(page: Any, cordboard: Cordboard, password: str) -> None:
    login(page, cordboard.base, "rt-uwe", password)
    expect(page.locator("#nav").get_by_role("link", name="Service rights")).to_have_count(0)
    page.goto(cordboard.base + "/rights")
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page.get_by_test_id("rights-always")).to_have_count(0)


# -- PRS-07 -----------------------------------------------------------------------------------------


def test_prs_07_assistant_plans_the_bosss_presence(cordboard: Cordboard, browser: BrowserThread) -> None:
    anja_id, anja_password = add_user(cordboard, "rt-anja", "1411", "Anja", "Assistant", sip=False)
    boss_id, _ = add_user(cordboard, "rt-bert", "1412", "Bert", "Boss", sip=False)
    carl_id, carl_password = add_user(cordboard, "rt-carl", "1413", "Carl", "Colleague", sip=False)
    assistants = _group(cordboard, "Assistants", [anja_id])
    viewers = _group(cordboard, "Viewers", [carl_id])
    token = cordboard.token()
    for activity in ({"id": 21, "name": "Customer visit"}, {"id": 22, "name": "Holiday"}):
        status, body = cordboard.api(
            "POST", "/api/presence/activities", {**activity, "show_as": "busy", "labels": {}}, token
        )
        assert status == 201, body
    over_boss = {"scope": "user", "scope_id": boss_id}
    _grant(
        cordboard,
        "view_future_presence",
        [{"group_id": assistants, **over_boss}, {"group_id": viewers, **over_boss}],
    )
    _grant(cordboard, "edit_future_presence", [{"group_id": assistants, **over_boss}])

    day = (datetime.now() + timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    browser.run(_assistant_plans, cordboard, anja_password, day)

    status, plans = cordboard.api("GET", f"/api/users/{boss_id}/presence/plans", token=token)
    assert status == 200, plans
    assert [p["activity_id"] for p in plans] == [21]
    start = day.replace(tzinfo=BROWSER_ZONE)  # the browser's clock typed it
    assert (plans[0]["start"], plans[0]["end"]) == (
        start.timestamp(),
        (start + timedelta(hours=8)).timestamp(),
    )
    assert plans[0]["created_by"] == anja_id

    browser.run(_colleague_only_sees_plans, cordboard, carl_password)
    carl_token = cordboard.token("rt-carl", carl_password)
    status, seen = cordboard.api("GET", f"/api/users/{boss_id}/presence/plans", token=carl_token)
    assert status == 200 and [p["id"] for p in seen] == [plans[0]["id"]], seen
    start = day.replace(tzinfo=BROWSER_ZONE)
    body = {"activity_id": 22, "start": start.isoformat(), "end": (start + timedelta(hours=1)).isoformat()}
    status, refused = cordboard.api("POST", f"/api/users/{boss_id}/presence/plans", body, carl_token)
    assert status == 403, refused


def _assistant_plans(page: Any, cordboard: Cordboard, password: str, day: datetime) -> None:
    login(page, cordboard.base, "rt-anja", password, "/login?next=/contacts")
    boss = _company_row(page, "Bert Boss")
    opener = boss.get_by_role("button", name="Planned presence of Bert Boss")
    expect(opener).to_be_visible()
    # Only the boss's row offers the planned presence: nobody else's is the assistant's to see, and
    # her own are on My presence.
    expect(_company_row(page, "Carl Colleague").get_by_role("button")).to_have_count(0)
    expect(_company_row(page, "Anja Assistant").get_by_role("button")).to_have_count(0)
    opener.click()
    panel = page.get_by_test_id("colleague-plans")
    expect(panel.get_by_role("heading", name="Planned presence of Bert Boss")).to_be_focused()
    expect(panel.get_by_test_id("presence-plans-empty")).to_have_text("Nothing planned.")
    expect(boss).to_have_class(re.compile(r"\bselected\b"))

    local = "%Y-%m-%dT%H:%M"
    page.locator("#colleague-plan-activity").select_option(label="Customer visit")
    page.locator("#colleague-plan-start").fill(day.strftime(local))
    page.locator("#colleague-plan-end").fill((day + timedelta(hours=8)).strftime(local))
    panel.get_by_role("button", name="Plan", exact=True).click()
    expect(page.locator(".toast").last).to_have_text("The activity is planned.")
    listed = panel.get_by_test_id("presence-plans").locator("li")
    expect(listed).to_have_count(1)
    expect(listed.first).to_contain_text("Customer visit")

    # A second one, deleted again.
    page.locator("#colleague-plan-activity").select_option(label="Holiday")
    page.locator("#colleague-plan-start").fill((day + timedelta(days=7)).strftime(local))
    page.locator("#colleague-plan-end").fill((day + timedelta(days=8)).strftime(local))
    panel.get_by_role("button", name="Plan", exact=True).click()
    expect(listed).to_have_count(2)
    panel.get_by_role("button", name="Delete Holiday").click()
    expect(page.locator(".toast").last).to_have_text("“Holiday” was deleted.")
    expect(listed).to_have_count(1)
    expect(panel.get_by_role("button", name="Delete Customer visit")).to_be_focused()
    shot(page, "contacts-colleague-plans")

    # Escape closes the panel and gives the focus back to the row's button; Enter opens it again.
    page.locator("#colleague-plan-activity").focus()
    page.keyboard.press("Escape")
    expect(panel).to_have_count(0)
    expect(opener).to_be_focused()
    page.keyboard.press("Enter")
    expect(panel.get_by_test_id("presence-plans").locator("li")).to_have_count(1)
    page.set_viewport_size(PHONE)
    shot(page, "contacts-colleague-plans-phone")


def _colleague_only_sees_plans(page: Any, cordboard: Cordboard, password: str) -> None:
    login(page, cordboard.base, "rt-carl", password, "/login?next=/contacts")
    _company_row(page, "Bert Boss").get_by_role("button", name="Planned presence of Bert Boss").click()
    panel = page.get_by_test_id("colleague-plans")
    expect(panel).to_contain_text("You may see these plans but not change them.")
    expect(panel.get_by_test_id("presence-plans")).to_contain_text("Customer visit")
    expect(panel.locator("form")).to_have_count(0)
    expect(panel.get_by_role("button", name="Delete Customer visit")).to_have_count(0)
    panel.get_by_role("button", name="Close").click()
    expect(panel).to_have_count(0)


# -- DIR-02 -----------------------------------------------------------------------------------------


def test_dir_02_directory_editor_adds_an_organisation_contact(
    cordboard: Cordboard, browser: BrowserThread
) -> None:
    edda_id, edda_password = add_user(cordboard, "rt-edda", "1421", "Edda", "Editor", sip=False)
    _, otto_password = add_user(cordboard, "rt-otto", "1422", "Otto", "Other", sip=False)
    editors = _group(cordboard, "Editors", [edda_id])
    _grant(cordboard, "edit_directory", [{"group_id": editors, "scope": "org"}])
    edda_token = cordboard.token("rt-edda", edda_password)
    status, lists = cordboard.api("GET", "/api/directory/lists", token=edda_token)
    assert status == 200 and [x["scope"] for x in lists][:2] == ["user", "org"], lists

    browser.run(_editor_adds_org_contact, cordboard, edda_password)

    status, org = cordboard.api("GET", "/api/directory/contacts?scope=org", token=cordboard.token())
    assert status == 200, org
    assert [(c["company"], [n["number"] for n in c["numbers"]]) for c in org] == [
        ("Facility Service", ["+45 70 20 30 40"])
    ]
    status, own = cordboard.api("GET", "/api/directory/contacts", token=edda_token)
    assert status == 200 and own == [], own

    browser.run(_other_user_sees_org_contact, cordboard, otto_password)


def _editor_adds_org_contact(page: Any, cordboard: Cordboard, password: str) -> None:
    # The lists' answer is held back until the form is open (a slow network): the choice appears
    # above the first name then, and the keyboard still starts there.
    held: list[Any] = []
    page.route("**/api/directory/lists", lambda route: held.append(route))  # noqa: PLW0108 - Playwright tags the handler; a builtin cannot be tagged
    login(page, cordboard.base, "rt-edda", password, "/login?next=/contacts")
    page.get_by_role("button", name="Add contact").click()
    expect(page.locator("#contact-first_name")).to_be_focused()
    for _ in range(200):
        if held:
            break
        page.wait_for_timeout(25)
    assert len(held) == 1, "the page did not ask for the lists"
    held[0].continue_()
    page.unroute_all()
    # The list comes first: the keyboard starts there.
    choice = page.locator("#contact-list")
    expect(choice).to_be_focused()
    options = choice.locator("option")
    expect(options.nth(0)).to_have_text("My contacts")
    expect(options.nth(1)).to_have_text("The organisation's directory")
    expect(page.get_by_label("Mandatory contact")).to_have_count(0)  # not on one's own list
    choice.select_option(label="The organisation's directory")
    expect(page.get_by_label("Mandatory contact")).not_to_be_checked()
    page.locator("#contact-company").fill("Facility Service")
    page.locator("#contact-number-0-number").fill("+45 70 20 30 40")
    shot(page, "contacts-editor-form")
    page.locator("#contact-form").get_by_role("button", name="Add", exact=True).click()
    expect(page.locator(".toast").last).to_have_text("Facility Service was added.")
    row = page.get_by_test_id("directory-entries").locator("tbody tr").filter(has_text="Facility Service")
    expect(row).to_contain_text("Organisation")
    expect(row.get_by_role("button", name="Edit Facility Service")).to_be_visible()
    expect(row.get_by_role("button", name="Delete Facility Service")).to_be_visible()

    # The import asks for the list too; Escape closes it.
    page.get_by_role("button", name="Import contacts").click()
    choice = page.locator("#contacts-import-list")
    expect(choice).to_be_focused()
    expect(choice.locator("option").nth(1)).to_have_text("The organisation's directory")
    page.keyboard.press("Escape")
    expect(choice).to_have_count(0)
    expect(page.get_by_role("button", name="Import contacts")).to_be_focused()


def _other_user_sees_org_contact(page: Any, cordboard: Cordboard, password: str) -> None:
    login(page, cordboard.base, "rt-otto", password, "/login?next=/contacts")
    row = page.get_by_test_id("directory-entries").locator("tbody tr").filter(has_text="Facility Service")
    expect(row).to_contain_text("Organisation")
    expect(row.get_by_role("link", name="Call +45 70 20 30 40 (Work)")).to_be_visible()
    expect(row.get_by_role("button")).to_have_count(0)
    # Otto may add only to his own list: the form asks nothing about lists.
    page.get_by_role("button", name="Add contact").click()
    expect(page.locator("#contact-first_name")).to_be_focused()
    expect(page.locator("#contact-list")).to_have_count(0)
