"""RTE-05 in the web UI: on the Settings page the administrator picks, as checkboxes, the destination
types users' own routing rules may use; the API then refuses a user's rule with another type."""

from __future__ import annotations

from typing import Any

from e2e_helpers import ADMIN, ADMIN_PASSWORD, BrowserThread, Cordboard, add_user, login, shot
from playwright.sync_api import expect

FIELD = "#core-core-routing_user_destinations"


def test_rte_05_allowed_destinations_as_checkboxes(cordboard: Cordboard, browser: BrowserThread) -> None:
    user_id, password = add_user(cordboard, "rita", "1401", "Rita", "Rask", sip=False)
    browser.run(_pick_destinations, cordboard)
    token = cordboard.token()
    _, org = cordboard.api("GET", "/api/settings/org", token=token)
    assert org["core.routing_user_destinations"] == ["phones", "number", "busy"]
    rita = cordboard.token("rita", password)
    rule = {"scope": "user", "scope_id": user_id, "list": "incoming", "name": "To voicemail",
            "destinations": [{"kind": "voicemail"}]}  # fmt: skip
    status, error = cordboard.api("POST", "/api/routing/rules", rule, rita)
    assert status == 400 and "not allowed in your rules" in error["error"]["fields"]["destinations.0.kind"]
    rule["destinations"] = [{"kind": "phones"}, {"kind": "number", "target": "1001", "after_s": 20}]
    status, created = cordboard.api("POST", "/api/routing/rules", rule, rita)
    assert status == 201, created


def _pick_destinations(page: Any, cordboard: Cordboard) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD, "/login?next=/settings")
    group = page.get_by_role("group", name="Destinations users' own routing rules may use")
    expect(group).to_be_visible()
    for value in ("phones", "number", "voicemail", "busy", "reject"):
        expect(page.locator(f"{FIELD}-{value}")).to_be_checked()  # the default: all of them
    group.get_by_label("Voicemail").uncheck()
    group.get_by_label("Reject").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Settings saved.")).to_be_visible()
    page.reload()
    expect(page.locator(f"{FIELD}-voicemail")).not_to_be_checked()
    expect(page.locator(f"{FIELD}-busy")).to_be_checked()
    shot(page, "settings-routing-destinations")
