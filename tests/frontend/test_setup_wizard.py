"""The first-run wizard (BYD-19) from a fresh data folder, opened by the link `cordboard run` prints;
its trunk step registers with a real provider (Kamailio), first with a wrong password."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from e2e_helpers import PHONE, BrowserThread, Cordboard, shot
from kamailio_provider import PASSWORD, USER, running_kamailio
from playwright.sync_api import expect


def test_wizard_from_fresh_data_folder(
    fresh_cordboard: Cordboard, browser: BrowserThread, tmp_path: Path
) -> None:
    with running_kamailio(tmp_path) as (port, _log):
        browser.run(_wizard_from_fresh_data_folder, fresh_cordboard, port)


def _wizard_from_fresh_data_folder(page: Any, fresh_cordboard: Cordboard, provider_port: int) -> None:
    server = fresh_cordboard
    assert server.setup_url and "/setup?token=" in server.setup_url
    page.goto(server.setup_url)
    expect(page.get_by_role("heading", name="Set up Cordboard")).to_be_focused()
    shot(page, "wizard-1-admin-empty")

    # Client-side checks answer at once, next to the fields.
    page.get_by_role("button", name="Create administrator").click()
    expect(page.locator("#setup-username-error")).to_have_text("This field is required.")
    page.get_by_label("Username").fill("Root Admin")
    page.locator("#setup-password").fill("short")
    page.get_by_role("button", name="Create administrator").click()
    expect(page.locator("#setup-username-error")).to_contain_text("Starts with a letter")
    expect(page.locator("#setup-password-error")).to_contain_text("at least 8")
    expect(page.get_by_label("First name")).to_be_focused()
    shot(page, "wizard-1-admin-errors")

    page.get_by_label("First name").fill("Rita")
    page.get_by_label("Last name").fill("Root")
    page.get_by_label("Username").fill("rita")
    page.get_by_label("E-mail").fill("rita@example.com")
    page.locator("#setup-password").fill("a-long-admin-password")
    page.get_by_label("Repeat password").fill("a-long-admin-password")
    page.get_by_role("button", name="Create administrator").click()

    expect(page.get_by_role("heading", name="Step 2 of 6: Organisation")).to_be_visible()
    assert "token" not in page.url, "the used setup link leaves the address bar"
    page.get_by_label("Organisation name").fill("Nordlicht GmbH")
    page.get_by_label("Country").select_option("DE")
    page.get_by_label("Time zone").select_option("Europe/Berlin")
    shot(page, "wizard-2-organisation")
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_role("heading", name="Step 3 of 6: Numbering")).to_be_visible()
    page.get_by_label("Extension length").fill("3")
    expect(page.get_by_label("First extension for users")).to_have_value("100")
    expect(page.get_by_label("Last extension for users")).to_have_value("199")
    page.get_by_label("Last extension for users").fill("1500")
    page.get_by_role("button", name="Next").click()
    expect(page.locator("#setup-end-error")).to_have_text("Must have 3 digits.")
    page.get_by_label("Last extension for users").fill("150")
    shot(page, "wizard-3-numbering")
    page.get_by_role("button", name="Next").click()

    # The optional trunk: required fields first, then a wrong password that the provider refuses,
    # seen live in the wizard, then the right one.
    expect(page.get_by_role("heading", name="Step 4 of 6: Phone line")).to_be_visible()
    expect(page.get_by_label("Trunk name")).to_have_value("provider")
    page.get_by_role("button", name="Add trunk").click()
    expect(page.locator("#setup-host-error")).to_have_text("This field is required.")
    expect(page.get_by_label("Provider host")).to_be_focused()
    page.get_by_label("Provider host").fill("127.0.0.1")
    page.locator("#setup-port").fill(str(provider_port))
    page.get_by_label("User name (account)").fill("4930000000")
    page.get_by_label("Authentication user").fill(USER)
    page.locator("#setup-password").fill("wrong-password")
    page.get_by_label("Your phone numbers at this provider").fill("+4930000000")
    page.get_by_role("button", name="Add trunk").click()
    state = page.get_by_test_id("setup-trunk-state")
    expect(state).to_have_attribute("data-state", "failed", timeout=15000)
    expect(state).to_contain_text("refused the credentials")
    expect(page.get_by_text("The provider refused the registration")).to_be_visible()
    shot(page, "wizard-4-trunk-failed")
    page.get_by_role("button", name="Change trunk").click()
    expect(page.get_by_label("Provider host")).to_have_value("127.0.0.1")
    expect(page.locator("#setup-password")).to_have_value("")  # write-only
    page.locator("#setup-password").fill(PASSWORD)
    page.get_by_role("button", name="Save").click()
    expect(state).to_have_attribute("data-state", "registered", timeout=15000)
    expect(state).to_contain_text("Registered")
    shot(page, "wizard-4-trunk-registered")
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_role("heading", name="Step 5 of 6: First users")).to_be_visible()
    expect(page.locator("#row0-extension")).to_have_value("100")
    page.locator("#row0-first_name").fill("Anna")
    page.locator("#row0-last_name").fill("Berg")
    page.locator("#row0-username").fill("anna")
    page.locator("#row0-email").fill("anna@example.com")
    page.get_by_role("button", name="Add another user").click()
    expect(page.locator("#row1-extension")).to_have_value("101")
    page.locator("#row1-first_name").fill("Bo")
    page.locator("#row1-last_name").fill("Lund")
    page.locator("#row1-username").fill("bo")
    page.locator("#row1-email").fill("bo@example.com")
    shot(page, "wizard-5-users")
    page.get_by_role("button", name="Create users and finish").click()

    expect(page.get_by_role("heading", name="Step 6 of 6: Cordboard is ready")).to_be_visible()
    shot(page, "wizard-6-done")
    page.get_by_role("link", name="Go to the dashboard").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.locator(".brand")).to_contain_text("Nordlicht GmbH")
    expect(page.get_by_test_id("user-count")).to_have_text("3")
    expect(page.get_by_test_id("connection")).to_have_text("Live")
    expect(page.get_by_test_id("version")).not_to_be_empty()
    shot(page, "dashboard")

    token = server.token("rita", "a-long-admin-password")
    status, org = server.api("GET", "/api/settings/org", token=token)
    assert status == 200
    assert org == {
        "core.organisation_name": "Nordlicht GmbH",
        "core.country": "DE",
        "core.timezone": "Europe/Berlin",
        "core.extension_length": 3,
        "core.extension_range_start": "100",
        "core.extension_range_end": "150",
    }
    status, trunks = server.api("GET", "/api/trunks", token=token)
    assert [(t["name"], t["host"], t["port"], t["auth_username"], t["caller_ids"]) for t in trunks] == [
        ("provider", "127.0.0.1", provider_port, USER, ["+4930000000"])
    ]
    assert server.api("DELETE", f"/api/trunks/{trunks[0]['id']}", token=token)[0] == 204
    status, users = server.api("GET", "/api/users", token=token)
    assert {u["username"]: u["extension"] for u in users} == {"rita": None, "anna": "100", "bo": "101"}

    page.set_viewport_size(PHONE)
    shot(page, "dashboard-phone")


def test_setup_link_works_only_once(fresh_cordboard: Cordboard, browser: BrowserThread) -> None:
    browser.run(_setup_link_works_only_once, fresh_cordboard)


def _setup_link_works_only_once(page: Any, fresh_cordboard: Cordboard) -> None:
    assert fresh_cordboard.setup_url
    page.goto(fresh_cordboard.setup_url)
    expect(page.get_by_text("Setup is already done")).to_be_visible()
    status, body = fresh_cordboard.api(
        "POST",
        "/api/setup",
        {
            "token": fresh_cordboard.setup_url.split("token=")[1],
            "username": "mallory",
            "password": "another-password",
            "first_name": "M",
            "last_name": "X",
            "email": "m@example.com",
        },
    )
    assert status in (401, 403, 409), body
