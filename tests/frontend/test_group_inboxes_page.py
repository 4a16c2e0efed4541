"""The Group inboxes page in the web UI (GIB-01, GIB-07).

The administrator opens Group inboxes and finds none yet. A new inbox "After hours" with Eva's
extension as its number, the code 42, a PIN, the user group "Night shift" as its members and
"Office" told by e-mail is refused by the server: the number field shows the server's reason and
has the focus, and nothing is saved. On 1590 it is created, listed with its member group, and the
API holds those fields. A voicemail number 1598 of the type "group inbox" leading to it is added
and listed. Deleting the inbox while 1598 leads to it shows the server's 409 reason and keeps it;
after 1598 is deleted, the inbox can be deleted too.

ROLE-04, GIB-06: the administrator ticks the user group "Front office" under "Administered by" on
the inbox "Reception". Gina, a member of it and no administrator, finds "Group administration" in
her navigation with Group inboxes and Switches & announcements (a switch is administered by the
same group), sees only Reception, and changes its name and PIN, with no "New group inbox", no
Delete, no voicemail numbers and no "Administered by". Olaf, in no such group, has no such links
and finds /group-inboxes not allowed.
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
    login,
    not_a_group_administrator,
    shot,
)
from playwright.sync_api import expect

INBOXES = "/api/voicemail/group-inboxes"
NUMBERS = "/api/voicemail/numbers"
SWITCHES = "/api/flow_elements/switches"


def test_gib_01_gib_07_admin_keeps_a_group_inbox_and_its_voicemail_number(
    cordboard: Cordboard, browser: BrowserThread
) -> None:
    """GIB-01: a group inbox with name, number, code, PIN, member and e-mail groups; a number
    someone else has is refused at the field. GIB-07: a voicemail number of the type "group
    inbox"; the inbox cannot be deleted while it leads there (409, the server's reason shown)."""
    token = cordboard.token()
    eva_id, _ = add_user(cordboard, "gi-eva", "1230", "Eva", "Evening", sip=False)
    status, night = cordboard.api("POST", "/api/groups", {"name": "Night shift"}, token)
    assert status == 201, night
    status, body = cordboard.api("PUT", f"/api/groups/{night['id']}/members", {"user_ids": [eva_id]}, token)
    assert status == 200, body
    status, office = cordboard.api("POST", "/api/groups", {"name": "Office"}, token)
    assert status == 201, office
    inbox = {
        "name": "After hours",
        "number": "1230",
        "code": "42",
        "pin": "2468",
        "allow_anonymous_after_pin": False,
        "exclude_from_search": False,
        "greeting_prompt": "",
        "member_groups": [night["id"]],
        "sms_groups": [],
        "email_groups": [office["id"]],
    }
    # What the server says of Eva's extension: the page must show exactly this.
    status, refused = cordboard.api("POST", INBOXES, inbox, token)
    assert status == 400, refused
    clash = refused["error"]["fields"]["number"]
    assert "1230" in clash, clash

    browser.run(_admin_manages_group_inboxes, cordboard, clash, {**inbox, "number": "1590"})

    assert api_list(cordboard, INBOXES) == [] and api_list(cordboard, NUMBERS) == []


def _admin_manages_group_inboxes(page: Any, cordboard: Cordboard, clash: str, wanted: dict[str, Any]) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    nav = page.locator("#nav")
    nav.get_by_role("link", name="Group inboxes").click()
    expect(page).to_have_url(cordboard.base + "/group-inboxes")
    expect(page.get_by_role("heading", name="Group inboxes", level=1)).to_be_focused()
    expect(page.get_by_test_id("group-inboxes-empty")).to_have_text("No group inboxes yet.")
    expect(page.get_by_test_id("voicemail-numbers-empty")).to_have_text("No voicemail numbers yet.")

    # GIB-01: Eva's extension is refused by the server, named next to the number.
    page.get_by_role("button", name="New group inbox").click()
    form = page.get_by_test_id("group-inbox-form")
    name = form.get_by_role("textbox", name="Name", exact=True)
    expect(name).to_be_focused()
    name.fill("After hours")
    number = form.get_by_role("textbox", name="Number", exact=True)
    number.fill("1230")
    form.get_by_role("textbox", name="Code", exact=True).fill("42")
    form.get_by_label("PIN", exact=True).fill("2468")
    form.get_by_test_id("gi-member-groups").get_by_label("Night shift").check()
    form.get_by_test_id("gi-email-groups").get_by_label("Office").check()
    form.get_by_role("button", name="Save").click()
    expect(page.locator("#gi-number-error")).to_have_text(clash)
    expect(number).to_be_focused()
    expect(number).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#gi-form-error")).to_have_text("The group inbox is invalid")
    assert api_list(cordboard, INBOXES) == []
    shot(page, "group-inboxes-number-clash")

    number.fill("1590")
    expect(page.locator("#gi-number-error")).to_have_text("")  # typing clears the message
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").filter(has_text="Group inbox After hours (1590) created")).to_have_count(1)
    expect(form).to_have_count(0)
    row = page.locator('[data-testid="group-inbox"][data-number="1590"]')
    expect(row).to_contain_text("After hours")
    expect(row).to_contain_text("Night shift")
    expect(row).to_contain_text("0 new, 0 saved")
    [created] = api_list(cordboard, INBOXES)
    expected = {k: v for k, v in wanted.items() if k != "pin"}
    assert {k: created[k] for k in expected} == expected, created
    assert created["has_pin"] is True
    shot(page, "group-inboxes-list")

    # GIB-07: a voicemail number that leads to the inbox (after its code).
    numbers = page.get_by_test_id("voicemail-number-form")
    numbers.get_by_role("textbox", name="Number", exact=True).fill("1598")
    numbers.get_by_label("Type").select_option(label="Group inbox")
    numbers.get_by_role("combobox", name="Group inbox", exact=True).select_option(label="After hours (1590)")
    numbers.get_by_role("button", name="Add voicemail number").click()
    expect(page.locator(".toast").filter(has_text="Voicemail number 1598 added")).to_have_count(1)
    listed = page.locator('[data-testid="voicemail-number"][data-number="1598"]')
    expect(listed).to_contain_text("Group inbox After hours (1590)")
    assert api_list(cordboard, NUMBERS) == [
        {"number": "1598", "kind": "group_inbox", "inbox_id": created["id"]}
    ]
    shot(page, "group-inboxes-voicemail-number")

    # While 1598 leads to it, the inbox stays: the server's reason is shown.
    status, refused = cordboard.api("DELETE", f"{INBOXES}/{created['id']}", token=cordboard.token())
    assert status == 409, refused
    row.get_by_role("button", name="Delete group inbox After hours").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Delete the group inbox After hours (1590) with all its messages?")
    dialog.get_by_role("button", name="Delete").click()
    expect(page.locator(".toast").filter(has_text=refused["error"]["message"])).to_have_count(1)
    expect(row).to_have_count(1)
    assert len(api_list(cordboard, INBOXES)) == 1

    # The number first, then the inbox.
    listed.get_by_role("button", name="Delete voicemail number 1598").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(page.locator(".toast").filter(has_text="Voicemail number 1598 deleted")).to_have_count(1)
    expect(page.get_by_test_id("voicemail-numbers-empty")).to_be_visible()
    row.get_by_role("button", name="Delete group inbox After hours").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(page.locator(".toast").filter(has_text="Group inbox After hours (1590) deleted")).to_have_count(1)
    expect(page.get_by_test_id("group-inboxes-empty")).to_be_visible()
    shot(page, "group-inboxes-deleted")


def test_role_04_gib_06_group_administrator_edits_the_group_inbox(
    cordboard: Cordboard, browser: BrowserThread
) -> None:
    """ROLE-04, GIB-06: the administrator names the user group that administers an inbox; its
    member may then change that inbox (and nothing else) from "Group administration"; someone in
    no such group may not."""
    token = cordboard.token()
    gina_id, gina_password = add_user(cordboard, "gi-gina", "1231", "Gina", "Frontdesk", sip=False)
    olaf_id, olaf_password = add_user(cordboard, "gi-olaf", "1232", "Olaf", "Outside", sip=False)
    office = add_group(cordboard, "Front office", [gina_id])
    add_group(cordboard, "Warehouse", [olaf_id])
    made: dict[str, dict[str, Any]] = {}
    for name, number in (("Reception", "1591"), ("Night line", "1592")):
        inbox = {"name": name, "number": number, "code": number[-1], "member_groups": [office]}
        status, made[name] = cordboard.api("POST", INBOXES, inbox, token)
        assert status == 201, made[name]
    # Gina's navigation also lists the switches page: a switch her group administers.
    lobby = {"name": "Lobby", "number": "1675", "on": False, "on_target": "1231", "off_target": "1232"}
    status, switch = cordboard.api("POST", SWITCHES, {**lobby, "admin_groups": [office]}, token)
    assert status == 201, switch

    browser.run(_admin_chooses_the_group_administrators, cordboard)
    reception = made["Reception"]["id"]
    status, inbox = cordboard.api("GET", f"{INBOXES}/{reception}", token=token)
    assert status == 200 and inbox["admin_groups"] == [office], inbox

    browser.run(_group_administrator_edits_the_inbox, cordboard, gina_password)
    status, inbox = cordboard.api("GET", f"{INBOXES}/{reception}", token=token)
    assert status == 200, inbox
    assert (inbox["name"], inbox["has_pin"], inbox["admin_groups"]) == ("Front desk", True, [office]), inbox
    assert inbox["member_groups"] == [office] and inbox["code"] == "1", inbox

    browser.run(
        not_a_group_administrator, cordboard, ("gi-olaf", olaf_password), ("/group-inboxes", "group-inbox")
    )

    for found in api_list(cordboard, INBOXES):
        status, body = cordboard.api("DELETE", f"{INBOXES}/{found['id']}", token=token)
        assert status in (200, 204), body
    status, body = cordboard.api("DELETE", f"{SWITCHES}/{switch['id']}", token=token)
    assert status in (200, 204), body


def _admin_chooses_the_group_administrators(page: Any, cordboard: Cordboard) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD, "/login?next=/group-inboxes")
    expect(page.get_by_role("heading", name="Group inboxes", level=1)).to_be_focused()
    row = page.locator('[data-testid="group-inbox"][data-number="1591"]')
    row.get_by_role("button", name="Edit group inbox Reception").click()
    form = page.get_by_test_id("group-inbox-form")
    admins = form.get_by_role("group", name="Administered by")
    expect(admins).to_contain_text("Members of these groups may change this group inbox (and nothing else).")
    expect(admins.get_by_label("Front office")).not_to_be_checked()
    admins.get_by_label("Front office").check()
    shot(page, "group-inboxes-administered-by")
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").filter(has_text="Group inbox Reception (1591) saved")).to_have_count(1)
    expect(form).to_have_count(0)


def _group_administrator_edits_the_inbox(page: Any, cordboard: Cordboard, password: str) -> None:
    login(page, cordboard.base, "gi-gina", password)
    nav = page.locator("#nav")
    expect(nav.get_by_role("heading", name="Group administration")).to_be_visible()
    expect(nav.get_by_role("heading", name="Administration", exact=True)).to_have_count(0)
    expect(page.get_by_test_id("nav-group-admin").get_by_role("link")).to_have_text(
        ["Switches & announcements", "Group inboxes"]
    )
    nav.get_by_role("link", name="Group inboxes").click()
    expect(page).to_have_url(cordboard.base + "/group-inboxes")
    expect(page.get_by_role("heading", name="Group inboxes", level=1)).to_be_focused()
    expect(nav.get_by_role("link", name="Group inboxes")).to_have_attribute("aria-current", "page")

    # Only the inbox her group administers; nothing to create or delete, no voicemail numbers.
    rows = page.get_by_test_id("group-inbox")
    expect(rows).to_have_count(1)
    row = page.locator('[data-testid="group-inbox"][data-number="1591"]')
    expect(row).to_contain_text("Front office")
    expect(page.get_by_role("button", name="New group inbox")).to_have_count(0)
    expect(row.get_by_role("button", name="Delete group inbox Reception")).to_have_count(0)
    expect(page.get_by_test_id("voicemail-numbers")).to_have_count(0)
    shot(page, "group-inboxes-group-administrator")

    row.get_by_role("button", name="Edit group inbox Reception").click()
    form = page.get_by_test_id("group-inbox-form")
    name = form.get_by_role("textbox", name="Name", exact=True)
    expect(name).to_be_focused()
    expect(form.get_by_test_id("gi-admin-groups")).to_have_count(0)
    expect(form).not_to_contain_text("Administered by")
    expect(form.get_by_test_id("gi-member-groups").get_by_label("Front office")).to_be_checked()
    name.fill("Front desk")
    form.get_by_label("PIN", exact=True).fill("1357")
    shot(page, "group-inboxes-group-administrator-form")
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").filter(has_text="Group inbox Front desk (1591) saved")).to_have_count(1)
    expect(form).to_have_count(0)
    # With no "New group inbox" the focus goes back to the inbox's Edit button.
    expect(page.get_by_role("button", name="Edit group inbox Front desk")).to_be_focused()
    expect(row.get_by_role("button", name="Delete group inbox Front desk")).to_have_count(0)
