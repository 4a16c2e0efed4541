"""The "Phone setup" card in a real browser over a real `cordboard run` with SIP on a free port.

An administrator generates a SIP password on the user edit page, a phone (tests/frontend/e2e_phone.py,
real digest REGISTER over UDP) registers with exactly that password and appears on the card live;
the user sees the same values on "My profile", only their own phones, and is told that the SIP
password comes from the administrator. FEATURES.md: CAPU-14 / USR-10 (own account), TERM-01
(several phones per user), ROLE-01 (a user never gets another user's setup), USR-06 (German).
"""

from __future__ import annotations

import re
from typing import Any

from e2e_helpers import ADMIN, ADMIN_PASSWORD, PHONE, BrowserThread, Cordboard, add_user, login, shot
from e2e_phone import Phone
from playwright.sync_api import expect

SIP_FIELD = re.compile(r"^SIP password\b")  # the label ends with the required-field star
GENERATED = re.compile(r"^[a-km-zA-HJ-NP-Z2-9]{20}$")


def check_values(
    card: Any, cordboard: Cordboard, username: str, extension: str, softphone: bool = False
) -> None:
    """The card says what the phone's account screen asks for: this server, its ports, the user;
    the browser softphone's addresses once it is turned on for the user (TERM-06)."""
    expect(card.get_by_test_id("setup-server")).to_have_text("127.0.0.1")
    expect(card.get_by_test_id("setup-port")).to_have_text(str(cordboard.sip_port))
    expect(card.get_by_test_id("setup-transport")).to_have_text(
        re.compile(rf"^UDP or TCP on port {cordboard.sip_port}; TLS on port \d+$")
    )
    tls = int(card.get_by_test_id("setup-transport").inner_text().rsplit(" ", 1)[1])
    assert tls != cordboard.sip_port
    expect(card.get_by_test_id("setup-domain")).to_have_text("127.0.0.1")
    expect(card.get_by_test_id("setup-username")).to_have_text(username)
    expect(card.get_by_test_id("setup-auth-user")).to_have_text(username)
    expect(card.get_by_test_id("setup-extension")).to_have_text(extension)
    expect(card.get_by_test_id("setup-password")).to_contain_text("your SIP password")
    expect(card.get_by_test_id("setup-realm")).to_have_text("cordboard")
    websocket = card.get_by_test_id("setup-websocket")
    if softphone:
        expect(websocket).to_contain_text(f"ws://127.0.0.1:{cordboard.port}/sip")
        expect(websocket).to_contain_text(f"wss://127.0.0.1:{cordboard.https_port}/sip")
    else:
        expect(websocket).to_contain_text("A softphone in the browser is not turned on for this user")
    expect(card.get_by_test_id("echo-test")).to_have_text(
        "Call *43 to test your audio: Cordboard answers and plays back what your phone sends."
    )


# -- the administrator, on the user edit page --------------------------------------------------------
def test_admin_generates_a_sip_password_and_the_phone_registers_with_it(
    cordboard: Cordboard, browser: BrowserThread
) -> None:
    user_id, _ = add_user(cordboard, "pia", "4001", "Pia", "Poulsen", sip=False)
    browser.run(_admin_generates_a_sip_password, cordboard, user_id)


def _admin_generates_a_sip_password(page: Any, cordboard: Cordboard, user_id: int) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=cordboard.base)
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD, f"/login?next=/users/{user_id}")
    expect(page.get_by_role("heading", name="Edit Pia Poulsen")).to_be_visible()
    card = page.get_by_test_id("phone-setup")
    expect(card.get_by_role("heading", name="Phone setup")).to_be_visible()
    check_values(card, cordboard, "pia", "4001")
    expect(card.get_by_test_id("setup-password-state")).to_have_text("not set")
    expect(card.get_by_test_id("setup-no-password")).to_be_visible()
    expect(card.get_by_test_id("setup-device-count")).to_have_text("No phone is registered right now.")
    # One place for the SIP password: the card, not also the "Passwords and PIN" card.
    expect(page.get_by_label(SIP_FIELD)).to_have_count(1)
    expect(page.locator("#secret-sip_password")).to_have_count(0)

    # Too short is refused before anything is sent.
    field = card.get_by_label(SIP_FIELD)
    field.fill("short")
    card.get_by_role("button", name="Set SIP password").click()
    expect(page.locator("#sip-password-new-error")).to_have_text("A SIP password has at least 12 characters.")
    expect(field).to_be_focused()

    # Generate: a strong password, in the field and shown with a copy button; a second one differs.
    card.get_by_role("button", name="Generate").click()
    shown = card.get_by_test_id("generated-sip-password")
    expect(shown).to_have_text(GENERATED)
    first = shown.inner_text()
    card.get_by_role("button", name="Generate").click()
    expect(shown).not_to_have_text(first)
    password = shown.inner_text()
    assert GENERATED.match(password)
    expect(field).to_have_value(password)
    expect(card.get_by_test_id("sip-password-once")).to_contain_text("Not in use yet")
    card.get_by_role("button", name="Copy").click()
    expect(card.get_by_test_id("copy-status")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == password

    # Set it: the field empties, the password stays shown this once, the state says "set".
    card.get_by_role("button", name="Set SIP password").click()
    expect(page.get_by_text("SIP password set.")).to_be_visible()
    expect(card.get_by_test_id("setup-password-state")).to_have_text("set")
    expect(card.get_by_test_id("setup-no-password")).to_have_count(0)
    expect(field).to_have_value("")
    expect(card.get_by_test_id("sip-password-once")).to_contain_text("it is shown only this once")
    expect(shown).to_have_text(password)
    shot(page, "phone-setup-admin")

    devices = card.get_by_test_id("setup-device")
    with (
        Phone(cordboard.sip_server, "pia", "pia-secret-123456") as wrong,
        Phone(cordboard.sip_server, "pia", password, user_agent="Snom D785 10.1.175.16") as desk,
    ):
        assert wrong.register().status in (401, 403)
        assert desk.register().status == 200
        expect(devices).to_have_count(1)
        expect(devices.first).to_contain_text("Snom D785 10.1.175.16")
        expect(devices.first).to_contain_text(f"UDP 127.0.0.1:{desk.port}")
        expect(devices.first.get_by_test_id("setup-device-expires")).to_have_text(re.compile(r"in [45]:\d\d"))
        expect(card.get_by_test_id("setup-device-count")).to_have_text("1 registered")
        shot(page, "phone-setup-admin-registered")
        assert desk.register(expires=0).status == 200
        expect(devices).to_have_count(0)
        expect(card.get_by_test_id("setup-device-count")).to_have_text("No phone is registered right now.")

    # After a reload the password is gone from the page for good: it was shown once.
    page.reload()
    expect(card.get_by_test_id("setup-password-state")).to_have_text("set")
    expect(card.get_by_test_id("generated-sip-password")).to_have_count(0)
    assert password not in page.content()


# -- the user, on "My profile" ----------------------------------------------------------------------
def test_user_sees_their_setup_and_only_their_phones(cordboard: Cordboard, browser: BrowserThread) -> None:
    quinn_id, quinn_pw = add_user(cordboard, "quinn", "4002", "Quinn", "Quist", sip=True)
    rolf_id, rolf_pw = add_user(cordboard, "rolf", "4003", "Rolf", "Rask", sip=True)
    status, body = cordboard.api(
        "PUT", f"/api/settings/user/{quinn_id}", {"core.softphone": True}, cordboard.token()
    )
    assert status == 200, body
    browser.run(_user_sees_their_setup, cordboard, (quinn_id, quinn_pw), (rolf_id, rolf_pw))


def _user_sees_their_setup(
    page: Any, cordboard: Cordboard, quinn: tuple[int, str], rolf: tuple[int, str]
) -> None:
    quinn_id, quinn_pw = quinn
    rolf_id, rolf_pw = rolf
    login(page, cordboard.base, "quinn", quinn_pw)
    page.locator("#nav").get_by_role("link", name="My profile").click()
    expect(page.get_by_role("heading", name="My profile")).to_be_visible()
    card = page.get_by_test_id("phone-setup")
    check_values(card, cordboard, "quinn", "4002", softphone=True)
    expect(card.get_by_test_id("setup-password-state")).to_have_text("set")
    # Users may not set their own SIP password (admin-only): no form, a note instead.
    expect(card.get_by_role("button", name="Generate")).to_have_count(0)
    expect(card.get_by_label(SIP_FIELD)).to_have_count(0)
    expect(card.get_by_test_id("setup-ask-admin")).to_contain_text(
        "Only an administrator can set your SIP password"
    )

    devices = card.get_by_test_id("setup-device")
    expect(devices).to_have_count(0)
    with (
        Phone(cordboard.sip_server, "rolf", rolf_pw, user_agent="Rolf's Phone/1.0") as other,
        Phone(cordboard.sip_server, "quinn", quinn_pw, user_agent="Yealink SIP-T54W 96.86.0.30") as desk,
        Phone(cordboard.sip_server, "quinn", quinn_pw, user_agent="Linphone/5.2.0 (Desktop)") as soft,
    ):
        assert other.register().status == 200
        assert desk.register().status == 200
        expect(devices).to_have_count(1)
        expect(devices.first).to_contain_text("Yealink SIP-T54W 96.86.0.30")
        expect(devices.first).to_contain_text(f"UDP 127.0.0.1:{desk.port}")
        assert soft.register(expires=120).status == 200
        expect(devices).to_have_count(2)
        soft_row = devices.filter(has_text="Linphone/5.2.0")
        expect(soft_row.get_by_test_id("setup-device-expires")).to_have_text(re.compile(r"in [12]:\d\d"))
        expect(card).not_to_contain_text("Rolf's Phone")
        # Rolf's phone never reaches Quinn's browser, not even in the WebSocket's states.
        entity_ids = page.evaluate(
            "async () => (await (await fetch('/api/states')).json()).map((s) => s.entity_id)"
        )
        assert len([e for e in entity_ids if e.startswith("device.")]) == 2
        shot(page, "phone-setup-user")
        page.set_viewport_size(PHONE)
        shot(page, "phone-setup-user-phone")
        assert desk.register(expires=0).status == 200
        expect(devices).to_have_count(1)
        expect(devices.first).to_contain_text("Linphone")
        assert soft.register(expires=0).status == 200
        assert other.register(expires=0).status == 200
        expect(devices).to_have_count(0)

    # The API refuses another user's setup and a user's own SIP password change.
    token = cordboard.token("quinn", quinn_pw)
    status, body = cordboard.api("GET", f"/api/sip/setup?user_id={rolf_id}", token=token)
    assert status == 403, body
    status, own = cordboard.api("GET", "/api/sip/setup", token=token)
    assert status == 200 and own["user"]["id"] == quinn_id and own["user"]["username"] == "quinn"
    status, _ = cordboard.api("PUT", f"/api/users/{quinn_id}/sip_password", {"sip_password": "x" * 16}, token)
    assert status == 403

    # German (USR-06).
    status, _ = cordboard.api("PATCH", f"/api/users/{quinn_id}", {"language": "de"}, token)
    assert status == 200
    page.set_viewport_size({"width": 1280, "height": 860})
    page.reload()
    expect(card.get_by_role("heading", name="Telefon einrichten")).to_be_visible()
    expect(card.get_by_test_id("echo-test")).to_contain_text("Rufen Sie *43 an, um den Ton zu testen")
    expect(card.get_by_test_id("setup-transport")).to_contain_text(
        f"UDP oder TCP auf Port {cordboard.sip_port}"
    )
    shot(page, "phone-setup-user-de")


# -- an administrator's own profile: the form is there too ----------------------------------------------
def test_admin_sets_their_own_sip_password_on_the_profile(
    cordboard: Cordboard, browser: BrowserThread
) -> None:
    browser.run(_admin_sets_their_own_sip_password, cordboard)


def _admin_sets_their_own_sip_password(page: Any, cordboard: Cordboard) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD, "/login?next=/profile")
    card = page.get_by_test_id("phone-setup")
    expect(card.get_by_test_id("setup-username")).to_have_text(ADMIN)
    card.get_by_label(SIP_FIELD).fill("root-own-sip-secret")
    card.get_by_role("button", name="Set SIP password").click()
    expect(card.get_by_test_id("setup-password-state")).to_have_text("set")
    # A typed password is never echoed back as a "generated" one.
    expect(card.get_by_test_id("generated-sip-password")).to_have_count(0)
    with Phone(cordboard.sip_server, ADMIN, "root-own-sip-secret", user_agent="Grandstream GXP2170") as phone:
        assert phone.register().status == 200
        expect(card.get_by_test_id("setup-device")).to_contain_text("Grandstream GXP2170")
        assert phone.register(expires=0).status == 200
        expect(card.get_by_test_id("setup-device")).to_have_count(0)
