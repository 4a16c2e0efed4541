"""The directory and contacts in the web UI (DIR-01..09, DIR-15, CAPU-08/09, BAR-07).

A user finds a colleague in the company directory with their availability and activity, adds a
contact of their own with two numbers (a wrong e-mail address is named next to its field first),
finds it by its company and finds nothing with a word that matches nothing, changes it, imports a
CSV file (a PDF is refused with the reason; the preview shows the bad row with its error, one
column is mapped to another field) and deletes a contact; the API then holds exactly the expected
contacts. An administrator adds a mandatory contact to the organisation's list on the Directory
page; the user sees it without edit or delete buttons and the API refuses the user's change. A
user who opens the Directory page is refused; with the plugin disabled both pages say so.
"""

from __future__ import annotations

import re
from typing import Any

from e2e_helpers import ADMIN, ADMIN_PASSWORD, PHONE, BrowserThread, Cordboard, add_user, login, shot
from playwright.sync_api import expect

CSV = (
    b"Name;Firma;Mobil;E-mail\n"
    b"Bo Bak;Bak ApS;+45 40 11 22 33;bo@bak.dk\n"
    b"Carla Cruz;;+45 50 11 22 33;carla@cruz.dk\n"
    b"Dan Dahl;Dahl A/S;not a number;dan@dahl.dk\n"
)


def _user(cordboard: Cordboard) -> tuple[int, str]:
    """The user of these tests, made once for the module's Cordboard."""
    token = cordboard.token()
    status, users = cordboard.api("GET", "/api/users", token=token)
    assert status == 200, users
    found = next((u for u in users if u["username"] == "dir-ulla"), None)
    if found:
        return int(found["id"]), "dir-ulla-secret-123456"
    return add_user(cordboard, "dir-ulla", "2311", "Ulla", "Urban", sip=False)


def test_dir_04_user_manages_own_contacts_and_imports_csv(
    cordboard: Cordboard, browser: BrowserThread
) -> None:
    token = cordboard.token()
    pia_id, _ = add_user(cordboard, "dir-pia", "2310", "Pia", "Prinz", sip=False)
    # DIR-01: the colleague is busy with an activity; the directory shows both.
    status, body = cordboard.api(
        "POST", "/api/presence/activities", {"id": 7, "name": "Lunch", "show_as": "busy", "labels": {}}, token
    )
    assert status == 201, body
    status, body = cordboard.api("PUT", f"/api/users/{pia_id}/presence", {"activity_id": 7}, token=token)
    assert status == 200 and body["availability"] == "busy", body
    _, password = _user(cordboard)

    browser.run(_user_manages_contacts, cordboard, password)

    user_token = cordboard.token("dir-ulla", password)
    status, contacts = cordboard.api("GET", "/api/directory/contacts", token=user_token)
    assert status == 200, contacts
    saved = {c["name"]: c for c in contacts}
    assert sorted(saved) == ["Anna Berg", "Bo Bak"]
    anna = saved["Anna Berg"]
    assert (anna["type"], anna["company"], anna["department"], anna["email"]) == (
        "vip",
        "Nordlys A/S",
        "Support",
        "anna@nordlys.dk",
    )
    assert [(n["type"], n["number"], n["short"]) for n in anna["numbers"]] == [
        ("work", "+45 33 12 34 56", ""),
        ("mobile", "+45 20 30 40 50", "15"),
    ]
    bo = saved["Bo Bak"]
    # The "Firma" column was mapped to the department in the preview.
    assert (bo["first_name"], bo["last_name"], bo["company"], bo["department"], bo["email"]) == (
        "Bo",
        "Bak",
        "",
        "Bak ApS",
        "bo@bak.dk",
    )
    assert [(n["type"], n["number"]) for n in bo["numbers"]] == [("mobile", "+45 40 11 22 33")]
    assert all(c["scope"] == "user" and c["editable"] and not c["mandatory"] for c in contacts)

    # The server refuses what the page refuses: another file type, and other lists than one's own.
    text = CSV.decode()
    status, body = cordboard.api(
        "POST", "/api/directory/contacts/import", {"filename": "c.pdf", "text": text}, token=user_token
    )
    assert status == 400 and ".csv" in body["error"]["fields"]["filename"], body
    status, body = cordboard.api(
        "POST",
        "/api/directory/contacts/import",
        {"filename": "c.csv", "text": text, "scope": "org", "apply": True},
        token=user_token,
    )
    assert status == 403, body
    assert len(cordboard.api("GET", "/api/directory/contacts?scope=org", token=token)[1]) == 0


def _user_manages_contacts(page: Any, cordboard: Cordboard, password: str) -> None:
    login(page, cordboard.base, "dir-ulla", password)
    page.locator("#nav").get_by_role("link", name="Contacts", exact=True).click()
    expect(page).to_have_url(cordboard.base + "/contacts")
    expect(page.get_by_role("heading", name="Contacts", exact=True)).to_be_focused()
    rows = page.get_by_test_id("directory-entries").locator("tbody tr")

    # DIR-01, DIR-15: the company directory lists the colleague with availability and activity.
    page.get_by_label("Company directory").check()
    pia = rows.filter(has_text="Pia Prinz")
    expect(pia.get_by_test_id("entry-availability")).to_have_text("Busy")
    expect(pia.get_by_test_id("entry-activity")).to_have_text("Lunch")
    expect(pia.get_by_role("link", name=re.compile("Call 2310"))).to_have_attribute("href", "tel:2310")
    expect(pia.get_by_role("button")).to_have_count(0)
    page.get_by_label("My contacts").check()
    expect(page.get_by_test_id("directory-empty")).to_contain_text("You have no contacts of your own yet.")

    # DIR-04, DIR-08: a contact of one's own with two numbers; the keyboard starts in the form.
    page.get_by_role("button", name="Add contact").click()
    expect(page.locator("#contact-first_name")).to_be_focused()
    page.keyboard.type("Anna")
    page.locator("#contact-last_name").fill("Berg")
    page.locator("#contact-company").fill("Nordlys A/S")
    page.locator("#contact-department").fill("Sales")
    page.locator("#contact-type").select_option("blocked")
    expect(page.locator("#contact-type-hint")).to_have_text(
        "A blocked contact cannot call you: their calls are rejected."
    )
    page.locator("#contact-type").select_option("favourite")
    page.locator("#contact-number-0-number").fill("+45 33 12 34 56")
    page.get_by_role("button", name="Add number").click()
    expect(page.locator("#contact-number-1-number")).to_be_focused()
    page.keyboard.type("+45 20 30 40 50")
    expect(page.locator("#contact-number-1-type")).to_have_value("mobile")
    page.locator("#contact-number-1-short").fill("15")
    page.locator("#contact-email").fill("anna@")
    page.locator("#contact-form").get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("#contact-email-error")).to_contain_text("e-mail address")
    expect(page.locator("#contact-email")).to_be_focused()
    page.locator("#contact-email").fill("anna@nordlys.dk")
    page.locator("#contact-form").get_by_role("button", name="Add", exact=True).click()
    expect(page.locator(".toast").last).to_have_text("Anna Berg was added.")
    expect(page.locator("#contact-form")).to_have_count(0)
    anna = rows.filter(has_text="Anna Berg")
    expect(anna).to_contain_text("Nordlys A/S · Sales")
    expect(anna.get_by_test_id("entry-favourite")).to_be_visible()
    work = anna.get_by_role("link", name="Call +45 33 12 34 56 (Work)")
    expect(work).to_have_attribute("href", "tel:+4533123456")
    expect(anna.get_by_role("link", name="Call +45 20 30 40 50 (Mobile)")).to_be_visible()
    expect(anna).to_contain_text("short 15")

    # DIR-03: search as one types, in every field; a word that matches nothing says so.
    page.get_by_label("All", exact=True).check()
    search = page.get_by_role("searchbox", name="Search")
    search.fill("nordlys")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Anna Berg")
    search.fill("zzqx")
    expect(page.get_by_test_id("directory-empty")).to_have_text("No entry matches “zzqx”.")
    search.fill("20304050")  # the mobile number, typed without its spaces
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Anna Berg")
    search.fill("")
    expect(rows.filter(has_text="Pia Prinz")).to_have_count(1)

    # Edit: another department and type; the favourite's star gives way to the VIP flag.
    anna.get_by_role("button", name="Edit Anna Berg").click()
    expect(page.get_by_role("heading", name="Edit Anna Berg")).to_be_visible()
    expect(page.locator("#contact-first_name")).to_be_focused()
    expect(page.locator("#contact-number-1-short")).to_have_value("15")
    page.locator("#contact-department").fill("Support")
    page.locator("#contact-type").select_option("vip")
    page.locator("#contact-form").get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("Anna Berg was saved.")
    expect(anna).to_contain_text("Nordlys A/S · Support")
    expect(anna.get_by_test_id("entry-vip")).to_have_text("VIP")
    expect(anna.get_by_test_id("entry-favourite")).to_have_count(0)

    # DIR-09: only .csv and .txt files; then a preview with the bad row and its error.
    page.get_by_role("button", name="Import contacts").click()
    file_input = page.get_by_label("File", exact=True)
    expect(file_input).to_be_focused()
    file_input.set_input_files({"name": "report.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"})
    expect(page.locator("#contacts-import-file-error")).to_have_text(
        "report.pdf cannot be imported: only .csv, .txt files can."
    )
    expect(page.get_by_test_id("import-preview")).to_have_count(0)
    file_input.set_input_files({"name": "c.csv", "mimeType": "text/csv", "buffer": CSV})
    preview = page.get_by_test_id("import-preview")
    expect(preview.get_by_test_id("import-summary")).to_have_text(
        "Rows: 3. Ready to import: 2. With errors (left out): 1."
    )
    expect(page.locator("#contacts-import-file-error")).to_be_empty()
    header = page.get_by_label("The first line is a header")
    expect(header).to_be_checked()
    columns = preview.get_by_test_id("import-column")
    expect(columns).to_have_count(4)
    for index, field in enumerate(("full_name", "company", "number:mobile", "email")):
        expect(columns.nth(index)).to_have_value(field)
    bad = preview.get_by_test_id("import-row").filter(has=page.get_by_test_id("import-error"))
    expect(bad).to_have_count(1)
    expect(bad).to_contain_text("Dan Dahl")
    expect(bad.get_by_test_id("import-error")).to_contain_text("phone number")
    # Without the header its line is a contact too (with no valid number); back with it.
    header.uncheck()
    expect(preview.get_by_test_id("import-summary")).to_have_text(
        "Rows: 4. Ready to import: 2. With errors (left out): 2."
    )
    header.check()
    expect(preview.get_by_test_id("import-summary")).to_have_text(
        "Rows: 3. Ready to import: 2. With errors (left out): 1."
    )
    # The "Firma" column holds the department here: the preview follows the choice.
    page.get_by_label("Column 2 (Firma)").select_option("department")
    expect(preview.get_by_test_id("import-row").first).to_contain_text("Bo Bak")
    expect(columns.nth(1)).to_have_value("department")
    expect(preview.get_by_test_id("import-summary")).to_have_text(
        "Rows: 3. Ready to import: 2. With errors (left out): 1."
    )
    shot(page, "contacts-import")
    page.get_by_role("button", name="Import 2 contacts").click()
    expect(page.locator(".toast").last).to_have_text("2 contacts imported.")
    expect(preview).to_have_count(0)
    expect(rows.filter(has_text="Bo Bak")).to_contain_text("Bak ApS")
    expect(rows.filter(has_text="Carla Cruz")).to_have_count(1)

    # Delete, after a confirmation.
    rows.filter(has_text="Carla Cruz").get_by_role("button", name="Delete Carla Cruz").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(page.locator(".toast").last).to_have_text("Carla Cruz was deleted.")
    expect(rows.filter(has_text="Carla Cruz")).to_have_count(0)

    page.get_by_label("My contacts").check()
    expect(rows).to_have_count(2)
    expect(page.get_by_test_id("entry-count")).to_have_text("2 entries")
    page.get_by_label("All", exact=True).check()
    expect(rows.filter(has_text="Pia Prinz")).to_have_count(1)
    shot(page, "contacts")
    page.set_viewport_size(PHONE)
    shot(page, "contacts-phone")


def test_dir_06_admin_adds_mandatory_contact_users_cannot_change_it(
    cordboard: Cordboard, browser: BrowserThread
) -> None:
    user_id, password = _user(cordboard)
    user_token = cordboard.token("dir-ulla", password)
    number = {"type": "mobile", "number": "+45 61 62 63 64"}
    own = {"first_name": "Eva", "last_name": "Egholm", "numbers": [number]}
    status, body = cordboard.api("POST", "/api/directory/contacts", own, token=user_token)
    assert status == 201 and body["editable"] and body["scope"] == "user", body
    browser.run(_admin_adds_mandatory_contact, cordboard, user_id)
    token = cordboard.token()
    status, org = cordboard.api("GET", "/api/directory/contacts?scope=org", token=token)
    assert status == 200, org
    assert [(c["name"], c["mandatory"], [n["number"] for n in c["numbers"]]) for c in org] == [
        ("Helpdesk", True, ["+45 70 10 20 30"])
    ]
    helpdesk = org[0]

    browser.run(_user_sees_mandatory_contact, cordboard, password)
    change = {**helpdesk, "company": "Not the helpdesk"}
    status, body = cordboard.api("PUT", f"/api/directory/contacts/{helpdesk['id']}", change, token=user_token)
    assert status == 403, body
    status, body = cordboard.api("DELETE", f"/api/directory/contacts/{helpdesk['id']}", token=user_token)
    assert status == 403, body
    status, body = cordboard.api("GET", "/api/directory/contacts?scope=org", token=user_token)
    assert status == 403, body
    _, org = cordboard.api("GET", "/api/directory/contacts?scope=org", token=token)
    assert [c["company"] for c in org] == ["Helpdesk"]


def _admin_adds_mandatory_contact(page: Any, cordboard: Cordboard, user_id: int) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    page.locator("#nav").get_by_role("link", name="Directory", exact=True).click()
    expect(page).to_have_url(cordboard.base + "/directory")
    expect(page.get_by_role("heading", name="Directory", exact=True)).to_be_focused()
    card = page.get_by_test_id("directory-list")
    expect(card.get_by_role("heading", name="The organisation's contacts")).to_be_visible()
    expect(page.get_by_test_id("directory-empty")).to_have_text("This list has no contacts yet.")

    card.get_by_role("button", name="Add contact").click()
    expect(page.locator("#directory-contact-first_name")).to_be_focused()
    page.locator("#directory-contact-company").fill("Helpdesk")
    page.locator("#directory-contact-number-0-number").fill("+45 70 10 20 30")
    mandatory = page.get_by_label("Mandatory contact")
    expect(page.locator("#directory-contact-mandatory-hint")).to_have_text(
        "Every user in the scope gets it and cannot change or remove it."
    )
    mandatory.check()
    page.locator("#directory-contact-form").get_by_role("button", name="Add", exact=True).click()
    expect(page.locator(".toast").last).to_have_text("Helpdesk was added.")
    row = card.get_by_test_id("directory-entries").locator("tbody tr").filter(has_text="Helpdesk")
    expect(row.get_by_test_id("entry-mandatory")).to_have_text("Mandatory")
    expect(row.get_by_role("button", name="Edit Helpdesk")).to_be_visible()

    # A user's own list has no mandatory contacts (DIR-06): the form does not offer it there.
    page.get_by_label("User", exact=True).check()
    page.locator("#directory-user").select_option(str(user_id))
    expect(card.get_by_role("heading", name="Contacts of Ulla Urban")).to_be_visible()
    card.get_by_role("button", name="Add contact").click()
    expect(page.locator("#directory-contact-first_name")).to_be_focused()
    expect(page.get_by_label("Mandatory contact")).to_have_count(0)
    page.keyboard.press("Escape")
    expect(page.locator("#directory-contact-form")).to_have_count(0)
    expect(card.get_by_role("button", name="Add contact")).to_be_focused()

    page.get_by_label("Organisation", exact=True).check()
    row.get_by_role("button", name="Edit Helpdesk").click()
    expect(page.get_by_label("Mandatory contact")).to_be_checked()
    shot(page, "directory-admin")
    page.locator("#directory-contact-form").get_by_role("button", name="Cancel").click()


def _user_sees_mandatory_contact(page: Any, cordboard: Cordboard, password: str) -> None:
    login(page, cordboard.base, "dir-ulla", password, "/login?next=/contacts")
    expect(page).to_have_url(cordboard.base + "/contacts")
    row = page.get_by_test_id("directory-entries").locator("tbody tr").filter(has_text="Helpdesk")
    expect(row.get_by_test_id("entry-mandatory")).to_have_text("Mandatory")
    expect(row).to_contain_text("Organisation")
    expect(row.get_by_role("button")).to_have_count(0)
    # The user's own contacts still have theirs.
    own = page.get_by_test_id("directory-entries").locator("tbody tr").filter(has_text="Eva Egholm")
    expect(own.get_by_role("button", name="Edit Eva Egholm")).to_be_visible()
    expect(own.get_by_role("button", name="Delete Eva Egholm")).to_be_visible()

    # The admin page is not for users (as every admin page).
    expect(page.locator("#nav").get_by_role("link", name="Directory", exact=True)).to_have_count(0)
    page.goto(cordboard.base + "/directory")
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page.get_by_test_id("directory-list")).to_have_count(0)


def test_dir_pages_say_when_the_plugin_is_off(cordboard: Cordboard, browser: BrowserThread) -> None:
    _, password = _user(cordboard)
    token = cordboard.token()
    status, body = cordboard.api("POST", "/api/plugins/directory/disable", token=token)
    assert status == 200 and not body["enabled"], body
    try:
        browser.run(_pages_when_off, cordboard, password)
    finally:
        status, body = cordboard.api("POST", "/api/plugins/directory/enable", token=token)
        assert status == 200 and body["enabled"], body


def _pages_when_off(page: Any, cordboard: Cordboard, password: str) -> None:
    login(page, cordboard.base, "dir-ulla", password, "/login?next=/contacts")
    off = page.get_by_test_id("directory-off")
    expect(off).to_contain_text("The directory plugin is turned off.")
    expect(off).to_contain_text("An administrator can turn it on under Plugins.")
    expect(off.get_by_role("link")).to_have_count(0)
    expect(page.get_by_role("button", name="Add contact")).to_have_count(0)
    page.get_by_role("button", name="Log out").click()
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD, "/login?next=/directory")
    off = page.get_by_test_id("directory-off")
    expect(off).to_contain_text("The directory plugin is turned off.")
    off.get_by_role("link", name="Plugins").click()
    expect(page).to_have_url(cordboard.base + "/plugins")
