"""The conference plugin's settings in a real browser: defaults, field errors, save, reload, disable.

The settings form is generated from the plugin's CONFIG_SCHEMA. That the running Cordboard uses the
saved settings is checked with a test phone: the plugin's lifespan restarts with the new config and
rebuilds its rooms, so a call to the new first room is answered (claimed by the plugin) and a call
to the old one is not. No API shows the rooms themselves.
"""

from __future__ import annotations

import json
from typing import Any

from e2e_helpers import ADMIN, ADMIN_PASSWORD, BrowserThread, Cordboard, add_user, login, shot
from e2e_phone import Phone
from playwright.sync_api import expect

DESCRIPTION = "Meet-me conference rooms on a range of numbers, with an optional PIN"
DEFAULTS = {"first_number": "1800", "rooms": 10, "max_participants": 20}


def _config(cordboard: Cordboard, token: str) -> dict[str, Any]:
    status, body = cordboard.api("GET", "/api/plugins/conference/config", token=token)
    assert status == 200, body
    return dict(body["config"])


def _status(cordboard: Cordboard, token: str) -> str:
    status, body = cordboard.api("GET", "/api/plugins/conference", token=token)
    assert status == 200, body
    return str(body["status"])


def _answered(phone: Phone, number: str) -> int:
    """Call ``number``; the final response's status (the call is hung up again when answered)."""
    final, dialog = phone.call(number)
    if final.status == 200:
        assert phone.hang_up(dialog).status == 200
    return final.status


def test_conference_settings_saved_used_and_toggled(cordboard: Cordboard, browser: BrowserThread) -> None:
    browser.run(_conference_settings_saved_used_and_toggled, cordboard)


def _conference_settings_saved_used_and_toggled(page: Any, cordboard: Cordboard) -> None:
    token = cordboard.token()
    _, password = add_user(cordboard, "cara", "2001", "Cara", "Conway")
    assert _config(cordboard, token) == DEFAULTS

    # The schema the page builds the form from, as the REST API serves it.
    _, plugin = cordboard.api("GET", "/api/plugins/conference", token=token)
    assert plugin["enabled"] and plugin["status"] == "loaded" and plugin["builtin"]
    fields = {f["name"]: f for f in plugin["schema"]}
    assert fields["first_number"] == {
        "name": "first_number",
        "type": "string",
        "format": "extension",
        "required": False,
        "optional": True,
        "default": "1800",
    }
    assert fields["rooms"]["type"] == "integer" and (
        fields["rooms"]["valueMin"],
        fields["rooms"]["valueMax"],
    ) == (1, 100)
    assert (
        fields["pin"]["format"] == "pin" and "default" not in fields["pin"] and not fields["pin"]["required"]
    )
    assert (fields["max_participants"]["valueMin"], fields["max_participants"]["valueMax"]) == (2, 50)

    # The plugin list: enabled and running, with the manifest's description.
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD, "/login?next=/plugins")
    card = page.locator(".plugin-card").filter(has=page.get_by_role("heading", name="Conference rooms"))
    expect(card).to_have_count(1)
    expect(card).to_contain_text(DESCRIPTION)
    expect(card.locator(".badge")).to_have_text("Running")
    expect(card.get_by_role("button", name="Disable: Conference rooms")).to_be_visible()
    shot(page, "conference-plugin-card")

    # The generated form with the translated labels and the defaults; the PIN is optional and empty.
    card.get_by_role("link", name="Settings: Conference rooms").click()
    expect(page).to_have_url(cordboard.base + "/plugins/conference")
    expect(page.get_by_role("heading", name="Conference rooms: settings")).to_be_visible()
    expect(page.get_by_text(DESCRIPTION)).to_be_visible()
    first = page.get_by_label("First room number")
    rooms = page.get_by_label("Number of rooms")
    pin = page.get_by_label("PIN (optional, for all rooms)")
    size = page.get_by_label("Participants per room")
    expect(first).to_have_value("1800")
    expect(rooms).to_have_value("10")
    expect(size).to_have_value("20")
    expect(pin).to_have_value("")
    expect(first).to_have_attribute("inputmode", "numeric")
    expect(pin).to_have_attribute("inputmode", "numeric")
    expect(pin).to_have_attribute("aria-required", "false")
    expect(rooms).to_have_attribute("type", "number")
    expect(rooms).to_have_attribute("min", "1")
    expect(rooms).to_have_attribute("max", "100")
    expect(page.locator("#plugin-conference-first_number-hint")).to_have_text("Default: 1800")
    expect(page.locator("#plugin-conference-rooms-hint")).to_have_text("1 \u2013 100 · Default: 10")
    expect(page.locator("#plugin-conference-max_participants-hint")).to_have_text("2 \u2013 50 · Default: 20")
    shot(page, "conference-settings-defaults")

    # Invalid values: the error next to the field, focus on it, nothing saved.
    save = page.get_by_role("button", name="Save")
    rooms.fill("0")
    save.click()
    expect(page.locator("#plugin-conference-rooms-error")).to_have_text("Must be at least 1.")
    expect(rooms).to_have_attribute("aria-invalid", "true")
    expect(rooms).to_be_focused()
    assert _config(cordboard, token) == DEFAULTS

    rooms.fill("5")
    expect(page.locator("#plugin-conference-rooms-error")).to_have_text("")
    pin.fill("43a1")
    save.click()
    expect(page.locator("#plugin-conference-pin-error")).to_have_text("A PIN is 4 to 12 digits.")
    expect(pin).to_have_attribute("aria-invalid", "true")
    expect(pin).to_be_focused()
    shot(page, "conference-settings-pin-error")
    assert _config(cordboard, token) == DEFAULTS

    # The server refuses the same values with field errors and saves nothing either.
    for bad, field in (({"rooms": 0}, "rooms"), ({"pin": "43a1"}, "pin"), ({"rooms": "5"}, "rooms")):
        status, body = cordboard.api("PUT", "/api/plugins/conference/config", bad, token)
        assert status == 400, body
        assert field in body["error"]["fields"], body
    assert _config(cordboard, token) == DEFAULTS

    # A field error from the server (the request altered on its way) is shown next to its field too.
    def _too_many_rooms(route: Any) -> None:
        route.continue_(post_data=json.dumps({**json.loads(route.request.post_data), "rooms": 101}))

    page.route(
        "**/api/plugins/conference/config",
        lambda route: _too_many_rooms(route) if route.request.method == "PUT" else route.continue_(),
    )
    first.fill("1900")
    pin.fill("4321")
    save.click()
    expect(page.locator("#plugin-conference-rooms-error")).to_have_text("between 1 and 100 rooms")
    expect(rooms).to_be_focused()
    shot(page, "conference-settings-server-error")
    page.unroute("**/api/plugins/conference/config")
    assert _config(cordboard, token) == DEFAULTS

    # Valid values are saved, sent as the right JSON types.
    first.fill("1900")
    pin.fill("4321")
    save.click()
    expect(page.get_by_role("status").filter(has_text="Settings saved.")).to_be_visible()
    saved = {"first_number": "1900", "rooms": 5, "pin": "4321", "max_participants": 20}
    assert _config(cordboard, token) == saved
    assert _status(cordboard, token) == "loaded"

    page.reload()
    expect(page.get_by_role("heading", name="Conference rooms: settings")).to_be_visible()
    expect(first).to_have_value("1900")
    expect(rooms).to_have_value("5")
    expect(pin).to_have_value("4321")
    expect(size).to_have_value("20")
    shot(page, "conference-settings-saved")

    # The running Cordboard uses them: rooms 1900..1904 answer, the old 1800 and 1905 do not.
    with Phone(cordboard.sip_server, "cara", password) as phone:
        assert phone.register().status == 200
        assert _answered(phone, "1900") == 200
        assert _answered(phone, "1904") == 200
        assert _answered(phone, "1905") == 404
        assert _answered(phone, "1800") == 404

        # Disabling from the list stops the plugin; enabling brings it back with the saved settings.
        page.get_by_role("link", name="Plugins", exact=True).first.click()
        card = page.locator(".plugin-card").filter(has=page.get_by_role("heading", name="Conference rooms"))
        card.get_by_role("button", name="Disable: Conference rooms").click()
        expect(page.get_by_role("status").filter(has_text="Conference rooms disabled.")).to_be_visible()
        expect(card.locator(".badge")).to_have_text("Disabled")
        enable = card.get_by_role("button", name="Enable: Conference rooms")
        expect(enable).to_be_visible()
        shot(page, "conference-plugin-disabled")
        assert _status(cordboard, token) == "disabled"
        assert _answered(phone, "1900") == 404

        page.reload()
        expect(card.locator(".badge")).to_have_text("Disabled")
        enable.click()
        expect(page.get_by_role("status").filter(has_text="Conference rooms enabled.")).to_be_visible()
        expect(card.locator(".badge")).to_have_text("Running")
        expect(card.get_by_role("button", name="Disable: Conference rooms")).to_be_visible()
        assert _status(cordboard, token) == "loaded"
        assert _config(cordboard, token) == saved
        assert _answered(phone, "1900") == 200

        # Clearing the optional PIN removes it; the other settings stay.
        card.get_by_role("link", name="Settings: Conference rooms").click()
        expect(pin).to_have_value("4321")
        pin.fill("")
        save.click()
        expect(page.get_by_role("status").filter(has_text="Settings saved.")).to_be_visible()
        assert _config(cordboard, token) == {"first_number": "1900", "rooms": 5, "max_participants": 20}
        page.reload()
        expect(first).to_have_value("1900")
        expect(pin).to_have_value("")
        assert _answered(phone, "1900") == 200


def test_conference_labels_are_translated(cordboard: Cordboard, browser: BrowserThread) -> None:
    browser.run(_conference_labels_are_translated, cordboard)


def _conference_labels_are_translated(page: Any, cordboard: Cordboard) -> None:
    token = cordboard.token()
    _, me = cordboard.api("GET", "/api/auth/me", token=token)
    labels = {
        "de": (
            "Erste Raumnummer",
            "Anzahl der Räume",
            "PIN (optional, für alle Räume)",
            "Teilnehmer pro Raum",
        ),
        "da": ("Første rumnummer", "Antal rum", "PIN (valgfri, for alle rum)", "Deltagere pr. rum"),
    }
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD, "/login?next=/plugins/conference")
    try:
        for language, names in labels.items():
            status, body = cordboard.api("PATCH", f"/api/users/{me['id']}", {"language": language}, token)
            assert status == 200, body
            page.reload()
            for name in names:
                expect(page.get_by_label(name, exact=True)).to_be_visible()
            shot(page, f"conference-settings-{language}")
    finally:
        cordboard.api("PATCH", f"/api/users/{me['id']}", {"language": "en"}, token)
