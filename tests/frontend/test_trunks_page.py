"""The SIP trunks page (BYD-01, BYD-03): the admin adds a trunk to a provider (Kamailio) with a
wrong password and sees it fail with the provider's answer, corrects the password and sees it
registered, live over the WebSocket, without reloading; the password is never shown again; an
outbound route names the trunk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from e2e_helpers import ADMIN, ADMIN_PASSWORD, BrowserThread, Cordboard, login, shot
from kamailio_provider import PASSWORD, USER, running_kamailio
from playwright.sync_api import expect


def test_byd_01_trunks_page_shows_the_registration_live(
    cordboard: Cordboard, browser: BrowserThread, tmp_path: Path
) -> None:
    with running_kamailio(tmp_path) as (port, _log):
        browser.run(_trunks_page, cordboard, port)
    _, trunks = cordboard.api("GET", "/api/trunks", token=cordboard.token())
    assert [t["name"] for t in trunks] == ["provider"]
    assert "password" not in trunks[0] and PASSWORD not in str(trunks)
    _, routes = cordboard.api("GET", "/api/trunks/routes", token=cordboard.token())
    assert sorted((r["prefix"], r["number_type"], r["trunks"][0]) for r in routes) == [
        ("", "Mobile", "provider"),
        ("+49", "", "provider"),
    ]
    for trunk in trunks:
        assert cordboard.api("DELETE", f"/api/trunks/{trunk['id']}", token=cordboard.token())[0] == 204


def _trunks_page(page: Any, cordboard: Cordboard, port: int) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    page.locator("#nav").get_by_role("link", name="SIP trunks", exact=True).click()
    expect(page).to_have_url(cordboard.base + "/trunks")
    expect(page.get_by_role("heading", name="SIP trunks", exact=True)).to_be_visible()

    page.get_by_test_id("trunk-new").click()
    page.locator("#trunk-name").fill("provider")
    page.locator("#trunk-host").fill("127.0.0.1")
    page.locator("#trunk-port").fill(str(port))
    page.locator("#trunk-username").fill("4589000000")
    page.locator("#trunk-auth_username").fill(USER)
    page.locator("#trunk-password").fill("wrong-password")
    # A port out of range: the API refuses it, said next to the port, which takes the focus.
    page.locator("#trunk-port").fill("99999")
    page.get_by_test_id("trunk-save").click()
    expect(page.locator("#trunk-port-error")).to_contain_text("1 to 65535")
    expect(page.locator("#trunk-port")).to_be_focused()
    expect(page.get_by_test_id("trunk-form").locator("#form-error")).to_be_visible()
    page.locator("#trunk-port").fill(str(port))
    page.get_by_test_id("trunk-save").click()
    state = page.get_by_test_id("trunk").filter(has_text="provider").get_by_test_id("trunk-state")
    expect(state).to_have_attribute("data-state", "failed", timeout=15000)
    expect(state).to_contain_text("Failed")
    expect(state).to_contain_text("refused the credentials")
    shot(page, "trunks-failed")

    page.get_by_test_id("trunk").filter(has_text="provider").get_by_role("button", name="Edit").click()
    expect(page.locator("#trunk-password")).to_have_value("")  # write-only
    page.locator("#trunk-password").fill(PASSWORD)
    page.get_by_test_id("trunk-save").click()
    expect(state).to_have_attribute("data-state", "registered", timeout=15000)
    expect(state).to_contain_text("Registered")
    shot(page, "trunks-registered")

    page.locator("#route-prefix").fill("+49")
    page.locator("#route-trunks").fill("provider")
    page.get_by_role("button", name="Add route").click()
    expect(page.get_by_test_id("route")).to_contain_text("+49")
    page.locator("#route-type").fill("Mobile")
    page.locator("#route-trunks").fill("provider")
    page.get_by_role("button", name="Add route").click()
    typed = page.get_by_test_id("route").filter(has_text="Numbers of the type Mobile")
    expect(typed).to_contain_text("provider")
