"""The admin portal in a real browser: log-in and return, users, CSV import, plugin settings, roles."""

from __future__ import annotations

import re
from typing import Any

from e2e_helpers import ADMIN, ADMIN_PASSWORD, PHONE, BrowserThread, Cordboard, login, shot
from playwright.sync_api import expect


def test_login_returns_to_the_page_and_create_user(cordboard: Cordboard, browser: BrowserThread) -> None:
    browser.run(_login_returns_to_the_page_and_create_user, cordboard)


def _login_returns_to_the_page_and_create_user(page: Any, cordboard: Cordboard) -> None:
    page.goto(cordboard.base + "/users")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fusers$"))
    expect(page.get_by_role("heading", name="Log in")).to_be_focused()
    page.get_by_label("Username").fill(ADMIN)
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#form-error")).to_have_text("The username or password is wrong.")
    shot(page, "login-error")
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(cordboard.base + "/users")
    expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()

    page.get_by_role("link", name="New user").click()
    expect(page.get_by_role("heading", name="New user")).to_be_focused()
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#user-first_name-error")).to_have_text("This field is required.")
    expect(page.locator("#user-email-error")).to_have_text("This field is required.")

    # The server's field errors appear next to the field (names over 100 characters are refused there).
    page.get_by_label("First name").fill("B" * 101)
    page.get_by_label("Last name").fill("Builder")
    page.get_by_label("Username").fill("bob")
    page.get_by_label("E-mail").fill("bob@example.com")
    page.get_by_label("Extension").fill("1201")
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#user-first_name-error")).to_have_text("at most 100 characters")
    expect(page.get_by_label("First name")).to_have_attribute("aria-invalid", "true")
    shot(page, "user-new-server-error")

    page.get_by_label("First name").fill("Bob")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", name="Edit Bob Builder")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/users/\d+$"))
    shot(page, "user-edit")

    page.get_by_role("link", name="Users", exact=True).click()
    page.get_by_label("Search users").fill("1201")
    rows = page.locator("table.data tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Bob Builder")
    page.get_by_label("Search users").fill("")
    expect(rows).to_have_count(2)
    shot(page, "users")
    page.set_viewport_size(PHONE)
    shot(page, "users-phone")


def test_bulk_lock_selected_users(cordboard: Cordboard, browser: BrowserThread) -> None:
    browser.run(_bulk_lock_selected_users, cordboard)


def _bulk_lock_selected_users(page: Any, cordboard: Cordboard) -> None:
    token = cordboard.token()
    for name in ("dora", "emil"):
        status, body = cordboard.api(
            "POST",
            "/api/users",
            {
                "username": name,
                "first_name": name.title(),
                "last_name": "Bulk",
                "email": f"{name}@example.com",
            },
            token,
        )
        assert status == 201, body
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD, "/login?next=/users")
    page.get_by_label("Search users").fill("bulk")
    page.get_by_label("Select all shown users").check()
    expect(page.get_by_text("2 selected")).to_be_visible()
    shot(page, "users-bulk")
    page.get_by_role("button", name="Lock", exact=True).click()
    expect(page.locator("table.data tbody tr .badge.bad")).to_have_count(2)
    status, users = cordboard.api("GET", "/api/users", token=token)
    assert {u["username"] for u in users if u["locked"]} == {"dora", "emil"}


def test_csv_import_preview_then_apply(cordboard: Cordboard, browser: BrowserThread) -> None:
    browser.run(_csv_import_preview_then_apply, cordboard)


def _csv_import_preview_then_apply(page: Any, cordboard: Cordboard) -> None:
    token = cordboard.token()
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD, "/login?next=/users/import")
    expect(page.get_by_role("heading", name="Import users from CSV")).to_be_visible()
    header = "username,extension,first_name,last_name,email,sip_password"
    bad = f"{header}\nfrida,1401,Frida,Fjord,not-an-address,\n"
    page.get_by_label("CSV text").fill(bad)
    page.get_by_role("button", name="Preview changes").click()
    expect(page.get_by_test_id("import-errors")).to_contain_text("Line 2")
    expect(page.get_by_role("button", name="Apply changes")).to_be_disabled()

    rows = ["frida,1401,Frida,Fjord,frida@example.com,", "gus,1402,Gus,Grau,gus@example.com,sip-secret-1234"]
    good = "\n".join([header, *rows]) + "\n"
    page.get_by_label("CSV text").fill(good)
    page.get_by_role("button", name="Preview changes").click()
    expect(page.get_by_test_id("import-summary")).to_have_text("2 to create, 0 to update, 0 unchanged")
    changes = page.get_by_test_id("import-changes")
    expect(changes).to_contain_text("frida")
    expect(changes).to_contain_text("new SIP password")
    shot(page, "import-preview")
    _, users = cordboard.api("GET", "/api/users", token=token)
    assert "frida" not in {u["username"] for u in users}, "a preview changes nothing"

    page.get_by_role("button", name="Apply changes").click()
    expect(page).to_have_url(cordboard.base + "/users")
    expect(page.get_by_role("link", name="Frida Fjord")).to_be_visible()
    _, users = cordboard.api("GET", "/api/users", token=token)
    by_name = {u["username"]: u for u in users}
    assert by_name["gus"]["extension"] == "1402" and by_name["gus"]["has_sip_password"]


def test_invalid_plugin_setting_shows_field_error_and_saves_nothing(
    cordboard: Cordboard, browser: BrowserThread
) -> None:
    browser.run(_invalid_plugin_setting_shows_field_error_and_saves_nothing, cordboard)


def _invalid_plugin_setting_shows_field_error_and_saves_nothing(page: Any, cordboard: Cordboard) -> None:
    token = cordboard.token()
    status, before = cordboard.api("GET", "/api/plugins/system_info/config", token=token)
    assert status == 200
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD, "/login?next=/plugins")
    expect(page.locator(".plugin-card").filter(has_text="System information")).to_have_count(1)
    shot(page, "plugins")
    page.get_by_role("link", name="Settings: System information").click()
    expect(page.get_by_role("heading", name="System information: settings")).to_be_visible()
    expect(page.get_by_text("These settings apply to the whole organisation.")).to_be_visible()
    field = page.get_by_label("Measuring interval (seconds)")
    expect(field).to_have_value(str(before["config"]["scan_interval"]))
    field.fill("2")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#plugin-system_info-scan_interval-error")).to_have_text("Must be at least 5.")
    expect(field).to_be_focused()
    shot(page, "plugin-settings-error")
    assert cordboard.api("GET", "/api/plugins/system_info/config", token=token)[1] == before

    field.fill("45")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Settings saved.")).to_be_visible()
    assert (
        cordboard.api("GET", "/api/plugins/system_info/config", token=token)[1]["config"]["scan_interval"]
        == 45
    )


def test_core_settings_with_level_picker(cordboard: Cordboard, browser: BrowserThread) -> None:
    browser.run(_core_settings_with_level_picker, cordboard)


def _core_settings_with_level_picker(page: Any, cordboard: Cordboard) -> None:
    token = cordboard.token()
    status, group = cordboard.api("POST", "/api/groups", {"name": "Support"}, token)
    assert status == 201
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD, "/login?next=/settings")
    expect(page.get_by_role("heading", name="Settings")).to_be_visible()
    expect(page.get_by_label("Organisation name")).to_be_visible()
    page.get_by_role("radio", name="User group").check()
    expect(page.get_by_label("Organisation name")).to_have_count(0)  # org-only settings are not offered
    expect(page.locator("#core-core-language")).to_be_disabled()  # inherited until set at this level
    page.locator("#core-core-language-here").check()
    page.locator("#core-core-language").select_option("de")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Settings saved.")).to_be_visible()
    shot(page, "settings-group")
    status, values = cordboard.api("GET", f"/api/settings/group/{group['id']}", token=token)
    assert values == {"core.language": "de"}


def test_user_cannot_reach_admin_pages(cordboard: Cordboard, browser: BrowserThread) -> None:
    browser.run(_user_cannot_reach_admin_pages, cordboard)


def _user_cannot_reach_admin_pages(page: Any, cordboard: Cordboard) -> None:
    token = cordboard.token()
    body = {
        "username": "carl",
        "first_name": "Carl",
        "last_name": "Clausen",
        "email": "carl@example.com",
        "password": "carl-password-1",
        "language": "da",
        "extension": "1210",
    }
    status, carl = cordboard.api("POST", "/api/users", body, token)
    assert status == 201, carl
    login(page, cordboard.base, "carl", "carl-password-1")
    expect(page).to_have_url(cordboard.base + "/profile")
    expect(page.get_by_role("heading", name="Min profil")).to_be_visible()  # the user's language: Danish
    nav = page.locator("#nav")
    # The user portal only: "Mine opkald", "Talebeskeder", "Kontakter", "Min profil", "Min
    # tilstedeværelse", "Min arbejdstid", "Mine opkaldsregler", "Mine telefoner og numre",
    # "Funktionskoder".
    expect(nav.get_by_role("link")).to_have_count(9)
    portal = (
        "Mine opkald",
        "Talebeskeder",
        "Kontakter",
        "Min profil",
        "Min tilstedeværelse",
        "Min arbejdstid",
        "Mine opkaldsregler",
        "Funktionskoder",
    )
    for name in (*portal, "Mine telefoner og numre"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    shot(page, "profile-user")

    for path in ("/", "/users", "/plugins/system_info", "/settings", "/calls", "/phones", "/routing"):
        page.goto(cordboard.base + path)
        if path == "/":
            expect(page).to_have_url(cordboard.base + "/profile")
        else:
            expect(page.get_by_role("heading", name="Ikke tilladt")).to_be_visible()
    shot(page, "forbidden-user")

    user_token = cordboard.token("carl", "carl-password-1")
    for method, path in (("GET", "/api/users"), ("GET", "/api/plugins"), ("GET", "/api/users/export.csv")):
        status, error = cordboard.api(method, path, token=user_token)
        assert status == 403 and error["error"]["code"] == "forbidden", (path, status)

    # The user portal: change one's own mobile number, the PIN and the password.
    page.goto(cordboard.base + "/profile")
    profile = page.locator("#profile-form")
    profile.get_by_label("Mobilnummer").fill("+45 20 30 40 50")
    profile.get_by_role("button", name="Gem").click()
    expect(page.get_by_role("status").filter(has_text="Ændringerne er gemt.")).to_be_visible()
    expect(profile.get_by_role("button", name="Gem")).to_be_enabled()
    assert cordboard.api("GET", "/api/auth/me", token=user_token)[1]["mobile"] == "+45 20 30 40 50"
    page.get_by_label("Ny PIN-kode").fill("12")
    page.get_by_role("button", name="Skift PIN-kode").click()
    expect(page.locator("#pin-new-error")).not_to_be_empty()
    page.get_by_label("Ny PIN-kode").fill("4711")
    page.get_by_role("button", name="Skift PIN-kode").click()
    expect(page.get_by_role("status").filter(has_text="PIN-kode gemt.")).to_be_visible()
    assert cordboard.api("GET", "/api/auth/me", token=user_token)[1]["has_pin"] is True


def test_expired_session_returns_to_login_and_back(cordboard: Cordboard, browser: BrowserThread) -> None:
    browser.run(_expired_session_returns_to_login_and_back, cordboard)


def _expired_session_returns_to_login_and_back(page: Any, cordboard: Cordboard) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD, "/login?next=/groups")
    expect(page.get_by_role("heading", name="User groups")).to_be_visible()
    cookie = next(c for c in page.context.cookies() if c["name"] == "cordboard_session")
    status, _ = cordboard.api("POST", "/api/auth/logout", {}, cookie["value"])
    assert status == 200
    page.get_by_label("Name").fill("Sales")
    page.get_by_role("button", name="Create").click()
    expect(page).to_have_url(re.compile(r"/login\?expired=1&next=%2Fgroups$"))
    expect(page.get_by_text("Your session has ended")).to_be_visible()
    page.get_by_label("Username").fill(ADMIN)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(cordboard.base + "/groups")
    expect(page.get_by_role("heading", name="User groups")).to_be_visible()
