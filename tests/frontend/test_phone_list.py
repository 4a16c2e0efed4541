"""The phone list and the provisioning panel in a real browser over a real `cordboard run`.

An administrator adds a Yealink by MAC (a bad MAC and a MAC already listed are refused next to the
field), sees it as not provisioned, the phone fetches its configuration over HTTP (the list shows
the fetch and the address live), a user is assigned (the state changes), the phone registers with
its MAC in the User-Agent (green, live over the WebSocket), is sent "check-sync" (PROV-11), shows
its MAC on the Registrations tab, and is deleted (PROV-10, CAPA-07). A CSV file names its bad lines
(PROV-13). Renewing the ticket changes the URL and the old one is refused (PROV-04); the settings
are saved and the API's field errors are shown at the field. A user cannot open the pages.
FEATURES.md: PROV-03..06, PROV-10, PROV-11, PROV-13, PROV-14, CAPA-03, CAPA-07, CAPA-32, CAPA-37.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from typing import Any

from e2e_helpers import ADMIN, ADMIN_PASSWORD, PHONE, BrowserThread, Cordboard, add_user, login, shot
from e2e_phone import Phone
from playwright.sync_api import expect

MAC = "001565a1b2c3"
SHOWN = "00:15:65:a1:b2:c3"
USER_AGENT = f"Yealink SIP-T46U 66.86.0.15 {SHOWN}"


def fetch(url: str, user_agent: str = USER_AGENT) -> int:
    """GET a provisioning file as a phone does; the HTTP status."""
    request = urllib.request.Request(url, headers={"User-Agent": user_agent})
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            resp.read()
            return int(resp.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


def provisioning_url(cordboard: Cordboard) -> str:
    status, body = cordboard.api("GET", "/api/provisioning", token=cordboard.token())
    assert status == 200, body
    return str(body["url"])


def open_tab(page: Any, name: str) -> None:
    page.get_by_test_id("phone-tabs").get_by_role("link", name=name).click()
    expect(page.get_by_test_id("phone-tabs").get_by_role("link", name=name)).to_have_attribute(
        "aria-current", "page"
    )


# -- add, assign, register, resync, delete ------------------------------------------------------
def test_admin_adds_assigns_resyncs_and_deletes_a_phone(cordboard: Cordboard, browser: BrowserThread) -> None:
    user_id, password = add_user(cordboard, "dora", "4001", "Dora", "Dahl")
    browser.run(_adds_assigns_resyncs_and_deletes, cordboard, (user_id, password))


def _adds_assigns_resyncs_and_deletes(page: Any, cordboard: Cordboard, dora: tuple[int, str]) -> None:
    user_id, password = dora
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    page.locator("#nav").get_by_role("link", name="Phones", exact=True).click()
    expect(page.get_by_role("heading", name="Phones", exact=True)).to_be_focused()
    tabs = page.get_by_test_id("phone-tabs")
    expect(tabs.get_by_role("link", name="Phone list")).to_have_attribute("aria-current", "page")
    expect(page.get_by_text("No phone is in the list yet.")).to_be_visible()

    # A bad MAC is refused next to the field, before anything is sent.
    page.get_by_role("button", name="Add phone").click()
    mac = page.get_by_label("MAC address")
    expect(mac).to_be_focused()
    mac.fill("00:15:65:a1:b2")
    page.get_by_label("Model").fill("T46U")
    page.locator("#device-add-form").get_by_role("button", name="Add phone").click()
    expect(page.locator("#device-mac-error")).to_have_text(
        re.compile("Enter a MAC address of 12 hexadecimal digits")
    )
    expect(mac).to_have_attribute("aria-invalid", "true")
    mac.fill("01:15:65:a1:b2:c3")  # a group address is no phone's
    mac.blur()
    expect(page.locator("#device-mac-error")).to_have_text(re.compile("group or broadcast address"))
    shot(page, "phone-list-bad-mac")

    mac.fill("00-15-65-A1-B2-C3")
    page.get_by_label("Description").fill("Reception")
    page.locator("#device-add-form").get_by_role("button", name="Add phone").click()
    row = page.locator(f'[data-testid="phone-row"][data-mac="{MAC}"]')
    expect(row).to_have_count(1)
    expect(row).to_contain_text(SHOWN)
    expect(row).to_contain_text("T46U")
    expect(row).to_contain_text("Reception")
    expect(row.get_by_test_id("device-state")).to_have_text("Not provisioned")
    expect(row.get_by_test_id("device-registration")).to_have_text(re.compile("Not registered"))
    expect(row.get_by_test_id("device-fetch")).to_have_text("Never")
    expect(row.get_by_test_id("device-source")).to_have_text("Added by hand")
    expect(page.locator("#device-add-form")).to_have_count(0)

    # The same MAC again: the API's refusal is shown at the field.
    page.get_by_role("button", name="Add phone").click()
    page.get_by_label("MAC address").fill(SHOWN)
    page.locator("#device-add-form").get_by_role("button", name="Add phone").click()
    expect(page.locator("#device-mac-error")).to_have_text(
        "A phone with this MAC address is already in the list."
    )
    page.locator("#device-add-form").get_by_role("button", name="Cancel").click()

    # The phone fetches its configuration: the list shows it without a reload (phone.<mac> state).
    assert fetch(f"{provisioning_url(cordboard)}{MAC}.cfg") == 200
    expect(row.get_by_test_id("device-fetch")).to_contain_text("Served base settings")
    expect(row.get_by_test_id("device-fetch")).to_contain_text(f"{MAC}.cfg")
    expect(row).to_contain_text("127.0.0.1")
    expect(row).to_contain_text("Yealink T46U")

    # Assign Dora: typing her extension in the search chooses her.
    row.get_by_role("button", name=f"Edit {SHOWN}").click()
    edit = page.get_by_test_id("device-edit")
    expect(edit.get_by_role("heading", name=f"Phone {SHOWN}")).to_be_focused()
    edit.get_by_label("Find user").fill("4001")
    expect(edit.get_by_label("User", exact=True)).to_have_value(str(user_id))
    shot(page, "phone-list-assign")
    edit.get_by_role("button", name="Save").click()
    expect(edit).to_have_count(0)
    expect(row.get_by_test_id("device-state")).to_have_text("User assigned")
    expect(row.get_by_test_id("device-user")).to_contain_text("Dora Dahl")
    expect(row.get_by_test_id("device-user")).to_contain_text("4001")
    expect(row.get_by_test_id("device-user").get_by_role("link")).to_have_attribute(
        "href", f"/users/{user_id}"
    )
    assert fetch(f"{provisioning_url(cordboard)}{MAC}.cfg") == 200
    expect(row.get_by_test_id("device-fetch")).to_contain_text("Served with account")
    # Another file from the same address changes no state: the device.provisioned event shows it.
    assert fetch(f"{provisioning_url(cordboard)}{MAC}-phonebook.xml") == 200
    expect(row.get_by_test_id("device-fetch")).to_contain_text(f"{MAC}-phonebook.xml")

    # Not registered: a resync cannot reach the phone, and the page says so.
    row.get_by_role("button", name=f"Edit {SHOWN}").click()
    page.get_by_role("button", name="Send settings now").click()
    result = page.get_by_test_id("device-action-result")
    expect(result).to_have_text(re.compile("not registered, so it cannot be reached"))

    # The phone registers as Dora (its MAC in the User-Agent): green at once, over the WebSocket.
    with Phone(cordboard.sip_server, "dora", password, user_agent=USER_AGENT) as desk:
        assert desk.register().status == 200
        expect(row.get_by_test_id("device-registration")).to_have_text(re.compile("^\\W*Registered"))
        page.get_by_role("button", name="Send settings now").click()
        expect(result).to_have_text("Sent to the phone: it fetches its configuration now.")
        notify = desk.wait_request("NOTIFY")
        assert "check-sync" in str(notify.headers.get("Event"))
        shot(page, "phone-list-registered")

        # The Registrations tab names the phone's MAC; the search finds it by it.
        open_tab(page, "Registrations")
        registration = page.get_by_test_id("device").filter(has_text="4001")
        expect(registration).to_have_count(1)
        expect(registration.get_by_test_id("device-mac")).to_have_text(SHOWN)
        page.get_by_label("Search phones").fill("a1:b2:c3")
        expect(page.get_by_test_id("device")).to_have_count(1)
        open_tab(page, "Phone list")
        expect(row.get_by_test_id("device-registration")).to_have_text(re.compile("Registered"))
        assert desk.register(expires=0).status == 200
        expect(row.get_by_test_id("device-registration")).to_have_text(re.compile("Not registered"))

    # Search, then delete (confirmed): the stored MAC is gone and its file is refused.
    page.get_by_label("Search the phone list").fill("dora reception")
    expect(page.get_by_test_id("phone-row")).to_have_count(1)
    page.get_by_label("Search the phone list").fill("nobody")
    expect(page.get_by_test_id("phone-row")).to_have_count(0)
    page.get_by_label("Search the phone list").fill("")
    page.set_viewport_size(PHONE)
    shot(page, "phone-list-phone")
    page.set_viewport_size({"width": 1280, "height": 860})
    row.get_by_role("button", name=f"Edit {SHOWN}").click()
    page.get_by_test_id("device-edit").get_by_role("button", name="Delete phone").click()
    dialog = page.locator("dialog.confirm")
    expect(dialog).to_contain_text(f"Delete phone {SHOWN}?")
    expect(dialog).to_contain_text("binding to Dora Dahl")
    dialog.get_by_role("button", name="Delete phone").click()
    expect(row).to_have_count(0)
    status, _ = cordboard.api("GET", f"/api/devices/{MAC}", token=cordboard.token())
    assert status == 404
    status, _ = cordboard.api(
        "PUT", "/api/settings/org", {"core.provisioning_auto_add": "off"}, cordboard.token()
    )
    assert status == 200
    assert fetch(f"{provisioning_url(cordboard)}{MAC}.cfg") == 403
    cordboard.api("PUT", "/api/settings/org", {"core.provisioning_auto_add": None}, cordboard.token())


# -- CSV import ---------------------------------------------------------------------------------
def test_csv_import_names_every_bad_line(cordboard: Cordboard, browser: BrowserThread) -> None:
    browser.run(_csv_import_names_every_bad_line, cordboard)


def _csv_import_names_every_bad_line(page: Any, cordboard: Cordboard) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD, "/login?next=/phones")
    expect(page.get_by_role("heading", name="Phones", exact=True)).to_be_visible()
    page.get_by_role("button", name="Import CSV").click()
    bad = b"mac,model,description\n0004139a0001,D785,Sales\nnot-a-mac,D785,Lab\n0004139a0001,D785,Twice\n"
    page.get_by_label("CSV file", exact=True).set_input_files(
        {"name": "phones.csv", "mimeType": "text/csv", "buffer": bad}
    )
    errors = page.get_by_test_id("device-import-errors")
    expect(errors).to_contain_text("phones.csv was not imported: 2 lines have problems.")
    expect(errors.locator("li").nth(0)).to_contain_text("Line 3:")
    expect(errors.locator("li").nth(0)).to_contain_text("12 hex digits")
    expect(errors.locator("li").nth(1)).to_contain_text("Line 4:")
    expect(errors.locator("li").nth(1)).to_contain_text("appears twice")
    expect(page.locator('[data-testid="phone-row"][data-mac="0004139a0001"]')).to_have_count(0)
    shot(page, "phone-list-import-errors")

    good = b"0004139a0001,D785,Sales\n00:04:13:9a:00:02,D717,Lab\n"
    page.get_by_label("CSV file", exact=True).set_input_files(
        {"name": "phones.csv", "mimeType": "text/csv", "buffer": good}
    )
    expect(page.get_by_test_id("device-import-result")).to_have_text("phones.csv: 2 phones added, 0 updated.")
    expect(errors).to_have_count(0)
    for mac, model in (("0004139a0001", "D785"), ("0004139a0002", "D717")):
        row = page.locator(f'[data-testid="phone-row"][data-mac="{mac}"]')
        expect(row).to_contain_text(model)
        expect(row.get_by_test_id("device-state")).to_have_text("Not provisioned")
        expect(row.get_by_test_id("device-source")).to_have_text("Imported from CSV")
    for mac in ("0004139a0001", "0004139a0002"):
        assert cordboard.api("DELETE", f"/api/devices/{mac}", token=cordboard.token())[0] == 204


# -- provisioning panel -------------------------------------------------------------------------
def test_provisioning_panel_renews_the_ticket_and_saves_settings(
    cordboard: Cordboard, browser: BrowserThread
) -> None:
    browser.run(_provisioning_panel, cordboard)


def _provisioning_panel(page: Any, cordboard: Cordboard) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    page.locator("#nav").get_by_role("link", name="Phones", exact=True).click()
    open_tab(page, "Provisioning")
    expect(page).to_have_url(re.compile(r"/phones/provisioning$"))
    urls = page.get_by_test_id("provisioning-url")
    expect(urls.first).to_have_value(re.compile(r"^http://127\.0\.0\.1:\d+/provision/[\w-]+/$"))
    old = urls.first.input_value()
    assert old == provisioning_url(cordboard)
    expect(page.locator('[data-vendors~="yealink"]').get_by_role("textbox")).to_have_value(old)
    expect(page.get_by_test_id("dhcp-hint")).to_contain_text("option 66")
    expect(page.locator('[data-testid="dhcp-row"][data-vendor="snom"]')).to_contain_text(old + "{mac}.xml")
    expect(page.locator('[data-testid="dhcp-row"][data-vendor="yealink"] code')).to_have_text(old)
    page.locator('[data-vendors~="snom"]').get_by_role("button", name="Copy").click()
    expect(page.locator('[data-vendors~="snom"]')).to_contain_text("Copied.")
    assert fetch(f"{old}{MAC}.cfg") == 200  # auto-added from loopback (a private address)

    # Renewing asks first, and says that every phone must be pointed at the new URL.
    page.get_by_role("button", name="Renew ticket").click()
    dialog = page.locator("dialog.confirm")
    expect(dialog).to_contain_text("The current URL stops working at once.")
    expect(dialog).to_contain_text("Every phone must then be pointed at the new URL")
    shot(page, "provisioning-renew")
    dialog.get_by_role("button", name="Cancel").click()
    expect(urls.first).to_have_value(old)
    page.get_by_role("button", name="Renew ticket").click()
    dialog.get_by_role("button", name="Renew ticket").click()
    expect(urls.first).not_to_have_value(old)
    new = urls.first.input_value()
    expect(page.locator('[data-testid="dhcp-row"][data-vendor="yealink"] code')).to_have_text(new)
    assert new == provisioning_url(cordboard)
    assert fetch(f"{old}{MAC}.cfg") == 404
    assert fetch(f"{new}{MAC}.cfg") == 200

    # Settings: the API's refusal is shown at the field; good values are saved.
    ntp = page.get_by_label("Time server (NTP)")
    expect(ntp).to_have_value("pool.ntp.org")
    ntp.fill("not a host!")
    page.get_by_label("Add unknown phones").select_option(label="Off")
    page.locator("#provisioning-settings").get_by_role("button", name="Save").click()
    expect(page.locator("#provisioning-ntp-error")).to_have_text(re.compile("expected"))
    expect(ntp).to_have_attribute("aria-invalid", "true")
    ntp.fill("ntp.example.com")
    page.get_by_label("Phones' admin password").fill("short")
    page.locator("#provisioning-settings").get_by_role("button", name="Save").click()
    expect(page.locator("#provisioning-admin-password-error")).to_have_text(
        "8 to 64 characters without spaces."
    )
    page.get_by_label("Phones' admin password").fill("phone-admin-1")
    page.locator("#provisioning-settings").get_by_role("button", name="Save").click()
    expect(page.locator("#provisioning-admin-password-hint")).to_have_text(re.compile("A password is set"))
    settings = cordboard.api("GET", "/api/provisioning", token=cordboard.token())[1]["settings"]
    assert settings["core.ntp_server"] == "ntp.example.com"
    assert settings["core.provisioning_auto_add"] == "off"
    assert settings["core.phone_admin_password_set"] is True
    assert fetch(f"{new}001565ffffff.cfg", "Yealink SIP-T46U 66.86.0.15") == 403  # unknown, auto-add off
    shot(page, "provisioning")

    # German (USR-06).
    token = cordboard.token()
    me = cordboard.api("GET", "/api/auth/me", token=token)[1]
    cordboard.api("PATCH", f"/api/users/{me['id']}", {"language": "de"}, token)
    page.reload()
    expect(page.get_by_role("heading", name="Provisionierungs-URL")).to_be_visible()
    expect(page.get_by_label("Unbekannte Telefone aufnehmen")).to_have_value("off")
    cordboard.api("PATCH", f"/api/users/{me['id']}", {"language": "en"}, token)
    cordboard.api("PUT", "/api/settings/org", {"core.provisioning_auto_add": None}, token)
    cordboard.api("DELETE", f"/api/devices/{MAC}", token=token)


# -- roles --------------------------------------------------------------------------------------
def test_a_user_cannot_reach_the_phone_pages(cordboard: Cordboard, browser: BrowserThread) -> None:
    _, password = add_user(cordboard, "egon", "4002", "Egon", "Eck")
    browser.run(_a_user_cannot_reach_the_phone_pages, cordboard, password)


def _a_user_cannot_reach_the_phone_pages(page: Any, cordboard: Cordboard, password: str) -> None:
    login(page, cordboard.base, "egon", password)
    expect(page.locator("#nav").get_by_role("link", name="Phones", exact=True)).to_have_count(0)
    for path in ("/phones", "/phones/registrations", "/phones/provisioning"):
        page.goto(cordboard.base + path)
        expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
        expect(page.get_by_label("MAC address")).to_have_count(0)
        expect(page.get_by_test_id("provisioning-url")).to_have_count(0)
    token = cordboard.token("egon", password)
    for method, path in (
        ("GET", "/api/devices"),
        ("GET", "/api/provisioning"),
        ("POST", "/api/provisioning/renew-ticket"),
    ):
        assert cordboard.api(method, path, {} if method == "POST" else None, token)[0] == 403
